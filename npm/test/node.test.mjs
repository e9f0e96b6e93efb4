// The built package in Node: the wasm loaded from bytes, WebSocket from
// Node's global (needs `node --experimental-websocket` on Node 20) and
// long-polling through the global fetch, against socket.io 4.8.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "socket.io";
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
      // (base64 records over polling); in Node it arrives as a Buffer, as
      // with socket.io-client.
      assert.ok(Buffer.isBuffer(res.got[1]));
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
      const engine = s.io.engine;
      s.emit("garble");
      const [reason] = await gone;
      assert.equal(reason, "parse error");
      // That engine is closed; the reconnection makes a new one.
      assert.equal(engine.readyState, "closed");
      assert.equal(errors.length, 1);
      assert.match(JSON.stringify(errors[0]), /JSON/);
      // Nothing of the broken event reaches listeners, nor what follows it
      // in the closed session; the events before it were delivered.
      assert.deepEqual(seen, ["before"]);
      // A new session follows, as after any malformed packet.
      await next(s, "welcome");
      assert.equal(s.connected, true);
      assert.notEqual(s.io.engine, engine);
    });
  }

  test("active: true while connected or retrying on its own, false once only the application can act", async () => {
    const s = open({ transports: ["websocket"], autoConnect: false });
    assert.equal(s.active, false, "not connected yet");
    s.connect();
    assert.equal(s.active, true, "connecting");
    await next(s, "connect");
    assert.equal(s.active, true);
    s.disconnect();
    assert.equal(s.active, false, "after disconnect()");

    // socket.io-client's pattern: in connect_error, `active` tells a
    // failure that will be retried from one that will not.
    const bad = open({
      transports: ["websocket"],
      auth: { token: "bad" },
      authErrorPatterns: ["unauthorized"],
      maxAuthFailures: 2,
      authRefreshTimeout: 100,
    });
    const seen = [];
    bad.on("connect_error", (err) => seen.push([err.message, bad.active]));
    await next(bad.io, "auth_gave_up");
    assert.deepEqual(seen, [
      ["unauthorized: bad token", true],
      ["unauthorized: bad token", false],
    ]);

    const kicked = open({ transports: ["websocket"] });
    await next(kicked, "connect");
    kicked.emit("kick");
    await next(kicked, "disconnect");
    assert.equal(kicked.active, false, "after a server disconnect");
  });

  test("recovered: a dropped connection restores the session on a server with connection state recovery", async () => {
    const http = createServer();
    const rio = new Server(http, { connectionStateRecovery: {}, pingInterval: 1000, pingTimeout: 5000 });
    rio.on("connection", (sock) => {
      sock.emit("hello", sock.recovered);
      sock.on("drop", () => sock.conn.close());
      sock.on("broadcast", (n) => rio.emit("news", n));
    });
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    try {
      const s = io(`http://127.0.0.1:${http.address().port}`, {
        transports: ["websocket"],
        reconnectionDelay: 50,
        reconnectionDelayMax: 50,
      });
      sockets.push(s);
      await next(s, "hello");
      assert.equal(s.recovered, false);
      const id = s.id;
      const news = [];
      s.on("news", (n) => news.push(n));
      s.emit("broadcast", 1);
      await new Promise((ok) => s.once("news", ok));
      s.emit("drop");
      await next(s, "disconnect");
      // Missed while away: delivered on recovery.
      rio.emit("news", 2);
      await next(s, "connect");
      assert.equal(s.recovered, true);
      assert.equal(s.id, id, "the same socket id");
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(news, [1, 2]);
    } finally {
      await new Promise((ok) => rio.close(() => ok()));
    }
  });

  test("onAnyOutgoing sees every accepted emit, buffered ones included; prependAny and listenersAny", async () => {
    const s = open({ transports: ["websocket"], autoConnect: false });
    const out = [];
    const first = (ev, ...args) => out.push(["first", ev, ...args]);
    const later = (ev, ...args) => out.push(["later", ev, ...args]);
    s.onAnyOutgoing(later);
    s.prependAnyOutgoing(first);
    assert.deepEqual(s.listenersAnyOutgoing(), [first, later]);
    s.emit("echo", 1);
    s.volatile.emit("echo", "dropped while disconnected");
    s.connect();
    await next(s, "connect");
    const got = await s.timeout(2000).emitWithAck("ask", { n: 3 });
    assert.deepEqual(got.got, [{ n: 3 }]);
    assert.deepEqual(out, [
      ["first", "echo", 1],
      ["later", "echo", 1],
      ["first", "ask", { n: 3 }],
      ["later", "ask", { n: 3 }],
    ]);
    s.offAnyOutgoing(first);
    s.emit("echo", 4);
    assert.deepEqual(out.at(-1), ["later", "echo", 4]);
    s.offAnyOutgoing();
    s.emit("echo", 5);
    assert.equal(out.length, 5);

    const order = [];
    const a = (ev) => order.push(`a:${ev}`);
    const b = (ev) => order.push(`b:${ev}`);
    s.onAny(a);
    s.prependAny(b);
    assert.deepEqual(s.listenersAny(), [b, a]);
    s.emit("echo", 6);
    await new Promise((ok) => s.once("echo", ok));
    assert.deepEqual(order.slice(0, 2), ["b:echo", "a:echo"]);
  });

  test("an event the server's middleware emits before accepting arrives, before connect", async () => {
    for (const transports of [["websocket"], ["polling"]]) {
      const s = open({ transports, auth: { token: "greet" } });
      const seen = [];
      s.on("greeting", (g) => seen.push(["greeting", g.from]));
      s.on("connect", () => seen.push(["connect"]));
      await next(s, "welcome");
      assert.deepEqual(seen, [["greeting", "middleware"], ["connect"]], transports.join());
    }
  });

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

  test("acks with a timeout do not re-arm the driver's timer each time, and their timeouts still fire", async () => {
    const s = open({ transports: ["websocket"] });
    await next(s, "welcome");
    // The driver's timer goes through the global setTimeout (the host's
    // default timers); nothing else in this process sets timers per ack.
    const real = globalThis.setTimeout;
    let armed = 0;
    globalThis.setTimeout = (...a) => {
      armed += 1;
      return real(...a);
    };
    try {
      for (let i = 0; i < 50; i += 1) {
        const res = await s.timeout(5000).emitWithAck("ask", i);
        assert.deepEqual(res.got, [i]);
      }
    } finally {
      globalThis.setTimeout = real;
    }
    // Each ack's deadline is later than the one armed before it: the
    // timer stays as it is (it was re-armed twice per ack before).
    assert.ok(armed <= 5, `${armed} timers armed for 50 acks`);
    // A shorter deadline than the armed one still moves the timer.
    const long = s.timeout(5000).emitWithAck("slow");
    long.catch(() => {});
    const started = Date.now();
    await assert.rejects(s.timeout(100).emitWithAck("slow"));
    assert.ok(Date.now() - started < 3000, "the short timeout waited for a longer one");
  });
});
