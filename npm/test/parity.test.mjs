// Parity with socket.io-client: the same scripts run with socket.io-client
// 4.8 and with this package, against one socket.io 4.8 server, over
// WebSocket, long-polling, and polling upgraded to WebSocket. What each
// client's listeners see (events, acks, connect, disconnect reasons,
// connect_error) and what the server receives must be the same. Each
// script ends on an event it waits for, never on a fixed delay.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { io as sioClient } from "socket.io-client";
import { initFromBytes, io as omniClient } from "../dist/index.js";

/** Plain JSON of what a listener got; binary as `{bin: [...]}`. */
function plain(v) {
  if (v instanceof ArrayBuffer) return { bin: [...new Uint8Array(v)] };
  if (ArrayBuffer.isView(v)) return { bin: [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)] };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v === undefined ? null : v;
}

describe("parity with socket.io-client", { timeout: 120_000 }, () => {
  let http;
  let url;
  // What the server received, per run id (the `run` query parameter).
  const received = new Map();

  before(async () => {
    initFromBytes(await readFile(new URL("../dist/wasm/omni_socket_wasm_bg.wasm", import.meta.url)));
    http = createServer();
    const srv = new Server(http, { pingInterval: 1000, pingTimeout: 5000 });
    srv.use((socket, next) => {
      const { token } = socket.handshake.auth ?? {};
      if (token === "refuse") return next(Object.assign(new Error("not allowed"), { data: { code: 42 } }));
      if (token === "greet") socket.emit("greeting", { from: "middleware" });
      next();
    });
    srv.on("connection", (s) => {
      const run = s.handshake.query.run;
      const log = received.get(run) ?? [];
      received.set(run, log);
      s.onAny((event, ...args) => {
        const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
        log.push([event, ...plain(args)]);
        if (event === "echo") s.emit("echo", ...args);
        if (event === "ackme") ack?.(...args);
        if (event === "done") ack?.("ok");
        if (event === "close_transport") s.conn.close();
        if (event === "query") {
          // Less this test's run id, and socket.io-client's cache-busting
          // `t` over polling (this package asks fetch not to cache).
          const { run: _, t: __, ...query } = s.handshake.query;
          s.emit("query", query);
        }
        if (event === "burst") for (let i = 0; i < args[0]; i++) s.emit("piece", i, "y".repeat(args[1]));
        if (event === "send_binary") s.emit("binary", Buffer.from([1, 2]), { nested: Buffer.from([3]) }, "text");
        if (event === "ask_client") {
          s.timeout(2000).emit("question", args[0], (err, answer) => s.emit("answer", err ? "no answer" : answer));
        }
        if (event === "ask_client_bytes") {
          s.timeout(2000).emit("question_bytes", Buffer.from(args[0]), (err, ...answer) =>
            s.emit("answer_bytes", ...(err ? ["no answer"] : answer)),
          );
        }
      });
      s.emit("hello", s.nsp.name);
      if (s.handshake.auth?.n !== undefined) s.emit("auth_seen", s.handshake.auth.n);
      if (s.handshake.auth?.token === "byebye") {
        s.emit("bye", 1);
        s.disconnect();
      }
    });
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${http.address().port}`;
  });

  after(() => new Promise((ok) => http.close(() => ok())));

  let runs = 0;

  /**
   * Runs `script` with one client and resolves with what its listeners saw
   * and what the server got, once `done(log)` holds (10 s at most).
   */
  async function run(make, { path = "/", opts = {}, script = () => {}, done }) {
    const id = `r${++runs}`;
    const log = [];
    const socket = make(url + path, { ...opts, query: { ...opts.query, run: id } });
    let finish;
    const finished = new Promise((ok) => (finish = ok));
    const note = (entry) => {
      log.push(entry);
      if (done(log)) finish();
    };
    socket.onAny((event, ...args) => {
      const reply = typeof args.at(-1) === "function" ? args.pop() : undefined;
      if (event === "question") reply(args[0] + 1);
      // A copy: in Node socket.io-client gives a Buffer, this package an
      // ArrayBuffer (as both do in browsers), and a view would be reversed
      // in place.
      if (event === "question_bytes") reply(Uint8Array.from(plain(args[0]).bin).reverse(), { len: args[0].byteLength });
      note(["event", event, ...plain(args)]);
    });
    socket.on("connect", () => note(["connect"]));
    socket.on("disconnect", (reason) => note(["disconnect", reason]));
    socket.on("connect_error", (err) => note(["connect_error", err.message, plain(err.data ?? null)]));
    script(socket, note);
    const timer = setTimeout(finish, 10_000);
    await finished;
    clearTimeout(timer);
    socket.close();
    return { client: log, server: received.get(id) ?? [] };
  }

  const has = (...entry) => (log) => log.some((e) => JSON.stringify(e) === JSON.stringify(entry));
  const count = (n, ...entry) => (log) => log.filter((e) => JSON.stringify(e) === JSON.stringify(entry)).length >= n;

  const scenarios = {
    "events of every JSON type and binary, both ways": {
      script: (s) => {
        s.emit("echo", 1.5, -1, 1e21, "é\u2028", true, null, [], {}, { a: [1, { b: "c" }] });
        s.emit("echo", "emoji 😀 \ud83d\ude00", "nul \u0000 tab \t quote \" backslash \\", 0.1 + 0.2, 2 ** 53 + 2);
        s.emit("echo", { "key with spaces": { "": [[[[[]]]]] } }, "x".repeat(70_000));
        s.emit("echo", new Uint8Array([7, 8]), { inner: new Uint8Array([9]).buffer });
        s.emit("send_binary");
      },
      done: has("event", "binary", { bin: [1, 2] }, { nested: { bin: [3] } }, "text"),
    },
    "acks both ways, and an ack timeout": {
      script: (s, note) => {
        s.emit("ackme", 1, "two", { three: [3] }, (...a) => note(["ack", ...plain(a)]));
        s.emit("ackme", (...a) => note(["empty ack", ...plain(a)]));
        s.emit("ackme", new Uint8Array([5, 6]), { deep: [new Uint8Array([7]).buffer] }, (...a) =>
          note(["binary ack", ...plain(a)]),
        );
        s.emit("ask_client_bytes", [1, 2, 3]);
        s.emit("ask_client", 41);
        // After the answer, so the timeout's place in the log is fixed.
        s.once("answer", () => s.timeout(50).emit("silent", (err) => note(["timed out", err instanceof Error])));
      },
      done: has("timed out", true),
    },
    "what the middleware emits before accepting comes before connect": {
      opts: { auth: { token: "greet" } },
      done: has("event", "hello", "/"),
    },
    "a refusal with data, and no reconnection": {
      opts: { auth: { token: "refuse" }, reconnection: false },
      done: has("connect_error", "not allowed", { code: 42 }),
    },
    "an unknown namespace is refused": {
      path: "/nope",
      opts: { reconnection: false },
      done: (log) => log.some((e) => e[0] === "connect_error"),
    },
    "a server disconnect after an event": {
      opts: { auth: { token: "byebye" } },
      done: has("disconnect", "io server disconnect"),
    },
    "emits while disconnected go out in order on connect; a volatile one is dropped": {
      opts: { autoConnect: false },
      script: (s, note) => {
        s.emit("queued", 1);
        s.volatile.emit("volatile", 2);
        s.emit("queued", 3);
        s.connect();
        s.emit("done", () => note(["flushed"]));
      },
      done: has("flushed"),
    },
    "an offline buffer larger than the server's maxPayload is flushed whole": {
      opts: { autoConnect: false },
      script: (s, note) => {
        const chunk = "x".repeat(40_000);
        for (let i = 0; i < 30; i++) s.emit("chunk", i, chunk);
        s.connect();
        s.emit("done", () => note(["flushed"]));
      },
      done: has("flushed"),
    },
    "a burst of server events larger than maxPayload in all": {
      script: (s) => s.emit("burst", 30, 40_000),
      done: has("event", "piece", 29, "y".repeat(40_000)),
    },
    "an auth callback is asked again for every connection": {
      opts: () => {
        let n = 0;
        return { reconnectionDelay: 50, reconnectionDelayMax: 50, auth: (cb) => cb({ n: ++n }) };
      },
      script: (s) => s.once("connect", () => s.emit("close_transport")),
      done: has("event", "auth_seen", 2),
    },
    "assigning auth replaces an auth callback": {
      opts: () => ({ reconnectionDelay: 50, reconnectionDelayMax: 50, auth: (cb) => cb({ n: 1 }) }),
      script: (s) =>
        s.once("connect", () => {
          s.auth = { n: 7 };
          s.emit("close_transport");
        }),
      done: has("event", "auth_seen", 7),
    },
    "pending acks fail when the connection is lost; an ack emitted offline is answered": {
      opts: { reconnectionDelay: 50, reconnectionDelayMax: 50 },
      script: (s, note) =>
        s.once("connect", () => {
          s.timeout(5_000).emit("silent", (err) => note(["lost ack", err?.message ?? null]));
          s.emit("close_transport");
          s.once("disconnect", () =>
            s.timeout(5_000).emit("ackme", "offline", (err, r) => note(["offline ack", err?.message ?? null, r])),
          );
        }),
      done: has("offline ack", null, "offline"),
    },
    "a burst of 500 events while the transport is upgraded arrives in order": {
      script: (s) => s.emit("burst", 500, 10),
      done: has("event", "piece", 499, "y".repeat(10)),
    },
    "values JSON has no form for, and query parameters": {
      opts: { query: { a: 1, "b c": "d&e=f", u: "é" } },
      script: (s) => {
        s.emit("echo", new Date(0), undefined, [undefined, NaN, Infinity], { u: undefined, n: null }, -0);
        s.emit("echo", { toJSON: () => "custom" }, [new Uint8Array([1]), [new Uint8Array([2])]], new Uint16Array([258]));
        s.emit("query");
      },
      done: (log) => log.some((e) => e[1] === "query"),
    },
    "a closed transport is reconnected": {
      opts: { reconnectionDelay: 50, reconnectionDelayMax: 50 },
      script: (s) => s.once("connect", () => s.emit("close_transport")),
      done: count(2, "event", "hello", "/"),
    },
  };

  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      test(`${name} (${transports})`, async () => {
        // Options may be made afresh for each client (an auth callback
        // with its own counter).
        const withTransports = () => {
          const opts = typeof scenario.opts === "function" ? scenario.opts() : scenario.opts;
          return { ...scenario, opts: { ...opts, transports } };
        };
        const reference = await run((u, o) => sioClient(u, { ...o, forceNew: true }), withTransports());
        const ours = await run(omniClient, withTransports());
        assert.ok(scenario.done(reference.client), `socket.io-client did not finish: ${JSON.stringify(reference)}`);
        assert.deepEqual(ours, reference);
      });
    }
  }
});
