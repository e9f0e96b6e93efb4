// The built package in Node: the wasm loaded from bytes, WebSocket from
// Node's global (needs `node --experimental-websocket` on Node 20) and
// long-polling through the global fetch, against socket.io 4.8.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { startServer } from "./server.mjs";
import { initFromBytes, io } from "../dist/index.js";

describe("omni-socket in Node", { timeout: 30_000 }, () => {
  let server;
  const sockets = [];

  before(async () => {
    initFromBytes(await readFile(new URL("../dist/wasm/omni_socket_wasm_bg.wasm", import.meta.url)));
    server = await startServer();
  });

  after(async () => {
    for (const s of sockets) s.dispose();
    await server?.close();
  });

  const open = (opts) => {
    const s = io(server.url, opts);
    sockets.push(s);
    return s;
  };
  const next = (s, ev) => new Promise((ok) => s.once(ev, (...a) => ok(a)));

  test("global WebSocket is available", () => {
    assert.equal(typeof WebSocket, "function", "run node with --experimental-websocket");
  });

  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
    test(`connect, emit, ack over ${transports.join("+")}`, async () => {
      const s = open({ transports, auth: { token: "node" } });
      const [welcome] = await next(s, "welcome");
      assert.equal(welcome.auth.token, "node");
      const res = await s.timeout(2000).emitWithAck("ask", { n: 1 }, new Uint8Array([1, 2]));
      assert.deepEqual(res.got[0], { n: 1 });
      // The server gets a Buffer and answers with it as a binary attachment
      // (base64 records over polling).
      assert.ok(res.got[1] instanceof ArrayBuffer);
      assert.deepEqual([...new Uint8Array(res.got[1])], [1, 2]);
      assert.equal(s.status().isConnected, true);
      s.disconnect();
      assert.equal(s.connected, false);
    });
  }

  for (const transports of [["websocket"], ["polling"]]) {
    test(`an event with broken JSON closes the session as a parse error over ${transports}`, async () => {
      const s = open({ transports, reconnectionDelay: 50, reconnectionDelayMax: 50 });
      await next(s, "welcome");
      const seen = [];
      for (const ev of ["before", "garbled", "after"]) s.on(ev, () => seen.push(ev));
      const errors = [];
      s.io.on("protocol_error", (e) => errors.push(e));
      const gone = next(s, "disconnect");
      s.emit("garble");
      const [reason] = await gone;
      assert.equal(reason, "parse error");
      assert.equal(errors.length, 1);
      assert.match(JSON.stringify(errors[0]), /JSON/);
      // Nothing of the broken event reaches listeners, nor what follows it
      // in the closed session; the events before it were delivered.
      assert.deepEqual(seen, ["before"]);
      // A new session follows, as after any malformed packet.
      await next(s, "welcome");
      assert.equal(s.connected, true);
    });
  }

  test("a server kick is not followed by reconnection", async () => {
    const s = open({ transports: ["websocket"], reconnectionDelay: 50 });
    await next(s, "connect");
    s.emit("kick");
    const [reason] = await next(s, "disconnect");
    assert.equal(reason, "io server disconnect");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.connected, false);
    assert.equal(s.state, "idle");
  });
});
