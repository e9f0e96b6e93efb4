//! Client options. Names and defaults follow socket.io-client where an
//! option exists there, so JavaScript callers can pass their options object
//! unchanged (fields are camelCase in serde; they are read back by
//! [`ClientConfig::from_json`], see `options.rs`).

use crate::prelude::*;
use serde::Serialize;

use super::ratelimit::RateLimitConfig;
use super::vecmap::SortedMap;

/// A transport the client can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// HTTP long-polling.
    Polling,
    /// WebSocket.
    Websocket,
}

impl TransportKind {
    /// The name used in the `transport=` query parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Polling => "polling",
            Self::Websocket => "websocket",
        }
    }
}

/// What to do with an emit when the offline buffer is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum OverflowPolicy {
    /// Refuse the new emit with [`EmitError::BufferFull`](super::EmitError).
    #[default]
    Error,
    /// Drop the oldest buffered emit (reported as
    /// [`Event::EmitDropped`](super::Event)) and keep the new one.
    DropOldest,
}

/// How the application heartbeat measures round trips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum HeartbeatMode {
    /// Omni (seed 000): emit `event {timestamp, client_info: {version,
    /// platform}}` and wait for `response_event {server_timestamp,
    /// latency, status}`.
    #[serde(rename_all = "camelCase")]
    Omni {
        /// Event sent, `heartbeat`.
        event: String,
        /// Event answered, `heartbeat_response`.
        response_event: String,
        /// `client_info.version`.
        version: String,
        /// `client_info.platform`, e.g. `web` or `native`.
        platform: String,
    },
    /// Emit `event` with an ack request; the ack ends the round trip.
    #[serde(rename_all = "camelCase")]
    Ack {
        /// Event sent, e.g. `ping`.
        event: String,
    },
}

impl HeartbeatMode {
    /// The Omni heartbeat with the given client info.
    pub fn omni(version: impl Into<String>, platform: impl Into<String>) -> Self {
        Self::Omni {
            event: "heartbeat".into(),
            response_event: "heartbeat_response".into(),
            version: version.into(),
            platform: platform.into(),
        }
    }

    /// Seed 000's heartbeat as this crate sends it: `heartbeat` answered by
    /// `heartbeat_response`, with this crate's version and platform `rust`
    /// (the browser driver says `web`).
    pub fn default_omni() -> Self {
        Self::omni(env!("CARGO_PKG_VERSION"), "rust")
    }

    pub(crate) fn event(&self) -> &str {
        match self {
            Self::Omni { event, .. } | Self::Ack { event } => event,
        }
    }
}

/// Application heartbeat options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct HeartbeatConfig {
    /// Milliseconds between heartbeats; the first goes out on connect.
    pub interval: u64,
    /// How heartbeats are sent and matched.
    pub mode: HeartbeatMode,
    /// Samples kept for the statistics.
    pub window: usize,
    /// Namespace the heartbeat runs on.
    pub namespace: String,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        Self {
            interval: 30_000,
            mode: HeartbeatMode::default_omni(),
            window: 100,
            namespace: "/".into(),
        }
    }
}

/// The reconnection options of a [`ClientConfig`], for
/// [`Client::set_reconnection`](super::Client::set_reconnection).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reconnection {
    /// [`ClientConfig::reconnection`].
    pub reconnection: bool,
    /// [`ClientConfig::reconnection_attempts`].
    pub attempts: Option<u32>,
    /// [`ClientConfig::reconnection_delay`].
    pub delay: u64,
    /// [`ClientConfig::reconnection_delay_max`].
    pub delay_max: u64,
    /// [`ClientConfig::randomization_factor`].
    pub factor: f64,
    /// [`ClientConfig::timeout`].
    pub timeout: u64,
}

/// Options of a [`Client`](super::Client).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CoreOptions"))]
#[serde(rename_all = "camelCase", default)]
pub struct ClientConfig {
    /// Server origin, e.g. `https://api.example.com`. `http(s)` becomes
    /// `ws(s)` for WebSocket URLs.
    pub url: String,
    /// Engine.IO path, `/socket.io/`.
    pub path: String,
    /// Extra query parameters sent with every transport request.
    #[cfg_attr(feature = "ts", ts(as = "std::collections::HashMap<String, String>"))]
    pub query: SortedMap<String, String>,
    /// Transports in order of preference; the first is opened, later ones
    /// are upgrades. Default `["polling", "websocket"]`.
    pub transports: Vec<TransportKind>,
    /// Try to upgrade from polling to WebSocket after the handshake.
    pub upgrade: bool,
    /// Reconnect automatically after the link is lost.
    pub reconnection: bool,
    /// Attempts before giving up; `None` (JS `Infinity`) is unlimited.
    pub reconnection_attempts: Option<u32>,
    /// First reconnection delay in ms (1000).
    pub reconnection_delay: u64,
    /// Largest reconnection delay in ms (5000).
    pub reconnection_delay_max: u64,
    /// Jitter share of the delay (0.5).
    pub randomization_factor: f64,
    /// Milliseconds for the Engine.IO handshake and for each namespace's
    /// CONNECT answer (20000).
    pub timeout: u64,
    /// Auth object sent in every CONNECT; must be a JSON object.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown> | null"))]
    pub auth: Option<serde_json::Value>,
    /// Default ack timeout in ms for emits that ask for an ack.
    pub ack_timeout: Option<u64>,
    /// Resends of an unacknowledged ack emit before it fails (0 = off).
    pub retries: u32,

    /// Milliseconds a room join with a confirmation event waits for it
    /// before the room is marked failed (10000), so a server that never
    /// answers cannot leave a subscription joining forever.
    pub room_join_timeout: u64,

