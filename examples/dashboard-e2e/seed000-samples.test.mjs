// Seed 000's own code samples (its WebSocket documentation), run with
// socket.io-client 4.8 and with omni-socket against the reference server:
// what each sample prints, what its sockets end up as, and what the page
// shows must be the same for both clients.
//
// The samples are as the seed writes them, except:
// - the import: `require('socket.io-client')` / `import io from
//   'socket.io-client'` resolve to the client under test (the CommonJS ones
//   get `require("omni-socket")`, the package's CommonJS build, through the
//   `require` they are run with);
// - `http://localhost:3001` is the test server's address, and the
//   placeholder tokens ('your-jwt-token', 'eyJhbG…', …) are the server's
//   demo tokens;
// - the load sample opens 20 connections, not 1,000, with its 30 s
//   heartbeat interval and 60 s cleanup timer cut to 100 ms and 1 s;
// - the React and Vue samples are bundled with a small mount (the seed's
//   main.js has no `import App` nor `mount`), and `showNotification`, which
//   the seed leaves to the application, is provided.
//
// Run by scripts/test-demos.sh (which builds the wasm package and the
// server).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, until as pollUntil } from "../../npm/test/browser.mjs";
import { OmniServer, ROOT } from "./omni-server.mjs";

const npmRequire = createRequire(join(ROOT, "npm/package.json"));
const esbuild = npmRequire("esbuild");
// What `require(...)` gives each: socket.io-client, and the package's own
// CommonJS build (it loads its WebAssembly by itself).
const LIBS = {
  "socket.io-client": { io: npmRequire("socket.io-client"), path: null },
  "omni-socket": { io: npmRequire("omni-socket"), path: join(ROOT, "npm/dist/index.js") },
};
const LICENSE = "OMNI-PREM-ABCD-1234-EFGH";

// ---- the samples, as the seed writes them

