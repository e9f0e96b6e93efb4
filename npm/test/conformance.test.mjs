// Driver conformance, browser driver: every scenario of
// tests/conformance/scenarios.json, run with this package (the wasm driver)
// in Node against the official socket.io server of
// tests/conformance/server.mjs, once per transport setup. The native driver
// runs the same list in sdk-native/tests/conformance.rs.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { initFromBytes, io } from "../dist/index.js";

const root = new URL("../../", import.meta.url);
const list = JSON.parse(await readFile(new URL("tests/conformance/scenarios.json", root), "utf8"));
initFromBytes(await readFile(new URL("../dist/wasm/omni_socket_wasm_bg.wasm", import.meta.url)));

const servers = [];
after(() => {
  for (const s of servers) s.kill();
});

/** Starts a fresh fixture server; resolves with its URL. */
async function startServer() {
  const child = spawn(process.execPath, [new URL("tests/conformance/server.mjs", root).pathname], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  servers.push(child);
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((ok, fail) => {
    lines.once("line", ok);
    child.once("exit", () => fail(new Error("conformance server exited")));
  });
  return { url, child };
}

async function log(url) {
  const r = await fetch(`${url}/_control/log`);
  return r.json();
}

/** Polls the server's log until `pred` holds (10 s at most). */
async function until(url, pred, what) {
  const end = Date.now() + 10_000;
  for (;;) {
    const l = await log(url);
    if (pred(l)) return l;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(l).slice(0, 2000)}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

function once(socket, event) {
  return new Promise((ok) => socket.once(event, (...args) => ok(args)));
}

function options(transport, extra = {}) {
  // No client-side pacing: this server enforces no rate limit.
  const base = { forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 200, rateLimit: { enabled: false }, ...extra };
  if (transport === "websocket") return { ...base, transports: ["websocket"] };
  if (transport === "polling") return { ...base, transports: ["polling"] };
  return base;
}

const scenarios = {
  async "emit-then-disconnect"(url, transport) {
    const s = io(url, options(transport));
    await once(s, "connect");
    const sid = s.id;
    s.emit("last", 1);
    s.disconnect();
    await until(url, (l) => l.events.some((e) => e.sid === sid && e.event === "last"), "the last emit");
    s.dispose();
  },

  async "burst-during-upgrade"(url, transport) {
    const n = 300;
    const s = io(url, options(transport, { auth: { ticks: n } }));
    const ticks = [];
    s.on("tick", (i) => ticks.push(i));
    await once(s, "connect");
    const sid = s.id;
    for (let i = 0; i < n; i++) s.emit("burst", i);
    const l = await until(
      url,
      (l) => l.events.filter((e) => e.sid === sid && e.event === "burst").length === n,
      "every burst event",
    );
    const got = l.events.filter((e) => e.sid === sid && e.event === "burst").map((e) => e.args[0]);
    assert.deepEqual(got, [...Array(n).keys()], "server received the burst in order");
    const end = Date.now() + 10_000;
    while (ticks.length < n && Date.now() < end) await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(ticks, [...Array(n).keys()], "client received every tick in order");
    s.dispose();
  },

  async "restart-without-stale-sid"(url, transport) {
    const s = io(url, options(transport));
    await once(s, "connect");
    // A long-poll is in flight now over polling.
    await new Promise((ok) => setTimeout(ok, 100));
    const reconnected = once(s, "connect");
    await fetch(`${url}/_control/restart`, { method: "POST" });
    await reconnected;
    await s.emitWithAck("done");
    const l = await log(url);
    assert.equal(l.incarnation, 2);
    assert.ok(l.events.some((e) => e.incarnation === 2 && e.event === "done"));
    assert.deepEqual(l.stale, [], "requests with a sid the server never issued");
    s.dispose();
  },

  async "conversation-007-room"(url, transport) {
    const s = io(url, options(transport));
    await once(s, "connect");
    const sid = s.id;
    const key = s.join({ preset: "conversation", id: "007" });
    await until(url, (l) => l.events.some((e) => e.sid === sid && e.event === "join_conversation"), "the join");
    s.leave(key);
    await until(url, (l) => l.events.some((e) => e.sid === sid && e.event === "leave_conversation"), "the leave");
    // The same room named by a number, left by its description.
    s.join({ preset: "conversation", id: 7 });
    s.leave({ preset: "conversation", id: 7 });
    const l = await until(
      url,
      (l) => l.events.filter((e) => e.sid === sid && e.event === "leave_conversation").length === 2,
      "the second leave",
    );
    const mine = l.events.filter((e) => e.sid === sid && e.event.endsWith("_conversation"));
    assert.deepEqual(
      mine.map((e) => [e.event, e.args]),
      [
        ["join_conversation", [7]],
        ["leave_conversation", [7]],
        ["join_conversation", [7]],
        ["leave_conversation", [7]],
      ],
    );
    assert.deepEqual(Object.keys(s.rooms), []);
    s.dispose();
  },

  async "close-reasons"(url, transport) {
    const s = io(url, options(transport));
    const reasons = [];
    s.on("disconnect", (r) => reasons.push(r));
    await once(s, "connect");
    for (const action of ["garbage", "close", "stop-pings"]) {
      const back = once(s, "connect");
      s.emit("do", { action });
      await back;
    }
    const down = once(s, "disconnect");
    s.emit("do", { action: "disconnect" });
    await down;
    s.connect();
    await once(s, "connect");
    s.disconnect();
    assert.deepEqual(reasons, [
      "parse error",
      "transport close",
      "ping timeout",
      "io server disconnect",
      "io client disconnect",
    ]);
    s.dispose();
  },
};

describe("driver conformance (browser driver)", { timeout: 300_000 }, () => {
  for (const { name } of list.scenarios) {
    for (const transport of list.transports) {
      test(`${name} over ${transport}`, { timeout: 60_000 }, async () => {
        const run = scenarios[name];
        assert.ok(run, `scenario ${name} is not implemented by the browser driver's runner`);
        const { url, child } = await startServer();
        try {
          await run(url, transport);
        } finally {
          child.kill();
        }
      });
    }
  }
});
