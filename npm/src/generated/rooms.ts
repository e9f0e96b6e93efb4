// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

/**
 * Room presets: the description field that names the room, the prefix of
 * its subscription key, whether the id is a number (a string of digits
 * counts as one, without leading zeros), the events that join and leave,
 * and how the product's server answers a join: `"ack"` (the join's ack,
 * `{success: false, code, message}` refusing it) or the events that
 * confirm and refuse it, naming the room in `field`.
 */
export const ROOM_PRESETS = {
  omni: { field: "room", keyPrefix: "", numeric: false, join: "join_room", leave: "leave_room", answer: { confirm: "room_joined", failure: "room_error", field: "room" } },
  deployment: { field: "id", keyPrefix: "deployment:", numeric: false, join: "deployment:subscribe", leave: "deployment:unsubscribe", answer: "ack" },
  conversation: { field: "id", keyPrefix: "conversation:", numeric: true, join: "join_conversation", leave: "leave_conversation", answer: "ack" },
  orderChat: { field: "orderId", keyPrefix: "order:", numeric: false, join: "join_order_chat", leave: "leave_order_chat", answer: "ack" },
  disputeChat: { field: "disputeId", keyPrefix: "dispute:", numeric: false, join: "join_dispute_chat", leave: "leave_dispute_chat", answer: "ack" },
} as const;

/** A room to join: a seed preset, or a custom pair of events. */
export type RoomDescription =
  | { preset: "omni"; room: string; type?: string }
  | { preset: "deployment"; id: string }
  | { preset: "conversation"; id: number | string }
  | { preset: "orderChat"; orderId: string }
  | { preset: "disputeChat"; disputeId: string }
  | {
      preset: "custom";
      key: string;
      join: { event: string; args?: unknown[] };
      leave: { event: string; args?: unknown[] };
      confirm?: { event: string; field?: string; value?: unknown };
      failure?: { event: string; field?: string; value?: unknown };
      /** Ask the join for an ack: joined unless it answers `{success: false}`. */
      ack?: boolean;
    };