    /// Namespaces to connect at start (`["/"]`).
    pub namespaces: Vec<String>,
    /// Reconnect a namespace after `io server disconnect` (off, as in
    /// socket.io-client).
    pub reconnect_after_server_disconnect: bool,
    /// Retry a namespace, with backoff, after the server refused it
    /// (CONNECT_ERROR that is not an auth failure) (on). socket.io-client
    /// takes a refusal as final; the npm package turns this off to match.
    pub reconnect_after_refusal: bool,
    /// Emits kept per namespace while offline or rate-limited (1000).
    pub max_buffered_emits: usize,
    /// What a full buffer does.
    pub buffer_overflow: OverflowPolicy,
    /// Outstanding acks per namespace (1000); more ack emits are refused.
    pub max_pending_acks: usize,
    /// Application heartbeat; `None` turns it off.
    pub heartbeat: Option<HeartbeatConfig>,
    /// Client-side rate limits.
    pub rate_limit: RateLimitConfig,
    /// Milliseconds to wait for new credentials after an auth failure
    /// before retrying with the old ones (10000).
    pub auth_refresh_timeout: u64,
    /// Consecutive auth failures after which the client stops (3; 0 never
    /// stops).
    pub max_auth_failures: u32,
    /// Fragments that mark a `connect_error` message as an auth failure,
    /// compared without regard to ASCII case.
    pub auth_error_patterns: Vec<String>,
    /// Connection state recovery: send `{pid, offset}` in CONNECT.
    pub recovery: bool,
    /// Ask for credentials before every CONNECT ([`Event::AuthRequested`](super::Event))
    /// and send it only once [`Client::set_auth`](super::Client::set_auth)
    /// answers, as socket.io-client does with an `auth` callback (false).
    pub ask_auth: bool,
    /// Bound of the event queue in events (4096); when full the oldest
    /// event is dropped and counted in
    /// [`Client::dropped_events`](super::Client::dropped_events).
    pub max_queued_events: usize,
    /// Bound of the event queue in bytes of data (16 MiB), as
    /// [`Event::data_size`](super::Event::data_size) counts them: the JSON
    /// text and binary attachments of the server events waiting there,
    /// and what the other events carry. An event that would take the
    /// queue past it pushes out the oldest events until it fits (each
    /// counted in [`Client::dropped_events`](super::Client::dropped_events),
    /// as with `max_queued_events`); one larger than the whole bound is
    /// still queued, alone (its size is bounded by the decoder's
    /// [`Limits`](crate::Limits)). The native driver applies the same
    /// bound to each subscription's queue.
    pub max_queued_event_bytes: usize,
    /// Bound of the outgoing frame queue; emits wait in the buffer when it
    /// is full.
    pub max_queued_transmits: usize,
    /// How the driver takes server events: the driver fast path, set by
    /// drivers, never read from an options object.
    #[serde(skip)]
    pub driver: DriverMode,
}

/// The driver fast path: ways a driver can take server events more cheaply
/// than as [`Event::Message`](super::Event) trees. All off by default;
/// [`Client::handle_text_event`](super::Client::handle_text_event) (lent
/// events) and [`Client::reject_message`](super::Client::reject_message)
/// belong to the same part of the API. The browser driver turns both on;
/// the native driver uses `raw_messages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DriverMode {
    /// Deliver server events as [`Event::RawMessage`](super::Event) (the
    /// packet's JSON text) instead of [`Event::Message`](super::Event)
    /// (a [`Value`](crate::Value) tree). The client then parses an event's
    /// arguments only when it needs them itself (heartbeat answers, room
    /// confirmations, `rate_limited`, auth errors, recovery offsets).
    pub raw_messages: bool,
    /// With `raw_messages`: the driver parses the whole text of every
    /// [`Event::RawMessage`](super::Event) it is handed, and reports text it
    /// cannot parse with
    /// [`Client::reject_message`](super::Client::reject_message) before
    /// feeding the client more input. The client then checks an event's
    /// text only as far as it reads it itself (its name, and the arguments
    /// of the events it answers), instead of validating it whole first and
    /// leaving the driver to parse it again. The browser driver's
    /// `JSON.parse` is that complete check.
    pub parses_events: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            path: "/socket.io/".into(),
            query: SortedMap::new(),
            transports: vec![TransportKind::Polling, TransportKind::Websocket],
            upgrade: true,
            reconnection: true,
            reconnection_attempts: None,
            reconnection_delay: 1000,
            reconnection_delay_max: 5000,
            randomization_factor: 0.5,
            timeout: 20_000,
            auth: None,
            ack_timeout: None,
            retries: 0,
            room_join_timeout: 10_000,
            namespaces: vec!["/".into()],
            reconnect_after_server_disconnect: false,
            reconnect_after_refusal: true,
            max_buffered_emits: 1000,
            buffer_overflow: OverflowPolicy::Error,
            max_pending_acks: 1000,
            heartbeat: None,
            rate_limit: RateLimitConfig::default(),
            auth_refresh_timeout: 10_000,
            max_auth_failures: 3,
            auth_error_patterns: [
                "auth",
                "token",
                "unauthorized",
                "forbidden",
                "jwt",
                "credential",
                "license",
            ]
            .map(String::from)
            .to_vec(),
            recovery: true,
            ask_auth: false,
            max_queued_events: 4096,
            max_queued_event_bytes: 16 * 1024 * 1024,
            max_queued_transmits: 4096,
            driver: DriverMode::default(),
        }
    }
}

impl ClientConfig {
    /// Defaults with the given server origin.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }
}
