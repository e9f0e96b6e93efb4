// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

/**
 * The auth object sent in CONNECT.
 */
export type MarketplaceAuth = {
/**
 * JWT.
 */
token: string, };

/**
 * `join_order_chat`.
 */
export type MarketplaceJoinOrderChat = {
/**
 * The order.
 */
orderId: string, };

/**
 * `leave_order_chat`.
 */
export type MarketplaceLeaveOrderChat = {
/**
 * The order.
 */
orderId: string, };

/**
 * `join_dispute_chat`.
 */
export type MarketplaceJoinDisputeChat = {
/**
 * The dispute.
 */
disputeId: string, };

/**
 * `leave_dispute_chat`.
 */
export type MarketplaceLeaveDisputeChat = {
/**
 * The dispute.
 */
disputeId: string, };

/**
 * A file attached to an order message.
 */
export type MarketplaceAttachment = {
/**
 * Where the file is.
 */
fileUrl: string,
/**
 * Its name.
 */
fileName: string, };

/**
 * `order_message` from the client: post to an order chat.
 */
export type MarketplaceSendOrderMessage = {
/**
 * The order.
 */
orderId: string,
/**
 * Text.
 */
content: string,
/**
 * Files.
 */
attachments?: Array<MarketplaceAttachment>, };

/**
 * `dispute_message` from the client: post to a dispute chat.
 */
export type MarketplaceSendDisputeMessage = {
/**
 * The dispute.
 */
disputeId: string,
/**
 * Text.
 */
content: string, };

/**
 * `order_typing` from the client.
 */
export type MarketplaceSendOrderTyping = {
/**
 * The order.
 */
orderId: string,
/**
 * Whether the user is typing.
 */
isTyping: boolean, };

/**
 * `dispute_typing` from the client.
 */
export type MarketplaceSendDisputeTyping = {
/**
 * The dispute.
 */
disputeId: string,
/**
 * Whether the user is typing.
 */
isTyping: boolean, };

/**
 * `order_message` from the server: a message in an order chat.
 */
export type MarketplaceOrderChatMessage = {
/**
 * Message id.
 */
id?: string,
/**
 * The order.
 */
orderId: string,
/**
 * Author.
 */
senderId?: string,
/**
 * Text.
 */
content: string,
/**
 * Files.
 */
attachments?: Array<MarketplaceAttachment>,
/**
 * RFC 3339.
 */
createdAt?: string, };

/**
 * `dispute_message` from the server: a message in a dispute chat.
 */
export type MarketplaceDisputeChatMessage = {
/**
 * Message id.
 */
id?: string,
/**
 * The dispute.
 */
disputeId: string,
/**
 * Author.
 */
senderId?: string,
/**
 * Text.
 */
content: string,
/**
 * RFC 3339.
 */
createdAt?: string, };

/**
 * `order_typing` from the server: someone is typing in an order chat.
 * The seed reads only `userId` and `orderId`.
 */
export type MarketplaceOrderTyping = {
/**
 * Who.
 */
userId: string,
/**
 * The order.
 */
orderId: string,
/**
 * Whether they are typing.
 */
isTyping?: boolean, };

/**
 * `dispute_typing` from the server: the relay of [`SendDisputeTyping`],
 * shaped like [`OrderTyping`].
 */
export type MarketplaceDisputeTyping = {
/**
 * Who.
 */
userId: string,
/**
 * The dispute.
 */
disputeId: string,
/**
 * Whether they are typing.
 */
isTyping?: boolean, };

/**
 * `order_status_update`.
 */
export type MarketplaceOrderStatusUpdate = {
/**
 * The order.
 */
orderId: string,
/**
 * New status.
 */
status: string, };

/**
 * `dispute_status_update`.
 */
export type MarketplaceDisputeStatusUpdate = {
/**
 * The dispute.
 */
disputeId: string,
/**
 * New status.
 */
status: string, };

/**
 * `notification` (the marketplace's shape; Omni has its own
 * [`omni::Notification`](super::omni::Notification)).
 */
export type MarketplaceNotification = {
/**
 * Text.
 */
content: string, };

/**
 * `user_presence`.
 */
export type MarketplaceUserPresence = {
/**
 * The user.
 */
userId: string,
/**
 * Whether they are online.
 */
isOnline: boolean, };

export interface MarketplaceServerEvents {
  "order_message": MarketplaceOrderChatMessage;
  "dispute_message": MarketplaceDisputeChatMessage;
  "order_typing": MarketplaceOrderTyping;
  "dispute_typing": MarketplaceDisputeTyping;
  "order_status_update": MarketplaceOrderStatusUpdate;
  "dispute_status_update": MarketplaceDisputeStatusUpdate;
  "notification": MarketplaceNotification;
  "user_presence": MarketplaceUserPresence;
}

export interface MarketplaceClientEvents {
  "join_order_chat": MarketplaceJoinOrderChat;
  "leave_order_chat": MarketplaceLeaveOrderChat;
  "join_dispute_chat": MarketplaceJoinDisputeChat;
  "leave_dispute_chat": MarketplaceLeaveDisputeChat;
  "order_message": MarketplaceSendOrderMessage;
  "dispute_message": MarketplaceSendDisputeMessage;
  "order_typing": MarketplaceSendOrderTyping;
  "dispute_typing": MarketplaceSendDisputeTyping;
}
