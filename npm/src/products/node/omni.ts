// `omni-socket/products/omni` in Node: loads the WebAssembly first
// (node.ts), so the client connects without an init call.
import "../../node.js";

export * from "../omni.js";
