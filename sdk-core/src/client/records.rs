//! The records a JavaScript driver hands its wrapper, one per kind of
//! [`Event`]: the vocabulary the browser driver and the npm package share.
//!
//! These types are the definition. The npm package's declarations
//! (`npm/src/generated/driver.ts`) are generated from them with ts-rs under
//! the drift check of `models::typescript` (feature `ts`), and the browser
//! driver's JSON writer is tested against [`record`] for every kind, so a
//! field named differently on either side fails a test. (The writer builds
//! its JSON by hand rather than through these types' `Serialize`, which
//! would cost the download kilobytes of serializer code.)

use crate::prelude::*;
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::auth::AuthFailureSource;
use super::config::TransportKind;
use super::events::{AckFailure, DisconnectReason, DropReason, Event};
use super::latency::LatencyStats;
use super::rooms::RoomState;

/// `open`: the Engine.IO session opened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct OpenRecord {
    /// Engine.IO session id.
    pub sid: String,
}

/// `upgrade`: the session moved to another transport.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct UpgradeRecord {
    /// The new transport.
    pub transport: TransportKind,
}

/// `connect`: a namespace connected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ConnectRecord {
    /// Socket id in the namespace.
    pub sid: String,
    /// The server restored the previous session.
    pub recovered: bool,
}

/// `connect_error`: connecting a namespace failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ConnectErrorRecord {
    /// The server's message, `timeout`, or the transport's error.
    pub message: String,
    /// The server's `data`, if any.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub data: Option<serde_json::Value>,
}

/// `disconnect`: a connected namespace is no longer connected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DisconnectRecord {
    /// socket.io-client's reason.
    pub reason: DisconnectReason,
}

/// `ack`: the answer to an emit with an ack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AckRecord {
    /// The request id the emit returned.
    pub request: u64,
    /// The server's arguments; binary values as Socket.IO placeholders
    /// into the attachments.
    #[cfg_attr(feature = "ts", ts(type = "unknown[]"))]
    pub args: Vec<serde_json::Value>,
}

/// `ack_failed`: an emit with an ack ended without an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AckFailedRecord {
    /// The request id the emit returned.
    pub request: u64,
    /// Why.
    pub reason: AckFailure,
}

/// `reconnect_attempt`: a reconnection attempt is scheduled.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReconnectAttemptRecord {
    /// 1-based attempt number.
    pub attempt: u32,
    /// Delay before it, in ms.
    pub delay: u64,
}

/// `reconnecting`: a reconnection attempt starts, after its delay
/// (socket.io-client's `reconnect_attempt`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReconnectingRecord {
    /// 1-based attempt number.
    pub attempt: u32,
}

/// `reconnect`: the session is open again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReconnectRecord {
    /// Attempts it took.
    pub attempt: u32,
}

/// `reconnect_error`: a reconnection attempt failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReconnectErrorRecord {
    /// The attempt.
    pub attempt: u32,
    /// What happened.
    pub message: String,
}

/// `reconnect_failed`: the reconnection attempts are used up.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReconnectFailedRecord {
    /// Attempts made.
    pub attempts: u32,
}

/// `latency`: a heartbeat round trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct LatencyRecord {
    /// Round trip in ms.
    pub rtt: u64,
    /// Statistics including this sample.
    pub stats: LatencyStats,
    /// `latency` reported by the server.
    pub server_latency: Option<u64>,
    /// `status` reported by the server.
    pub server_status: Option<String>,
}

/// The state of a room subscription, as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum RoomStateName {
    /// Not wanted.
    Unsubscribed,
    /// Wanted; the join is queued, sent or waits for a connection.
    Joining,
    /// The server confirmed (or the join went out, without confirmation).
    Joined,
    /// The server refused; `reason` says why.
    Failed,
}

/// `room`: a room subscription and where it stands (also the entries of a
/// driver's room list).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct RoomStatus {
    /// Subscription key.
    pub key: String,
    /// Where it stands.
    pub state: RoomStateName,
    /// Why it failed.
    pub reason: Option<String>,
}

