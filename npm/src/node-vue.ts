// `omni-socket/vue` in Node: loads the WebAssembly first (node.ts), so the
// plugin's socket in Node (tests, server rendering) needs no init.
import "./node.js";

export * from "./vue.js";
export { default } from "./vue.js";
