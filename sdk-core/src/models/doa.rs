//! DOA WhatsApp Manager (seed 002).
//!
//! Token auth (`{token}`, [`DoaAuth`]). The server puts every socket in its user room
//! `user:<id>` ([`user_room`]) and administrators in `admin`
//! ([`ADMIN_ROOM`]); the client joins a conversation's room
//! `conversation:<id>` ([`conversation_room`]) by emitting its id as a bare
//! number ([`JoinConversation`]). Field names are `camelCase` on the wire.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// The administrators' room, joined by the server for `ADMIN` users.
pub const ADMIN_ROOM: &str = "admin";

/// A user's personal room: `user:<id>`.
pub fn user_room(user_id: u64) -> String {
    format!("user:{user_id}")
}

/// A conversation's room: `conversation:<id>`.
pub fn conversation_room(conversation_id: u64) -> String {
    format!("conversation:{conversation_id}")
}

/// The auth object sent in CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaAuth"))]
pub struct DoaAuth {
    /// JWT.
    pub token: String,
}

// ---------------------------------------------------------------- client → server

/// `join_conversation`: the payload is the bare conversation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaJoinConversation"))]
pub struct JoinConversation(pub u64);

/// `leave_conversation`: the payload is the bare conversation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaLeaveConversation"))]
pub struct LeaveConversation(pub u64);

/// `typing`: typing indicator. The seed throttles it to one per 500 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaTyping"))]
pub struct Typing {
    /// The conversation.
    pub conversation_id: u64,
    /// Whether the user is typing.
    pub is_typing: bool,
}

/// `mark_read`: mark a message as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaMarkRead"))]
pub struct MarkRead {
    /// [`NewMessage::id`].
    pub message_id: String,
}

events! {
    /// Events the client emits to the DOA server.
    pub enum DoaClientEvent as "DoaClientEvents" {
        JoinConversation(JoinConversation) = "join_conversation",
        LeaveConversation(LeaveConversation) = "leave_conversation",
        Typing(Typing) = "typing",
        MarkRead(MarkRead) = "mark_read",
    }
}

// ---------------------------------------------------------------- server → client

/// `new_message`: a WhatsApp message arrived.
///
/// The user room gets the full message; the admin room gets a summary with
/// the owning `userId` and without `id` or `customerPhone`. Both shapes
/// decode into this type, so only the fields common to both are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "DoaNewMessage", optional_fields)
)]
pub struct NewMessage {
    /// Message id, e.g. `msg_123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Owning user; set in the admin room's copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    /// Customer name.
    pub customer_name: String,
    /// Customer phone, e.g. `+905551234567`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone: Option<String>,
    /// Text.
    pub message_content: String,
    /// E.g. `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// `INBOUND` or `OUTBOUND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Whether it has been read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_read: Option<bool>,
}

/// `message_read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaMessageRead"))]
pub struct MessageRead {
    /// The message.
    pub message_id: String,
    /// User who read it.
    pub read_by: u64,
    /// RFC 3339.
    pub read_at: String,
}

/// `user_typing`: someone's [`Typing`], relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaUserTyping"))]
pub struct UserTyping {
    /// Who is typing.
    pub user_id: u64,
    /// The conversation.
    pub conversation_id: u64,
    /// Whether they are typing.
    pub is_typing: bool,
}

/// `error`: the server refused input, e.g. `Invalid messageId`,
/// `Unauthorized`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DoaError"))]
pub struct Error {
    /// Human-readable message.
    pub message: String,
}

events! {
    /// Events the DOA server emits.
    pub enum DoaServerEvent as "DoaServerEvents" {
        NewMessage(NewMessage) = "new_message",
        MessageRead(MessageRead) = "message_read",
        UserTyping(UserTyping) = "user_typing",
        Error(Error) = "error",
    }
}

/// The TypeScript declarations of this module.
#[cfg(feature = "ts")]
pub(crate) fn typescript(cfg: &ts_rs::Config) -> String {
    ts_decls!(
        cfg;
        DoaAuth,
        JoinConversation,
        LeaveConversation,
        Typing,
        MarkRead,
        NewMessage,
        MessageRead,
        UserTyping,
        Error;
        DoaServerEvent,
        DoaClientEvent
    )
}
