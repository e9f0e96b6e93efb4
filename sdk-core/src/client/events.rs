//! What the client hands back to the driver and the application.

use crate::prelude::*;
use alloc::borrow::Cow;
use core::fmt;

use bytes::Bytes;

use super::auth::AuthFailureSource;
use super::config::TransportKind;
use super::latency::LatencyStats;
use super::rooms::RoomState;
use crate::Value;

/// Why a namespace was disconnected, with socket.io-client's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DisconnectReason {
    /// The server sent DISCONNECT. No automatic reconnection unless
    /// `reconnect_after_server_disconnect` is set.
    #[serde(rename = "io server disconnect")]
    IoServerDisconnect,
    /// The application disconnected. No reconnection.
    #[serde(rename = "io client disconnect")]
    IoClientDisconnect,
    /// No ping within pingInterval + pingTimeout.
    #[serde(rename = "ping timeout")]
    PingTimeout,
    /// The transport closed.
    #[serde(rename = "transport close")]
    TransportClose,
    /// The transport failed.
    #[serde(rename = "transport error")]
    TransportError,
    /// The server sent something that is not valid Engine.IO / Socket.IO.
    #[serde(rename = "parse error")]
    ParseError,
    /// The application closed the link with
    /// [`Client::drop_transport`](super::Client::drop_transport)
    /// (socket.io-client's `engine.close()`); the client reconnects.
    #[serde(rename = "forced close")]
    ForcedClose,
}

impl DisconnectReason {
    /// The socket.io-client string, e.g. `"ping timeout"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IoServerDisconnect => "io server disconnect",
            Self::IoClientDisconnect => "io client disconnect",
            Self::PingTimeout => "ping timeout",
            Self::TransportClose => "transport close",
            Self::TransportError => "transport error",
            Self::ParseError => "parse error",
            Self::ForcedClose => "forced close",
        }
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one emit that asked for an ack, across retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Identifies one transport the driver opened on the client's request.
/// Input from a transport the client has since given up is ignored, so a
/// late frame from an old socket cannot confuse a new session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportId(pub u64);

/// One Engine.IO message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text packet (WebSocket text frame, or one polling record).
    Text(String),
    /// A binary message (WebSocket binary frame, or a `b`-base64 polling
    /// record).
    Binary(Bytes),
}

impl Frame {
    /// Bytes this frame takes as a long-polling record: the text, or `b`
    /// and the base64 of the bytes.
    pub fn polling_len(&self) -> usize {
        match self {
            Frame::Text(t) => t.len(),
            Frame::Binary(b) => binary_record_len(b.len()),
        }
    }

    /// Whether this is a Socket.IO DISCONNECT packet (`41…`).
    pub fn is_disconnect(&self) -> bool {
        matches!(self, Frame::Text(t) if t.starts_with("41"))
    }

    /// Appends this frame to a long-polling request body as one record,
    /// after a record separator unless `body` is empty.
    pub fn push_polling_record(&self, body: &mut String) {
        if !body.is_empty() {
            body.push('\u{1e}');
        }
        match self {
            Frame::Text(t) => body.push_str(t),
            Frame::Binary(b) => {
                body.push('b');
                crate::b64::encode_into(b, body);
            }
        }
    }
}

/// Bytes a binary message of `len` bytes takes as a long-polling record:
/// `b` and its padded base64.
pub(crate) fn binary_record_len(len: usize) -> usize {
    1 + len.div_ceil(3) * 4
}

/// The next long-polling POST: the first of `frames` that fit in a body of
/// `max_payload` bytes (the server's `maxPayload`), encoded, and how many
/// it took. At least one when `frames` is not empty: a record over the
/// limit on its own can only go alone. A server refuses a larger body and
/// drops the session, so batching everything queued (say, an offline
/// buffer flushed at connect) could never get through.
///
/// A Socket.IO DISCONNECT never follows another record in one body: the
/// Node server handles a body's packets in one tick but dispatches events
/// on the next, so an event posted with the DISCONNECT that follows it
/// would be dropped.
pub fn polling_body(frames: &[Frame], max_payload: u64) -> (String, usize) {
    let mut body = String::new();
    let mut taken = 0;
    for f in frames {
        if taken > 0
            && ((body.len() + 1 + f.polling_len()) as u64 > max_payload || f.is_disconnect())
        {
            break;
        }
        f.push_polling_record(&mut body);
        taken += 1;
    }
    (body, taken)
}

