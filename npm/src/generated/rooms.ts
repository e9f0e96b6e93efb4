// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

/**
 * Room presets: the description field that names the room, the prefix of
 * its subscription key, and whether the id is a number (a string of
 * digits counts as one, without leading zeros).
 */
export const ROOM_PRESETS = {
  omni: { field: "room", keyPrefix: "", numeric: false },
  deployment: { field: "id", keyPrefix: "deployment:", numeric: false },
  conversation: { field: "id", keyPrefix: "conversation:", numeric: true },
  orderChat: { field: "orderId", keyPrefix: "order:", numeric: false },
  disputeChat: { field: "disputeId", keyPrefix: "dispute:", numeric: false },
} as const;
