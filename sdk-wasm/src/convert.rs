//! The boundary format between the driver and the JavaScript wrapper.
//!
//! Everything that crosses is JSON text plus, for binary data, a list of
//! byte arrays referenced by Socket.IO placeholders
//! (`{"_placeholder":true,"num":N}`). JavaScript does one `JSON.parse` and
//! swaps the placeholders for `ArrayBuffer`s, so the browser never pays for
//! a Rust JSON tree it does not need. This module is plain Rust so the
//! host test suite covers it.

use crate::prelude::*;
use bytes::Bytes;
use omni_socket_core::client::{
    AckFailure, AuthFailureSource, ConnectionState, DropReason, Event, LatencyStats, Matcher,
    Preset, PresetId, RequestId, RoomSpec, RoomState,
};
use omni_socket_core::{raw_field, raw_fields, Args, Limits, Value};
use serde_json::Value as Json;

/// One event for the JavaScript side: a kind, the namespace it concerns
/// (empty for session-wide events), a JSON payload and binary attachments.
/// A `message` carries the packet's own array, `["name", ...args]`, as the
/// server sent it (the client runs with `raw_messages`), so a server event
/// costs one copy of its text and one `JSON.parse`.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// Event kind, e.g. `message` or `connect`.
    pub kind: &'static str,
    /// Namespace, or empty.
    pub nsp: String,
    /// JSON text.
    pub json: String,
    /// Attachments referenced by placeholders in `json`.
    pub attachments: Vec<Bytes>,
    /// For `message`: the ack id the server asks for.
    pub ack: Option<u64>,
}

impl Outbound {
    fn new(kind: &'static str, nsp: impl Into<String>, json: Obj) -> Self {
        Self {
            kind,
            nsp: nsp.into(),
            json: json.end(),
            attachments: Vec::new(),
            ack: None,
        }
    }
}

/// A JSON object written field by field. The driver's events are small
/// and flat; building them as `serde_json::Value` maps first cost several
/// kilobytes of wasm for no gain.
pub struct Obj(String);

impl Obj {
    /// `{`.
    pub fn new() -> Self {
        Self(String::from("{"))
    }

    fn key(&mut self, k: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        // Keys are literals of this module: nothing to escape.
        self.0.push('"');
        self.0.push_str(k);
        self.0.push_str("\":");
    }

    /// A string field.
    pub fn str(mut self, k: &str, v: &str) -> Self {
        self.key(k);
        // serde_json's escaping, for one string (cannot fail).
        self.0
            .push_str(&serde_json::to_string(v).unwrap_or_default());
        self
    }

    /// A string field, `null` when absent.
    pub fn opt_str(self, k: &str, v: Option<&str>) -> Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// A number field.
    pub fn num(mut self, k: &str, v: impl Into<u64>) -> Self {
        self.key(k);
        self.0.push_str(&v.into().to_string());
        self
    }