/// A frame for a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Transport to send it on.
    pub transport: TransportId,
    /// The frame.
    pub frame: Frame,
}

/// The two requests of HTTP long-polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// Waits for the server's packets.
    Get,
    /// Carries the client's packets.
    Post,
}

/// An HTTP request of a long-polling transport, complete: the driver sends
/// it as it is and reports the outcome with
/// [`handle_http_response`](super::Client::handle_http_response) (any
/// status) or
/// [`handle_transport_error`](super::Client::handle_transport_error)
/// (no response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The polling transport it belongs to; its requests share nothing
    /// but the driver's connections.
    pub transport: TransportId,
    /// GET or POST.
    pub method: HttpMethod,
    /// Full URL with `EIO=4`, `transport=polling` and, after the
    /// handshake, `sid=`.
    pub url: String,
    /// A POST's body, to send as `text/plain;charset=UTF-8`.
    pub body: Option<String>,
}

/// What the driver must do with transports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportAction {
    /// Open a WebSocket and report its opening with
    /// [`handle_transport_opened`](super::Client::handle_transport_opened),
    /// its frames with [`handle_text`](super::Client::handle_text) and
    /// [`handle_binary`](super::Client::handle_binary), its end with
    /// [`handle_transport_closed`](super::Client::handle_transport_closed)
    /// or [`handle_transport_error`](super::Client::handle_transport_error).
    OpenWebsocket {
        /// Id to report its input under.
        id: TransportId,
        /// Full URL with `EIO=4`, `transport=websocket` and, for an
        /// upgrade, `sid=`.
        url: String,
    },
    /// Send an HTTP request. At most one GET and one POST of a transport
    /// are in flight at a time.
    Request(HttpRequest),
    /// Close a transport: a WebSocket after sending the frames already
    /// polled for it; for long-polling, abandon its requests in flight.
    /// Nothing of it is reported any more (the client ignores it).
    Close {
        /// The transport.
        id: TransportId,
    },
}

impl TransportAction {
    /// The transport the action is for.
    pub fn transport(&self) -> TransportId {
        match self {
            Self::OpenWebsocket { id, .. } | Self::Close { id } => *id,
            Self::Request(r) => r.transport,
        }
    }
}

/// What kind of failure ended a transport, as the driver tells it (or the
/// client finds it). The client decides from the kind, never from message
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// Nothing listens at the address (connection refused).
    Refused,
    /// Connecting, the handshake or a ping did not come in time.
    Timeout,
    /// TLS failed (handshake, certificate).
    Tls,
    /// An HTTP status outside 2xx, for a polling request or a WebSocket
    /// handshake.
    Status(u16),
    /// A frame or response body over the size limit.
    TooLarge,
    /// The peer closed the transport.
    Closed,
    /// The server sent something that is not valid Engine.IO or
    /// Socket.IO.
    Protocol,
    /// Anything else: DNS, I/O, the HTTP or WebSocket layer.
    Other,
}

/// Why a transport failed: its kind, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What failed.
    pub kind: TransportErrorKind,
    /// The driver's description.
    pub message: String,
}

impl TransportError {
    /// An error of `kind` described by `message`.
    pub fn new(kind: TransportErrorKind, message: &str) -> Self {
        Self {
            kind,
            message: message.to_owned(),
        }
    }
}

impl From<&str> for TransportError {
    /// An error of kind [`TransportErrorKind::Other`].
    fn from(message: &str) -> Self {
        Self::new(TransportErrorKind::Other, message)
    }
}

/// Why connecting a namespace failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectFailure {
    /// The server refused the CONNECT (CONNECT_ERROR, e.g. its auth
    /// middleware); `message` and `data` are its own.
    Server,
    /// No answer to the handshake or the CONNECT within `timeout`.
    Timeout,
    /// The transport failed while the session was opening.
    Transport(TransportErrorKind),
    /// The CONNECT (its auth) is over the server's `maxPayload`.
    TooLarge,
}

