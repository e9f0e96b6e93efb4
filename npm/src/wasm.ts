// Loading the WebAssembly module (the Rust core and driver).

import initWasm, { initSync, type SyncInitInput } from "./wasm/omni_socket_wasm.js";

let ready: Promise<void> | undefined;
let loaded = false;

/** Whether the module is loaded: sockets can start without waiting. */
export function isLoaded(): boolean {
  return loaded;
}

/**
 * Loads the WebAssembly module. `io()` calls it by itself; call it only to
 * start the download early or to pass the module from somewhere else
 * (a URL, a `Response`, bytes or a compiled `WebAssembly.Module`).
 */
export function init(input?: unknown): Promise<void> {
  if (!ready) {
    // Next to this file once built (the bundlers' `new URL` pattern finds it).
    const arg = { module_or_path: input ?? new URL("./wasm/omni_socket_wasm_bg.wasm", import.meta.url) };
    ready = initWasm(arg as Parameters<typeof initWasm>[0]).then(() => {
      loaded = true;
    });
    // A failed load may be retried by the next call.
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}

/**
 * Loads the WebAssembly module synchronously from bytes or a compiled
 * `WebAssembly.Module` (workers, tests; Node's entry does it by itself).
 * After it, sockets start without waiting.
 */
// Typed without the DOM library's names (BufferSource, WebAssembly), which
// a Node project need not have; a WebAssembly.Module is an opaque object.
export function initFromBytes(module: ArrayBuffer | ArrayBufferView | object): void {
  if (loaded) return;
  initSync({ module: module as SyncInitInput });
  loaded = true;
  ready = Promise.resolve();
}
