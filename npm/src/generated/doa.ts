// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

/**
 * The auth object sent in CONNECT.
 */
export type DoaAuth = {
/**
 * JWT.
 */
token: string, };

/**
 * `join_conversation`: the payload is the bare conversation id.
 */
export type DoaJoinConversation = number;

/**
 * `leave_conversation`: the payload is the bare conversation id.
 */
export type DoaLeaveConversation = number;

/**
 * `typing`: typing indicator. The seed throttles it to one per 500 ms.
 */
export type DoaTyping = {
/**
 * The conversation.
 */
conversationId: number,
/**
 * Whether the user is typing.
 */
isTyping: boolean, };

/**
 * `mark_read`: mark a message as read.
 */
export type DoaMarkRead = {
/**
 * [`NewMessage::id`].
 */
messageId: string, };

/**
 * `new_message`: a WhatsApp message arrived.
 *
 * The user room gets the full message; the admin room gets a summary with
 * the owning `userId` and without `id` or `customerPhone`. Both shapes
 * decode into this type, so only the fields common to both are required.
 */
export type DoaNewMessage = {
/**
 * Message id, e.g. `msg_123`.
 */
id?: string,
/**
 * Owning user; set in the admin room's copy.
 */
userId?: number,
/**
 * Customer name.
 */
customerName: string,
/**
 * Customer phone, e.g. `+905551234567`.
 */
customerPhone?: string,
/**
 * Text.
 */
messageContent: string,
/**
 * E.g. `text`.
 */
messageType?: string,
/**
 * `INBOUND` or `OUTBOUND`.
 */
direction?: string,
/**
 * RFC 3339.
 */
timestamp?: string,
/**
 * Whether it has been read.
 */
isRead?: boolean, };

/**
 * `message_read`.
 */
export type DoaMessageRead = {
/**
 * The message.
 */
messageId: string,
/**
 * User who read it.
 */
readBy: number,
/**
 * RFC 3339.
 */
readAt: string, };

/**
 * `user_typing`: someone's [`Typing`], relayed.
 */
export type DoaUserTyping = {
/**
 * Who is typing.
 */
userId: number,
/**
 * The conversation.
 */
conversationId: number,
/**
 * Whether they are typing.
 */
isTyping: boolean, };

/**
 * `error`: the server refused input, e.g. `Invalid messageId`,
 * `Unauthorized`.
 */
export type DoaError = {
/**
 * Human-readable message.
 */
message: string, };

export interface DoaServerEvents {
  "new_message": DoaNewMessage;
  "message_read": DoaMessageRead;
  "user_typing": DoaUserTyping;
  "error": DoaError;
}

export interface DoaClientEvents {
  "join_conversation": DoaJoinConversation;
  "leave_conversation": DoaLeaveConversation;
  "typing": DoaTyping;
  "mark_read": DoaMarkRead;
}
