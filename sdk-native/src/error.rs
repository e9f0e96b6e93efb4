//! Errors of the native client.

use omni_socket_core::client::EmitError;
use omni_socket_core::models::DecodeError;

/// Everything that can go wrong when using a [`Client`](crate::Client).
///
/// Each variant says what the caller should do about it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL given to [`Client::builder`](crate::Client::builder) cannot
    /// be used: not `http`, `https`, `ws` or `wss`, no host, or unparsable.
    /// A programmer or configuration error: fix the URL; retrying will not
    /// help.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing listens at the server's address (TCP connection refused).
    /// Check the host and port, or start the server; retrying later may
    /// work.
    #[error("connection refused by {url}: {message}")]
    ConnectionRefused {
        /// The URL that was tried.
        url: String,
        /// The operating system's message.
        message: String,
    },
    /// The transport failed before the session opened: DNS, TLS (for
    /// example an untrusted certificate), an HTTP error status, or the
    /// connection dropped. Retry later; check TLS settings if it persists.
    #[error("transport error: {0}")]
    Transport(String),
    /// The server refused the credentials (a CONNECT_ERROR whose message
    /// looks like an auth failure). Obtain fresh credentials, then
    /// [`set_auth`](crate::Socket::set_auth) and connect again.
    #[error("authentication failed: {message}")]
    Auth {
        /// The server's message.
        message: String,
        /// The server's `data`, if any.
        data: Option<serde_json::Value>,
    },
    /// The server refused the namespace for a reason other than auth (a
    /// CONNECT_ERROR, e.g. an unknown namespace or a middleware error).
    /// Usually not worth retrying unchanged.
    #[error("connection rejected by the server: {message}")]
    Rejected {
        /// The server's message.
        message: String,
        /// The server's `data`, if any.
        data: Option<serde_json::Value>,
    },
    /// No session within the connect timeout. The server may be overloaded
    /// or unreachable; retry later or raise the timeout.
    #[error("timed out while connecting")]
    ConnectTimeout,
    /// No ack within the timeout. The server may not have received the
    /// event, or may not answer it; retry if the event is idempotent.
    #[error("no ack within the timeout")]
    AckTimeout,
    /// The namespace disconnected while an ack was awaited; the answer can
    /// no longer arrive. Retry after reconnecting if the event is
    /// idempotent.
    #[error("disconnected while waiting for an ack")]
    Disconnected,
    /// The emit was pushed out of the full offline buffer (drop-oldest
    /// policy) before it could be sent. Send it again if it still matters,
    /// or raise `max_buffered_emits`.
    #[error("emit dropped from the full offline buffer")]
    Dropped,
    /// The core refused the emit (buffer full, too many pending acks,
    /// reserved name, unknown namespace). See [`EmitError`].
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// A typed payload could not be serialized, or a received one does not
    /// match its model. A bug on one side of the protocol; report it.
    #[error("payload does not match its model: {0}")]
    Payload(String),
    /// The server refused a request, answering its ack with `{success:
    /// false, code, message}` (the reference server and seed products
    /// answer this way). The request was understood and will be refused
    /// again unchanged; a `code` of `RATE_LIMITED` may be retried after
    /// the server's `retry_after`.
    #[error("refused by the server: {message}")]
    Refused {
        /// The server's code, e.g. `FORBIDDEN`, `NOT_FOUND`.
        code: Option<String>,
        /// The server's explanation.
        message: String,
    },
    /// The server refused to let this client into a room (or subscription),
    /// or did not confirm the join in time; the reason is the server's. The
    /// room stays failed until joined again.
    #[error("room {room} refused: {reason}")]
    RoomRefused {
        /// The subscription key (the room name for Omni rooms).
        room: String,
        /// The server's reason.
        reason: String,
    },
    /// No answer came in time: for a room, the join is still wanted and
    /// goes out (again) once connected; for a request, it may have been
    /// lost with a connection. Retry, or raise the timeout.
    #[error("no answer within the timeout: {0}")]
    Timeout(String),
    /// The client's background task is gone (it was shut down, or all
    /// handles were dropped). Build a new client.
    #[error("the client is closed")]
    Closed,
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Self::Payload(e.to_string())
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