const S = {
  basic: `const io = require('socket.io-client');
const socket = io('http://localhost:3001');

socket.on('connect', () => {
  console.log('Connected to Omni WebSocket server');
  console.log('Socket ID:', socket.id);
});

socket.on('disconnect', (reason) => {
  console.log('Disconnected:', reason);
});`,

  authenticated: `const socket = io('http://localhost:3001', {
  auth: {
    token: 'your-jwt-token',
    license_key: 'OMNI-PREM-ABCD-1234-EFGH'
  },
  transports: ['websocket', 'polling']
});

socket.on('connect', () => {
  console.log('Authenticated connection established');
});

socket.on('auth_error', (error) => {
  console.error('Authentication failed:', error);
});`,

  options: `const socket = io('http://localhost:3001', {
  // Avtentikacija
  auth: {
    token: 'jwt-token',
    license_key: 'license-key'
  },
  
  // Reconnection nastavitve
  reconnection: true,
  reconnectionDelay: 1000,
  reconnectionAttempts: 5,
  
  // Transport nastavitve
  transports: ['websocket'],
  upgrade: true,
  
  // Timeout nastavitve
  timeout: 20000,
  
  // Dodatne možnosti
  forceNew: false,
  multiplex: true
});`,

  jwt: `// Pošlji token ob povezavi
const socket = io('http://localhost:3001', {
  auth: {
    token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...'
  }
});

// Posodobi token med sejo
socket.auth.token = 'new-jwt-token';
socket.disconnect().connect();`,

  license: `// Avtentikacija z licenčnim ključem
const socket = io('http://localhost:3001', {
  auth: {
    license_key: 'OMNI-PREM-ABCD-1234-EFGH'
  }
});

// Preveri avtentikacijo
socket.on('authenticated', (data) => {
  console.log('Authenticated as:', data);
  // {
  //   user_id: 'user_12345',
  //   license_key: 'OMNI-PREM-ABCD-1234-EFGH',
  //   permissions: ['read', 'write'],
  //   expires_at: '2025-01-15T10:30:00.000Z'
  // }
});

socket.on('auth_error', (error) => {
  console.error('Authentication error:', error);
  // {
  //   code: 'INVALID_LICENSE',
  //   message: 'License key is invalid or expired'
  // }
});`,

  admin: `// Admin avtentikacija
const socket = io('http://localhost:3001', {
  auth: {
    token: 'admin-jwt-token',
    role: 'admin'
  }
});

// Pridruži se admin sobi
socket.on('authenticated', () => {
  socket.emit('join_room', {
    room: 'admin_dashboard',
    type: 'admin'
  });
});`,

  namespaces: `// Povezava na custom namespace
const adminSocket = io('http://localhost:3001/admin');
const analyticsSocket = io('http://localhost:3001/analytics');

adminSocket.on('connect', () => {
  console.log('Connected to admin namespace');
});

analyticsSocket.on('real_time_stats', (stats) => {
  updateAnalyticsDashboard(stats);
});`,

  unit: `const Client = require('socket.io-client');

describe('WebSocket API', () => {
  let socket;
  
  beforeEach((done) => {
    socket = Client('http://localhost:3001');
    socket.on('connect', done);
  });
  
  afterEach(() => {
    socket.disconnect();
  });
  
  it('should authenticate with valid token', (done) => {
    socket.auth = { token: 'valid-jwt-token' };
    socket.on('authenticated', (data) => {
      expect(data.user_id).toBeDefined();
      done();
    });
    socket.disconnect().connect();
  });
  
  it('should receive license updates', (done) => {
    socket.on('license_updated', (data) => {
      expect(data.license_key).toBeDefined();
      done();
    });
    
    // Sproži posodobitev licence
    triggerLicenseUpdate();
  });
});`,

  load: `const io = require('socket.io-client');

// Ustvari več sočasnih povezav
const connections = [];
const numConnections = 1000;

for (let i = 0; i < numConnections; i++) {
  const socket = io('http://localhost:3001');
  
  socket.on('connect', () => {
    console.log(\`Connection \${i} established\`);
    
    // Pošlji heartbeat
    setInterval(() => {
      socket.emit('heartbeat', { timestamp: Date.now() });
    }, 30000);
  });
  
  connections.push(socket);
}

// Počisti po testiranju
setTimeout(() => {
  connections.forEach(socket => socket.disconnect());
}, 60000);`,

  react: `import { useEffect, useState } from 'react';
import io from 'socket.io-client';

export const useOmniSocket = (token, licenseKey) => {
  const [socket, setSocket] = useState(null);
  const [connected, setConnected] = useState(false);
  const [notifications, setNotifications] = useState([]);
  
  useEffect(() => {
    const newSocket = io('http://localhost:3001', {
      auth: { token, license_key: licenseKey }
    });
    
    newSocket.on('connect', () => {
      setConnected(true);
    });
    
    newSocket.on('disconnect', () => {
      setConnected(false);
    });
    
    newSocket.on('notification', (notification) => {
      setNotifications(prev => [...prev, notification]);
    });
    
    setSocket(newSocket);
    
    return () => newSocket.close();
  }, [token, licenseKey]);
  
  return { socket, connected, notifications };
};

// Uporaba v komponenti
function Dashboard() {
  const { socket, connected, notifications } = useOmniSocket(
    localStorage.getItem('jwt_token'),
    localStorage.getItem('license_key')
  );
  
  return (
    <div>
      <div>Status: {connected ? 'Connected' : 'Disconnected'}</div>
      <div>Notifications: {notifications.length}</div>
    </div>
  );
}`,

  vuePlugin: `// omni-socket.js
import io from 'socket.io-client';

export default {
  install(app, options) {
    const socket = io(options.url, {
      auth: options.auth
    });
    
    app.config.globalProperties.$omniSocket = socket;
    app.provide('omniSocket', socket);
  }
};`,

  vueMain: `// main.js
import { createApp } from 'vue';
import OmniSocket from './plugins/omni-socket';

const app = createApp(App);

app.use(OmniSocket, {
  url: 'http://localhost:3001',
  auth: {
    token: localStorage.getItem('jwt_token'),
    license_key: localStorage.getItem('license_key')
  }
});`,

  vueComponent: `// Uporaba v komponenti
export default {
  inject: ['omniSocket'],
  
  mounted() {
    this.omniSocket.on('notification', (notification) => {
      this.showNotification(notification);
    });
  }
};`,
};

// ---- running them

/** Waits until `fn()` is truthy (10 s at most). */
const until = (what, fn, ms = 10_000) => pollUntil(fn, ms, what);

