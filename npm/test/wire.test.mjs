// Real-wire tests: the built package in headless Chromium against the
// official Node `socket.io` server (4.8, pinned in package.json).
//
// Run after scripts/build-wasm.sh: `node --test test/`.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launch, until } from "./browser.mjs";
import { startServer } from "./server.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const roots = { "/dist/": `${here}../dist`, "/pages/": `${here}pages` };

describe("omni-socket in Chromium against socket.io 4.8", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startServer({ roots });
    browser = await launch();
    page = browser.page;
    await page.goto(`${server.url}/pages/index.html`);
    await page.waitForFunction(() => window.omni !== undefined, null, { timeout: 15_000 });
    // Every test page-side socket goes into window.sockets for cleanup.
    await page.evaluate(() => {
      window.sockets = [];
      window.open_ = (url, opts) => {
        const s = window.omni.io(url, opts);
        window.sockets.push(s);
        return s;
      };
      window.next = (s, ev) => new Promise((ok) => s.once(ev, (...a) => ok(a)));
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const cleanup = () =>
    page.evaluate(() => {
      for (const s of window.sockets.splice(0)) s.dispose();
    });

  test("connects over WebSocket with auth and reports status", async () => {
    const r = await page.evaluate(async (url) => {
      const s = window.open_(url, { auth: { token: "t1", license_key: "L-1" }, transports: ["websocket"] });
      const [welcome] = await window.next(s, "welcome");
      return { welcome, status: s.status(), id: s.id, snap: s.getSnapshot() };
    }, server.url);
    assert.deepEqual(r.welcome.auth, { token: "t1", license_key: "L-1" });
    assert.equal(r.welcome.id, r.id);
    assert.deepEqual(r.status, { isConnected: true, socketId: r.id, reconnectAttempts: 0 });
    assert.equal(r.snap.state, "open");
    assert.equal(r.snap.transport, "websocket");
    await cleanup();
  });

  test("long-polling alone, and polling upgraded to WebSocket by default", async () => {
    const r = await page.evaluate(async (url) => {
      const p = window.open_(url, { transports: ["polling"] });
      await window.next(p, "welcome");
      p.emit("echo", { via: "polling" });
      const [echo] = await window.next(p, "echo");
      const d = window.open_(url, {});
      const upgraded = new Promise((ok) => d.io.on("upgrade", (u) => ok(u.transport)));
      await window.next(d, "connect");
      return { echo, polling: p.getSnapshot().transport, upgraded: await upgraded, after: d.getSnapshot().transport };
    }, server.url);
    assert.deepEqual(r.echo, { via: "polling" });
    assert.equal(r.polling, "polling");
    assert.equal(r.upgraded, "websocket");
    assert.equal(r.after, "websocket");
    await cleanup();
  });

  test("no emit or event is lost across the polling to WebSocket upgrade", async () => {
    const r = await page.evaluate(async (url) => {
      const runs = [];
      for (let run = 0; run < 6; run++) {
        const s = window.open_(url, { rateLimit: { enabled: false } });
        const got = [];
        s.on("echo", (i) => got.push(i));
        // Emit from the first moment on: some go out over polling, some
        // while the upgrade probe runs, the rest over the WebSocket.
        for (let i = 0; i < 40; i++) s.emit("echo", i);
        await window.next(s, "connect");
        for (let i = 40; i < 80; i++) {
          s.emit("echo", i);
          if (i % 8 === 0) await new Promise((ok) => setTimeout(ok, 2));
        }
        const end = Date.now() + 5000;
        while ((got.length < 80 || s.getSnapshot().transport !== "websocket") && Date.now() < end) {
          await new Promise((ok) => setTimeout(ok, 20));
        }
        runs.push({ got, transport: s.getSnapshot().transport });
      }
      return runs;
    }, server.url);
    const all = Array.from({ length: 80 }, (_, i) => i);
    for (const run of r) {
      assert.deepEqual(run.got, all, JSON.stringify(run.got));
      assert.equal(run.transport, "websocket");
    }
    await cleanup();
  });

  test("events both ways, onAny, once, off", async () => {
    const r = await page.evaluate(async (url) => {
      const s = window.open_(url, { transports: ["websocket"] });
      await window.next(s, "connect");
      const any = [];
      s.onAny((ev, ...args) => any.push([ev, args]));
      let onceCount = 0;
      s.once("echo", () => onceCount++);
      const off = () => {
        throw new Error("removed listener called");
      };
      s.on("echo", off);
      s.off("echo", off);
      s.emit("echo", { a: 1, nested: [true, null, "x"] }, 42);
      const args = await window.next(s, "echo");
      s.emit("echo", "second");
      await window.next(s, "echo");
      return { args, any, onceCount };
    }, server.url);
    assert.deepEqual(r.args, [{ a: 1, nested: [true, null, "x"] }, 42]);
    assert.deepEqual(r.any.map((a) => a[0]), ["welcome", "echo", "echo"].slice(r.any.length === 3 ? 0 : 1));
    assert.equal(r.onceCount, 1);
    await cleanup();
  });

  test("acks both ways, ack timeout", async () => {
    const r = await page.evaluate(async (url) => {
      const s = window.open_(url, { transports: ["websocket"] });
      await window.next(s, "connect");
      const viaPromise = await s.emitWithAck("ask", "p", 1);
      const viaCallback = await new Promise((ok) => s.emit("ask", "cb", (res) => ok(res)));
      const viaTimeout = await new Promise((ok) => s.timeout(2000).emit("ask", "t", (err, res) => ok([err, res])));
      s.on("question", (q, answer) => answer({ answer: q.n * 2 }));
      s.emit("please_ask_me", { n: 21 });
      const [answered] = await window.next(s, "answered");
      const t0 = Date.now();
      let timedOut = null;
      try {
        await s.timeout(150).emitWithAck("slow");
      } catch (e) {
        timedOut = [e.message, Date.now() - t0];
      }
      return { viaPromise, viaCallback, viaTimeout, answered, timedOut };
    }, server.url);
    assert.deepEqual(r.viaPromise, { got: ["p", 1] });
    assert.deepEqual(r.viaCallback, { got: ["cb"] });
    assert.deepEqual(r.viaTimeout, [null, { got: ["t"] }]);
    assert.deepEqual(r.answered, { answer: 42 });
    assert.equal(r.timedOut[0], "operation has timed out");
    assert.ok(r.timedOut[1] >= 100 && r.timedOut[1] < 2000, `timeout after ${r.timedOut[1]} ms`);
    await cleanup();
  });

  test("binary payloads both ways", async () => {
    const r = await page.evaluate(async (url) => {
      const s = window.open_(url, { transports: ["websocket"] });
      await window.next(s, "connect");
      const payload = new Uint8Array([1, 2, 3, 250, 0, 7]);
      const res = await s.emitWithAck("bin", { name: "file.bin", payload });
      const echoed = new Promise((ok) => s.once("echo", (...a) => ok(a)));
      s.emit("echo", { blob: payload.buffer, list: [new Uint8Array([9]), "text"] });
      const [e] = await echoed;
      return {
        size: res.size,
        name: res.name,
        isBuffer: res.reversed instanceof ArrayBuffer,
        reversed: Array.from(new Uint8Array(res.reversed)),
        blob: Array.from(new Uint8Array(e.blob)),
        list0: Array.from(new Uint8Array(e.list[0])),
        list1: e.list[1],
      };
    }, server.url);
    assert.equal(r.size, 6);
    assert.equal(r.name, "file.bin");
    assert.ok(r.isBuffer);
    assert.deepEqual(r.reversed, [7, 0, 250, 3, 2, 1]);
    assert.deepEqual(r.blob, [1, 2, 3, 250, 0, 7]);
    assert.deepEqual(r.list0, [9]);
    assert.equal(r.list1, "text");
    await cleanup();
  });

  test("namespaces and connect_error", async () => {
    const r = await page.evaluate(async (url) => {
      const a = window.open_(`${url}/admin`, { transports: ["websocket"] });
      const [hello] = await window.next(a, "hello_admin");
      const bad = window.open_(url, { transports: ["websocket"], auth: { token: "bad" }, maxAuthFailures: 1 });
      const [err] = await window.next(bad, "connect_error");
      return { hello, nsp: a.nsp, err: err.message, connected: bad.connected };
    }, server.url);
    assert.deepEqual(r.hello, { nsp: "/admin" });
    assert.equal(r.nsp, "/admin");
    assert.match(r.err, /unauthorized/);
    assert.equal(r.connected, false);
    await cleanup();
  });

  test("rooms: confirmed, refused, left, and re-joined after a server restart", async () => {
    await page.evaluate(async (url) => {
      const s = window.open_(url, {
        transports: ["websocket"],
        reconnectionDelay: 100,
        reconnectionDelayMax: 300,
      });
      window.roomSocket = s;
      window.notes = [];
      s.on("notification", (n) => window.notes.push(n));
      s.join("lobby", { type: "public" });
      s.join("forbidden_x");
      s.join("temp");
    }, server.url);
    await until(
      () => page.evaluate(() => window.roomSocket.rooms.lobby?.state === "joined" && window.roomSocket.rooms.forbidden_x?.state === "failed"),
      5000,
      "rooms settled",
    );
    const failed = await page.evaluate(() => window.roomSocket.rooms.forbidden_x);
    assert.equal(failed.reason, "not allowed");
    await page.evaluate(() => window.roomSocket.leave("temp"));
    await until(async () => (await server.roomSize("temp")) === 0, 5000, "left temp");
    assert.equal(await server.roomSize("lobby"), 1);

    // Restart the server on the same port: the page must reconnect and
    // re-join its rooms without any application code.
    const port = server.port;
    const oldId = await page.evaluate(() => window.roomSocket.id);
    await server.close();
    await until(() => page.evaluate(() => !window.roomSocket.connected), 5000, "disconnect seen");
    server = await startServer({ roots, port });
    await until(async () => (await server.roomSize("lobby")) === 1, 10_000, "lobby re-joined");
    assert.equal(await server.roomSize("temp"), 0, "a left room stays left");
    // The server counts the member before its ack reaches the page, so the
    // page's "joined" may come a moment after the server's count.
    await until(() => page.evaluate(() => window.roomSocket.rooms.lobby.state === "joined"), 5000, "lobby joined again");
    assert.notEqual(await page.evaluate(() => window.roomSocket.id), oldId);

    await fetch(`${server.url}/admin/broadcast?room=lobby&data=${encodeURIComponent(JSON.stringify({ title: "hi" }))}`);
    await until(() => page.evaluate(() => window.notes.length === 1), 5000, "notification in room");
    assert.deepEqual(await page.evaluate(() => window.notes[0]), { title: "hi" });
    await cleanup();
  });

  test("offline buffer: emits while the server is down go out in order on reconnect; volatile ones are dropped", async () => {
    await page.evaluate(async (url) => {
      const s = window.open_(url, { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 300 });
      window.bufSocket = s;
      window.echoes = [];
      window.dropped = [];
      s.on("echo", (x) => window.echoes.push(x));
      s.io.on("emit_dropped", (d) => window.dropped.push(d.event));
      await window.next(s, "connect");
    }, server.url);
    const port = server.port;
    await server.close();
    await until(() => page.evaluate(() => !window.bufSocket.connected), 5000, "disconnect seen");
    const buffered = await page.evaluate(() => {
      const s = window.bufSocket;
      s.emit("echo", 1);
      s.emit("echo", 2);
      s.volatile.emit("echo", "volatile");
      s.emit("echo", 3);
      return s.buffered;
    });
    assert.equal(buffered, 3);
    server = await startServer({ roots, port });
    await until(() => page.evaluate(() => window.echoes.length >= 3), 10_000, "buffered echoes");
    assert.deepEqual(await page.evaluate(() => window.echoes), [1, 2, 3]);
    assert.deepEqual(await page.evaluate(() => window.dropped), ["echo"]);
    await cleanup();
  });

  test("the page's online event skips the rest of a reconnection delay", async () => {
    await page.evaluate(async (url) => {
      const s = window.open_(url, {
        transports: ["websocket"],
        reconnectionDelay: 60_000,
        reconnectionDelayMax: 60_000,
        randomizationFactor: 0,
      });
      window.lifeSocket = s;
      await window.next(s, "connect");
    }, server.url);
    const port = server.port;
    await server.close();
    await until(() => page.evaluate(() => window.lifeSocket.state === "reconnecting"), 5000, "reconnecting");
    server = await startServer({ roots, port });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await page.evaluate(() => window.lifeSocket.connected), false, "still waiting out the delay");
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await until(() => page.evaluate(() => window.lifeSocket.connected), 10_000, "reconnected after online");
    await cleanup();
  });

  test("auth updated mid-session applies on reconnect", async () => {
    const r = await page.evaluate(async (url) => {
      const s = window.open_(url, { transports: ["websocket"], auth: { token: "old" } });
      const [first] = await window.next(s, "welcome");
      s.setAuth({ token: "new" }, { reconnect: true });
      const [second] = await window.next(s, "welcome");
      return [first.auth.token, second.auth.token, s.auth.token];
    }, server.url);
    assert.deepEqual(r, ["old", "new", "new"]);
    await cleanup();
  });

  test("Omni heartbeat measures latency", async () => {
    const r = await page.evaluate(async (url) => {
      const s = window.open_(url, { transports: ["websocket"], heartbeat: { interval: 200, mode: { type: "omni" } } });
      const [sample] = await window.next(s, "latency");
      return { sample, latency: s.latency };
    }, server.url);
    assert.equal(r.sample.serverStatus, "healthy");
    assert.ok(r.latency.count >= 1);
    assert.ok(r.sample.rtt >= 0 && r.sample.rtt < 2000);
    await cleanup();
  });

  test("dispose and disconnect from inside event handlers", async () => {
    const r = await page.evaluate(async (url) => {
      const a = window.open_(url, { transports: ["websocket"] });
      await window.next(a, "connect");
      const gone = new Promise((ok) => {
        a.on("echo", () => {
          a.dispose();
          ok(a.state);
        });
      });
      a.emit("echo", 1);
      const stateAfter = await gone;
      const b = window.open_(url, { transports: ["websocket"] });
      b.on("connect", () => b.disconnect());
      // The disconnect event arrives while the driver's disconnect() call
      // is still on the stack.
      b.on("disconnect", () => b.dispose());
      const [reason] = await window.next(b, "disconnect");
      await new Promise((ok) => setTimeout(ok, 50));
      return { stateAfter, reason, connected: a.connected };
    }, server.url);
    assert.deepEqual(r, { stateAfter: "idle", reason: "io client disconnect", connected: false });
    await cleanup();
  });

  test("localStorage.debug = 'omni-socket:*' logs to the console at debug level; without it, nothing", async () => {
    const lines = [];
    const onConsole = (m) => {
      if (m.text().startsWith("omni-socket:")) lines.push([m.type(), m.text()]);
    };
    page.on("console", onConsole);
    const session = async () => {
      await page.waitForFunction(() => window.omni !== undefined, null, { timeout: 15_000 });
      await page.evaluate(async (url) => {
        const s = window.omni.io(url, { forceNew: true, transports: ["websocket"] });
        await new Promise((ok) => s.once("connect", ok));
        s.dispose();
      }, server.url);
    };
    try {
      // The setting is read when the package loads, as `debug` reads it.
      await session();
      assert.deepEqual(lines, [], "logged while off");
      await page.evaluate(() => localStorage.setItem("debug", "omni-socket:*"));
      await page.reload();
      await session();
      assert.ok(lines.length > 0 && lines.every(([type]) => type === "debug"), JSON.stringify(lines));
      // console.debug(format, ...args): the console fills the %s in; the
      // text playwright reports is the format and the arguments.
      for (const re of [
        /^omni-socket:manager opening %s \+\d+ms http:/,
        /^omni-socket:manager open %s /,
        /^omni-socket:engine sending %o \+\d+ms 40$/,
        /^omni-socket:socket connect %s %s \+\d+ms \/ /,
      ]) {
        assert.ok(lines.some(([, text]) => re.test(text)), `no line matching ${re}: ${JSON.stringify(lines)}`);
      }
    } finally {
      page.off("console", onConsole);
      await page.evaluate(() => localStorage.removeItem("debug"));
      await page.reload();
      await page.waitForFunction(() => window.omni !== undefined, null, { timeout: 15_000 });
      await page.evaluate(() => {
        window.sockets = [];
      });
    }
  });

  test("no page errors", () => {
    // Chromium logs refused connections while the server is down, and the
    // reset of a long-poll that a restart cut off.
    const real = browser.errors.filter((e) => !/net::ERR_CONNECTION_(REFUSED|RESET)/.test(e));
    assert.deepEqual(real, []);
  });
});
