// Drop-in parity with socket.io-client, one scenario per item of the
// "drop-in replacement" work: the same script runs with socket.io-client 4.8
// and with this package, each against its own socket.io 4.8 server (so
// neither client's connection cache sees the other's), and what the
// script's listeners note and what the server receives must be the same.
// Each script ends on an event it waits for, never on a fixed delay.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "socket.io";
import * as sio from "socket.io-client";
import { WebSocketServer } from "ws";
import * as omni from "../dist/index.js";

omni.initFromBytes(await readFile(new URL("../dist/wasm/omni_socket_wasm_bg.wasm", import.meta.url)));

/** Plain JSON of what a listener got; binary as `{bin: [...]}`. */
function plain(v) {
  if (v instanceof ArrayBuffer) return { bin: [...new Uint8Array(v)] };
  if (ArrayBuffer.isView(v)) return { bin: [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)] };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v === undefined ? null : v;
}

/**
 * A socket.io server on 127.0.0.1 and a free port. It logs, per namespace,
 * each connection (auth, query, and which Engine.IO connection it came on,
 * numbered in order of appearance) and each event; it echoes `echo` with an
 * ack, answers `ping_me` with `pong`, sends a Buffer on `send_binary`.
 * `/secret` refuses every connection.
 */
async function startServer() {
  const http = createServer();
  const io = new Server(http, { pingInterval: 300, pingTimeout: 5000 });
  const log = [];
  const conns = [];
  const connIndex = (id) => (conns.includes(id) ? conns.indexOf(id) : conns.push(id) - 1);
  const onConnection = (s) => {
    const { EIO: _e, transport: _t, t: _c, ...query } = s.handshake.query;
    log.push([s.nsp.name, "connection", s.handshake.auth, query, connIndex(s.conn.id)]);
    s.onAny((event, ...args) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
      log.push([s.nsp.name, event, ...plain(args)]);
      if (event === "echo") ack?.(...args);
      if (event === "ping_me") s.emit("pong", args[0]);
      if (event === "send_binary") s.emit("binary", Buffer.from([1, 2, 3]));
    });
  };
  for (const nsp of ["/", "/admin", "/analytics", "/abc"]) io.of(nsp).on("connection", onConnection);
  io.of("/secret").use((s, next) => {
    log.push(["/secret", "refused"]);
    next(new Error("auth failed: invalid token"));
  });
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    log,
    close: () => new Promise((ok) => { io.close(); http.closeAllConnections?.(); ok(); }),
  };
}

/** A URL nothing listens on. */
async function deadUrl() {
  const http = createServer();
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  const port = http.address().port;
  await new Promise((ok) => http.close(ok));
  return `http://127.0.0.1:${port}`;
}

/**
 * Runs `script(lib, ctx)` with one client library against a fresh server.
 * `ctx.note(entry)` records what listeners saw, `ctx.track(x)` registers a
 * socket or Manager for cleanup, `ctx.done()` ends the run (10 s at most).
 */
async function run(lib, script) {
  const server = await startServer();
  const notes = [];
  const tracked = [];
  let finish;
  const finished = new Promise((ok) => (finish = ok));
  const timer = setTimeout(() => finish("timeout"), 10_000);
  try {
    await script(lib, {
      url: server.url,
      note: (entry) => notes.push(entry),
      track: (x) => (tracked.push(x), x),
      done: () => finish("done"),
      dead: deadUrl,
    });
    const how = await finished;
    if (how === "timeout") notes.push(["timed out"]);
  } finally {
    clearTimeout(timer);
    for (const x of tracked) (x.disconnect ?? x._close).call(x);
    await server.close();
  }
  return { client: notes, server: server.log };
}

/** The script with socket.io-client, then with omni-socket: the same notes, the same server log. */
async function same(script) {
  const reference = await run(sio, script);
  assert.ok(!reference.client.some((e) => e[0] === "timed out"), `socket.io-client did not finish: ${JSON.stringify(reference)}`);
  const ours = await run(omni, script);
  if (process.env.PARITY_DEBUG) for (const [k, r] of Object.entries({ reference, ours })) for (const [w, l] of Object.entries(r)) for (const e of l) console.error(`PD ${k} ${w} ${JSON.stringify(e)}`);
  assert.deepEqual(ours, reference);
  return ours;
}

const once = (emitter, event) => new Promise((ok) => emitter.once(event, (...a) => ok(a)));