describe("seed 000's code samples with socket.io-client and with omni-socket", { timeout: 300_000 }, () => {
  let server;
  let staticDir;
  let browser;

  before(async () => {
    staticDir = await mkdtemp(join(tmpdir(), "omni-seed000-"));
    server = await new OmniServer({ staticDir }).start();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  /** The sample's text with the test server and its demo tokens. */
  const adapt = (code) =>
    code
      .replaceAll("http://localhost:3001", server.url)
      .replaceAll("'your-jwt-token'", `'${server.tokens.user_12345}'`)
      .replaceAll("'jwt-token'", `'${server.tokens.user_12345}'`)
      .replaceAll("'license-key'", `'${LICENSE}'`)
      .replaceAll("'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...'", `'${server.tokens.user_12345}'`)
      .replaceAll("'new-jwt-token'", `'${server.tokens.user_13579}'`)
      .replaceAll("'admin-jwt-token'", `'${server.tokens.user_67890}'`)
      .replaceAll("'valid-jwt-token'", `'${server.tokens.user_12345}'`);

  /** Socket ids and timestamps differ from run to run. */
  const plain = (v) =>
    JSON.parse(
      JSON.stringify(v ?? null)
        .replace(/"[\w-]{16,20}"/g, '"<id>"')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>"),
    );

  /**
   * Runs a CommonJS-style sample with `client`: `require('socket.io-client')`
   * and a free `io` give it; its sockets and timers are tracked so the run
   * can end. Resolves with what it printed and its sockets.
   */
  function runNode(client, code, scope = {}) {
    const lib = LIBS[client];
    const printed = [];
    const sockets = [];
    const timers = [];
    const io = (...a) => {
      const s = lib.io(...a);
      sockets.push(s);
      return s;
    };
    const console_ = {
      log: (...a) => printed.push(["log", ...plain(a)]),
      error: (...a) => printed.push(["error", ...plain(a)]),
    };
    const require_ = (name) => {
      if (name !== "socket.io-client") throw new Error(`the sample requires ${name}`);
      return io;
    };
    const timing = {
      setInterval: (fn, ms) => (timers.push(setInterval(fn, ms)), timers.at(-1)),
      setTimeout: (fn, ms) => (timers.push(setTimeout(fn, ms)), timers.at(-1)),
    };
    // A free `io` for the samples that use it without requiring it.
    const free = code.includes("= require('socket.io-client')") ? {} : { io };
    const env = { require: require_, ...free, console: console_, ...timing, ...scope };
    new Function(...Object.keys(env), adapt(code))(...Object.values(env));
    const stop = () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.disconnect();
    };
    return { printed, sockets, stop };
  }

  /** `script(client)` for both clients; what it returns must be the same. */
  async function same(script) {
    const got = {};
    for (const client of Object.keys(LIBS)) got[client] = plain(await script(client));
    if (process.env.SEED_DEBUG) console.error(JSON.stringify(got["omni-socket"]));
    assert.deepEqual(got["omni-socket"], got["socket.io-client"]);
    return got["omni-socket"];
  }

  const connected = (s) => until("connect", () => s.connected);

  test("the basic connection", () =>
    same(async (client) => {
      const r = runNode(client, S.basic);
      await until("connected and printed", () => r.printed.length === 2);
      r.stop();
      return r.printed;
    }));

  test("the authenticated connection", () =>
    same(async (client) => {
      const r = runNode(client, S.authenticated);
      await until("printed", () => r.printed.length === 1);
      r.stop();
      return r.printed;
    }));

  test("the connection with options", () =>
    same(async (client) => {
      const r = runNode(client, S.options);
      const [s] = r.sockets;
      const auth = new Promise((ok) => s.once("authenticated", ok));
      await connected(s);
      const a = await auth;
      r.stop();
      return { transport: s.io.engine.transport.name, authenticated: a };
    }));

  test("JWT: a new token during the session, then disconnect().connect()", () =>
    same(async (client) => {
      const r = runNode(client, S.jwt);
      const [s] = r.sockets;
      // The CONNECT made after the token changed carries the new one.
      const [a] = await new Promise((ok) => s.once("authenticated", (...x) => ok(x)));
      r.stop();
      return a.user_id;
    }));

  test("license-key authentication", () =>
    same(async (client) => {
      const r = runNode(client, S.license);
      await until("printed", () => r.printed.length === 1);
      r.stop();
      return r.printed;
    }));

  test("admin authentication joins the admin room", () =>
    same(async (client) => {
      const r = runNode(client, S.admin);
      const [s] = r.sockets;
      const [joined] = await new Promise((ok) => s.once("room_joined", (...x) => ok(x)));
      r.stop();
      return joined;
    }));

  test("/admin and /analytics: one connection, each namespace answered", () =>
    same(async (client) => {
      const r = runNode(client, S.namespaces, { updateAnalyticsDashboard: () => {} });
      const [admin, analytics] = r.sockets;
      // The seed's sockets carry no token: the server refuses both namespaces.
      const errors = await Promise.all(
        [admin, analytics].map((s) => new Promise((ok) => s.once("connect_error", (e) => ok(e.message)))),
      );
      const shared = admin.io === analytics.io;
      r.stop();
      return { shared, errors, printed: r.printed };
    }));

  test("the unit-test sample (auth assigned, disconnect().connect())", () =>
    same(async (client) => {
      // The describe/it/beforeEach/afterEach/done and expect it is written
      // for, each test with a 3 s limit.
      const tests = [];
      const hooks = { before: [], after: [] };
      const outcome = [];
      const withDone = (fn) =>
        new Promise((ok, fail) => {
          const t = setTimeout(() => fail(new Error("timed out")), 3_000);
          const done = (e) => (clearTimeout(t), e ? fail(e) : ok());
          try {
            if (fn.length === 0) (fn(), done());
            else fn(done);
          } catch (e) {
            done(e);
          }
        });
      const expect = (v) => ({
        toBeDefined: () => {
          if (v === undefined) throw new Error("expected a value");
        },
      });
      const r = runNode(client, S.unit, {
        describe: (_, body) => body(),
        beforeEach: (fn) => hooks.before.push(fn),
        afterEach: (fn) => hooks.after.push(fn),
        it: (name, fn) => tests.push([name, fn]),
        expect,
        triggerLicenseUpdate: () =>
          server.admin("licenses/updated", { license_key: LICENSE, changes: { status: { old: "active", new: "active" } } }),
      });
      for (const [name, fn] of tests) {
        let result = "passed";
        try {
          for (const h of hooks.before) await withDone(h);
          await withDone(fn);
        } catch (e) {
          result = e.message;
        }
        for (const h of hooks.after) await withDone(h);
        outcome.push([name, result]);
      }
      r.stop();
      // The license update goes to the license's room, which the sample's
      // anonymous socket is not in: it times out with either client.
      return outcome;
    }));

  test("the load sample, with 20 connections and short timers", () =>
    same(async (client) => {
      const code = S.load.replace("= 1000;", "= 20;").replace("}, 30000);", "}, 100);").replace("}, 60000);", "}, 1000);");
      const r = runNode(client, code);
      await until("20 connections", () => r.printed.length === 20);
      await until("the cleanup timer", () => r.sockets.every((s) => !s.connected && !s.active));
      r.stop();
      const lines = r.printed.map((p) => p[1]).sort();
      return { lines, managers: new Set(r.sockets.map((s) => s.io)).size };
    }));

  /** Bundles `files` (name → source, `entry.jsx` first) for `client` and loads it in Chromium; resolves with the page. */
  async function page(client, name, files) {
    const dir = join(staticDir, `${name}-${client.replace(/\W/g, "")}`);
    await mkdir(join(dir, "plugins"), { recursive: true });
    // omni-socket looks for its .wasm next to its code: ./wasm/ of the bundle.
    await mkdir(join(dir, "wasm"), { recursive: true });
    await copyFile(join(ROOT, "npm/dist/wasm/omni_socket_wasm_bg.wasm"), join(dir, "wasm/omni_socket_wasm_bg.wasm"));
    for (const [f, src] of Object.entries(files)) await writeFile(join(dir, f), src);
    await esbuild.build({
      entryPoints: [join(dir, "entry.jsx")],
      bundle: true,
      format: "esm",
      jsx: "automatic",
      outfile: join(dir, "bundle.js"),
      nodePaths: [join(ROOT, "npm/node_modules")],
      alias: LIBS[client].path ? { "socket.io-client": LIBS[client].path } : {},
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "error",
    });
    await writeFile(
      join(dir, "index.html"),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><div id="app"></div><script type="module" src="bundle.js"></script>',
    );
    const p = browser.page;
    // What the samples read from localStorage, there before they run.
    await p.addInitScript(
      ([token, license]) => {
        localStorage.setItem("jwt_token", token);
        localStorage.setItem("license_key", license);
      },
      [server.tokens.user_12345, LICENSE],
    );
    await p.goto(`${server.url}/${name}-${client.replace(/\W/g, "")}/index.html`);
    return p;
  }

  test("the React hook and its Dashboard", () =>
    same(async (client) => {
      const p = await page(client, "react", {
        "sample.jsx": adapt(S.react) + "\nexport { Dashboard };\n",
        "entry.jsx": `import { createRoot } from "react-dom/client";
import { Dashboard } from "./sample.jsx";
createRoot(document.getElementById("app")).render(<Dashboard />);
`,
      });
      await until("Connected", async () => (await p.locator("#app").innerText()).includes("Status: Connected")).catch((e) => {
        throw new Error(`${client}: ${e.message}; page: ${JSON.stringify(browser.errors)} ${JSON.stringify(browser.failed)}`);
      });
      return p.locator("#app").innerText();
    }));

  test("the Vue plugin, provided and injected", () =>
    same(async (client) => {
      const p = await page(client, "vue", {
        "plugins/omni-socket.js": adapt(S.vuePlugin),
        "App.js": S.vueComponent,
        "entry.jsx": `import App from "./App.js";
${adapt(S.vueMain)}
app.config.globalProperties.showNotification = (n) => {
  document.getElementById("shown").textContent += n.title;
};
document.body.insertAdjacentHTML("beforeend", '<p id="shown"></p>');
app.mount("#app");
window.sample = app;
`,
      });
      await until("the plugin's socket connected", () =>
        p.evaluate(() => window.sample?.config.globalProperties.$omniSocket.connected),
      );
      // Injected: the component's mounted() listens on the plugin's socket.
      return p.evaluate(() => {
        const socket = window.sample.config.globalProperties.$omniSocket;
        return { connected: socket.connected, listening: socket.listeners("notification").length };
      });
    }));
});
