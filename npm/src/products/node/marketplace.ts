// `omni-socket/products/marketplace` in Node: loads the WebAssembly first
// (node.ts), so the client connects without an init call.
import "../../node.js";

export * from "../marketplace.js";