/// Why an ack emit ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AckFailure {
    /// No answer in time (after all retries).
    Timeout,
    /// The namespace disconnected while waiting; the server cannot answer
    /// on a new session.
    Disconnected,
    /// Never sent: pushed out of a full buffer by `DropOldest`, or over
    /// the server's `maxPayload` (an [`Event::EmitDropped`] says which).
    Dropped,
}

/// Why an emit was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// A volatile emit that was queued but found over its rate budget. One
    /// refused at once because the namespace was not writable is not an
    /// event: the emit call itself returns [`EmitOutcome::Dropped`].
    Volatile,
    /// Pushed out of a full buffer by `DropOldest`.
    BufferOverflow,
    /// Larger than the server's `maxPayload`: the server would close the
    /// connection on it, and resending after the reconnect would do the
    /// same again, so it is not sent at all.
    TooLarge {
        /// Size of the largest Engine.IO packet of the emit, in bytes.
        size: usize,
        /// The server's `maxPayload`.
        max: u64,
    },
}

/// Why an emit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// The offline buffer is full (policy `Error`). Retry later or raise
    /// `max_buffered_emits`.
    #[error("emit buffer full ({max} emits)")]
    BufferFull {
        /// The configured bound.
        max: usize,
    },
    /// Too many acks outstanding in this namespace.
    #[error("too many pending acks ({max})")]
    TooManyAcks {
        /// The configured bound.
        max: usize,
    },
    /// The namespace was never opened with
    /// [`Client::open_namespace`](super::Client::open_namespace) or listed in
    /// the options.
    // `"{0}"`, not `{0:?}`: string escaping costs the browser build the
    // Unicode printability tables.
    #[error("namespace \"{0}\" is not open")]
    UnknownNamespace(String),
    /// The event name is reserved by Socket.IO (`connect`, `disconnect`, …).
    #[error("event name \"{0}\" is reserved")]
    Reserved(String),
}

/// Result of an emit the client accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitOutcome {
    /// Queued for sending (now or once connected / within budget).
    Queued,
    /// Volatile and dropped because the namespace is not writable.
    Dropped,
}

/// An Omni heartbeat answer or an ack round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySample {
    /// Measured round trip in ms.
    pub rtt: u64,
    /// Statistics including this sample.
    pub stats: LatencyStats,
    /// `latency` reported by the server, if any.
    pub server_latency: Option<u64>,
    /// `status` reported by the server, if any (e.g. `healthy`).
    pub server_status: Option<String>,
}

/// A server event that [`Client::handle_text_event`] hands back instead of
/// queueing it: the [`Event::RawMessage`] it stands for, lent from the
/// frame and the client rather than copied into owned strings.
///
/// [`Client::handle_text_event`]: super::Client::handle_text_event
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEvent<'a> {
    /// Namespace.
    pub nsp: &'a str,
    /// The packet's JSON array, `["name", ...args]`: a slice of the frame.
    /// Validated unless the driver took that on itself
    /// ([`DriverMode::parses_events`](super::DriverMode::parses_events),
    /// [`Client::handle_text_event_unchecked`](super::Client::handle_text_event_unchecked)).
    pub data: &'a str,
    /// Where `data` starts in the frame, in bytes.
    pub start: usize,
    /// Set when the server asks for an ack; answer with
    /// [`Client::ack`](super::Client::ack).
    pub ack: Option<u64>,
    /// The name as the client read it, when it is a slice of the frame (no
    /// escapes): [`event`](Self::event) then parses nothing again.
    pub(super) name: Option<&'a str>,
}

impl TextEvent<'_> {
    /// The event name, the first element of `data`.
    pub fn event(&self) -> Cow<'_, str> {
        if let Some(name) = self.name {
            return Cow::Borrowed(name);
        }
        // The client read it before lending the event, so it is there.
        crate::socketio::event_name_of(self.data).unwrap_or_default()
    }

    /// The owned [`Event::RawMessage`] this stands for.
    pub fn to_event(&self) -> Event {
        Event::RawMessage {
            nsp: self.nsp.to_owned(),
            event: self.event().into_owned(),
            data: self.data.to_owned(),
            attachments: Vec::new(),
            ack: self.ack,
        }
    }
}

