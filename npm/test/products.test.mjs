// The product matrix's browser column (PRODUCTS.md): every seed product
// through the npm package's product modules (`omni-socket/products/*`) in
// headless Chromium against the reference server (`omni-server` on
// 127.0.0.1, a free port), over WebSocket and over long-polling. The
// scenarios carry the names of the native ones (`FILE::NAME`, from
// tests/products/src/matrix.rs) and check the same things; the matrix
// test there checks that every scenario of the matrix is here.
//
// Each scenario starts a server of its own (with a secret of its own, so
// tokens of any shape are minted here) that also serves this package's
// files, so the page and the sockets share an origin; the server is
// killed when the scenario ends. Run after scripts/build-wasm.sh and with
// OMNI_SERVER_BIN (scripts/test-products-browser.sh builds both).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { launch, until as pollUntil } from "./browser.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const npmDir = fileURLToPath(new URL("..", import.meta.url));
const SERVER_BIN = process.env.OMNI_SERVER_BIN ?? fileURLToPath(new URL("../../target/debug/omni-server", import.meta.url));
const SECRET = "product-matrix-browser-secret-not-for-production";
/** Upper bound of one wait; generous, the machine may be busy. */
const WAIT = 20_000;

// ---------------------------------------------------------------- tokens

/** The demo data set's ids (reference server README, "Tokens"). */
const ids = {
  JOHN: "user_12345",
  ADMIN: "user_67890",
  MODERATOR: "user_24680",
  CAROL: "user_13579",
  LICENSE: "OMNI-PREM-ABCD-1234-EFGH",
  CAROL_LICENSE: "OMNI-BASIC-WXYZ-5678-IJKL",
  AGENT: "42",
  DOA_ADMIN: "1",
  ALICE: "5",
};
const roles = { [ids.ADMIN]: "admin", [ids.DOA_ADMIN]: "admin", [ids.MODERATOR]: "moderator" };
const names = {
  [ids.JOHN]: "john_doe",
  [ids.ADMIN]: "jane_admin",
  [ids.MODERATOR]: "mary_moderator",
  [ids.CAROL]: "carol",
  [ids.AGENT]: "ahmet_agent",
  [ids.ALICE]: "alice",
  [ids.DOA_ADMIN]: "doa_admin",
};
const nowSecs = () => Math.floor(Date.now() / 1000);
const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/** An HS256 JWT, as the reference server's README describes its tokens. */
function jwt(sub, { exp = nowSecs() + 86_400, role = roles[sub] ?? "user", secret = SECRET } = {}) {
  const body = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub, username: names[sub] ?? "someone", role, exp, licenses: [] })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
const token = (sub) => jwt(sub);
const expiredToken = (sub) => jwt(sub, { exp: nowSecs() - 60 });
const forgedToken = (sub) => jwt(sub, { secret: "someone-elses-secret" });

// ---------------------------------------------------------------- server

/** Starts omni-server on `bind`; resolves with the process and its URL once it listens. */
function spawnServer(bind, extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_BIN, ["--bind", bind, "--static-dir", npmDir, ...extra], {
      // The secret through the environment: an argument would show in `ps`.
      env: { ...process.env, OMNI_JWT_SECRET: SECRET },
      stdio: ["ignore", "pipe", "ignore"],
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("omni-server did not start in time"));
    }, WAIT);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`omni-server exited (${code}) before listening`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = /^omni-server listening on (http:\/\/\S+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({ child, url: m[1] });
    });
  });
}

/** A running omni-server; `restart()` brings a new one up on the same port. */
class Server {
  static async start(extra = []) {
    const s = new Server();
    s.extra = extra;
    Object.assign(s, await spawnServer("127.0.0.1:0", extra));
    return s;
  }

  /** Kills it (SIGKILL: every client sees its link drop) and starts a new one on the same port. */
  async restart() {
    await this.kill();
    const bind = new URL(this.url).host;
    let last;
    // The port was just freed; binding again may race a slow kernel.
    for (let i = 0; i < 50; i++) {
      try {
        Object.assign(this, await spawnServer(bind, this.extra));
        return;
      } catch (e) {
        last = e;
        await sleep(100);
      }
    }
    throw new Error(`omni-server did not come back on ${bind}: ${last}`);
  }

  kill() {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((ok) => {
      child.once("exit", ok);
      child.kill("SIGKILL");
    });
  }