impl RoomStatus {
    /// The status of subscription `key` in `state`.
    pub fn new(key: &str, state: &RoomState) -> Self {
        let (name, reason) = match state {
            RoomState::Unsubscribed => (RoomStateName::Unsubscribed, None),
            RoomState::Joining => (RoomStateName::Joining, None),
            RoomState::Joined => (RoomStateName::Joined, None),
            RoomState::Failed(r) => (RoomStateName::Failed, Some(r.clone())),
        };
        Self {
            key: key.to_owned(),
            state: name,
            reason,
        }
    }
}

/// `auth_failed`: the server refused the credentials.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AuthFailedRecord {
    /// Where the refusal came from.
    pub source: AuthFailureSource,
    /// The server's message.
    pub message: String,
}

/// `auth_requested`: the client waits for credentials before a CONNECT.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AuthRequestedRecord {}

/// `auth_refresh_needed` and `auth_gave_up`: consecutive auth failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AuthFailuresRecord {
    /// Failures so far.
    pub failures: u32,
}

/// `rate_limited`: the server said `rate_limited`; sends of `event`
/// pause.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct RateLimitedRecord {
    /// The limited event.
    pub event: String,
    /// Pause applied, in ms.
    pub retry_after: u64,
}

/// Why an emit was not sent, as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum DropReasonName {
    /// Volatile, and over its rate budget.
    Volatile,
    /// Pushed out of a full buffer.
    BufferOverflow,
    /// Over the server's `maxPayload` (`size` and `max` say by how much).
    TooLarge,
}

/// `emit_dropped`: an emit was not sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct EmitDroppedRecord {
    /// Event name.
    pub event: String,
    /// Why.
    pub reason: DropReasonName,
    /// With `too_large`: the emit's largest packet, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub size: Option<u64>,
    /// With `too_large`: the server's `maxPayload`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max: Option<u64>,
}

/// `protocol_error`: the server sent invalid input; `disconnect` with
/// `parse error` follows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProtocolErrorRecord {
    /// What was wrong.
    pub message: String,
}

/// An event's kind and record, or `None` for a server event (`message`,
/// whose payload is the packet's own array).
pub fn record(e: &Event) -> Option<(&'static str, serde_json::Value)> {
    fn json<T: Serialize>(kind: &'static str, r: T) -> Option<(&'static str, serde_json::Value)> {
        serde_json::to_value(r).ok().map(|v| (kind, v))
    }
    match e {
        Event::Message { .. } | Event::RawMessage { .. } => None,
        Event::Open { sid } => json("open", OpenRecord { sid: sid.clone() }),
        Event::Upgraded { transport } => json(
            "upgrade",
            UpgradeRecord {
                transport: *transport,
            },
        ),
        Event::Connect { sid, recovered, .. } => json(
            "connect",
            ConnectRecord {
                sid: sid.clone(),
                recovered: *recovered,
            },
        ),
        Event::ConnectError { message, data, .. } => json(
            "connect_error",
            ConnectErrorRecord {
                message: message.clone(),
                data: data.as_deref().and_then(|d| serde_json::from_str(d).ok()),
            },
        ),
        Event::Disconnect { reason, .. } => {
            json("disconnect", DisconnectRecord { reason: *reason })
        }
        Event::Ack { request, args, .. } => json(
            "ack",
            AckRecord {
                request: request.0,
                args: args
                    .iter()
                    .map(|a| serde_json::to_value(a).unwrap_or_default())
                    .collect(),
            },
        ),
        Event::RawAck { request, data, .. } => json(
            "ack",
            AckRecord {
                request: request.0,
                args: serde_json::from_str(data).unwrap_or_default(),
            },
        ),
        Event::AckFailed {
            request, reason, ..
        } => json(
            "ack_failed",
            AckFailedRecord {
                request: request.0,
                reason: *reason,
            },
        ),
        Event::ReconnectAttempt { attempt, delay } => json(
            "reconnect_attempt",
            ReconnectAttemptRecord {
                attempt: *attempt,
                delay: *delay,
            },
        ),
        Event::Reconnecting { attempt } => {
            json("reconnecting", ReconnectingRecord { attempt: *attempt })
        }
        Event::Reconnect { attempt } => json("reconnect", ReconnectRecord { attempt: *attempt }),
        Event::ReconnectError { attempt, message } => json(
            "reconnect_error",
            ReconnectErrorRecord {
                attempt: *attempt,
                message: message.clone(),
            },
        ),
        Event::ReconnectFailed { attempts } => json(
            "reconnect_failed",
            ReconnectFailedRecord {
                attempts: *attempts,
            },
        ),
        Event::Latency(s) => json(
            "latency",
            LatencyRecord {
                rtt: s.rtt,
                stats: s.stats,
                server_latency: s.server_latency,
                server_status: s.server_status.clone(),
            },
        ),
        Event::RoomState { key, state, .. } => json("room", RoomStatus::new(key, state)),
        Event::AuthFailed {
            source, message, ..
        } => json(
            "auth_failed",
            AuthFailedRecord {
                source: *source,
                message: message.clone(),
            },
        ),
        Event::AuthRequested { .. } => json("auth_requested", AuthRequestedRecord {}),
        Event::AuthRefreshNeeded { failures } => json(
            "auth_refresh_needed",
            AuthFailuresRecord {
                failures: *failures,
            },
        ),
        Event::AuthGaveUp { failures } => json(
            "auth_gave_up",
            AuthFailuresRecord {
                failures: *failures,
            },
        ),
        Event::RateLimited {
            event, retry_after, ..
        } => json(
            "rate_limited",
            RateLimitedRecord {
                event: event.clone(),
                retry_after: *retry_after,
            },
        ),
        Event::EmitDropped { event, reason, .. } => {
            let (reason, size, max) = match reason {
                DropReason::Volatile => (DropReasonName::Volatile, None, None),
                DropReason::BufferOverflow => (DropReasonName::BufferOverflow, None, None),
                DropReason::TooLarge { size, max } => {
                    (DropReasonName::TooLarge, Some(*size as u64), Some(*max))
                }
            };
            json(
                "emit_dropped",
                EmitDroppedRecord {
                    event: event.clone(),
                    reason,
                    size,
                    max,
                },
            )
        }
        Event::ProtocolError(err) => json(
            "protocol_error",
            ProtocolErrorRecord {
                message: err.to_string(),
            },
        ),
    }
}

