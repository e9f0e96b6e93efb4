// Packaging test: `npm pack` the built package, install the tarball into a
// fresh temporary app, build React and Vue demo pages with Vite, and run
// them in headless Chromium against the official socket.io server.
//
// The app links react, react-dom and vue from this package's
// devDependencies instead of downloading them again; omni-socket itself
// comes only from the tarball, through its `exports` map.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile, readdir, rename, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { launch, until } from "./browser.mjs";
import { startServer } from "./server.mjs";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));

const REACT_MAIN = `
import { StrictMode, createElement as h, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { init } from "omni-socket";
import { useOmniSocket, useOmniEvent, useRoom } from "omni-socket/react";

function Dashboard() {
  const { socket, connected, notifications, latency, state } = useOmniSocket("jwt-1", "LIC-1", {
    url: location.origin,
    transports: ["websocket"],
    heartbeat: { interval: 300, mode: { type: "omni" } },
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
  });
  const lobby = useRoom(socket, "lobby");
  const [welcome, setWelcome] = useState(null);
  useOmniEvent(socket, "welcome", setWelcome);
  return h("div", null,
    h("p", { id: "status" }, connected ? "Connected" : "Disconnected"),
    h("p", { id: "state" }, state),
    h("p", { id: "count" }, String(notifications.length)),
    h("p", { id: "room" }, lobby ? lobby.state : "none"),
    h("p", { id: "latency" }, latency ? "measured" : "none"),
    h("p", { id: "auth" }, welcome ? welcome.auth.token + "/" + welcome.auth.license_key : ""));
}

function App() {
  const [show, setShow] = useState(true);
  useEffect(() => { window.unmountDashboard = () => setShow(false); }, []);
  return show ? h(Dashboard) : h("p", { id: "status" }, "Unmounted");
}

// Load the wasm first so the first StrictMode mount really starts a
// connection (otherwise it would be disposed before the module arrived).
await init();
createRoot(document.getElementById("root")).render(h(StrictMode, null, h(App)));
`;

const VUE_MAIN = `
import { createApp, defineComponent, h, inject } from "vue";
import OmniSocket, { useOmniSocket } from "omni-socket/vue";

const App = defineComponent({
  setup() {
    const { socket, connected, notifications } = useOmniSocket();
    const injected = inject("omniSocket");
    return () => h("div", [
      h("p", { id: "status" }, connected.value ? "Connected" : "Disconnected"),
      h("p", { id: "count" }, String(notifications.value.length)),
      h("p", { id: "same" }, String(injected === socket)),
    ]);
  },
  mounted() {
    this.$omniSocket.join("vue_room");
  },
});

createApp(App)
  .use(OmniSocket, { url: location.origin, auth: { token: "vue-t", license_key: "L2" } })
  .mount("#root");
`;

const page = (entry) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>` +
  `<body><div id="root"></div><script type="module" src="./${entry}"></script></body></html>`;

describe("packaged omni-socket in a Vite app", { timeout: 180_000 }, () => {
  let tmp;
  let appDir;
  let server;
  let browser;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "omni-pack-"));
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], {
      cwd: pkgDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [{ filename }] = JSON.parse(out);
    appDir = join(tmp, "app");
    const modules = join(appDir, "node_modules");
    await mkdir(modules, { recursive: true });
    execFileSync("tar", ["-xzf", join(tmp, filename), "-C", modules]);
    await rename(join(modules, "package"), join(modules, "omni-socket"));
    for (const dep of ["react", "react-dom", "scheduler", "vue"]) {
      await symlink(join(pkgDir, "node_modules", dep), join(modules, dep), "dir");
    }
    await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    await writeFile(join(appDir, "react.html"), page("react-main.js"));
    await writeFile(join(appDir, "vue.html"), page("vue-main.js"));
    await writeFile(join(appDir, "react-main.js"), REACT_MAIN);
    await writeFile(join(appDir, "vue-main.js"), VUE_MAIN);
    await build({
      root: appDir,
      base: "/app/",
      configFile: false,
      logLevel: "error",
      // React's development build: StrictMode only double-mounts there.
      mode: "development",
      define: { "process.env.NODE_ENV": JSON.stringify("development") },
      build: {
        outDir: join(appDir, "dist"),
        rollupOptions: { input: { react: join(appDir, "react.html"), vue: join(appDir, "vue.html") } },
      },
    });
    server = await startServer({ roots: { "/app/": join(appDir, "dist") } });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test("the tarball holds the built entries, types and wasm", async () => {
    const pkg = JSON.parse(await readFile(join(appDir, "node_modules/omni-socket/package.json"), "utf8"));
    assert.deepEqual(Object.keys(pkg.exports).slice(0, 3), [".", "./react", "./vue"]);
    const dist = await readdir(join(appDir, "node_modules/omni-socket/dist"));
    for (const f of ["index.js", "index.d.ts", "react.js", "react.d.ts", "vue.js", "vue.d.ts", "wasm", "generated"]) {
      assert.ok(dist.includes(f), `${f} missing from the tarball`);
    }
    const assets = await readdir(join(appDir, "dist/assets"));
    assert.ok(assets.some((f) => f.endsWith(".wasm")), "Vite emitted the wasm asset");
  });

  test("React: StrictMode keeps one connection; rooms, notifications, latency; reconnect; unmount closes", async () => {
    const p = browser.page;
    await p.goto(`${server.url}/app/react.html`);
    await p.waitForSelector("#status:text('Connected')", { timeout: 10_000 });
    await until(async () => (await p.textContent("#room")) === "joined", 5000, "room joined");
    assert.equal(await p.textContent("#auth"), "jwt-1/LIC-1");
    assert.equal(server.state.connections, 1, "exactly one Socket.IO connection despite the double mount");
    assert.equal(server.state.live.size, 1);
    assert.equal(await server.roomSize("lobby"), 1);

    await fetch(`${server.url}/admin/broadcast?room=lobby&data=${encodeURIComponent('{"title":"x"}')}`);
    await until(async () => (await p.textContent("#count")) === "1", 5000, "notification rendered");
    await until(async () => (await p.textContent("#latency")) === "measured", 5000, "latency sample");

    const port = server.port;
    await server.close();
    await until(async () => (await p.textContent("#status")) === "Disconnected", 5000, "disconnect rendered");
    server = await startServer({ roots: { "/app/": join(appDir, "dist") }, port });
    await p.waitForSelector("#status:text('Connected')", { timeout: 10_000 });
    await until(async () => (await server.roomSize("lobby")) === 1, 5000, "room re-joined after restart");
    assert.equal(server.state.live.size, 1);

    await p.evaluate(() => window.unmountDashboard());
    await until(async () => server.state.live.size === 0, 5000, "connection closed on unmount");
  });

  test("Vue: plugin, inject and $omniSocket, composable refs", async () => {
    const p = browser.page;
    const before = server.state.connections;
    await p.goto(`${server.url}/app/vue.html`);
    await p.waitForSelector("#status:text('Connected')", { timeout: 10_000 });
    assert.equal(await p.textContent("#same"), "true");
    await until(async () => (await server.roomSize("vue_room")) === 1, 5000, "vue_room joined");
    assert.equal(server.state.connections - before, 1);
    await fetch(`${server.url}/admin/broadcast?room=vue_room&data=${encodeURIComponent('{"title":"v"}')}`);
    await until(async () => (await p.textContent("#count")) === "1", 5000, "notification rendered");
  });

  test("no page errors", () => {
    const real = browser.errors.filter((e) => !/net::ERR_CONNECTION_(REFUSED|RESET)/.test(e));
    assert.deepEqual(real, []);
  });
});
