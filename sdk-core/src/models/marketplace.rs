//! Orders and disputes marketplace (seed 004).
//!
//! Token auth (`{token}`, [`MarketplaceAuth`]). The client joins an order's
//! chat with [`JoinOrderChat`] and a dispute's chat with [`JoinDisputeChat`];
//! the server then relays messages, typing and status changes of that chat
//! and sends notifications and presence. Field names are `camelCase` on the
//! wire; ids are UUID strings.
//!
//! The seed names the server's `OrderChatMessage` / `DisputeChatMessage`
//! types without spelling them out; [`OrderChatMessage`] and
//! [`DisputeChatMessage`] require only what the client itself sends and
//! take the usual message columns of the seed's `messages` tables as
//! optional extras.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// The client-side subscription key of an order chat, `order:<id>`.
///
/// The seed does not name the server's rooms, only the join/leave events;
/// this key is what the room presets use to track the subscription.
pub fn order_chat_room(order_id: &str) -> String {
    format!("order:{order_id}")
}

/// The client-side subscription key of a dispute chat, `dispute:<id>`; see
/// [`order_chat_room`].
pub fn dispute_chat_room(dispute_id: &str) -> String {
    format!("dispute:{dispute_id}")
}

/// The auth object sent in CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceAuth"))]
pub struct MarketplaceAuth {
    /// JWT.
    pub token: String,
}

// ---------------------------------------------------------------- client → server

/// `join_order_chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceJoinOrderChat"))]
pub struct JoinOrderChat {
    /// The order.
    pub order_id: String,
}

/// `leave_order_chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceLeaveOrderChat"))]
pub struct LeaveOrderChat {
    /// The order.
    pub order_id: String,
}

/// `join_dispute_chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceJoinDisputeChat"))]
pub struct JoinDisputeChat {
    /// The dispute.
    pub dispute_id: String,
}

/// `leave_dispute_chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceLeaveDisputeChat"))]
pub struct LeaveDisputeChat {
    /// The dispute.
    pub dispute_id: String,
}

/// A file attached to an order message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceAttachment"))]
pub struct Attachment {
    /// Where the file is.
    pub file_url: String,
    /// Its name.
    pub file_name: String,
}

/// `order_message` from the client: post to an order chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceSendOrderMessage", optional_fields)
)]
pub struct SendOrderMessage {
    /// The order.
    pub order_id: String,
    /// Text.
    pub content: String,
    /// Files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
}

/// `dispute_message` from the client: post to a dispute chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceSendDisputeMessage")
)]
pub struct SendDisputeMessage {
    /// The dispute.
    pub dispute_id: String,
    /// Text.
    pub content: String,
}

/// `order_typing` from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceSendOrderTyping"))]
pub struct SendOrderTyping {
    /// The order.
    pub order_id: String,
    /// Whether the user is typing.
    pub is_typing: bool,
}

/// `dispute_typing` from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceSendDisputeTyping")
)]
pub struct SendDisputeTyping {
    /// The dispute.
    pub dispute_id: String,
    /// Whether the user is typing.
    pub is_typing: bool,
}

events! {
    /// Events the client emits to the marketplace server.
    pub enum MarketplaceClientEvent as "MarketplaceClientEvents" {
        JoinOrderChat(JoinOrderChat) = "join_order_chat",
        LeaveOrderChat(LeaveOrderChat) = "leave_order_chat",
        JoinDisputeChat(JoinDisputeChat) = "join_dispute_chat",
        LeaveDisputeChat(LeaveDisputeChat) = "leave_dispute_chat",
        OrderMessage(SendOrderMessage) = "order_message",
        DisputeMessage(SendDisputeMessage) = "dispute_message",
        OrderTyping(SendOrderTyping) = "order_typing",
        DisputeTyping(SendDisputeTyping) = "dispute_typing",
    }
}

// ---------------------------------------------------------------- server → client

/// `order_message` from the server: a message in an order chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceOrderChatMessage", optional_fields)
)]
pub struct OrderChatMessage {
    /// Message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The order.
    pub order_id: String,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Text.
    pub content: String,
    /// Files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `dispute_message` from the server: a message in a dispute chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceDisputeChatMessage", optional_fields)
)]
pub struct DisputeChatMessage {
    /// Message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The dispute.
    pub dispute_id: String,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Text.
    pub content: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `order_typing` from the server: someone is typing in an order chat.
/// The seed reads only `userId` and `orderId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceOrderTyping", optional_fields)
)]
pub struct OrderTyping {
    /// Who.
    pub user_id: String,
    /// The order.
    pub order_id: String,
    /// Whether they are typing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_typing: Option<bool>,
}

/// `dispute_typing` from the server: the relay of [`SendDisputeTyping`],
/// shaped like [`OrderTyping`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceDisputeTyping", optional_fields)
)]
pub struct DisputeTyping {
    /// Who.
    pub user_id: String,
    /// The dispute.
    pub dispute_id: String,
    /// Whether they are typing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_typing: Option<bool>,
}

/// `order_status_update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceOrderStatusUpdate")
)]
pub struct OrderStatusUpdate {
    /// The order.
    pub order_id: String,
    /// New status.
    pub status: String,
}

/// `dispute_status_update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "MarketplaceDisputeStatusUpdate")
)]
pub struct DisputeStatusUpdate {
    /// The dispute.
    pub dispute_id: String,
    /// New status.
    pub status: String,
}

/// `notification` (the marketplace's shape; Omni has its own
/// [`omni::Notification`](super::omni::Notification)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceNotification"))]
pub struct Notification {
    /// Text.
    pub content: String,
}

/// `user_presence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "MarketplaceUserPresence"))]
pub struct UserPresence {
    /// The user.
    pub user_id: String,
    /// Whether they are online.
    pub is_online: bool,
}

events! {
    /// Events the marketplace server emits.
    pub enum MarketplaceServerEvent as "MarketplaceServerEvents" {
        OrderMessage(OrderChatMessage) = "order_message",
        DisputeMessage(DisputeChatMessage) = "dispute_message",
        OrderTyping(OrderTyping) = "order_typing",
        DisputeTyping(DisputeTyping) = "dispute_typing",
        OrderStatusUpdate(OrderStatusUpdate) = "order_status_update",
        DisputeStatusUpdate(DisputeStatusUpdate) = "dispute_status_update",
        Notification(Notification) = "notification",
        UserPresence(UserPresence) = "user_presence",
    }
}

/// The TypeScript declarations of this module.
#[cfg(feature = "ts")]
pub(crate) fn typescript(cfg: &ts_rs::Config) -> String {
    ts_decls!(
        cfg;
        MarketplaceAuth,
        JoinOrderChat,
        LeaveOrderChat,
        JoinDisputeChat,
        LeaveDisputeChat,
        Attachment,
        SendOrderMessage,
        SendDisputeMessage,
        SendOrderTyping,
        SendDisputeTyping,
        OrderChatMessage,
        DisputeChatMessage,
        OrderTyping,
        DisputeTyping,
        OrderStatusUpdate,
        DisputeStatusUpdate,
        Notification,
        UserPresence;
        MarketplaceServerEvent,
        MarketplaceClientEvent
    )
}
