//! Orders and disputes marketplace (seed 004): the seed's `useWebSocket`
//! helpers in Rust.
//!
//! ```no_run
//! use omni_socket::products::marketplace::Marketplace;
//! use omni_socket::models::marketplace::Attachment;
//!
//! # async fn run(token: &str) -> omni_socket::Result<()> {
//! let web_socket = Marketplace::connect("http://127.0.0.1:3001/marketplace", token).await?;
//! web_socket.join_order_chat("order-1").await?;
//! let handler = web_socket.on_order_message(|message| {
//!     println!("New message: {}", message.content);
//! });
//! let attachment = Attachment {
//!     file_url: "https://files.example/spec.pdf".into(),
//!     file_name: "spec.pdf".into(),
//! };
//! let id = web_socket
//!     .send_order_message("order-1", "here is the spec", vec![attachment])
//!     .await?;
//! println!("sent as {id}");
//! web_socket.leave_order_chat("order-1")?;
//! handler.abort();
//! # Ok(()) }
//! ```

use std::time::Duration;

use omni_socket_core::client::{Product, RoomSpec};
use omni_socket_core::models::marketplace::{
    Attachment, DisputeChatMessage, DisputeStatusUpdate, DisputeTyping, MarketplaceServerEvent,
    Notification, OrderChatMessage, OrderStatusUpdate, OrderTyping, SendDisputeMessage,
    SendDisputeTyping, SendOrderMessage, SendOrderTyping, UserPresence,
};

use super::{answer, arg, ServerEvents, Status, ANSWER_TIMEOUT};
use crate::client::{EventStream, Socket};
use crate::error::{Error, Result};

/// A marketplace client over one socket.
#[derive(Debug, Clone)]
pub struct Marketplace {
    socket: Socket,
    timeout: Duration,
}

impl Marketplace {
    token_constructors!(Product::Marketplace, "the marketplace's");

    /// The marketplace over `socket`.
    pub fn new(socket: Socket) -> Self {
        Self {
            socket,
            timeout: ANSWER_TIMEOUT,
        }
    }

    socket_accessors!("How long joins and sends wait for the server's answer (10 s).");

    /// `isConnected`.
    pub fn is_connected(&self) -> bool {
        self.socket.connected()
    }

    /// Connection status.
    pub fn status(&self) -> Status {
        Status::of(&self.socket)
    }

    /// `joinOrderChat`: `join_order_chat {orderId}`, kept after
    /// reconnections.
    ///
    /// # Errors
    /// [`Error::RoomRefused`] when the user is no party of the order
    /// (`FORBIDDEN`) or it does not exist; [`Error::Timeout`].
    pub async fn join_order_chat(&self, order_id: &str) -> Result<()> {
        self.socket
            .join_confirmed(RoomSpec::order_chat(order_id), self.timeout)
            .await
    }

    /// `leaveOrderChat`.
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn leave_order_chat(&self, order_id: &str) -> Result<()> {
        self.socket.leave(&RoomSpec::order_chat(order_id).key)
    }

    /// `joinDisputeChat`: `join_dispute_chat {disputeId}`, for the order's
    /// parties, moderators and admins.
    ///
    /// # Errors
    /// As [`join_order_chat`](Self::join_order_chat).
    pub async fn join_dispute_chat(&self, dispute_id: &str) -> Result<()> {
        self.socket
            .join_confirmed(RoomSpec::dispute_chat(dispute_id), self.timeout)
            .await
    }

    /// `leaveDisputeChat`.
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn leave_dispute_chat(&self, dispute_id: &str) -> Result<()> {
        self.socket.leave(&RoomSpec::dispute_chat(dispute_id).key)
    }

