// `omni-socket/products/deployments` in Node: loads the WebAssembly first
// (node.ts), so the client connects without an init call.
import "../../node.js";

export * from "../deployments.js";
