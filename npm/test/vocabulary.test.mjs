// What the package and the core must name the same way, checked through
// the built package against the official socket.io server: room keys
// (computed in JavaScript from the table generated from the core, before
// the wasm is loaded, and by the core itself) and the Omni heartbeat the
// core fills in from `heartbeat: {}`; the rate limit options in the forms
// the core reads (and the TypeScript type `RateLimitOptions` names):
// nothing paced by default, a product's table with `{product}` (what the
// React hook and the Vue plugin pass unless given limits, src/__tests__).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { initFromBytes, io } from "../dist/index.js";

describe("one vocabulary with the core", { timeout: 60_000 }, () => {
  let http;
  let url;
  const got = [];

  before(async () => {
    initFromBytes(await readFile(new URL("../dist/wasm/omni_socket_wasm_bg.wasm", import.meta.url)));
    http = createServer();
    const srv = new Server(http);
    srv.on("connection", (s) => {
      s.onAny((event, ...args) => {
        got.push([event, args]);
        if (event === "heartbeat") s.emit("heartbeat_response", { timestamp: args[0].timestamp, status: "healthy" });
      });
    });
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${http.address().port}`;
  });

  after(() => new Promise((ok) => http.close(() => ok())));

  test("room keys from join() are the core's keys", async () => {
    const s = io(url, { transports: ["websocket"], forceNew: true, rateLimit: { enabled: false } });
    await new Promise((ok) => s.once("connect", ok));
    const descs = [
      { preset: "conversation", id: "007" },
      { preset: "conversation", id: 42 },
      { preset: "conversation", id: "0" },
      { preset: "deployment", id: "dep-1" },
      { preset: "orderChat", orderId: "o-9" },
      { preset: "disputeChat", disputeId: "d 1" },
      { preset: "omni", room: "lobby" },
      { preset: "custom", key: "k1", join: { event: "sub" }, leave: { event: "unsub" } },
    ];
    const keys = descs.map((d) => s.join(d));
    const end = Date.now() + 5000;
    while (Object.keys(s.rooms).length < descs.length && Date.now() < end) await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(Object.keys(s.rooms).sort(), [...keys].sort(), "keys the core reported");
    assert.deepEqual(keys, [
      "conversation:7",
      "conversation:42",
      "conversation:0",
      "deployment:dep-1",
      "order:o-9",
      "dispute:d 1",
      "lobby",
      "k1",
    ]);
    s.dispose();
  });

  test("an Omni room's type follows from its name", async () => {
    got.length = 0;
    const s = io(url, { transports: ["websocket"], forceNew: true, rateLimit: { enabled: false } });
    await new Promise((ok) => s.once("connect", ok));
    s.join("user_12345");
    s.join("license_K1");
    s.join("admin_dashboard");
    const end = Date.now() + 5000;
    // Only these three: a join of the previous test may arrive late.
    const mine = () =>
      got.filter(([e, a]) => e === "join_room" && ["user_12345", "license_K1", "admin_dashboard"].includes(a[0]?.room));
    while (mine().length < 3 && Date.now() < end) await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(
      mine().map(([, a]) => a[0]),
      [
        { room: "user_12345", type: "user" },
        { room: "license_K1", type: "license" },
        { room: "admin_dashboard", type: "admin" },
      ],
    );
    s.dispose();
  });

  test("heartbeat: {} is the core's Omni heartbeat, from a browser platform", async () => {
    got.length = 0;
    const s = io(url, { transports: ["websocket"], forceNew: true, heartbeat: {} });
    const sample = await new Promise((ok) => s.once("latency", ok));
    const hb = got.find(([e]) => e === "heartbeat");
    assert.ok(hb, "a heartbeat reached the server");
    assert.equal(typeof hb[1][0].timestamp, "number");
    assert.deepEqual(hb[1][0].client_info, { version: "0.1.0", platform: "web" });
    assert.equal(sample.serverStatus, "healthy");
    s.dispose();
  });
});

describe("rate limits", { timeout: 60_000 }, () => {
  let http;
  let url;
  const sockets = [];

  before(async () => {
    http = createServer();
    const srv = new Server(http);
    srv.on("connection", (s) => {
      const seen = {};
      s.onAny((event) => {
        seen[event] = (seen[event] ?? 0) + 1;
      });
      // Answers with what arrived before it, so what a pacing client still
      // holds back shows without waiting for anything.
      s.on("count", (event, ack) => ack(seen[event] ?? 0));
    });
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${http.address().port}`;
  });

  after(() => {
    for (const s of sockets) s.dispose();
    return new Promise((ok) => http.close(() => ok()));
  });

  // Sends `n` of `event`, then asks the server how many it got.
  const burst = async (opts, event, n) => {
    const s = io(url, { transports: ["websocket"], forceNew: true, ...opts });
    sockets.push(s);
    await new Promise((ok) => s.once("connect", ok));
    for (let i = 0; i < n; i++) s.emit(event, i);
    return s.timeout(10_000).emitWithAck("count", event);
  };

  test("nothing is paced by default", async () => {
    assert.equal(await burst({}, "chat", 40), 40);
  });

  test("{product: 'omni'} paces by seed 000's table: 30 a minute per event, 20 joins", async () => {
    assert.equal(await burst({ rateLimit: { product: "omni" } }, "chat", 40), 30);
    assert.equal(await burst({ rateLimit: { product: "omni" } }, "join_room", 25), 20);
  });

  test("a table of one's own adds to the product's", async () => {
    const rateLimit = { product: "omni", events: { chat: { limit: 5, window: 60_000 } } };
    assert.equal(await burst({ rateLimit }, "chat", 8), 5);
    assert.equal(await burst({ rateLimit }, "join_room", 25), 20);
  });
});