  /** POSTs `body` to the admin API route `path` with an admin token and checks it was accepted (202). */
  async post(path, body) {
    const res = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token(ids.ADMIN)}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT),
    });
    const text = await res.text();
    assert.equal(res.status, 202, `POST ${path}: ${text}`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value, up to {@link WAIT}. */
const until = (fn, what) => pollUntil(fn, WAIT, what);

// ---------------------------------------------------------------- the page

/** What a scenario drives: the server, and the page's clients by name. */
class Ctx {
  constructor(page, server) {
    this.page = page;
    this.s = server;
  }

  /** A client `name` of `product` on namespace `nsp`. */
  make(name, product, nsp, credentials, extra = {}) {
    return this.page.evaluate(([n, p, u, c, x]) => void window.T.make(n, p, u, c, x), [name, product, this.s.url + nsp, credentials, extra]);
  }

  /** Calls `client.method(...args)`; its outcome as `{ok}` or `{err, code}`. */
  call(name, method, ...args) {
    return this.page.evaluate(([n, m, a]) => window.T.settle(window.T.clients[n][m](...a)), [name, method, args]);
  }

  /** Calls `client.method(...args)` and returns its value, failing on an error. */
  async ok(name, method, ...args) {
    const r = await this.call(name, method, ...args);
    assert.ok(!("err" in r), `${name}.${method}(${args.map((a) => JSON.stringify(a)).join(", ")}): ${r.err}`);
    return r.ok;
  }

  /** Calls `client.method(...args)` and returns the error's `{err, code}`, failing when it succeeds. */
  async refused(name, method, ...args) {
    const r = await this.call(name, method, ...args);
    assert.ok("err" in r, `${name}.${method}(${args.map((a) => JSON.stringify(a)).join(", ")}) was not refused`);
    return r;
  }

  /** Evaluates `fn(client, arg)` in the page. */
  on(name, fn, arg) {
    return this.page.evaluate(([n, src, a]) => new Function("c", "a", `return (${src})(c, a)`)(window.T.clients[n], a), [name, fn.toString(), arg]);
  }

  /** Waits for event `ev` heard by `name` whose first argument matches `want`; returns its arguments. */
  async seen(name, ev, want) {
    const e = await until(() => this.page.evaluate(([n, x, w]) => window.T.take(n, x, w), [name, ev, want]), `${name}: ${ev} ${JSON.stringify(want ?? "")}`);
    return e.args;
  }

  /** Waits until `name` is connected. */
  connected(name) {
    return until(() => this.page.evaluate((n) => window.T.clients[n].isConnected, name), `${name} connected`);
  }

  /** The `connect_error` message of a client whose credentials the server refuses at CONNECT. */
  async refusedAtConnect(product, nsp, credentials) {
    const name = `refused-${Math.random().toString(36).slice(2)}`;
    await this.make(name, product, nsp, credentials);
    const [message] = await this.seen(name, "#connect_error");
    return message;
  }

  /** Waits until room `key` of `name` is in `state`. */
  room(name, key, state) {
    return until(() => this.page.evaluate(([n, k]) => window.T.clients[n].socket.rooms[k]?.state, [name, key]).then((s) => s === state), `${name}: room ${key} ${state}`);
  }
}

/** The transports' client options: short reconnection delays so a restart is over quickly. */
const TRANSPORTS = {
  websocket: { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 400, timeout: 5000 },
  polling: { transports: ["polling"], upgrade: false, reconnectionDelay: 100, reconnectionDelayMax: 400, timeout: 5000 },
};

// ------------------------------------------------------------- scenarios

/** The scenarios, by the matrix's `FILE::NAME`; each gets a fresh server (`extra` flags). */
const SCENARIOS = {};
function scenario(name, fn, extra = []) {
  SCENARIOS[name] = { fn, extra };
}

// -------------------------------------------------------------- Omni (000)

const johnWithLicense = () => ({ token: token(ids.JOHN), license_key: ids.LICENSE });

scenario("omni::auth_token_license_and_role", async (c) => {
  const authenticated = async (name, auth) => {
    await c.make(name, "omni", "/", auth);
    return (await c.seen(name, "authenticated"))[0];
  };
  const a = await authenticated("john", johnWithLicense());
  assert.equal(a.user_id, ids.JOHN);
  assert.equal(a.license_key, ids.LICENSE);
  assert.ok(a.permissions.includes("write"));
  assert.equal((await authenticated("carol", { token: token(ids.CAROL) })).user_id, ids.CAROL);
  const l = await authenticated("license", { license_key: ids.LICENSE });
  assert.equal(l.user_id ?? null, null);
  assert.equal(l.license_key, ids.LICENSE);
  // The seed's admin form `{token, role: "admin"}`.
  assert.ok((await authenticated("admin", { token: token(ids.ADMIN), role: "admin" })).permissions.includes("admin"));
  // Anonymous: connected, no `authenticated`.
  await c.make("anon", "omni", "/", {});
  await c.connected("anon");
  assert.equal((await c.on("anon", (x) => x.getStatus())).isConnected, true);
});

scenario("omni::auth_refused", async (c) => {
  assert.equal(await c.refusedAtConnect("omni", "/", { token: forgedToken(ids.JOHN) }), "INVALID_TOKEN: Token is invalid");
  assert.equal(await c.refusedAtConnect("omni", "/", { token: expiredToken(ids.JOHN) }), "TOKEN_EXPIRED: Token expired");
  assert.equal(
    await c.refusedAtConnect("omni", "/", { license_key: "OMNI-PREM-DEAD-0000-BEEF" }),
    "INVALID_LICENSE: License key is invalid or expired",
  );
  assert.match(await c.refusedAtConnect("omni", "/", { token: token(ids.JOHN), license_key: ids.CAROL_LICENSE }), /^INVALID_LICENSE/);
  assert.match(await c.refusedAtConnect("omni", "/", { token: token(ids.JOHN), role: "admin" }), /^INVALID_TOKEN/);
});

scenario("omni::auth_token_expiring_in_session_is_refreshed", async (c) => {
  // `exp` has one-second resolution: this token dies 2-3 s from now.
  const short = jwt(ids.JOHN, { exp: nowSecs() + 3 });
  const fresh = token(ids.JOHN);
  await c.page.evaluate(
    ([url, auth, fresh]) => {
      window.T.make("john", "omni", url, auth, { refreshAuth: () => ({ token: fresh }) });
    },
    [c.s.url, { token: short }, fresh],
  );
  await c.ok("john", "joinUserRoom", ids.JOHN);
  const [e] = await c.seen("john", "auth_error");
  assert.deepEqual([e.code, e.message], ["TOKEN_EXPIRED", "Token expired"]);
  await c.seen("john", "#auth_refresh_needed");
  await c.seen("john", "#connect");
  await c.room("john", ids.JOHN, "joined");
  // Delivered again with the new token.
  await until(async () => {
    await c.s.post("/admin/api/notifications", { user_id: ids.JOHN, title: "t", message: "after refresh" });
    return c.page.evaluate(() => window.T.take("john", "notification", { message: "after refresh" }));
  }, "a notification after the refresh");
});

scenario("omni::rooms_allowed", async (c) => {
  await c.make("john", "omni", "/", johnWithLicense());
  await c.ok("john", "joinUserRoom", ids.JOHN);
  await c.ok("john", "joinLicenseRoom", ids.LICENSE);
  const [first] = await c.seen("john", "room_joined");
  assert.deepEqual([first.room, first.type], [ids.JOHN, "user"]);
  const [second] = await c.seen("john", "room_joined");
  assert.equal(second.type, "license");
  assert.ok(second.members_count >= 1);
  await c.make("admin", "omni", "/", { token: token(ids.ADMIN) });
  await c.ok("admin", "joinAdminDashboard");
  // Admins may follow any license.
  await c.ok("admin", "joinLicenseRoom", ids.CAROL_LICENSE);
});

scenario("omni::rooms_refused", async (c) => {
  await c.make("john", "omni", "/", { token: token(ids.JOHN) });
  const forbidden = "You are not allowed to join this room";
  const reason = async (name, method, ...args) => {
    const r = await c.refused(name, method, ...args);
    assert.equal(r.name, "RefusedError");
    return r.err;
  };
  assert.equal(await reason("john", "joinUserRoom", ids.CAROL), forbidden);
  assert.equal(await reason("john", "joinLicenseRoom", ids.CAROL_LICENSE), forbidden);
  assert.equal(await reason("john", "joinAdminDashboard"), forbidden);
  assert.equal(await reason("john", "joinRoom", "license_INVALID"), "Room does not exist");
  assert.equal(await reason("john", "joinRoom", "lobby"), "Room does not exist");
  // A license-only session has no user room.
  await c.make("license", "omni", "/", { license_key: ids.LICENSE });
  assert.equal(await reason("license", "joinUserRoom", ids.JOHN), forbidden);
  await c.ok("license", "joinLicenseRoom", ids.LICENSE);
  // Anonymous sockets join nothing.
  await c.make("anon", "omni", "/", {});
  assert.equal(await reason("anon", "joinUserRoom", ids.JOHN), "Authentication is required to join rooms");
  // A refused room does not stop the others working.
  await c.ok("john", "joinUserRoom", ids.JOHN);
});

scenario("omni::client_events_answered", async (c) => {
  await c.make("john", "omni", "/", johnWithLicense());
  // heartbeat → heartbeat_response: the first goes out on connect.
  await until(() => c.on("john", (x) => x.latency?.count >= 1), "a latency sample");
  // join_room / leave_room → room_joined / room_left.
  await c.ok("john", "joinUserRoom", ids.JOHN);
  await c.ok("john", "leaveRoom", ids.JOHN);
  assert.equal((await c.seen("john", "room_left"))[0].room, ids.JOHN);
  // license_check → license_check_result.
  const r = await c.ok("john", "licenseCheck", ids.LICENSE);
  assert.ok(r.valid && r.status === "active", JSON.stringify(r));
  assert.ok(r.days_remaining > 300);
  const other = await c.ok("john", "licenseCheck", ids.CAROL_LICENSE);
  assert.deepEqual([other.valid, other.status], [false, "not_found"]);
  // notification_read, acknowledged.
  await c.ok("john", "joinUserRoom", ids.JOHN);
  await c.s.post("/admin/api/notifications", { user_id: ids.JOHN, title: "T", message: "M", priority: "high" });
  const [n] = await c.seen("john", "notification", { title: "T" });
  await c.ok("john", "markNotificationRead", n.id);
  assert.equal((await c.refused("john", "markNotificationRead", "notif_missing")).code, "NOT_FOUND");
  // binary_data → binary_response with the same bytes.
  const bytes = await c.on("john", async (x) => {
    const data = Uint8Array.from({ length: 3000 }, (_, i) => i % 256);
    const back = await x.sendBinary(data);
    return back.length === data.length && back.every((b, i) => b === data[i]) ? back.length : `differs: ${back.length}`;
  });
  assert.equal(bytes, 3000);
  // An anonymous license_check is refused with the server's reason.
  await c.make("anon", "omni", "/", {});
  assert.equal((await c.refused("anon", "licenseCheck", ids.LICENSE)).code, "UNAUTHORIZED");
});

scenario("omni::server_rate_limit_pauses_the_event", async (c) => {
  // Client-side pacing off: the server's limit (100 `license_check` a
  // minute per user) answers the 101st with `rate_limited` and `error`.
  await c.make("john", "omni", "/", johnWithLicense(), { rateLimit: { enabled: false } });
  const outcomes = await c.on("john", async (x) => {
    const out = [];
    for (let i = 0; i < 100; i++) out.push(await x.licenseCheck("OMNI-PREM-ABCD-1234-EFGH").then(() => "ok", (e) => e.code));
    out.push(await x.licenseCheck("OMNI-PREM-ABCD-1234-EFGH").then(() => "ok", (e) => e.code));
    return out;
  });
  assert.deepEqual(outcomes.slice(0, 100), Array(100).fill("ok"));
  assert.equal(outcomes[100], "RATE_LIMITED");
  const [r] = await c.seen("john", "rate_limited");
  assert.deepEqual([r.event, r.limit, r.window], ["license_check", 100, 60]);
  assert.ok(r.retry_after >= 1);
  // The client pauses the event for retry_after.
  const [p] = await c.seen("john", "#rate_limited");
  assert.equal(p.event, "license_check");
  assert.ok(p.retryAfter >= 1000, JSON.stringify(p));
});

scenario("omni::server_events_through_the_admin_api", async (c) => {
  await c.make("john", "omni", "/", johnWithLicense());
  await c.make("admin", "omni", "/", { token: token(ids.ADMIN) });
  await c.ok("john", "joinUserRoom", ids.JOHN);
  await c.ok("john", "joinLicenseRoom", ids.LICENSE);
  await c.ok("admin", "joinAdminDashboard");
  await c.s.post("/admin/api/notifications", { user_id: ids.JOHN, title: "Hi", message: "there" });
  await c.seen("john", "notification", { title: "Hi" });
  await c.s.post("/admin/api/usage", { license_key: ids.LICENSE, api_calls: 1250, storage_used_gb: 15.5, active_users: 12 });
  await c.seen("john", "usage_update", { api_calls: 1250 });
  await c.s.post("/admin/api/quota-warning", {
    license_key: ids.LICENSE, type: "api_calls", current: 9500, limit: 10000, percentage: 95, message: "95% used",
  });
  await c.seen("john", "quota_warning", { percentage: 95 });
  await c.s.post("/admin/api/licenses/updated", { license_key: ids.LICENSE, changes: { updated_at: "2024-01-15T11:00:00Z" } });
  await c.seen("john", "license_updated");
  await c.s.post("/admin/api/licenses/renewed", { license_key: ids.LICENSE });
  await c.seen("john", "license_renewed");
  // The whole lifecycle of a new license, seen on admin_dashboard.
  const key = "OMNI-TEST-0000-1111-2222";
  await c.s.post("/admin/api/licenses/created", { license_key: key, client_id: ids.CAROL, plan: "premium" });
  await c.seen("admin", "license_created", { license_key: key });
  await c.s.post("/admin/api/licenses/updated", { license_key: key, changes: { status: { old: "active", new: "suspended" } } });
  await c.seen("admin", "license_updated", { changes: { status: { new: "suspended" } } });
  for (const [route, name] of [["renewed", "license_renewed"], ["expired", "license_expired"], ["deleted", "license_deleted"]]) {
    await c.s.post(`/admin/api/licenses/${route}`, { license_key: key });
    await c.seen("admin", name);
  }
  await c.s.post("/admin/api/users/login", { user_id: ids.CAROL, username: "carol", ip_address: "192.168.1.100" });
  await c.seen("admin", "user_login", { user_id: ids.CAROL });
  await c.s.post("/admin/api/users/logout", { user_id: ids.CAROL, session_duration: 7200 });
  await c.seen("admin", "user_logout");
  await c.s.post("/admin/api/maintenance", { enabled: true, message: "System maintenance in progress", estimated_duration: 1800 });
  await c.seen("john", "maintenance_mode", { enabled: true });
  await c.s.post("/admin/api/system-status", {});
  await c.seen("john", "system_status", { status: "healthy" });
});

scenario("omni::admin_namespace", async (c) => {
  await c.make("admin", "omni", "/", { token: token(ids.ADMIN) });
  await c.on("admin", (x) => window.T.track("admin/admin", x.admin().socket));
  await until(() => c.on("admin", (x) => x.admin().socket.connected), "/admin connected");
  const stats = await c.on("admin", (x) => x.admin().getStats());
  assert.ok(stats.namespaces["/admin"] >= 1, JSON.stringify(stats));
  await c.s.post("/admin/api/users/login", { user_id: ids.JOHN, username: "john_doe", ip_address: "10.0.0.1" });
  await c.seen("admin/admin", "user_login", { user_id: ids.JOHN });
  await c.s.post("/admin/api/users/logout", { user_id: ids.JOHN, session_duration: 60 });
  await c.seen("admin/admin", "user_logout", { session_duration: 60 });
  // Refused for anyone else.
  await c.make("john", "omni", "/", { token: token(ids.JOHN) });
  await c.on("john", (x) => window.T.track("john/admin", x.admin().socket));
  assert.deepEqual(await c.seen("john/admin", "#connect_error"), ["FORBIDDEN: The admin role is required"]);
});

scenario(
  "omni::analytics_namespace",
  async (c) => {
    await c.make("john", "omni", "/", { token: token(ids.JOHN) });
    await c.on("john", (x) => window.T.track("john/analytics", x.analytics().socket));
    const [first] = await c.seen("john/analytics", "real_time_stats");
    assert.ok(first.connections >= 1, JSON.stringify(first));
    // Anonymous sessions may not.
    await c.make("anon", "omni", "/", {});
    await c.on("anon", (x) => window.T.track("anon/analytics", x.analytics().socket));
    assert.match((await c.seen("anon/analytics", "#connect_error"))[0], /^INVALID_TOKEN/);
  },
  ["--stats-interval-ms", "200"],
);

scenario("omni::restart_rejoins_every_room", async (c) => {
  await c.make("john", "omni", "/", johnWithLicense());
  await c.ok("john", "joinUserRoom", ids.JOHN);
  await c.ok("john", "joinLicenseRoom", ids.LICENSE);
  const licenseRoom = `license_${ids.LICENSE}`;
  await c.seen("john", "room_joined", { room: ids.JOHN });
  await c.seen("john", "room_joined", { room: licenseRoom });
  await c.s.restart();
  await c.seen("john", "#reconnect");
  // Joined again: the new server says so.
  await c.seen("john", "room_joined", { room: ids.JOHN });
  await c.seen("john", "room_joined", { room: licenseRoom });
  await c.room("john", ids.JOHN, "joined");
  await c.room("john", licenseRoom, "joined");
  // The new server delivers to both rooms.
  await c.s.post("/admin/api/notifications", { user_id: ids.JOHN, title: "back", message: "again" });
  await c.s.post("/admin/api/usage", { license_key: ids.LICENSE, api_calls: 1, storage_used_gb: 1, active_users: 1 });
  await c.seen("john", "notification", { title: "back" });
  await c.seen("john", "usage_update", { api_calls: 1 });
  assert.equal((await c.on("john", (x) => x.getStatus())).isConnected, true);
});

// ----------------------------------------------------- deployments (001)

scenario("deployments::auth_token", async (c) => {
  await c.make("john", "deployments", "/deployments", token(ids.JOHN));
  await c.connected("john");
  assert.equal((await c.on("john", (x) => x.getStatus())).isConnected, true);
});

scenario("deployments::auth_refused", async (c) => {
  assert.equal(await c.refusedAtConnect("deployments", "/deployments", forgedToken(ids.JOHN)), "INVALID_TOKEN: Token is invalid");
  assert.equal(await c.refusedAtConnect("deployments", "/deployments", expiredToken(ids.JOHN)), "TOKEN_EXPIRED: Token expired");
  assert.equal(await c.refusedAtConnect("deployments", "/deployments", ""), "INVALID_TOKEN: Authentication token is missing");
});

/** Subscribes `name` to deployment `id`, its feed recorded as `name:id`; the outcome. */
const subscribe = (c, name, id) =>
  c.on(
    name,
    (x, [name, id]) => {
      const log = (window.T.logs[`${name}:${id}`] = []);
      const record = (ev) => (p) => log.push({ ev, args: [p] });
      return window.T.settle(
        x.subscribeToDeployment(id, { onStatus: record("status"), onLog: record("log") }).then((sub) => {
          window.T.clients[`${name}:${id}`] = sub;
          return sub.id;
        }),
      );
    },
    [name, id],
  );

scenario("deployments::subscriptions_allowed_and_refused", async (c) => {
  await c.make("john", "deployments", "/deployments", token(ids.JOHN));
  assert.deepEqual(await subscribe(c, "john", "dep-100"), { ok: "dep-100" });
  assert.deepEqual((await c.seen("john:dep-100", "status"))[0], { deploymentId: "dep-100", status: "running" });
  const refused = await subscribe(c, "john", "dep-200");
  assert.equal(refused.err, "This deployment belongs to someone else");
  assert.equal((await c.seen("john", "error"))[0].code, "FORBIDDEN");
  assert.equal((await subscribe(c, "john", "dep-999")).err, "Deployment not found");
  await c.make("admin", "deployments", "/deployments", token(ids.ADMIN));
  assert.deepEqual(await subscribe(c, "admin", "dep-200"), { ok: "dep-200" });
  await c.seen("admin:dep-200", "status", { status: "building" });
});

scenario("deployments::unsubscribe_stops_the_feed", async (c) => {
  await c.make("admin", "deployments", "/deployments", token(ids.ADMIN));
  assert.ok((await subscribe(c, "admin", "dep-100")).ok);
  await c.seen("admin:dep-100", "status");
  assert.ok((await subscribe(c, "admin", "dep-200")).ok);
  await c.seen("admin:dep-200", "status");
  // The subscription's own unsubscribe: deployment:unsubscribe, handlers removed.
  await c.page.evaluate(() => window.T.clients["admin:dep-100"].unsubscribe());
  // Once the server has it, a log of dep-100 posted before one of dep-200
  // no longer arrives (a socket's events come in order).
  const logsOf100 = () => c.page.evaluate(() => window.T.logs.admin.filter((e) => e.ev === "deployment:log" && e.args[0].deploymentId === "dep-100").length);
  let n = 0;
  await until(async () => {
    const before = await logsOf100();
    n += 1;
    await c.s.post("/admin/api/deployments/dep-100/log", { log: `a${n}` });
    await c.s.post("/admin/api/deployments/dep-200/log", { log: `b${n}` });
    await c.seen("admin", "deployment:log", { deploymentId: "dep-200", log: `b${n}` });
    return (await logsOf100()) === before;
  }, "dep-100's logs stopped");
  // The handlers of the subscription were removed with it.
  assert.equal(await c.page.evaluate(() => window.T.logs["admin:dep-100"].filter((e) => e.ev === "log").length), 0);
  // The server's answer to `deployment:unsubscribe`.
  const answer = await c.on("admin", (x) => x.socket.timeout(10_000).emitWithAck("deployment:unsubscribe", "dep-200"));
  assert.deepEqual(answer, { success: true, deploymentId: "dep-200" });
});

scenario("deployments::server_events_through_the_admin_api", async (c) => {
  await c.make("john", "deployments", "/deployments", token(ids.JOHN));
  assert.ok((await subscribe(c, "john", "dep-100")).ok);
  await c.seen("john:dep-100", "status");
  await c.s.post("/admin/api/deployments/dep-100/status", { status: "deploying" });
  await c.s.post("/admin/api/deployments/dep-100/log", { log: "Step 1/3: build" });
  await c.seen("john:dep-100", "status", { status: "deploying" });
  await c.seen("john:dep-100", "log", { log: "Step 1/3: build" });
});

scenario("deployments::presence_online_and_offline", async (c) => {
  await c.make("admin", "deployments", "/deployments", token(ids.ADMIN));
  await c.connected("admin");
  await c.make("john", "deployments", "/deployments", token(ids.JOHN));
  await c.seen("admin", "user:online", { userId: ids.JOHN, status: "online" });
  await c.on("john", (x) => x.disconnect());
  await c.seen("admin", "user:offline", { userId: ids.JOHN, status: "offline" });
});

scenario("deployments::restart_resubscribes", async (c) => {
  await c.make("john", "deployments", "/deployments", token(ids.JOHN));
  assert.ok((await subscribe(c, "john", "dep-100")).ok);
  await c.seen("john:dep-100", "status");
  await c.s.restart();
  await c.seen("john", "#reconnect");
  // Subscribed again: the new server sends the current status at once.
  await c.seen("john:dep-100", "status");
  await c.room("john", "deployment:dep-100", "joined");
  await c.s.post("/admin/api/deployments/dep-100/log", { log: "after restart" });
  await c.seen("john:dep-100", "log", { log: "after restart" });
});

// ------------------------------------------------------------- DOA (002)

scenario("doa::auth_token", async (c) => {
  await c.make("agent", "doa", "/doa", token(ids.AGENT));
  await c.connected("agent");
  const status = await c.on("agent", (x) => x.getStatus());
  assert.equal(status.isConnected, true);
  assert.equal(typeof status.socketId, "string");
  assert.equal(status.reconnectAttempts, 0);
});

scenario("doa::auth_refused", async (c) => {
  assert.equal(await c.refusedAtConnect("doa", "/doa", forgedToken(ids.AGENT)), "INVALID_TOKEN: Token is invalid");
  assert.equal(await c.refusedAtConnect("doa", "/doa", expiredToken(ids.AGENT)), "TOKEN_EXPIRED: Token expired");
  assert.equal(await c.refusedAtConnect("doa", "/doa", ""), "INVALID_TOKEN: Authentication token is missing");
  assert.equal(await c.refusedAtConnect("doa", "/doa", token(ids.JOHN)), "INVALID_TOKEN: User not found");
});

scenario("doa::conversations_allowed_and_refused", async (c) => {
  await c.make("agent", "doa", "/doa", token(ids.AGENT));
  await c.ok("agent", "joinConversation", 123);
  assert.equal((await c.refused("agent", "joinConversation", 456)).err, "You cannot access this conversation");
  assert.equal((await c.refused("agent", "joinConversation", 999)).err, "Conversation not found");
  await c.make("admin", "doa", "/doa", token(ids.DOA_ADMIN));
  await c.ok("admin", "joinConversation", 456);
  await c.ok("admin", "joinConversation", 123);
  await c.ok("agent", "leaveConversation", 123);
});

scenario("doa::client_events_answered", async (c) => {
  await c.make("agent", "doa", "/doa", token(ids.AGENT));
  await c.make("admin", "doa", "/doa", token(ids.DOA_ADMIN));
  await c.ok("agent", "joinConversation", 123);
  await c.ok("admin", "joinConversation", 123);
  // The seed's throttle: a second "is typing" within 500 ms is skipped.
  assert.deepEqual(await c.on("agent", (x) => [x.sendTyping(123, true), x.sendTyping(123, true)]), [true, false]);
  assert.deepEqual((await c.seen("admin", "user_typing"))[0], { userId: 42, conversationId: 123, isTyping: true });
  // "Stopped typing" always goes.
  assert.equal(await c.ok("agent", "sendTyping", 123, false), true);
  assert.equal((await c.seen("admin", "user_typing"))[0].isTyping, false);
  await c.ok("agent", "markAsRead", "msg_123");
  await c.seen("admin", "message_read", { messageId: "msg_123", readBy: 42 });
  await c.ok("agent", "markAsRead", "msg_missing");
  await c.seen("agent", "error", { message: "Message not found" });
  await c.ok("agent", "leaveConversation", 123);
  await until(async () => {
    await c.ok("agent", "sendTyping", 123, false);
    await sleep(300);
    return c.page.evaluate(() => window.T.take("agent", "error", { message: "Join the conversation first" }));
  }, "typing refused after the leave");
});

scenario("doa::typing_is_not_paced", async (c) => {
  await c.make("agent", "doa", "/doa", token(ids.AGENT));
  await c.make("admin", "doa", "/doa", token(ids.DOA_ADMIN));
  await c.ok("agent", "joinConversation", 123);
  await c.ok("admin", "joinConversation", 123);
  // 60 in a burst: DOA's table (240 a minute for typing) holds none back,
  // where Omni's (30 a minute) held 28 of them for seconds.
  await c.on("agent", (x) => {
    for (let i = 0; i < 60; i++) x.sendTyping(123, false);
  });
  const end = Date.now() + 4000;
  while ((await c.page.evaluate(() => window.T.count("admin", "user_typing"))) < 60 && Date.now() < end) await sleep(50);
  assert.equal(await c.page.evaluate(() => window.T.count("admin", "user_typing")), 60, "every typing emit relayed within 4 s");
  // DOA's own table is the one in force: past its 240 a minute the client
  // holds typing emits back (a connection paced by no table would send
  // them all at once).
  const held = await c.on("agent", (x) => {
    for (let i = 0; i < 300; i++) x.sendTyping(123, false);
    return x.socket.buffered;
  });
  assert.ok(held >= 50, `${held} typing emits held past DOA's 240 a minute`);
});

scenario("doa::server_events_through_the_admin_api", async (c) => {
  await c.make("agent", "doa", "/doa", token(ids.AGENT));
  await c.make("admin", "doa", "/doa", token(ids.DOA_ADMIN));
  await c.connected("agent");
  await c.connected("admin");
  await c.s.post("/admin/api/doa/messages", {
    conversationId: 123, customerName: "Ahmet Yılmaz", customerPhone: "+905551234567", messageContent: "Merhaba, sipariş durumu nedir?",
  });
  const [m] = await c.seen("agent", "new_message", { customerName: "Ahmet Yılmaz", direction: "INBOUND", isRead: false });
  assert.equal(typeof m.id, "string");
  await c.seen("admin", "new_message", { userId: 42 });
  await c.ok("agent", "joinConversation", 123);
  await c.ok("agent", "markAsRead", m.id);
  await c.seen("agent", "message_read", { messageId: m.id });
});

scenario("doa::restart_rejoins_conversations", async (c) => {
  await c.make("agent", "doa", "/doa", token(ids.AGENT));
  await c.make("admin", "doa", "/doa", token(ids.DOA_ADMIN));
  // The seed reloads its data on `reconnect`.
  await c.on("agent", (x) => x.onReconnect((n) => window.T.logs.agent.push({ ev: "onReconnect", args: [n] })));
  await c.ok("agent", "joinConversation", 123);
  await c.ok("admin", "joinConversation", 123);
  await c.s.restart();
  const [attempts] = await c.seen("agent", "onReconnect");
  assert.ok(attempts >= 1);
  await c.seen("admin", "#reconnect");
  // Joined again on both sides: the admin's typing reaches the agent.
  await until(async () => {
    await c.ok("admin", "sendTyping", 123, false);
    await sleep(200);
    return c.page.evaluate(() => window.T.take("agent", "user_typing", { userId: 1 }));
  }, "user_typing after the restart");
  await c.room("agent", "conversation:123", "joined");
  assert.equal((await c.on("agent", (x) => x.getStatus())).isConnected, true);
});

// ------------------------------------------------------------ FAMA (003)

/** A FAMA client `name` with `token` in `form`, its `refreshToken` handing out fresh tokens (counted in `T.refreshes`). */
const fama = (c, name, tok, form, refresh) =>
  c.page.evaluate(
    ([name, url, tok, form, fresh, opts]) => {
      window.T.refreshes = 0;
      const extra = { tokenForm: form };
      if (fresh)
        extra.refreshToken = async () => {
          window.T.refreshes += 1;
          return fresh;
        };
      window.T.make(name, "fama", url, tok, { ...extra, ...opts });
    },
    [name, `${c.s.url}/fama`, tok, form, refresh ? token(ids.ALICE) : null, {}],
  );

scenario("fama::auth_raw_and_bearer_token", async (c) => {
  for (const form of ["raw", "bearer"]) {
    await fama(c, form, token(ids.ALICE), form, false);
    const r = await c.on(form, (x) => x.connected());
    assert.equal(r.message, "Successfully connected");
    assert.deepEqual([r.user.user_id, r.user.username], [5, "alice"]);
    // What the server got: the token in the form asked for.
    assert.equal(await c.on(form, (x) => x.socket.auth.token.startsWith("Bearer ")), form === "bearer");
  }
});

scenario("fama::auth_refused", async (c) => {
  const refusal = async (tok) => {
    const name = `f${Math.random().toString(36).slice(2)}`;
    await fama(c, name, tok, tok ? "bearer" : "raw", false);
    const r = await c.refused(name, "connected");
    assert.equal(r.name, "RefusedError");
    return r.err;
  };
  assert.equal(await refusal(forgedToken(ids.ALICE)), "Authentication failed: Token is invalid");
  assert.equal(await refusal(expiredToken(ids.ALICE)), "Authentication failed: Token expired");
  assert.equal(await refusal(""), "Authentication failed: Authentication token is missing");
  // FAMA users are numbered.
  assert.equal(await refusal(token(ids.JOHN)), "Authentication failed: User not found");
});

scenario("fama::expired_at_connect_is_refreshed", async (c) => {
  await fama(c, "alice", expiredToken(ids.ALICE), "raw", true);
  // The refused session said so first; the refreshed one connects.
  const r = await until(() => c.call("alice", "connected").then((r) => r.ok), "connected with the refreshed token");
  assert.equal(r.user.user_id, 5);
  assert.equal(await c.page.evaluate(() => window.T.refreshes), 1);
});

scenario("fama::token_expiring_in_session_is_refreshed", async (c) => {
  // `exp` has one-second resolution: this token dies 2-3 s from now.
  await fama(c, "alice", jwt(ids.ALICE, { exp: nowSecs() + 3 }), "bearer", true);
  await c.ok("alice", "connected");
  // FAMA's own shape: `error {message: "Token expired"}`, then a disconnect.
  await c.seen("alice", "error", { message: "Token expired" });
  await c.seen("alice", "#auth_refresh_needed");
  await c.seen("alice", "#connect");
  await c.seen("alice", "#connect");
  const r = await c.ok("alice", "connected");
  assert.equal(r.user.user_id, 5);
  assert.equal(await c.page.evaluate(() => window.T.refreshes), 1);
  assert.equal((await c.on("alice", (x) => x.getStatus())).isConnected, true);
  // The new token went out as a Bearer token too.
  assert.equal(await c.on("alice", (x) => x.socket.auth.token.startsWith("Bearer ")), true);
});

scenario("fama::unknown_event_answered_with_error", async (c) => {
  await fama(c, "alice", token(ids.ALICE), "raw", false);
  await c.ok("alice", "connected");
  // The seed lists no client events; anything sent is answered `error`.
  await c.on("alice", (x) => void x.socket.emit("ping_me"));
  await c.seen("alice", "error", { message: "Unknown event 'ping_me'" });
  // Not a refusal: the session stays.
  assert.equal((await c.ok("alice", "connected")).user.user_id, 5);
});

scenario("fama::restart_reconnects", async (c) => {
  await fama(c, "alice", token(ids.ALICE), "bearer", false);
  await c.ok("alice", "connected");
  await c.seen("alice", "connected");
  await c.s.restart();
  await c.seen("alice", "#reconnect");
  await c.seen("alice", "connected", { user: { user_id: 5 } });
  assert.equal((await c.on("alice", (x) => x.getStatus())).isConnected, true);
});

// ----------------------------------------------------- marketplace (004)

const market = (c, name, user) => c.make(name, "marketplace", "/marketplace", token(user));

scenario("marketplace::auth_token", async (c) => {
  await market(c, "john", ids.JOHN);
  await c.connected("john");
  assert.equal(typeof (await c.on("john", (x) => x.getStatus())).socketId, "string");
});

scenario("marketplace::auth_refused", async (c) => {
  const mk = (t) => c.refusedAtConnect("marketplace", "/marketplace", t);
  assert.equal(await mk(forgedToken(ids.JOHN)), "INVALID_TOKEN: Token is invalid");
  assert.equal(await mk(expiredToken(ids.JOHN)), "TOKEN_EXPIRED: Token expired");
  assert.equal(await mk(""), "INVALID_TOKEN: Authentication token is missing");
});

scenario("marketplace::chats_allowed_and_refused", async (c) => {
  await market(c, "john", ids.JOHN);
  await c.ok("john", "joinOrderChat", "order-1");
  assert.equal((await c.refused("john", "joinOrderChat", "order-2")).err, "You are not a participant of this order");
  assert.equal((await c.refused("john", "joinOrderChat", "order-9")).err, "Order not found");
  await c.ok("john", "joinDisputeChat", "dispute-1");
  assert.equal((await c.refused("john", "joinDisputeChat", "dispute-9")).err, "Dispute not found");
  await market(c, "alice", ids.ALICE);
  assert.equal((await c.refused("alice", "joinDisputeChat", "dispute-1")).err, "You are not a participant of this dispute");
  await c.ok("alice", "joinOrderChat", "order-2");
  await market(c, "moderator", ids.MODERATOR);
  await c.ok("moderator", "joinDisputeChat", "dispute-1");
  await market(c, "admin", ids.ADMIN);
  await c.ok("admin", "joinOrderChat", "order-2");
});

scenario("marketplace::messages_with_attachments_and_typing", async (c) => {
  await market(c, "john", ids.JOHN);
  await market(c, "carol", ids.CAROL);
  await market(c, "moderator", ids.MODERATOR);
  await c.ok("john", "joinOrderChat", "order-1");
  await c.ok("carol", "joinOrderChat", "order-1");
  await c.ok("john", "joinDisputeChat", "dispute-1");
  await c.ok("moderator", "joinDisputeChat", "dispute-1");
  // The seed's onOrderMessage helper, on the sender's side.
  await c.on("john", (x) => x.onOrderMessage((m) => window.T.logs.john.push({ ev: "onOrderMessage", args: [m] })));
  const attachments = [
    { fileUrl: "https://files.example/spec.pdf", fileName: "spec.pdf" },
    { fileUrl: "https://files.example/photo.jpg", fileName: "photo.jpg" },
  ];
  const id = await c.ok("john", "sendOrderMessage", "order-1", "here is the spec", attachments);
  assert.equal(typeof id, "string");
  const [m] = await c.seen("carol", "order_message", { id });
  assert.deepEqual([m.senderId, m.content, m.attachments], [ids.JOHN, "here is the spec", attachments]);
  await c.seen("john", "onOrderMessage", { id });
  const did = await c.ok("john", "sendDisputeMessage", "dispute-1", "the work is late");
  await c.seen("moderator", "dispute_message", { id: did, content: "the work is late" });
  await c.ok("john", "sendOrderTyping", "order-1", true);
  await c.seen("carol", "order_typing", { userId: ids.JOHN, orderId: "order-1", isTyping: true });
  await c.ok("john", "sendDisputeTyping", "dispute-1", false);
  await c.seen("moderator", "dispute_typing", { disputeId: "dispute-1", isTyping: false });
  const notIn = await c.refused("carol", "sendDisputeMessage", "dispute-1", "x");
  assert.deepEqual([notIn.code, notIn.err], ["NOT_IN_CHAT", "Join the dispute chat first"]);
  const tooMany = Array.from({ length: 11 }, (_, i) => ({ fileUrl: `https://f/${i}`, fileName: `${i}` }));
  assert.equal((await c.refused("john", "sendOrderMessage", "order-1", "x", tooMany)).code, "INVALID_PAYLOAD");
});

scenario("marketplace::leaving_a_chat", async (c) => {
  await market(c, "john", ids.JOHN);
  await c.ok("john", "joinOrderChat", "order-1");
  await c.ok("john", "joinDisputeChat", "dispute-1");
  await c.ok("john", "leaveOrderChat", "order-1");
  await c.ok("john", "leaveDisputeChat", "dispute-1");
  for (const [method, id] of [["sendOrderMessage", "order-1"], ["sendDisputeMessage", "dispute-1"]]) {
    await until(async () => {
      const r = await c.call("john", method, id, "still here?");
      if (r.code === "NOT_IN_CHAT") return true;
      await sleep(100);
      return false;
    }, `${method} refused after leaving`);
  }
});

scenario("marketplace::server_events_through_the_admin_api", async (c) => {
  await market(c, "john", ids.JOHN);
  await market(c, "carol", ids.CAROL);
  await c.ok("john", "joinDisputeChat", "dispute-1");
  await c.connected("carol");
  await c.s.post("/admin/api/orders/order-1/status", { status: "completed" });
  await c.seen("john", "order_status_update", { orderId: "order-1", status: "completed" });
  await c.seen("carol", "order_status_update", { orderId: "order-1", status: "completed" });
  await c.s.post("/admin/api/disputes/dispute-1/status", { status: "resolved" });
  await c.seen("john", "dispute_status_update", { disputeId: "dispute-1", status: "resolved" });
  await c.s.post("/admin/api/marketplace/notifications", { userId: ids.CAROL, content: "New order" });
  await c.seen("carol", "notification", { content: "New order" });
});

scenario("marketplace::presence_online_and_offline", async (c) => {
  await market(c, "carol", ids.CAROL);
  await c.connected("carol");
  await market(c, "john", ids.JOHN);
  await c.seen("carol", "user_presence", { userId: ids.JOHN, isOnline: true });
  await c.on("john", (x) => x.disconnect());
  await c.seen("carol", "user_presence", { userId: ids.JOHN, isOnline: false });
});

scenario("marketplace::restart_rejoins_chats", async (c) => {
  await market(c, "john", ids.JOHN);
  await market(c, "carol", ids.CAROL);
  await c.ok("john", "joinOrderChat", "order-1");
  await c.ok("john", "joinDisputeChat", "dispute-1");
  await c.ok("carol", "joinOrderChat", "order-1");
  await c.s.restart();
  await c.seen("john", "#reconnect");
  await c.seen("carol", "#reconnect");
  // Joined again on both sides: a message goes through.
  await until(async () => {
    const r = await c.call("john", "sendOrderMessage", "order-1", "after restart");
    if (!r.ok) return sleep(100).then(() => false);
    return c.page.evaluate(() => window.T.take("carol", "order_message", { content: "after restart" })) ?? false;
  }, "an order message after the restart");
  await c.room("john", "dispute:dispute-1", "joined");
  await until(async () => {
    await c.s.post("/admin/api/disputes/dispute-1/status", { status: "escalated" });
    await sleep(200);
    return c.page.evaluate(() => window.T.take("john", "dispute_status_update", { status: "escalated" }));
  }, "a dispute status update after the restart");
});

// ------------------------------------------------------------ the matrix

for (const [transport, opts] of Object.entries(TRANSPORTS)) {
  describe(`product modules in Chromium over ${transport}`, { timeout: 600_000 }, () => {
    let browser;

    before(async () => {
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
    });

    for (const [name, { fn, extra }] of Object.entries(SCENARIOS)) {
      test(`${transport}::${name}`, { timeout: 90_000 }, async () => {
        const server = await Server.start(extra);
        const { page } = browser;
        try {
          await page.goto(`${server.url}/test/pages/products.html`);
          await page.waitForFunction(() => window.T !== undefined, null, { timeout: WAIT });
          await page.evaluate((o) => {
            window.T.opts = o;
          }, opts);
          await fn(new Ctx(page, server));
          // Chromium logs the connections refused while a server is down
          // (a restart, the last scenario's server gone) as console errors:
          // expected, not the page's.
          const network = /^WebSocket connection to .* failed|^Failed to load resource/;
          assert.deepEqual(browser.errors.splice(0).filter((e) => !network.test(e)), [], "errors in the page");
        } finally {
          await page.evaluate(() => window.T?.reset()).catch(() => {});
          browser.errors.splice(0);
          browser.failed.splice(0);
          await server.kill();
        }
      });
    }
  });
}

// The same modules in Node, through the package's `exports` (its `node`
// conditions load the WebAssembly themselves): ESM and CommonJS.
describe("product modules in Node", { timeout: 60_000 }, () => {
  for (const kind of ["import", "require"]) {
    test(`${kind}("omni-socket/products/doa") joins a conversation on the server's verdict`, async () => {
      const { DoaClient } =
        kind === "import" ? await import("omni-socket/products/doa") : createRequire(import.meta.url)("omni-socket/products/doa");
      const server = await Server.start();
      // Long-polling: Node 20 has no WebSocket of its own.
      const doa = new DoaClient(`${server.url}/doa`, token(ids.AGENT), { transports: ["polling"] });
      try {
        await doa.joinConversation(123);
        await assert.rejects(doa.joinConversation(456), { name: "RefusedError", message: "You cannot access this conversation" });
        assert.equal(doa.getStatus().isConnected, true);
      } finally {
        doa.disconnect();
        await server.kill();
      }
    });
  }
});