/// Everything the application can observe, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Engine.IO session open.
    Open {
        /// Engine.IO session id.
        sid: String,
    },
    /// The session moved to another transport (polling → websocket).
    Upgraded {
        /// The new transport.
        transport: TransportKind,
    },
    /// A namespace connected.
    Connect {
        /// Namespace.
        nsp: String,
        /// Socket id in the namespace.
        sid: String,
        /// The server restored the previous session (connection state
        /// recovery): missed events follow and rooms were kept.
        recovered: bool,
    },
    /// Connecting failed (`connect_error`): the server refused the
    /// namespace, it did not answer in time, (on every attempt, as in
    /// socket.io-client) the transport could not be opened, or the session
    /// was lost before the server answered the CONNECT.
    ConnectError {
        /// Namespace.
        nsp: String,
        /// The server's message, or `timeout` / the transport error.
        message: String,
        /// The server's `data`, if any, as the JSON text it sent: a driver
        /// with a JSON parser of its own reads it there, and its numbers
        /// keep their digits.
        data: Option<String>,
        /// What failed.
        cause: ConnectFailure,
    },
    /// A connected namespace is no longer connected.
    Disconnect {
        /// Namespace.
        nsp: String,
        /// Why.
        reason: DisconnectReason,
    },
    /// A server event.
    Message {
        /// Namespace.
        nsp: String,
        /// Event name.
        event: String,
        /// Arguments, binary attachments in place.
        args: Vec<Value>,
        /// Set when the server asks for an ack; answer with
        /// [`Client::ack`](super::Client::ack).
        ack: Option<u64>,
    },
    /// A server event as the packet's JSON text, instead of
    /// [`Event::Message`], when [`DriverMode::raw_messages`] is set: for
    /// drivers that hand the text to a JSON parser of their own (the
    /// browser's `JSON.parse`) and would only turn a [`Value`] tree back
    /// into text.
    ///
    /// [`DriverMode::raw_messages`]: super::DriverMode::raw_messages
    RawMessage {
        /// Namespace.
        nsp: String,
        /// Event name (also the first element of `data`).
        event: String,
        /// The packet's JSON array, `["name", ...args]`; binary arguments
        /// are placeholders numbering `attachments`. Validated, unless the
        /// driver took that on itself
        /// ([`DriverMode::parses_events`](super::DriverMode::parses_events)).
        data: String,
        /// Binary attachments, in placeholder order.
        attachments: Vec<Bytes>,
        /// Set when the server asks for an ack; answer with
        /// [`Client::ack`](super::Client::ack).
        ack: Option<u64>,
    },
    /// The answer to an [`emit_with_ack`](super::Client::emit_with_ack).
    Ack {
        /// Namespace.
        nsp: String,
        /// The request.
        request: RequestId,
        /// The server's arguments.
        args: Vec<Value>,
    },
    /// The answer to an [`emit_with_ack`](super::Client::emit_with_ack) as
    /// the packet's JSON text, instead of [`Event::Ack`], when
    /// [`DriverMode::raw_messages`](super::DriverMode::raw_messages) is
    /// set: like [`Event::RawMessage`], for drivers with a JSON parser of
    /// their own.
    RawAck {
        /// Namespace.
        nsp: String,
        /// The request.
        request: RequestId,
        /// The server's arguments as one JSON array; binary arguments are
        /// placeholders numbering `attachments`. Validated by the decoder.
        data: String,
        /// Binary attachments, in placeholder order.
        attachments: Vec<Bytes>,
    },
    /// An ack request ended without answer; its state is gone.
    AckFailed {
        /// Namespace.
        nsp: String,
        /// The request.
        request: RequestId,
        /// Why.
        reason: AckFailure,
    },
    /// A reconnection attempt is scheduled after `delay` ms.
    ReconnectAttempt {
        /// 1-based attempt number.
        attempt: u32,
        /// Delay before it, in ms.
        delay: u64,
    },
    /// A reconnection attempt starts now, after its delay: socket.io-client's
    /// `reconnect_attempt` (this client's [`ReconnectAttempt`](Self::ReconnectAttempt)
    /// comes when the attempt is scheduled).
    Reconnecting {
        /// 1-based attempt number.
        attempt: u32,
    },
    /// Reconnected (the Engine.IO session is open again).
    Reconnect {
        /// Attempts it took.
        attempt: u32,
    },
    /// A reconnection attempt failed.
    ReconnectError {
        /// The attempt.
        attempt: u32,
        /// What happened.
        message: String,
    },
    /// `reconnection_attempts` exhausted; the client is idle.
    ReconnectFailed {
        /// Attempts made.
        attempts: u32,
    },
    /// A heartbeat round trip.
    Latency(LatencySample),
    /// A room subscription changed state.
    RoomState {
        /// Namespace.
        nsp: String,
        /// Subscription key.
        key: String,
        /// New state.
        state: RoomState,
    },
    /// The server refused the credentials.
    AuthFailed {
        /// Namespace.
        nsp: String,
        /// Where the failure was reported.
        source: AuthFailureSource,
        /// The server's message.
        message: String,
    },
    /// With [`ClientConfig::ask_auth`](super::ClientConfig): the client is
    /// about to CONNECT to `nsp` and waits for
    /// [`Client::set_auth`](super::Client::set_auth) (within `timeout`,
    /// or the attempt fails as a connect timeout and is retried).
    AuthRequested {
        /// Namespace.
        nsp: String,
    },
    /// The hook point for refreshing credentials: call
    /// [`Client::set_auth`](super::Client::set_auth) within
    /// `auth_refresh_timeout` to retry with new credentials; otherwise the
    /// client retries with the old ones.
    AuthRefreshNeeded {
        /// Consecutive auth failures so far.
        failures: u32,
    },
    /// `max_auth_failures` consecutive auth failures; the client stopped.
    AuthGaveUp {
        /// Failures counted.
        failures: u32,
    },
    /// The server said `rate_limited`; sends of `event` pause.
    RateLimited {
        /// Namespace.
        nsp: String,
        /// The limited event.
        event: String,
        /// Pause applied, in ms.
        retry_after: u64,
    },
    /// An emit was not sent.
    EmitDropped {
        /// Namespace.
        nsp: String,
        /// Event name.
        event: String,
        /// Why.
        reason: DropReason,
    },
    /// The server sent invalid input; the link is closed with
    /// `parse error` right after.
    ProtocolError(crate::Error),
}

