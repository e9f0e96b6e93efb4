// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

export type { JsonValue } from "./json.js";
export type * from "./omni.js";
export type * from "./deployments.js";
export type * from "./doa.js";
export type * from "./fama.js";
export type * from "./marketplace.js";
