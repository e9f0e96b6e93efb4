// `omni-socket/products/doa` in Node: loads the WebAssembly first
// (node.ts), so the client connects without an init call.
import "../../node.js";

export * from "../doa.js";
