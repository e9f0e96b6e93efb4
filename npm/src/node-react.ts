// `omni-socket/react` in Node: loads the WebAssembly first (node.ts), so a
// socket made by the hook in Node (tests, server rendering) needs no init.
import "./node.js";

export * from "./react.js";
