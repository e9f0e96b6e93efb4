// The entry Node gets (the `node` condition of the package's `exports`):
// the same API as index.ts, with the WebAssembly module read from the file
// next to this one and instantiated synchronously while the module loads,
// so `io()` connects at once and nobody has to call `init()` or
// `initFromBytes()`. Browsers and bundlers get index.js, which fetches and
// streaming-compiles the module instead. The CommonJS build
// (`require("omni-socket")`) is this file bundled by esbuild.

import { readFileSync } from "node:fs";
import { initFromBytes } from "./index.js";

initFromBytes(readFileSync(new URL("./wasm/omni_socket_wasm_bg.wasm", import.meta.url)));

export * from "./index.js";
export { default } from "./index.js";