describe("drop-in parity with socket.io-client", { timeout: 180_000 }, () => {
  test("io() shares one connection per server between namespaces; each socket sends its own auth", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const main = track(io(url, { auth: { token: "main" } }));
      const admin = track(io(`${url}/admin`, { auth: { token: "admin" } }));
      const analytics = track(io(`${url}/analytics`));
      note(["one Manager", main.io === admin.io && admin.io === analytics.io]);
      await Promise.all([main, admin, analytics].map((s) => once(s, "connect")));
      for (const s of [main, admin, analytics]) s.emit("ping_me", s.nsp);
      await Promise.all([main, admin, analytics].map((s) => once(s, "pong")));
      done();
    }));

  test("forceNew, multiplex: false and a namespace already open make their own connection", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const a = track(io(url));
      const b = track(io(url, { forceNew: true }));
      const c = track(io(`${url}/admin`, { multiplex: false }));
      const d = track(io(url));
      note(["distinct Managers", new Set([a.io, b.io, c.io, d.io]).size]);
      await Promise.all([a, b, c, d].map((s) => once(s, "connect")));
      done();
    }));

  test("new Manager(url).socket(nsp), its open, packet, ping, close and reconnect events, engine.close()", () =>
    same(async ({ Manager }, { url, note, track, done }) => {
      const m = track(new Manager(url, { reconnectionDelay: 20, reconnectionDelayMax: 20 }));
      for (const ev of ["open", "reconnect_attempt", "reconnect", "error"]) m.on(ev, (...a) => note(["manager", ev, ...a]));
      m.on("close", (reason) => note(["manager close", reason]));
      m.on("packet", (p) => {
        if (p.type !== 2) note(["packet", p.type, p.nsp]);
        else note(["packet", p.type, p.nsp, p.data]);
      });
      const pinged = once(m, "ping");
      const s = m.socket("/admin");
      note(["same socket", m.socket("/admin") === s]);
      // Not `active`: after the Manager closes for good (the cleanup's
      // _close()) socket.io-client still says true; this package says
      // false, nothing more happening on its own (see README).
      s.on("disconnect", (r) => note(["disconnect", r]));
      await once(s, "connect");
      s.emit("ping_me", 1);
      await once(s, "pong");
      await pinged;
      note(["engine id is the session's, not the socket's", typeof m.engine.id, m.engine.id !== s.id]);
      m.engine.close();
      await once(s, "connect");
      done();
    }));

  test("reconnection getters and setters; reconnection(false) stops a reconnection loop", () =>
    same(async ({ Manager, io }, { url, note, track, done, dead }) => {
      const m = track(new Manager(await dead(), { autoConnect: false, reconnectionDelay: 10, reconnectionDelayMax: 10 }));
      note(["defaults", m.reconnection(), m.reconnectionAttempts(), m.randomizationFactor(), m.timeout()]);
      note(["setters chain", m.reconnectionAttempts(2) === m, m.reconnectionDelayMax(10) === m, m.timeout(5000) === m]);
      note(["set", m.reconnectionAttempts(), m.reconnectionDelay(), m.reconnectionDelayMax(), m.timeout()]);
      m.on("reconnect_failed", () => note(["reconnect_failed"]));
      const firstError = once(m, "reconnect_error");
      m.open();
      await firstError;
      m.reconnection(false);
      note(["reconnection", m.reconnection()]);
      // A round trip on a live server after that: without the setter, the
      // two attempts would have failed (reconnect_failed) by then.
      const live = track(io(url, { forceNew: true }));
      await once(live, "connect");
      live.emit("echo", 1, () => {
        live.emit("echo", 2, () => done());
      });
    }));

  test("a query string in the URL reaches the server", () =>
    same(async ({ io }, { url, track, done }) => {
      const a = track(io(`${url}/?c=d`));
      const b = track(io(`${url}/abc?b=c&d=e`, { forceNew: true }));
      await Promise.all([a, b].map((s) => once(s, "connect")));
      done();
    }));

  test("a volatile emit with an ack while disconnected is dropped, never acked", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(url, { autoConnect: false }));
      s.volatile.emit("echo", "volatile", () => note(["volatile acked"]));
      s.emit("echo", "kept", (v) => {
        note(["acked", v]);
        done();
      });
      s.connect();
    }));

  test("compress(false) applies to the next emit only (packetCreate options)", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(url));
      await once(s, "connect");
      const created = [];
      s.io.engine.on("packetCreate", (p) => created.push([p.type, p.data, p.options?.compress]));
      s.compress(false).emit("echo", "quiet");
      s.emit("echo", "loud", () => {
        note(["created", ...created.filter((c) => c[1] !== undefined && c[1].startsWith("2"))]);
        done();
      });
    }));

  test("sendBuffer holds emits made offline until connect; receiveBuffer is empty once connected", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(url, { autoConnect: false }));
      s.emit("echo", "a");
      s.emit("echo", "b", { n: 1 });
      note(["sendBuffer", s.sendBuffer.map((p) => p.data)]);
      s.on("connect", () => note(["on connect", s.sendBuffer.length, s.receiveBuffer.length]));
      s.connect();
      await once(s, "connect");
      s.emit("echo", "c", () => done());
    }));

  test("a refusal by middleware is final: one connect_error, active false, no retry", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(`${url}/secret`, { reconnectionDelay: 10, reconnectionDelayMax: 10 }));
      const [err] = await once(s, "connect_error");
      note(["connect_error", err.message, s.active]);
      // Long enough for a retry after 10 ms to have reached the server.
      const other = track(io(url, { forceNew: true }));
      await once(other, "connect");
      other.emit("echo", 1, () => other.emit("echo", 2, () => done()));
    }));

  test("reserved event names are refused with socket.io-client's message", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(url, { autoConnect: false }));
      for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
        try {
          s.emit(name);
          note([name, "sent"]);
        } catch (e) {
          note([name, e.message]);
        }
      }
      done();
    }));

  test("engine: transport name, upgrade event, close() reconnects with reason forced close", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(url, { forceNew: true, reconnectionDelay: 20, reconnectionDelayMax: 20 }));
      note(["first transport", s.io.engine.transport.name]);
      const upgraded = once(s.io.engine, "upgrade");
      s.io.engine.on("close", (r) => note(["engine close", r]));
      await once(s, "connect");
      const [t] = await upgraded;
      note(["upgraded to", t.name, s.io.engine.transport.name]);
      s.on("disconnect", (r) => note(["disconnect", r, s.active]));
      s.io.engine.close();
      await once(s, "connect");
      done();
    }));

  test("binary arrives as a Buffer in Node", () =>
    same(async ({ io }, { url, note, track, done }) => {
      const s = track(io(url));
      s.on("binary", (b) => {
        note(["binary", Buffer.isBuffer(b), [...b]]);
        done();
      });
      await once(s, "connect");
      s.emit("send_binary");
    }));

  test("the connection errors of an unreachable server: Manager error, connect_error, then reconnect_failed", () =>
    same(async ({ io }, { note, track, done, dead }) => {
      const s = track(io(await dead(), { reconnectionAttempts: 2, reconnectionDelay: 10, reconnectionDelayMax: 10 }));
      let errors = 0;
      s.io.on("error", () => errors++);
      // `active` only while retries remain: once they are used up
      // socket.io-client still says true, this package false (see README).
      let failures = 0;
      s.on("connect_error", () => note(["connect_error", ++failures < 3 ? s.active : "-"]));
      s.io.on("reconnect_attempt", (n) => note(["reconnect_attempt", n]));
      s.io.on("reconnect_error", () => note(["reconnect_error"]));
      s.io.on("reconnect_failed", () => {
        note(["reconnect_failed", errors]);
        done();
      });
    }));
  // A Socket.IO v2 server answers CONNECT without a sid. Played by a
  // WebSocket server that answers as one (the handshake, then `40`),
  // both libraries report it as a connect_error that says so; this
  // package then gives up (active false) instead of reconnecting to
  // that server forever (socket.io-client stays connecting, see README).
  test("a server that answers CONNECT as Socket.IO v2 does is a connect_error that says so", async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    const connects = [];
    wss.on("connection", (ws, req) => {
      ws.send(`0${JSON.stringify({ sid: "v2", upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 })}`);
      ws.on("message", (m) => {
        if (String(m).startsWith("40")) {
          connects.push(req.url.includes("EIO=4"));
          ws.send("40");
        }
      });
    });
    const url = `http://127.0.0.1:${wss.address().port}`;
    try {
      const seen = {};
      for (const [name, lib] of Object.entries({ sio, omni })) {
        const s = lib.io(url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 10, reconnectionDelayMax: 10 });
        const [err] = await once(s, "connect_error");
        seen[name] = { v2: /\bv2\b/.test(err.message), connected: s.connected, active: s.active };
        s.disconnect();
      }
      assert.deepEqual(seen, {
        sio: { v2: true, connected: false, active: true },
        omni: { v2: true, connected: false, active: false },
      });
      assert.deepEqual(connects, [true, true]);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((ok) => wss.close(ok));
    }
  });
});
