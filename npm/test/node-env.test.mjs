// The package in a Node process of its own, as applications run it: Node 20
// without a global WebSocket (no --experimental-websocket), the `ws`
// package for WebSocket as engine.io-client uses it, `autoUnref` letting
// the process exit with a socket open, and debug logging through DEBUG.
// Each script runs in a child process with socket.io-client 4.8 and with
// this package, against one socket.io 4.8 server; both must behave alike.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const npmDir = fileURLToPath(new URL("..", import.meta.url));

/** What a script imports as `io` for each client (run from npm/, so bare names resolve there). */
const IMPORTS = {
  "socket.io-client": `import { io } from "socket.io-client";`,
  "omni-socket": `import { readFileSync } from "node:fs";
import { initFromBytes, io } from "./dist/index.js";
initFromBytes(readFileSync("./dist/wasm/omni_socket_wasm_bg.wasm"));`,
};

/**
 * Runs `body` (ESM, with `io` and `URL` in scope) in `node` without flags;
 * resolves with its exit code, stdout and stderr. Killed after 20 s (the
 * result then says so).
 */
function child(client, body, url, env = {}) {
  const code = `${IMPORTS[client]}\nconst URL_ = ${JSON.stringify(url)};\n${body}`;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--input-type=module", "-e", code], {
      cwd: npmDir,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.on("exit", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, out, err });
    });
  });
}

describe("omni-socket in a Node process of its own", { timeout: 180_000 }, () => {
  let http;
  let url;

  before(async () => {
    http = createServer();
    const io = new Server(http, { pingInterval: 300, pingTimeout: 5000 });
    io.on("connection", (s) => s.on("echo", (v, ack) => ack(v)));
    await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${http.address().port}`;
  });

  after(() => new Promise((ok) => http.close(() => ok())));

  const both = async (body, env) => {
    const results = {};
    for (const client of Object.keys(IMPORTS)) results[client] = await child(client, body, url, env);
    return results;
  };

  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
    test(`autoUnref: the process exits by itself with the socket connected (${transports})`, async () => {
      // A timer holds the process until the ack; then no disconnect, no
      // exit(): only autoUnref lets the process end with the socket open.
      const r = await both(`
        const hold = setTimeout(() => console.log("no ack"), 15_000);
        const s = io(URL_, { autoUnref: true, transports: ${JSON.stringify(transports)} });
        s.on("connect", () => s.emit("echo", 1, (v) => {
          console.log("acked", v, s.connected);
          clearTimeout(hold);
        }));
      `);
      for (const [client, res] of Object.entries(r)) {
        assert.equal(res.signal, null, `${client} did not exit by itself: ${res.err}`);
        assert.equal(res.status, 0, `${client}: ${res.err}`);
        assert.equal(res.out.trim(), "acked 1 true", client);
      }
    });
  }

  test("without a global WebSocket, transports: ['websocket'] uses the ws package", async () => {
    const r = await both(`
      console.log("global WebSocket:", typeof WebSocket);
      const s = io(URL_, { transports: ["websocket"] });
      s.on("connect", () => {
        console.log("connected over", s.io.engine.transport.name);
        s.disconnect();
      });
      s.on("connect_error", (e) => { console.log("connect_error", e.message); s.disconnect(); });
    `);
    for (const [client, res] of Object.entries(r)) {
      assert.equal(res.status, 0, `${client}: ${res.err}`);
      assert.equal(res.out, "global WebSocket: undefined\nconnected over websocket\n", client);
    }
  });

  test("DEBUG=omni-socket:* prints what the client does; without it, nothing", async () => {
    const body = `
      const s = io(URL_, { transports: ["websocket"] });
      s.on("connect", () => s.emit("echo", "x", () => s.disconnect()));
    `;
    const on = await child("omni-socket", body, url, { DEBUG: "omni-socket:*" });
    assert.equal(on.status, 0, on.err);
    for (const line of [
      /^omni-socket:manager opening http:\/\/127\.0\.0\.1:\d+ \+\d+ms$/m,
      /^omni-socket:manager open \S+ \+\d+ms$/m,
      /^omni-socket:engine sending '40' \+\d+ms$/m,
      /^omni-socket:socket connect \/ \S+ \+\d+ms$/m,
      /^omni-socket:socket emit echo \+\d+ms$/m,
      /^omni-socket:engine received '430\["x"\]' \+\d+ms$/m,
      /^omni-socket:socket disconnect \/ io client disconnect \+\d+ms$/m,
    ]) {
      assert.match(on.err, line);
    }
    // One namespace on, the others off; exclusions as in `debug`.
    const some = await child("omni-socket", body, url, { DEBUG: "omni-socket:socket,-omni-socket:engine" });
    assert.match(some.err, /^omni-socket:socket /m);
    assert.doesNotMatch(some.err, /omni-socket:(manager|engine)/);
    const off = await child("omni-socket", body, url, {});
    assert.equal(off.status, 0, off.err);
    assert.equal(off.err, "");
  });
});
