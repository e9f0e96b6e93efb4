// Numbers keep every digit through the browser build, in both directions,
// against the official socket.io server.
//
// The wasm build reads JSON without serde_json's exact float parser (it is
// 8.6 KB gzipped), which is sound only because no JSON the application
// sent or receives is parsed into a tree and written again on the way:
// emit, ack and auth arguments, custom room arguments, server acks and
// refusal data all cross the core as text. Each number below is one that
// serde_json's fast parser gets one unit in the last place wrong, so a
// path that parsed and rewrote it would change it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { initFromBytes, io } from "../dist/index.js";

const A = 31.245270191439438;
const B = 121.48791951161945;
const C = 123456789.12345679;

describe("numbers keep their digits", { timeout: 30_000 }, () => {
  let http;
  let sio;
  let url;
  const seen = { joins: [] };
  const sockets = [];

  before(async () => {
    initFromBytes(await readFile(new URL("../dist/wasm/omni_socket_wasm_bg.wasm", import.meta.url)));
    http = createServer();
    const server = new Server(http);
    sio = server;
    server.use((socket, next) => {
      if (socket.handshake.auth?.refuse) {
        const err = new Error("refused");
        err.data = { n: B, list: [A, C] };
        return next(err);
      }
      next();
    });
    server.on("connection", (socket) => {
      socket.emit("auth_seen", socket.handshake.auth);
      socket.on("nums", (...args) => {
        const cb = args.pop();
        // The server's JSON.parse is exact: what it got is what was sent.
        cb({ got: args, exact: args[0] === A && args[1].c === C });
      });
      socket.on("ask_client", async () => {
        const answer = await socket.timeout(5000).emitWithAck("question", { n: B });
        socket.emit("answer_seen", answer);
      });
      socket.on("join_num", (desc) => {
        seen.joins.push(desc);
        socket.emit("num_joined", { id: desc.id });
      });
    });
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${http.address().port}`;
  });

  after(async () => {
    for (const s of sockets) s.dispose();
    // Closes every socket.io connection, then the HTTP server.
    const closed = new Promise((ok) => sio.close(() => ok()));
    http.closeAllConnections();
    await closed;
  });

  const open = (opts) => {
    const s = io(url, { forceNew: true, ...opts });
    sockets.push(s);
    return s;
  };
  const next = (s, ev) => new Promise((ok) => s.once(ev, (...a) => ok(a)));

  for (const transports of [["websocket"], ["polling"]]) {
    const over = `over ${transports[0]}`;

    test(`emit and ack arguments, auth, and server answers ${over}`, async () => {
      const s = open({ transports, auth: { n: C, nested: { a: A } } });
      const [auth] = await next(s, "auth_seen");
      assert.equal(auth.n, C);
      assert.equal(auth.nested.a, A);

      const res = await s.timeout(5000).emitWithAck("nums", A, { c: C });
      assert.equal(res.exact, true);
      assert.equal(res.got[0], A);
      assert.equal(res.got[1].c, C);

      // The server asks; the client's answer goes back as its own text.
      s.once("question", (q, cb) => cb({ echo: q.n, more: A }));
      s.emit("ask_client");
      const [answer] = await next(s, "answer_seen");
      assert.equal(answer.echo, B);
      assert.equal(answer.more, A);
    });

    test(`a custom room's join arguments ${over}`, async () => {
      const s = open({ transports });
      await next(s, "connect");
      const key = `num-${transports[0]}`;
      const joined = new Promise((ok) => {
        const seenRoom = (r) => {
          if (r.key !== key || r.state !== "joined") return;
          s.io.off("room", seenRoom);
          ok();
        };
        s.io.on("room", seenRoom);
      });
      s.join({
        preset: "custom",
        key,
        join: { event: "join_num", args: [{ id: transports[0], n: A, m: [C] }] },
        leave: { event: "leave_num", args: [] },
        confirm: { event: "num_joined", field: "id", value: transports[0] },
      });
      await joined;
      const desc = seen.joins.find((d) => d.id === transports[0]);
      assert.ok(desc, "the server saw the join");
      assert.equal(desc.n, A);
      assert.equal(desc.m[0], C);
    });

    test(`a refusal's data ${over}`, async () => {
      const s = open({ transports, auth: { refuse: true }, reconnection: false });
      const [err] = await next(s, "connect_error");
      assert.equal(err.message, "refused");
      assert.equal(err.data.n, B);
      assert.deepEqual(err.data.list, [A, C]);
    });
  }
});