/// The event kinds and their records, in the order of [`Event`]'s
/// variants: the `DriverEvents` map of the generated declarations.
pub const KINDS: [(&str, &str); 22] = [
    ("open", "OpenRecord"),
    ("upgrade", "UpgradeRecord"),
    ("connect", "ConnectRecord"),
    ("connect_error", "ConnectErrorRecord"),
    ("disconnect", "DisconnectRecord"),
    ("ack", "AckRecord"),
    ("ack_failed", "AckFailedRecord"),
    ("reconnect_attempt", "ReconnectAttemptRecord"),
    ("reconnecting", "ReconnectingRecord"),
    ("reconnect", "ReconnectRecord"),
    ("reconnect_error", "ReconnectErrorRecord"),
    ("reconnect_failed", "ReconnectFailedRecord"),
    ("latency", "LatencyRecord"),
    ("room", "RoomStatus"),
    ("auth_failed", "AuthFailedRecord"),
    ("auth_requested", "AuthRequestedRecord"),
    ("auth_refresh_needed", "AuthFailuresRecord"),
    ("auth_gave_up", "AuthFailuresRecord"),
    ("rate_limited", "RateLimitedRecord"),
    ("emit_dropped", "EmitDroppedRecord"),
    ("protocol_error", "ProtocolErrorRecord"),
    ("state", "ConnectionStateName"),
];

/// `state`: where the Engine.IO session stands, as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum ConnectionStateName {
    /// Not connected and not trying.
    Idle,
    /// A transport is opening.
    Connecting,
    /// The session is open.
    Open,
    /// Waiting for a reconnection attempt.
    Reconnecting,
}

impl From<super::ConnectionState> for ConnectionStateName {
    fn from(s: super::ConnectionState) -> Self {
        match s {
            super::ConnectionState::Idle => Self::Idle,
            super::ConnectionState::Connecting => Self::Connecting,
            super::ConnectionState::Open => Self::Open,
            super::ConnectionState::Reconnecting { .. } => Self::Reconnecting,
        }
    }
}