    /// `sendOrderMessage`: `order_message {orderId, content, attachments}`
    /// to the order's chat (join it first); returns the message id the
    /// server gave it. Every member of the chat, the sender included,
    /// receives it as [`order_messages`](Self::order_messages).
    ///
    /// # Errors
    /// [`Error::Refused`] (`NOT_IN_CHAT`, `INVALID_PAYLOAD`: content 1-5000
    /// characters, at most 10 attachments); [`Error::AckTimeout`].
    pub async fn send_order_message(
        &self,
        order_id: &str,
        content: &str,
        attachments: Vec<Attachment>,
    ) -> Result<String> {
        let payload = SendOrderMessage {
            order_id: order_id.to_owned(),
            content: content.to_owned(),
            attachments: (!attachments.is_empty()).then_some(attachments),
        };
        self.request("order_message", arg(&payload)?).await
    }

    /// `dispute_message {disputeId, content}` to the dispute's chat.
    ///
    /// # Errors
    /// As [`send_order_message`](Self::send_order_message).
    pub async fn send_dispute_message(&self, dispute_id: &str, content: &str) -> Result<String> {
        let payload = SendDisputeMessage {
            dispute_id: dispute_id.to_owned(),
            content: content.to_owned(),
        };
        self.request("dispute_message", arg(&payload)?).await
    }

    async fn request(&self, event: &str, payload: omni_socket_core::Value) -> Result<String> {
        let args = self
            .socket
            .emit_with_ack(event, vec![payload], self.timeout)
            .await?;
        let v = answer(&args)?;
        v.get("id")
            .and_then(|id| id.as_str())
            .map(str::to_owned)
            .ok_or_else(|| Error::Payload(format!("{event} answer without an id: {v}")))
    }

    /// `order_typing {orderId, isTyping}`, relayed to the chat's others.
    ///
    /// # Errors
    /// As [`Socket::emit`].
    pub async fn send_order_typing(&self, order_id: &str, is_typing: bool) -> Result<()> {
        self.socket
            .emit_typed(&SendOrderTyping {
                order_id: order_id.to_owned(),
                is_typing,
            })
            .await
    }

    /// `dispute_typing {disputeId, isTyping}`.
    ///
    /// # Errors
    /// As [`Socket::emit`].
    pub async fn send_dispute_typing(&self, dispute_id: &str, is_typing: bool) -> Result<()> {
        self.socket
            .emit_typed(&SendDisputeTyping {
                dispute_id: dispute_id.to_owned(),
                is_typing,
            })
            .await
    }

    /// `onOrderMessage`: calls `handler` for each order chat message, on a
    /// task of its own; abort the handle to stop.
    pub fn on_order_message(
        &self,
        handler: impl FnMut(OrderChatMessage) + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        self.socket.on(handler)
    }

    /// `order_message`s of joined order chats.
    pub fn order_messages(&self) -> EventStream<OrderChatMessage> {
        self.socket.subscribe()
    }

    /// `dispute_message`s of joined dispute chats.
    pub fn dispute_messages(&self) -> EventStream<DisputeChatMessage> {
        self.socket.subscribe()
    }

    /// `order_typing` of others.
    pub fn order_typing(&self) -> EventStream<OrderTyping> {
        self.socket.subscribe()
    }

    /// `dispute_typing` of others.
    pub fn dispute_typing(&self) -> EventStream<DisputeTyping> {
        self.socket.subscribe()
    }

    /// `order_status_update`.
    pub fn order_status_updates(&self) -> EventStream<OrderStatusUpdate> {
        self.socket.subscribe()
    }

    /// `dispute_status_update`.
    pub fn dispute_status_updates(&self) -> EventStream<DisputeStatusUpdate> {
        self.socket.subscribe()
    }

    /// `notification {content}`.
    pub fn notifications(&self) -> EventStream<Notification> {
        self.socket.subscribe()
    }

    /// `user_presence {userId, isOnline}` of the people the user deals
    /// with.
    pub fn presence(&self) -> EventStream<UserPresence> {
        self.socket.subscribe()
    }

    /// Every server event as [`MarketplaceServerEvent`].
    pub fn events(&self) -> ServerEvents<MarketplaceServerEvent> {
        ServerEvents::new(&self.socket, MarketplaceServerEvent::decode)
    }
}
