// Release check of the npm tarball (scripts/test-release.sh packs it and
// passes its path as OMNI_TARBALL): fresh projects in a temporary
// directory, outside this repository, install it with `npm install` as a
// user would, and each connects to the official socket.io server and
// receives its `welcome` event:
//   - an ES-module app (`import io from "omni-socket"`, no init call);
//   - a CommonJS script written like socket.io-client's samples
//     (`const io = require("omni-socket")`);
//   - a TypeScript project compiled with `moduleResolution` node16 (an
//     .mts and a .cts file) and with `bundler`, strict, checking the
//     package's declarations (`skipLibCheck: false`) in a Node-only setup
//     (no DOM library), then run;
//   - a Vite app built with the project's own Vite and loaded in Chromium.
// The installs come from npm's cache when it has the packages
// (`--prefer-offline`); the Node apps run as plain `node`, as a user runs
// them.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { launch } from "./browser.mjs";
import { startServer } from "./server.mjs";

const tarball = process.env.OMNI_TARBALL;
const pinned = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")).devDependencies;
const exec = promisify(execFile);

// Asynchronous on purpose: the apps talk to the server in this process.
async function run(cmd, args, cwd, { timeout = 60_000, env = {} } = {}) {
  try {
    const { stdout } = await exec(cmd, args, { cwd, timeout, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} in ${cwd} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** A fresh project with `files` ({path: text}), its dependencies installed. */
async function project(dir, { type, dependencies = {}, files }) {
  await mkdir(dir, { recursive: true });
  const pkg = { name: `omni-release-${dir.split("/").pop()}`, private: true, ...(type ? { type } : {}) };
  pkg.dependencies = { "omni-socket": `file:${tarball}`, ...dependencies };
  await writeFile(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir, { timeout: 180_000 });
  return dir;
}

// Every Node app: connect with a token, print the token the server saw,
// stop. `connect_error` and a 20 s deadline fail it with a message.
const nodeApp = (token) => `
const socket = io(process.env.OMNI_URL, { auth: { token: "${token}" } });
socket.on("welcome", (w) => {
  console.log("welcome " + w.auth.token);
  socket.disconnect();
  process.exit(0);
});
socket.on("connect_error", (e) => {
  console.error("connect_error " + e.message);
  process.exit(1);
});
setTimeout(() => {
  console.error("no welcome within 20 s");
  process.exit(1);
}, 20_000);
`;

const TS_APP = (importLines, token) => `${importLines}

interface ServerEvents {
  welcome: { auth: { token: string }; id: string };
}

const options: SocketOptions = { auth: { token: "${token}" } };
const socket: Socket<ServerEvents> = named<ServerEvents>(process.env.OMNI_URL ?? "", options);
if (io !== named) throw new Error("the default export is not io");
socket.on("welcome", (w) => {
  console.log("welcome " + w.auth.token.toLowerCase());
  socket.disconnect();
  process.exit(0);
});
// @ts-expect-error: the declarations type the payload, which has no \`nope\`
socket.on("welcome", (w) => w.nope);
socket.on("connect_error", (e) => {
  console.error("connect_error " + e.message);
  process.exit(1);
});
setTimeout(() => process.exit(1), 20_000);
`;

const tsconfig = (resolution, outDir, files) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: resolution === "bundler" ? "ESNext" : "Node16",
      moduleResolution: resolution === "bundler" ? "Bundler" : "Node16",
      // Node only: the declarations must not need the DOM library.
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      skipLibCheck: false,
      esModuleInterop: true,
      rootDir: "src",
      outDir,
    },
    files,
  });