    /// A number field, `null` when absent.
    pub fn opt_num(self, k: &str, v: Option<u64>) -> Self {
        match v {
            Some(v) => self.num(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// A boolean field.
    pub fn bool(self, k: &str, v: bool) -> Self {
        self.raw(k, if v { "true" } else { "false" })
    }

    /// A field whose value is JSON text already.
    pub fn raw(mut self, k: &str, json: &str) -> Self {
        self.key(k);
        self.0.push_str(json);
        self
    }

    /// `}`: the object's text.
    pub fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

impl Default for Obj {
    fn default() -> Self {
        Self::new()
    }
}

/// The name JavaScript sees for a connection state.
pub fn state_name(state: ConnectionState) -> &'static str {
    match state {
        ConnectionState::Idle => "idle",
        ConnectionState::Connecting => "connecting",
        ConnectionState::Open => "open",
        ConnectionState::Reconnecting { .. } => "reconnecting",
    }
}

/// Latency statistics as JSON object text.
pub fn latency_json(s: &LatencyStats) -> String {
    Obj::new()
        .num("count", s.count as u64)
        .num("last", s.last)
        .num("min", s.min)
        .num("max", s.max)
        .num("mean", s.mean)
        .num("p50", s.p50)
        .num("p95", s.p95)
        .num("p99", s.p99)
        .end()
}

/// A room state as `{key, state, reason}` JSON text.
pub fn room_json(key: &str, state: &RoomState) -> String {
    let (name, reason) = match state {
        RoomState::Unsubscribed => ("unsubscribed", None),
        RoomState::Joining => ("joining", None),
        RoomState::Joined => ("joined", None),
        RoomState::Failed(r) => ("failed", Some(r.as_str())),
    };
    Obj::new()
        .str("key", key)
        .str("state", name)
        .opt_str("reason", reason)
        .end()
}

/// Converts a core event for JavaScript.
pub fn event(e: Event) -> Outbound {
    match e {
        Event::Open { sid } => Outbound::new("open", "", Obj::new().str("sid", &sid)),
        Event::Upgraded { transport } => Outbound::new(
            "upgrade",
            "",
            Obj::new().str("transport", transport.as_str()),
        ),
        Event::Connect {
            nsp,
            sid,
            recovered,
        } => Outbound::new(
            "connect",
            nsp,
            Obj::new().str("sid", &sid).bool("recovered", recovered),
        ),
        Event::ConnectError {
            nsp, message, data, ..
        } => Outbound::new(
            "connect_error",
            nsp,
            Obj::new()
                .str("message", &message)
                .raw("data", data.as_deref().unwrap_or("null")),
        ),
        Event::Disconnect { nsp, reason } => {
            Outbound::new("disconnect", nsp, Obj::new().str("reason", reason.as_str()))
        }
        Event::Message {
            nsp,
            event,
            args,
            ack,
        } => {
            // Only when the client was built without `raw_messages`; the
            // driver sets it, so this is the same shape for completeness.
            let mut items = Vec::with_capacity(args.len() + 1);
            items.push(Value::String(event));
            items.extend(args);
            let (json, attachments) = Value::Array(items).deconstruct();
            Outbound {
                kind: "message",
                nsp,
                json,
                attachments,
                ack,
            }
        }
        Event::RawMessage {
            nsp,
            data,
            attachments,
            ack,
            ..
        } => Outbound {
            kind: "message",
            nsp,
            json: data,
            attachments,
            ack,
        },
        Event::Ack { nsp, request, args } => {
            // Only without `raw_messages`; the driver sets it.
            let (data, attachments) = Value::Array(args).deconstruct();
            ack_answer(nsp, request, &data, attachments)
        }
        Event::RawAck {
            nsp,
            request,
            data,
            attachments,
        } => ack_answer(nsp, request, &data, attachments),
        Event::AckFailed {
            nsp,
            request,
            reason,
        } => Outbound::new(
            "ack_failed",
            nsp,
            Obj::new().num("request", request.0).str(
                "reason",
                match reason {
                    AckFailure::Timeout => "timeout",
                    AckFailure::Disconnected => "disconnected",
                    AckFailure::Dropped => "dropped",
                },
            ),
        ),
        Event::ReconnectAttempt { attempt, delay } => Outbound::new(
            "reconnect_attempt",
            "",
            Obj::new().num("attempt", attempt).num("delay", delay),
        ),
        Event::Reconnecting { attempt } => {
            Outbound::new("reconnecting", "", Obj::new().num("attempt", attempt))
        }
        Event::Reconnect { attempt } => {
            Outbound::new("reconnect", "", Obj::new().num("attempt", attempt))
        }
        Event::ReconnectError { attempt, message } => Outbound::new(
            "reconnect_error",
            "",
            Obj::new().num("attempt", attempt).str("message", &message),
        ),
        Event::ReconnectFailed { attempts } => {
            Outbound::new("reconnect_failed", "", Obj::new().num("attempts", attempts))
        }
        Event::Latency(s) => Outbound::new(
            "latency",
            "",
            Obj::new()
                .num("rtt", s.rtt)
                .raw("stats", &latency_json(&s.stats))
                .opt_num("serverLatency", s.server_latency)
                .opt_str("serverStatus", s.server_status.as_deref()),
        ),
        Event::RoomState { nsp, key, state } => Outbound {
            kind: "room",
            nsp,
            json: room_json(&key, &state),
            attachments: Vec::new(),
            ack: None,
        },
        Event::AuthFailed {
            nsp,
            source,
            message,
        } => Outbound::new(
            "auth_failed",
            nsp,
            Obj::new()
                .str(
                    "source",
                    match source {
                        AuthFailureSource::ConnectError => "connect_error",
                        AuthFailureSource::AuthErrorEvent => "auth_error",
                        AuthFailureSource::TokenExpired => "token_expired",
                    },
                )
                .str("message", &message),
        ),
        Event::AuthRequested { nsp } => Outbound::new("auth_requested", nsp, Obj::new()),
        Event::AuthRefreshNeeded { failures } => Outbound::new(
            "auth_refresh_needed",
            "",
            Obj::new().num("failures", failures),
        ),
        Event::AuthGaveUp { failures } => {
            Outbound::new("auth_gave_up", "", Obj::new().num("failures", failures))
        }
        Event::RateLimited {
            nsp,
            event,
            retry_after,
        } => Outbound::new(
            "rate_limited",
            nsp,
            Obj::new()
                .str("event", &event)
                .num("retryAfter", retry_after),
        ),
        Event::EmitDropped { nsp, event, reason } => {
            let o = Obj::new().str("event", &event);
            let o = match reason {
                DropReason::Volatile => o.str("reason", "volatile"),
                DropReason::BufferOverflow => o.str("reason", "buffer_overflow"),
                DropReason::TooLarge { size, max } => o
                    .str("reason", "too_large")
                    .num("size", size as u64)
                    .num("max", max),
            };
            Outbound::new("emit_dropped", nsp, o)
        }
        Event::ProtocolError(e) => Outbound::new(
            "protocol_error",
            "",
            Obj::new().str("message", &e.to_string()),
        ),
    }
}

/// An `ack` for JavaScript: the request and the answer's JSON array.
fn ack_answer(nsp: String, request: RequestId, data: &str, attachments: Vec<Bytes>) -> Outbound {
    Outbound {
        kind: "ack",
        nsp,
        json: Obj::new().num("request", request.0).raw("args", data).end(),
        attachments,
        ack: None,
    }
}

/// Emit and ack arguments from JavaScript: the JSON array that
/// `JSON.stringify` wrote, binary values as placeholders numbering
/// `attachments`. The text goes into the packet as it is (see
/// [`Args::Json`]): no second parse, and numbers keep their digits.
///
/// # Errors
/// A message when the text is not a JSON array.
pub fn args(json: &str, attachments: Vec<Bytes>) -> Result<Args, String> {
    Args::json(json, attachments).ok_or_else(|| "arguments must be a JSON array".into())
}

/// Parses a room description (`{preset: "omni", room, type?}`,
/// `{preset: "conversation", id}`, `{preset: "orderChat", orderId}`, …, or
/// `{preset: "custom", key, join: {event, args}, leave: {event, args},
/// confirm?, failure?, ack?}` with matchers `{event, field?, value?}`) into a
/// subscription on namespace `nsp`.
///
/// Read from a JSON tree by hand rather than with a serde derive: a tagged
/// enum derive costs tens of kilobytes of wasm for a handful of fields.
///
/// # Errors
/// A message naming what is wrong with the description.
pub fn room_spec(nsp: &str, json: &str) -> Result<RoomSpec, String> {
    let desc = Value::parse_json_tree(json, &Limits::default()).map_err(|e| e.to_string())?;
    let text = |field: &str| -> Result<String, String> {
        desc.get(field)
            .and_then(Json::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("room description needs a string `{field}`"))
    };
    let preset = text("preset")?;
    let spec = if preset == "custom" {
        // The arguments are taken as the text JavaScript wrote, so their
        // numbers reach the server digit for digit.
        let raw = raw_fields(json).unwrap_or_default();
        let (join, join_args) = event_desc(desc.get("join"), raw_field(&raw, "join"), "join")?;
        let (leave, leave_args) = event_desc(desc.get("leave"), raw_field(&raw, "leave"), "leave")?;
        let mut spec = RoomSpec::new(text("key")?, join, join_args, leave, leave_args);
        spec.confirm = matcher(desc.get("confirm"))?;
        spec.failure = matcher(desc.get("failure"))?;
        spec.ack = desc.get("ack").and_then(Json::as_bool).unwrap_or(false);
        spec
    } else {
        let p = Preset::named(&preset).ok_or_else(|| format!("unknown room preset `{preset}`"))?;
        let id = match desc.get(p.field) {
            Some(Json::String(s)) => PresetId::Text(s),
            Some(Json::Number(n)) => PresetId::Number(n.as_f64().unwrap_or(-1.0)),
            _ => return Err(format!("room description needs `{}`", p.field)),
        };
        match desc.get("type").and_then(Json::as_str) {
            // An Omni room with its type given; otherwise it follows from
            // the name.
            Some(t) if p.name == "omni" => RoomSpec::omni(&text("room")?, t),
            _ => RoomSpec::from_preset(p, &id)?,
        }
    };
    Ok(spec.in_namespace(nsp))
}

fn event_desc(v: Option<&Json>, raw: Option<&str>, what: &str) -> Result<(String, Args), String> {
    let event = v
        .and_then(|v| v.get("event"))
        .and_then(Json::as_str)
        .ok_or_else(|| format!("room description needs `{what}.event`"))?;
    let fields = raw.and_then(raw_fields).unwrap_or_default();
    let args = match raw_field(&fields, "args") {
        None | Some("null") => Args::default(),
        Some(text) => {
            Args::json(text, Vec::new()).ok_or_else(|| format!("`{what}.args` must be an array"))?
        }
    };
    Ok((event.to_owned(), args))
}

fn matcher(v: Option<&Json>) -> Result<Option<Matcher>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let event = v
        .get("event")
        .and_then(Json::as_str)
        .ok_or("a room matcher needs `event`")?;
    let field = v.get("field").and_then(Json::as_str).map(|f| {
        let want = v.get("value").cloned().unwrap_or(Json::Null);
        (f.to_owned(), Value::from_json(want))
    });
    Ok(Some(Matcher {
        event: event.to_owned(),
        field,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use omni_socket_core::client::{DisconnectReason, RequestId};

    #[test]
    fn message_with_binary_keeps_placeholders() {
        let out = event(Event::Message {
            nsp: "/".into(),
            event: "file".into(),
            args: vec![Value::Object(vec![
                ("name".into(), Value::String("a".into())),
                (
                    "data".into(),
                    Value::Binary(Bytes::from_static(b"\x01\x02")),
                ),
            ])],
            ack: Some(7),
        });
        assert_eq!(out.kind, "message");
        assert_eq!(out.ack, Some(7));
        let v: Json = serde_json::from_str(&out.json).unwrap();
        assert_eq!(v[0], "file");
        assert_eq!(v[1]["data"]["_placeholder"], true);
        assert_eq!(v[1]["data"]["num"], 0);
        assert_eq!(out.attachments, vec![Bytes::from_static(b"\x01\x02")]);
    }

    #[test]
    fn raw_message_passes_the_packet_text() {
        let out = event(Event::RawMessage {
            nsp: "/a".into(),
            event: "tick".into(),
            data: r#"["tick",{"id":1}]"#.into(),
            attachments: vec![],
            ack: None,
        });
        assert_eq!(
            (out.kind, out.nsp.as_str(), out.json.as_str(), out.ack),
            ("message", "/a", r#"["tick",{"id":1}]"#, None)
        );
    }

    #[test]
    fn ack_and_disconnect_payloads() {
        let out = event(Event::Ack {
            nsp: "/admin".into(),
            request: RequestId(3),
            args: vec![],
        });
        assert_eq!(out.json, r#"{"request":3,"args":[]}"#);
        assert_eq!(out.nsp, "/admin");
        let out = event(Event::Disconnect {
            nsp: "/".into(),
            reason: DisconnectReason::PingTimeout,
        });
        assert_eq!(out.json, r#"{"reason":"ping timeout"}"#);
    }

    #[test]
    fn objects_are_valid_json() {
        let out = event(Event::ConnectError {
            nsp: "/".into(),
            message: "bad \"token\"\n".into(),
            data: Some(r#"{"code":4}"#.into()),
            cause: omni_socket_core::client::ConnectFailure::Server,
        });
        let v: Json = serde_json::from_str(&out.json).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"message": "bad \"token\"\n", "data": {"code": 4}})
        );
        let rooms = room_json("k", &RoomState::Failed("nope".into()));
        assert_eq!(rooms, r#"{"key":"k","state":"failed","reason":"nope"}"#);
        assert_eq!(Obj::new().end(), "{}");
    }

    #[test]
    fn args_pass_through_as_text() {
        let bins = vec![Bytes::from_static(b"xyz")];
        let text = r#"[31.245270191439438,{"_placeholder":true,"num":0}]"#;
        let a = args(text, bins.clone()).unwrap();
        assert_eq!(
            a,
            Args::Json {
                text: text.into(),
                attachments: bins
            }
        );
        assert!(args("{}", Vec::new()).is_err());
        assert!(args("[", Vec::new()).is_err());
    }

    #[test]
    fn room_presets_and_custom() {
        let s = room_spec("/", r#"{"preset":"omni","room":"user_1","type":"user"}"#).unwrap();
        assert_eq!(s.key, "user_1");
        assert_eq!(s.join_event, "join_room");
        let s = room_spec("/d", r#"{"preset":"orderChat","orderId":"9"}"#).unwrap();
        assert_eq!((s.key.as_str(), s.namespace.as_str()), ("order:9", "/d"));
        let s = room_spec(
            "/",
            r#"{"preset":"custom","key":"k","join":{"event":"sub","args":["k"]},
                "leave":{"event":"unsub"},"confirm":{"event":"ok","field":"id","value":"k"}}"#,
        )
        .unwrap();
        assert_eq!(s.leave_event, "unsub");
        assert!(s.confirm.is_some() && s.failure.is_none());
        assert!(room_spec("/", r#"{"preset":"nope"}"#).is_err());
    }
}

/// The JSON this module writes is the vocabulary of
/// `omni_socket_core::client::records`, from which the npm package's
/// declarations are generated: one event of every kind, written here and
/// serialized from its record, must agree.
#[cfg(test)]
mod records_agree {
    use super::*;
    use alloc::vec;
    use omni_socket_core::client::records::{record, RoomStatus, KINDS};
    use omni_socket_core::client::{
        AuthFailureSource, DisconnectReason, LatencySample, RequestId, TransportKind,
    };
    use omni_socket_core::ProtocolError;

    fn every_kind() -> Vec<Event> {
        let stats = LatencyStats {
            count: 2,
            last: 7,
            min: 5,
            max: 7,
            mean: 6,
            p50: 5,
            p95: 7,
            p99: 7,
        };
        vec![
            Event::Open { sid: "e\"1".into() },
            Event::Upgraded {
                transport: TransportKind::Websocket,
            },
            Event::Connect {
                nsp: "/".into(),
                sid: "s1".into(),
                recovered: true,
            },
            Event::ConnectError {
                nsp: "/a".into(),
                message: "no\n".into(),
                data: Some(r#"{"code":[1,"x"]}"#.into()),
                cause: omni_socket_core::client::ConnectFailure::Server,
            },
            Event::ConnectError {
                nsp: "/".into(),
                message: "timeout".into(),
                data: None,
                cause: omni_socket_core::client::ConnectFailure::Timeout,
            },
            Event::Disconnect {
                nsp: "/".into(),
                reason: DisconnectReason::IoServerDisconnect,
            },
            Event::Ack {
                nsp: "/".into(),
                request: RequestId(3),
                args: vec![Value::String("ok".into()), Value::Null],
            },
            Event::AckFailed {
                nsp: "/".into(),
                request: RequestId(4),
                reason: AckFailure::Disconnected,
            },
            Event::ReconnectAttempt {
                attempt: 2,
                delay: 1500,
            },
            Event::Reconnecting { attempt: 2 },
            Event::Reconnect { attempt: 2 },
            Event::ReconnectError {
                attempt: 1,
                message: "refused".into(),
            },
            Event::ReconnectFailed { attempts: 9 },
            Event::Latency(LatencySample {
                rtt: 7,
                stats,
                server_latency: Some(2),
                server_status: None,
            }),
            Event::RoomState {
                nsp: "/".into(),
                key: "user_1".into(),
                state: RoomState::Failed("FORBIDDEN".into()),
            },
            Event::RoomState {
                nsp: "/".into(),
                key: "user_1".into(),
                state: RoomState::Joined,
            },
            Event::AuthFailed {
                nsp: "/".into(),
                source: AuthFailureSource::TokenExpired,
                message: "Token expired".into(),
            },
            Event::AuthRequested { nsp: "/".into() },
            Event::AuthRefreshNeeded { failures: 1 },
            Event::AuthGaveUp { failures: 3 },
            Event::RateLimited {
                nsp: "/".into(),
                event: "typing".into(),
                retry_after: 2000,
            },
            Event::EmitDropped {
                nsp: "/".into(),
                event: "e".into(),
                reason: DropReason::TooLarge { size: 9, max: 8 },
            },
            Event::EmitDropped {
                nsp: "/".into(),
                event: "e".into(),
                reason: DropReason::Volatile,
            },
            Event::ProtocolError(ProtocolError::Empty.into()),
        ]
    }

    #[test]
    fn every_event_record_matches_its_declaration() {
        let mut kinds = Vec::new();
        for e in every_kind() {
            let (kind, want) = record(&e).expect("a record");
            let out = event(e);
            assert_eq!(out.kind, kind);
            let got: Json = serde_json::from_str(&out.json).expect("valid JSON");
            assert_eq!(got, want, "{kind}");
            kinds.push(kind);
        }
        // Every kind of the generated map is written here (`state` comes
        // from `state_name`, below).
        for (kind, _) in KINDS {
            assert!(
                kind == "state" || kinds.contains(&kind),
                "{kind} not covered"
            );
        }
    }

    #[test]
    fn room_lists_and_states_match_their_declarations() {
        for state in [RoomState::Joining, RoomState::Failed("x".into())] {
            let got: Json = serde_json::from_str(&room_json("k", &state)).unwrap();
            assert_eq!(
                got,
                serde_json::to_value(RoomStatus::new("k", &state)).unwrap()
            );
        }
        use omni_socket_core::client::records::ConnectionStateName;
        use omni_socket_core::client::ConnectionState;
        for s in [
            ConnectionState::Idle,
            ConnectionState::Connecting,
            ConnectionState::Open,
            ConnectionState::Reconnecting { attempt: 1 },
        ] {
            let want = serde_json::to_value(ConnectionStateName::from(s)).unwrap();
            assert_eq!(Json::String(state_name(s).into()), want);
        }
        let stats = LatencyStats::default();
        let got: Json = serde_json::from_str(&latency_json(&stats)).unwrap();
        assert_eq!(got, serde_json::to_value(stats).unwrap());
    }
}
