// The connection opens while the WebAssembly module downloads: in
// headless Chromium against the official socket.io server, the page's
// first Engine.IO request reaches the server while the server is still
// holding back the wasm file, and the core then takes that connection
// instead of opening another.
//
// The server answers the wasm request only once it has seen an Engine.IO
// connection (or after HOLD_MS, which the tests count as a failure), so the
// order is not a matter of timing: without the early connection nothing
// connects before the wasm is served.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";
import { launch, until } from "./browser.mjs";

const dist = fileURLToPath(new URL("../dist", import.meta.url));
const HOLD_MS = 10_000;
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm" };

describe("the first connection opens while the wasm loads", { timeout: 120_000 }, () => {
  let http;
  let sio;
  let url;
  let browser;
  // Per test: Engine.IO connections (their transport, and whether the
  // wasm had been served yet), how the wasm hold ended, the query seen.
  let seen;
  let engineSeen;

  beforeEach(() => {
    let release;
    engineSeen = new Promise((r) => (release = r));
    seen = { engines: [], wasmServed: false, hold: undefined, queries: [], upgraded: false, release };
  });

  before(async () => {
    http = createServer(async (req, res) => {
      const path = new URL(req.url, "http://x").pathname;
      if (path === "/page") {
        const script = new URL(req.url, "http://x").searchParams.get("script");
        res.writeHead(200, { "content-type": "text/html", "cache-control": "no-store" });
        res.end(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">import { io } from "/dist/index.js"; const URL_ = ${JSON.stringify(url)}; ${script}</script>`);
        return;
      }
      if (!path.startsWith("/dist/")) {
        if (!path.startsWith("/socket.io/")) res.writeHead(404).end();
        return;
      }
      const file = resolve(dist, normalize(decodeURIComponent(path.slice(6))));
      if (!file.startsWith(dist)) return res.writeHead(404).end();
      if (file.endsWith(".wasm") && !seen.noHold) {
        const timer = new Promise((r) => setTimeout(() => r("timeout"), HOLD_MS));
        seen.hold = await Promise.race([engineSeen.then(() => "engine"), timer]);
        seen.wasmServed = true;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    // Without the trailing slash the server answers both `/socket.io/?…`
    // and `/socket.io?…`, so every path variant below reaches it.
    sio = new Server(http, { cors: { origin: true }, addTrailingSlash: false });
    sio.engine.on("connection", (conn) => {
      seen.engines.push({ transport: conn.transport.name, afterWasm: seen.wasmServed });
      conn.on("upgrade", () => (seen.upgraded = true));
      seen.release();
    });
    sio.on("connection", (socket) => {
      seen.queries.push(socket.handshake.query);
      socket.on("echo", (...args) => socket.emit("echo", ...args));
    });
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${http.address().port}`;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    sio?.close();
    http?.closeAllConnections?.();
    await new Promise((ok) => http?.close(ok) ?? ok());
  });

  /** Loads a page running `script`; resolves with its `window.result`. */
  async function run(script) {
    const { page } = browser;
    await page.goto(`${url}/page?script=${encodeURIComponent(script)}`);
    const handle = await page.waitForFunction(() => window.result, null, { timeout: 30_000 });
    return handle.jsonValue();
  }

  // Connects, sends one event and reports what came back.
  const echo = (opts, after = "") => `
    const s = io(URL_, ${opts}); ${after}
    s.on("connect", () => s.emit("echo", { n: 1.5, s: "ä" }));
    s.on("echo", (d) => { window.result = { d, transport: s.io.engine.transport.name }; window.s = s; });
    s.on("connect_error", (e) => { window.result = { error: e.message }; });`;

  // The early connection's URL is the core's, or the core does not take
  // it: each of these options changes that URL (the path's slashes, the
  // query's encoding and order), and each must still be taken.
  const variants = [
    `{ transports: ["websocket"], query: { "k y": "ä!*'()~", a: 1, "Z": "" } }`,
    `{ transports: ["websocket"], path: "socket.io", addTrailingSlash: false }`,
    `{ transports: ["websocket"], path: "/socket.io/" }`,
  ];
  for (const [i, opts] of variants.entries()) {
    test(`over WebSocket, options ${i + 1}: ${opts}`, async () => {
      const r = await run(echo(opts));
      assert.deepEqual(r, { d: { n: 1.5, s: "ä" }, transport: "websocket" });
      assert.equal(seen.hold, "engine", "the WebSocket opened only once the wasm was served");
      assert.deepEqual(seen.engines, [{ transport: "websocket", afterWasm: false }]);
      if (i === 0) {
        assert.equal(seen.queries[0]["k y"], "ä!*'()~");
        assert.equal(seen.queries[0].a, "1");
      }
      await browser.page.evaluate(() => window.s.disconnect());
      await until(() => sio.engine.clientsCount === 0, 10_000, "the connection to close");
    });
  }

  test("over long-polling (the default transports), then upgraded", async () => {
    const r = await run(echo(`{}`));
    assert.ok(r.d, JSON.stringify(r));
    assert.equal(seen.hold, "engine", "the polling handshake went out only once the wasm was served");
    assert.deepEqual(seen.engines, [{ transport: "polling", afterWasm: false }]);
    await until(() => seen.upgraded, 10_000, "the upgrade to WebSocket");
    await browser.page.evaluate(() => window.s.disconnect());
  });

  test("a transport other than the one opened early: that one is closed", async () => {
    // Changed before the wasm is there: the core starts with polling.
    const r = await run(echo(`{ transports: ["websocket"] }`, `s.io.opts.transports = ["polling"];`));
    assert.ok(r.d, JSON.stringify(r));
    assert.equal(r.transport, "polling");
    assert.deepEqual(
      seen.engines.map((e) => e.transport),
      ["websocket", "polling"],
    );
    await until(() => sio.engine.clientsCount === 1, 10_000, "the early WebSocket to close");
    await browser.page.evaluate(() => window.s.disconnect());
    await until(() => sio.engine.clientsCount === 0, 10_000, "every connection to close");
  });

  test("a server not up yet: the early WebSocket's failure is the first attempt's, and a later one connects", async () => {
    // A free port with nothing on it, for now.
    const probe = createServer();
    await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
    const port = probe.address().port;
    await new Promise((ok) => probe.close(ok));
    seen.noHold = true;
    const page = browser.page;
    await page.goto(`${url}/page?script=${encodeURIComponent(`
      window.errors = 0;
      const s = io("http://127.0.0.1:${port}", { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 200 });
      s.on("connect_error", () => { window.errors += 1; });
      s.on("connect", () => s.emit("echo", "up"));
      s.on("echo", (d) => { window.result = d; window.s = s; });`)}`);
    await until(() => page.evaluate(() => window.errors >= 1), 10_000, "a connect_error");
    const later = createServer();
    const io2 = new Server(later);
    io2.on("connection", (socket) => socket.on("echo", (d) => socket.emit("echo", d)));
    await new Promise((ok) => later.listen(port, "127.0.0.1", ok));
    try {
      const got = await page.waitForFunction(() => window.result, null, { timeout: 15_000 });
      assert.equal(await got.jsonValue(), "up");
      await page.evaluate(() => window.s.disconnect());
    } finally {
      io2.close();
      later.closeAllConnections?.();
    }
  });

  test("disposed before the wasm is there: nothing stays open", async () => {
    const r = await run(`const s = io(URL_, { transports: ["websocket"] }); s.dispose(); window.result = "disposed";`);
    assert.equal(r, "disposed");
    await until(() => seen.engines.length === 1, 10_000, "the early WebSocket");
    await until(() => sio.engine.clientsCount === 0, 10_000, "the early WebSocket to close");
  });
});