describe("the packed npm tarball in fresh projects", { timeout: 600_000 }, () => {
  let work;
  let server;
  let browser;

  before(async () => {
    assert.ok(tarball, "OMNI_TARBALL must name the packed tarball (scripts/test-release.sh sets it)");
    work = await mkdtemp(join(tmpdir(), "omni-release-npm-"));
    server = await startServer({ roots: { "/vite/": join(work, "vite", "dist") } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (work && !process.env.OMNI_KEEP) await rm(work, { recursive: true, force: true });
  });

  const env = () => ({ env: { OMNI_URL: server.url } });

  test("ES-module app: import, the default export, no init call", async () => {
    const dir = await project(join(work, "esm"), {
      type: "module",
      files: { "app.mjs": `import io, { io as named } from "omni-socket";\nif (io !== named) throw new Error("default export");\n${nodeApp("esm")}` },
    });
    assert.equal((await run("node", ["app.mjs"], dir, env())).trim(), "welcome esm");
  });

  test("CommonJS script: const io = require('omni-socket'), as socket.io-client's samples", async () => {
    const dir = await project(join(work, "cjs"), {
      files: {
        "app.js": `const io = require("omni-socket");\nconst { io: named, Socket } = require("omni-socket");\nif (named !== io || typeof Socket !== "function") throw new Error("exports");\n${nodeApp("cjs")}`,
      },
    });
    assert.equal((await run("node", ["app.js"], dir, env())).trim(), "welcome cjs");
  });

  test("TypeScript: node16 (.mts and .cts) and bundler resolution, strict, declarations checked", async () => {
    const esm = 'import io, { io as named, type Socket, type SocketOptions } from "omni-socket";';
    const cjs = 'import io = require("omni-socket");\nimport { io as named, type Socket, type SocketOptions } from "omni-socket";';
    const dir = await project(join(work, "ts"), {
      type: "module",
      dependencies: { typescript: pinned.typescript, "@types/node": pinned["@types/node"] },
      files: {
        "src/esm.mts": TS_APP(esm, "ts-node16-esm"),
        "src/cjs.cts": TS_APP(cjs, "ts-node16-cjs"),
        "src/bundler.ts": TS_APP(esm, "ts-bundler"),
        "tsconfig.node16.json": tsconfig("node16", "out/node16", ["src/esm.mts", "src/cjs.cts"]),
        "tsconfig.bundler.json": tsconfig("bundler", "out/bundler", ["src/bundler.ts"]),
      },
    });
    await run("node_modules/.bin/tsc", ["-p", "tsconfig.node16.json"], dir);
    await run("node_modules/.bin/tsc", ["-p", "tsconfig.bundler.json"], dir);
    assert.equal((await run("node", ["out/node16/esm.mjs"], dir, env())).trim(), "welcome ts-node16-esm");
    assert.equal((await run("node", ["out/node16/cjs.cjs"], dir, env())).trim(), "welcome ts-node16-cjs");
    assert.match(await readFile(join(dir, "out/node16/cjs.cjs"), "utf8"), /require\("omni-socket"\)/);
    assert.equal((await run("node", ["out/bundler/bundler.js"], dir, env())).trim(), "welcome ts-bundler");
  });

  test("Vite app built with its own Vite, in Chromium", async () => {
    const dir = await project(join(work, "vite"), {
      type: "module",
      dependencies: { vite: pinned.vite },
      files: {
        "index.html":
          '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>' +
          '<body><p id="out">waiting</p><script type="module" src="./main.js"></script></body></html>',
        "main.js": `import { io } from "omni-socket";
const out = document.getElementById("out");
const socket = io(location.origin, { auth: { token: "vite" } });
socket.on("welcome", (w) => { out.textContent = "welcome " + w.auth.token; });
socket.on("connect_error", (e) => { out.textContent = "connect_error " + e.message; });
`,
      },
    });
    await run("node_modules/.bin/vite", ["build", "--base", "/vite/", "--logLevel", "error"], dir);
    browser = await launch();
    await browser.page.goto(`${server.url}/vite/index.html`);
    await browser.page.waitForSelector("#out:text('welcome vite')", { timeout: 20_000 });
    assert.deepEqual(browser.errors, []);
  });
});
