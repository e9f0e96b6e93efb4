//! DOA WhatsApp manager (seed 002): the seed's `SocketClient` in Rust.
//!
//! ```no_run
//! use omni_socket::products::doa::Doa;
//!
//! # async fn run(token: &str) -> omni_socket::Result<()> {
//! // The reference server runs DOA on `/doa`; DOA's own server on `/`.
//! let doa = Doa::connect("http://127.0.0.1:3001/doa", token).await?;
//! let mut messages = doa.messages();
//! doa.join_conversation(123).await?;
//! doa.send_typing(123, true).await?;
//! while let Some(m) = messages.next().await {
//!     println!("new message from {}: {}", m.customer_name, m.message_content);
//!     if let Some(id) = &m.id {
//!         doa.mark_read(id).await?;
//!     }
//!     let status = doa.status();
//!     println!("connected: {}, socket {:?}", status.is_connected, status.socket_id);
//! }
//! # Ok(()) }
//! ```

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omni_socket_core::client::{Product, RoomSpec};
use omni_socket_core::models::doa::{
    DoaServerEvent, Error as DoaError, MarkRead, MessageRead, NewMessage, Typing, UserTyping,
};

use super::{Reconnects, ServerEvents, Status, ANSWER_TIMEOUT};
use crate::client::{EventStream, Socket};
use crate::error::Result;
use crate::shared::lock;

/// The seed's typing throttle: at most one "typing" indicator per 500 ms.
pub const TYPING_THROTTLE: Duration = Duration::from_millis(500);

/// A DOA client over one socket.
#[derive(Debug, Clone)]
pub struct Doa {
    socket: Socket,
    /// When the last "is typing" indicator went out.
    last_typing: Arc<Mutex<Option<Instant>>>,
    timeout: Duration,
}

impl Doa {
    token_constructors!(Product::Doa, "DOA's");

    /// DOA over `socket`.
    pub fn new(socket: Socket) -> Self {
        Self {
            socket,
            last_typing: Arc::default(),
            timeout: ANSWER_TIMEOUT,
        }
    }

    socket_accessors!("How long joins wait for the server's answer (10 s).");

    /// `joinConversation`: follows conversation `id` (`join_conversation`
    /// with the bare id); joined again after every reconnection.
    ///
    /// # Errors
    /// [`Error::RoomRefused`](crate::Error::RoomRefused) for a conversation
    /// of another agent (`FORBIDDEN`) or none (`NOT_FOUND`);
    /// [`Error::Timeout`](crate::Error::Timeout).
    pub async fn join_conversation(&self, id: u64) -> Result<()> {
        self.socket
            .join_confirmed(RoomSpec::conversation(id), self.timeout)
            .await
    }

    /// `leaveConversation`.
    ///
    /// # Errors
    /// [`Error::Closed`](crate::Error::Closed) when the client is gone.
    pub fn leave_conversation(&self, id: u64) -> Result<()> {
        self.socket.leave(&RoomSpec::conversation(id).key)
    }

    /// `sendTyping`: the typing indicator of conversation `conversation_id`.
    /// Throttled as the seed does: an "is typing" within 500 ms of the last
    /// one sent is skipped (returns `false`); "stopped typing" always goes,
    /// so no indicator is left on.
    ///
    /// # Errors
    /// As [`Socket::emit`].
    pub async fn send_typing(&self, conversation_id: u64, is_typing: bool) -> Result<bool> {
        if is_typing {
            let now = Instant::now();
            let mut last = lock(&self.last_typing);
            if last.is_some_and(|t| now.duration_since(t) < TYPING_THROTTLE) {
                return Ok(false);
            }
            *last = Some(now);
        }
        self.socket
            .emit_typed(&Typing {
                conversation_id,
                is_typing,
            })
            .await?;
        Ok(true)
    }

    /// `markAsRead`: marks message `message_id` read (`mark_read
    /// {messageId}`); the server answers with `message_read` to the
    /// conversation, or `error` when refused.
    ///
    /// # Errors
    /// As [`Socket::emit`].
    pub async fn mark_read(&self, message_id: &str) -> Result<()> {
        self.socket
            .emit_typed(&MarkRead {
                message_id: message_id.to_owned(),
            })
            .await
    }

    /// `getStatus()`: `{isConnected, socketId, reconnectAttempts}`.
    pub fn status(&self) -> Status {
        Status::of(&self.socket)
    }

    /// `new_message`: the user's messages, the admins' copies and those of
    /// followed conversations.
    pub fn messages(&self) -> EventStream<NewMessage> {
        self.socket.subscribe()
    }

    /// `message_read` receipts.
    pub fn reads(&self) -> EventStream<MessageRead> {
        self.socket.subscribe()
    }

    /// `user_typing` of others in followed conversations.
    pub fn typing(&self) -> EventStream<UserTyping> {
        self.socket.subscribe()
    }

    /// `error {message}`: refused input (`Invalid messageId`,
    /// `Unauthorized`, …).
    pub fn errors(&self) -> EventStream<DoaError> {
        self.socket.subscribe()
    }

    /// Every server event as [`DoaServerEvent`].
    pub fn events(&self) -> ServerEvents<DoaServerEvent> {
        ServerEvents::new(&self.socket, DoaServerEvent::decode)
    }

    /// Each reconnection (the seed reloads its conversations then).
    pub fn reconnects(&self) -> Reconnects {
        Reconnects::new(&self.socket)
    }
}