impl Event {
    /// Bytes of text and binary data the event holds: a server event's
    /// JSON text and attachments (parsed, its strings and binary values
    /// and 8 bytes for each other value), an ack answer's arguments, a
    /// refusal's message and data, and the other events' strings, most of
    /// them short. Namespace names are the client's own and not counted.
    /// The byte bounds of event queues (`max_queued_event_bytes`) count
    /// this.
    pub fn data_size(&self) -> usize {
        match self {
            Self::RawMessage {
                data, attachments, ..
            }
            | Self::RawAck {
                data, attachments, ..
            } => attachments.iter().fold(data.len(), |n, a| n + a.len()),
            Self::Message { event, args, .. } => event.len() + values_size(args),
            Self::Ack { args, .. } => values_size(args),
            Self::ConnectError { message, data, .. } => {
                message.len() + data.as_ref().map_or(0, String::len)
            }
            Self::Open { sid } | Self::Connect { sid, .. } => sid.len(),
            Self::ReconnectError { message, .. } | Self::AuthFailed { message, .. } => {
                message.len()
            }
            Self::Latency(s) => s.server_status.as_ref().map_or(0, String::len),
            Self::RoomState { key, state, .. } => {
                key.len()
                    + match state {
                        RoomState::Failed(reason) => reason.len(),
                        _ => 0,
                    }
            }
            Self::RateLimited { event, .. } | Self::EmitDropped { event, .. } => event.len(),
            _ => 0,
        }
    }
}

fn values_size(values: &[Value]) -> usize {
    values.iter().map(value_size).sum()
}

fn value_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Binary(b) => b.len(),
        Value::Array(items) => values_size(items),
        Value::Object(entries) => entries.iter().map(|(k, v)| k.len() + value_size(v)).sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) => 8,
    }
}
