//! Reading [`ClientConfig`] and its parts from a JSON tree.
//!
//! The options object arrives as JSON (socket.io-client names, camelCase).
//! It is read by hand from a [`serde_json::Value`] rather than with serde's
//! derive: the derived visitors for two dozen fields, nested structs and a
//! tagged enum cost the browser build tens of kilobytes of WebAssembly,
//! while a walk over the tree reuses the one JSON parser every build has
//! anyway. The `Deserialize` impls go through the same reader, so there is
//! one set of rules: unknown fields are ignored, a missing field keeps its
//! default, a field of the wrong type is an error naming it.

use crate::prelude::*;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value as Json};

use super::config::{ClientConfig, HeartbeatConfig, HeartbeatMode, OverflowPolicy, TransportKind};
use super::ratelimit::{Product, Rate, RateLimitConfig, RateTable};
use super::vecmap::SortedMap;

/// An option of the wrong type or with an unknown value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid option `{field}`: expected {expected}")]
pub struct OptionsError {
    /// The option, camelCase as in the options object.
    pub field: &'static str,
    /// What it must be.
    pub expected: &'static str,
}

type Result<T> = core::result::Result<T, OptionsError>;

fn err<T>(field: &'static str, expected: &'static str) -> Result<T> {
    Err(OptionsError { field, expected })
}

/// The fields of one options object, looked up by name.
struct Fields<'a> {
    map: &'a Map<String, Json>,
}

impl<'a> Fields<'a> {
    fn of(v: &'a Json, field: &'static str) -> Result<Self> {
        match v {
            Json::Object(map) => Ok(Self { map }),
            _ => err(field, "an object"),
        }
    }

    /// Runs `read` on the field when it is present (JSON `null` included:
    /// only `Option` fields accept it).
    fn read<T>(
        &self,
        name: &'static str,
        slot: &mut T,
        read: impl FnOnce(&'a Json, &'static str) -> Result<T>,
    ) -> Result<()> {
        if let Some(v) = self.map.get(name) {
            *slot = read(v, name)?;
        }
        Ok(())
    }

    /// A required field.
    fn need<T>(
        &self,
        name: &'static str,
        read: impl FnOnce(&'a Json, &'static str) -> Result<T>,
    ) -> Result<T> {
        match self.map.get(name) {
            Some(v) => read(v, name),
            None => err(name, "to be present"),
        }
    }
}

fn boolean(v: &Json, f: &'static str) -> Result<bool> {
    v.as_bool().map_or_else(|| err(f, "a boolean"), Ok)
}

fn uint(v: &Json, f: &'static str) -> Result<u64> {
    v.as_u64()
        .map_or_else(|| err(f, "a non-negative integer"), Ok)
}

fn uint32(v: &Json, f: &'static str) -> Result<u32> {
    uint(v, f).and_then(|n| u32::try_from(n).or_else(|_| err(f, "an integer below 2^32")))
}

fn size(v: &Json, f: &'static str) -> Result<usize> {
    uint(v, f).and_then(|n| usize::try_from(n).or_else(|_| err(f, "a smaller integer")))
}

fn float(v: &Json, f: &'static str) -> Result<f64> {
    v.as_f64().map_or_else(|| err(f, "a number"), Ok)
}

fn string(v: &Json, f: &'static str) -> Result<String> {
    v.as_str()
        .map_or_else(|| err(f, "a string"), |s| Ok(s.to_owned()))
}

fn strings(v: &Json, f: &'static str) -> Result<Vec<String>> {
    match v {
        Json::Array(items) => items.iter().map(|s| string(s, f)).collect(),
        _ => err(f, "an array of strings"),
    }
}

/// A map of `read` over an object's values.
fn map_of<T>(
    m: &Map<String, Json>,
    mut read: impl FnMut(&Json) -> Result<T>,
) -> Result<SortedMap<String, T>> {
    let mut out = SortedMap::new();
    for (k, v) in m {
        out.insert(k.clone(), read(v)?);
    }
    Ok(out)
}

/// `null` is `None`; anything else must read as `T`.
fn nullable<'a, T>(
    read: impl FnOnce(&'a Json, &'static str) -> Result<T>,
) -> impl FnOnce(&'a Json, &'static str) -> Result<Option<T>> {
    move |v, f| match v {
        Json::Null => Ok(None),
        v => read(v, f).map(Some),
    }
}

impl TransportKind {
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        match v.as_str() {
            Some("polling") => Ok(Self::Polling),
            Some("websocket") => Ok(Self::Websocket),
            _ => err(f, "\"polling\" or \"websocket\""),
        }
    }
}

impl OverflowPolicy {
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        match v.as_str() {
            Some("error") => Ok(Self::Error),
            Some("dropOldest") => Ok(Self::DropOldest),
            _ => err(f, "\"error\" or \"dropOldest\""),
        }
    }
}

impl HeartbeatMode {
    /// `{type: "omni", event?, responseEvent?, version?, platform?}` (seed
    /// 000's `heartbeat` / `heartbeat_response`, this crate's version and
    /// `rust` unless given) or `{type: "ack", event}`.
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        let o = Fields::of(v, f)?;
        match o.need("type", |v, _| Ok(v.as_str()))? {
            Some("omni") => {
                let Self::Omni {
                    mut event,
                    mut response_event,
                    mut version,
                    mut platform,
                } = Self::default_omni()
                else {
                    unreachable!("default_omni is Omni")
                };
                o.read("event", &mut event, string)?;
                o.read("responseEvent", &mut response_event, string)?;
                o.read("version", &mut version, string)?;
                o.read("platform", &mut platform, string)?;
                Ok(Self::Omni {
                    event,
                    response_event,
                    version,
                    platform,
                })
            }
            Some("ack") => Ok(Self::Ack {
                event: o.need("event", string)?,
            }),
            _ => err("type", "\"omni\" or \"ack\""),
        }
    }
}

impl HeartbeatConfig {
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        let o = Fields::of(v, f)?;
        let mut c = Self::default();
        o.read("interval", &mut c.interval, uint)?;
        o.read("mode", &mut c.mode, HeartbeatMode::from_json)?;
        o.read("window", &mut c.window, size)?;
        o.read("namespace", &mut c.namespace, string)?;
        Ok(c)
    }
}

impl Rate {
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        let o = Fields::of(v, f)?;
        Ok(Self {
            limit: o.need("limit", uint32)?,
            window: o.need("window", uint)?,
        })
    }
}

impl Product {
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        v.as_str().and_then(Product::named).map_or_else(
            || {
                err(
                    f,
                    "\"omni\", \"deployments\", \"doa\", \"fama\" or \"marketplace\"",
                )
            },
            Ok,
        )
    }
}

impl RateTable {
    /// `{product?, default?, events?, budget?}`: the product's table (or an
    /// empty one), then the fields given; `events` adds to the product's.
    fn read_into(&mut self, o: &Fields<'_>) -> Result<()> {
        if let Some(p) = o.map.get("product") {
            *self = Product::from_json(p, "product")?.rate_table();
        }
        o.read("default", &mut self.default, nullable(Rate::from_json))?;
        // Rates given are added to the product's, replacing its own for
        // the same events.
        let mut events = SortedMap::new();
        o.read("events", &mut events, |v, f| {
            let Json::Object(m) = v else {
                return err(f, "an object of rates");
            };
            map_of(m, |r| Rate::from_json(r, f))
        })?;
        for (event, rate) in events.iter() {
            self.events.insert(event.clone(), *rate);
        }
        o.read("budget", &mut self.budget, string)?;
        Ok(())
    }

    /// A product's name, or an object as [`read_into`](Self::read_into).
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        if v.is_string() {
            return Product::from_json(v, f).map(Product::rate_table);
        }
        let mut t = Self::default();
        t.read_into(&Fields::of(v, f)?)?;
        Ok(t)
    }
}

impl RateLimitConfig {
    fn from_json(v: &Json, f: &'static str) -> Result<Self> {
        let o = Fields::of(v, f)?;
        let mut c = Self::default();
        o.read("enabled", &mut c.enabled, boolean)?;
        c.table.read_into(&o)?;
        o.read("namespaces", &mut c.namespaces, |v, f| {
            let Json::Object(m) = v else {
                return err(f, "an object of rate tables");
            };
            map_of(m, |t| RateTable::from_json(t, f))
        })?;
        o.read("maxPause", &mut c.max_pause, uint)?;
        Ok(c)
    }
}

impl ClientConfig {
    /// Reads options from a JSON object with socket.io-client's names
    /// (camelCase). Unknown fields are ignored and missing ones keep their
    /// defaults; `reconnectionAttempts` may be `null` or a number too large
    /// for `u32` (JS `Infinity`) for unlimited.
    ///
    /// # Errors
    /// [`OptionsError`] naming the first field of the wrong type or with an
    /// unknown value, or when `v` is not an object.
    pub fn from_json(v: &Json) -> Result<Self> {
        let mut c = Self::default();
        c.read_fields(&Fields::of(v, "options")?)?;
        Ok(c)
    }

    /// The fields of [`from_json`](Self::from_json), read into `self`.
    /// Separate so that every failed read returns through one place: with
    /// the reads inlined into `from_json`, each `?` carried its own copy of
    /// the config's drop code (0.5 KB gzipped of the browser build).
    fn read_fields(&mut self, o: &Fields<'_>) -> Result<()> {
        let c = self;
        o.read("url", &mut c.url, string)?;
        o.read("path", &mut c.path, string)?;
        o.read("query", &mut c.query, |v, f| {
            let Json::Object(m) = v else {
                return err(f, "an object of strings");
            };
            map_of(m, |s| string(s, f))
        })?;
        o.read("transports", &mut c.transports, |v, f| match v {
            Json::Array(items) => items
                .iter()
                .map(|t| TransportKind::from_json(t, f))
                .collect(),
            _ => err(f, "an array of transports"),
        })?;
        o.read("upgrade", &mut c.upgrade, boolean)?;
        o.read("reconnection", &mut c.reconnection, boolean)?;
        o.read(
            "reconnectionAttempts",
            &mut c.reconnection_attempts,
            |v, f| {
                // Anything at or past u32::MAX (JS `Infinity` arrives as `null`
                // from JSON.stringify, or as a huge number) means unlimited.
                nullable(float)(v, f).map(|n| {
                    n.filter(|n| *n >= 0.0 && *n < f64::from(u32::MAX))
                        .map(|n| n as u32)
                })
            },
        )?;
        o.read("reconnectionDelay", &mut c.reconnection_delay, uint)?;
        o.read("reconnectionDelayMax", &mut c.reconnection_delay_max, uint)?;
        o.read("randomizationFactor", &mut c.randomization_factor, float)?;
        o.read("timeout", &mut c.timeout, uint)?;
        o.read("auth", &mut c.auth, |v, _| {
            Ok((!v.is_null()).then(|| v.clone()))
        })?;
        o.read("ackTimeout", &mut c.ack_timeout, nullable(uint))?;
        o.read("retries", &mut c.retries, uint32)?;
        o.read("roomJoinTimeout", &mut c.room_join_timeout, uint)?;
        o.read("namespaces", &mut c.namespaces, strings)?;
        o.read(
            "reconnectAfterServerDisconnect",
            &mut c.reconnect_after_server_disconnect,
            boolean,
        )?;
        o.read(
            "reconnectAfterRefusal",
            &mut c.reconnect_after_refusal,
            boolean,
        )?;
        o.read("maxBufferedEmits", &mut c.max_buffered_emits, size)?;
        o.read(
            "bufferOverflow",
            &mut c.buffer_overflow,
            OverflowPolicy::from_json,
        )?;
        o.read("maxPendingAcks", &mut c.max_pending_acks, size)?;
        o.read(
            "heartbeat",
            &mut c.heartbeat,
            nullable(HeartbeatConfig::from_json),
        )?;
        o.read("rateLimit", &mut c.rate_limit, RateLimitConfig::from_json)?;
        o.read("authRefreshTimeout", &mut c.auth_refresh_timeout, uint)?;
        o.read("maxAuthFailures", &mut c.max_auth_failures, uint32)?;
        o.read("authErrorPatterns", &mut c.auth_error_patterns, strings)?;
        o.read("recovery", &mut c.recovery, boolean)?;
        o.read("askAuth", &mut c.ask_auth, boolean)?;
        o.read("maxQueuedEvents", &mut c.max_queued_events, size)?;
        o.read("maxQueuedEventBytes", &mut c.max_queued_event_bytes, size)?;
        o.read("maxQueuedTransmits", &mut c.max_queued_transmits, size)?;
        Ok(())
    }
}

/// `Deserialize` through the JSON tree and the readers above, so every
/// format (JSON, TOML, …) follows the same rules as the browser's options.
macro_rules! deserialize_via_json {
    ($($ty:ty => $read:expr;)*) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
                let v = Json::deserialize(d)?;
                $read(&v).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

deserialize_via_json! {
    ClientConfig => ClientConfig::from_json;
    HeartbeatConfig => |v| HeartbeatConfig::from_json(v, "heartbeat");
    HeartbeatMode => |v| HeartbeatMode::from_json(v, "mode");
    RateLimitConfig => |v| RateLimitConfig::from_json(v, "rateLimit");
    Rate => |v| Rate::from_json(v, "rate");
    TransportKind => |v| TransportKind::from_json(v, "transport");
    OverflowPolicy => |v| OverflowPolicy::from_json(v, "bufferOverflow");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_option() {
        let c = ClientConfig::from_json(&json!({
            "url": "https://x", "path": "/io/", "query": {"a": "b"},
            "transports": ["websocket"], "upgrade": false, "reconnection": false,
            "reconnectionAttempts": 5, "reconnectionDelay": 200,
            "reconnectionDelayMax": 800, "randomizationFactor": 0.2, "timeout": 1000,
            "auth": {"token": "t"}, "ackTimeout": 3000, "retries": 2,
            "roomJoinTimeout": 7, "namespaces": ["/a"],
            "reconnectAfterServerDisconnect": true, "reconnectAfterRefusal": false,
            "maxBufferedEmits": 3,
            "bufferOverflow": "dropOldest", "maxPendingAcks": 4,
            "heartbeat": {"interval": 5, "mode": {"type": "ack", "event": "ping"},
                          "window": 6, "namespace": "/h"},
            "rateLimit": {"enabled": false, "default": {"limit": 1, "window": 2},
                          "events": {"e": {"limit": 3, "window": 4}}, "maxPause": 9},
            "authRefreshTimeout": 11, "maxAuthFailures": 12,
            "authErrorPatterns": ["x"], "recovery": false, "askAuth": true,
            "maxQueuedEvents": 13, "maxQueuedEventBytes": 15, "maxQueuedTransmits": 14,
            "withCredentials": true, "forceNew": true
        }))
        .expect("options");
        let mut want = ClientConfig::new("https://x");
        want.path = "/io/".into();
        want.query.insert("a".into(), "b".into());
        want.transports = vec![TransportKind::Websocket];
        want.upgrade = false;
        want.reconnection = false;
        want.reconnection_attempts = Some(5);
        want.reconnection_delay = 200;
        want.reconnection_delay_max = 800;
        want.randomization_factor = 0.2;
        want.timeout = 1000;
        want.auth = Some(json!({"token": "t"}));
        want.ack_timeout = Some(3000);
        want.retries = 2;
        want.room_join_timeout = 7;
        want.namespaces = vec!["/a".into()];
        want.reconnect_after_server_disconnect = true;
        want.reconnect_after_refusal = false;
        want.max_buffered_emits = 3;
        want.buffer_overflow = OverflowPolicy::DropOldest;
        want.max_pending_acks = 4;
        want.heartbeat = Some(HeartbeatConfig {
            interval: 5,
            mode: HeartbeatMode::Ack {
                event: "ping".into(),
            },
            window: 6,
            namespace: "/h".into(),
        });
        want.rate_limit = RateLimitConfig {
            enabled: false,
            table: RateTable {
                default: Some(Rate {
                    limit: 1,
                    window: 2,
                }),
                events: [(
                    "e".to_owned(),
                    Rate {
                        limit: 3,
                        window: 4,
                    },
                )]
                .into(),
                budget: String::new(),
            },
            namespaces: SortedMap::new(),
            max_pause: 9,
        };
        want.auth_refresh_timeout = 11;
        want.max_auth_failures = 12;
        want.auth_error_patterns = vec!["x".into()];
        want.recovery = false;
        want.ask_auth = true;
        want.max_queued_events = 13;
        want.max_queued_event_bytes = 15;
        want.max_queued_transmits = 14;
        assert_eq!(c, want);
    }

    #[test]
    fn rate_tables_by_product_and_namespace() {
        let c = ClientConfig::from_json(&json!({
            "rateLimit": {"product": "omni", "events": {"join_room": {"limit": 5, "window": 1000}},
                          "namespaces": {"/doa": "doa", "/x": {"default": null, "budget": "b"},
                                         "/m": {"product": "marketplace", "budget": "mine"}}}
        }))
        .expect("options");
        let r = &c.rate_limit;
        let mut omni = Product::Omni.rate_table();
        omni.events.insert(
            "join_room".into(),
            Rate {
                limit: 5,
                window: 1000,
            },
        );
        assert_eq!(r.table, omni);
        assert_eq!(r.table_of("/admin"), &omni, "namespaces without a table");
        assert_eq!(r.table_of("/doa"), &Product::Doa.rate_table());
        assert!(r.table_of("/x").is_empty());
        assert_eq!(r.table_of("/x").budget, "b");
        assert_eq!(r.table_of("/m").budget, "mine");
        assert_eq!(
            r.table_of("/m").events,
            Product::Marketplace.rate_table().events
        );
        let e = |v| ClientConfig::from_json(&v).unwrap_err().field;
        assert_eq!(e(json!({"rateLimit": {"product": "chat"}})), "product");
        assert_eq!(
            e(json!({"rateLimit": {"namespaces": {"/a": 3}}})),
            "namespaces"
        );
        assert_eq!(e(json!({"rateLimit": {"namespaces": []}})), "namespaces");
        // Nothing is paced unless asked.
        assert!(ClientConfig::default().rate_limit.table.is_empty());
        assert!(ClientConfig::default().rate_limit.namespaces.is_empty());
    }

    #[test]
    fn omni_heartbeat_and_defaults() {
        let c = ClientConfig::from_json(&json!({
            "heartbeat": {"mode": {"type": "omni", "event": "heartbeat",
                "responseEvent": "heartbeat_response", "version": "1", "platform": "web"}},
            "reconnectionAttempts": null, "ackTimeout": null, "auth": null
        }))
        .expect("options");
        let hb = c.heartbeat.as_ref().expect("heartbeat");
        assert_eq!(hb.mode, HeartbeatMode::omni("1", "web"));
        assert_eq!(hb.interval, HeartbeatConfig::default().interval);
        let defaults = ClientConfig {
            heartbeat: None,
            ..c
        };
        assert_eq!(defaults, ClientConfig::default());
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = |v| ClientConfig::from_json(&v).unwrap_err().field;
        assert_eq!(e(json!([])), "options");
        assert_eq!(e(json!({"timeout": "1"})), "timeout");
        assert_eq!(e(json!({"timeout": 1.5})), "timeout");
        assert_eq!(e(json!({"timeout": null})), "timeout");
        assert_eq!(e(json!({"retries": 5_000_000_000u64})), "retries");
        assert_eq!(e(json!({"transports": ["carrier-pigeon"]})), "transports");
        assert_eq!(e(json!({"query": {"a": 1}})), "query");
        assert_eq!(e(json!({"heartbeat": {"mode": {"type": "x"}}})), "type");
        assert_eq!(e(json!({"heartbeat": {"mode": {"type": "ack"}}})), "event");
        assert_eq!(e(json!({"rateLimit": {"default": {"limit": 1}}})), "window");
        let msg = ClientConfig::from_json(&json!({"upgrade": 1}))
            .unwrap_err()
            .to_string();
        assert_eq!(msg, "invalid option `upgrade`: expected a boolean");
    }

    #[test]
    fn deserialize_uses_the_same_reader() {
        let c: ClientConfig =
            serde_json::from_str(r#"{"reconnectionAttempts":1e300,"transports":["polling"]}"#)
                .expect("options");
        assert_eq!(c.reconnection_attempts, None);
        assert_eq!(c.transports, vec![TransportKind::Polling]);
        let e = serde_json::from_str::<ClientConfig>(r#"{"upgrade":"yes"}"#).unwrap_err();
        assert!(e.to_string().contains("`upgrade`"), "{e}");
        let m: HeartbeatMode = serde_json::from_str(r#"{"type":"ack","event":"p"}"#).unwrap();
        assert_eq!(m, HeartbeatMode::Ack { event: "p".into() });
    }

    /// Every option the config serializes (the names the npm package's
    /// generated `CoreOptions` declares) is one the reader takes: a config
    /// with every field away from its default reads back equal.
    #[test]
    fn every_serialized_option_is_read_back() {
        let mut c = ClientConfig::new("https://h");
        c.path = "/p/".into();
        c.query.insert("k".into(), "v".into());
        c.transports = vec![TransportKind::Websocket];
        c.upgrade = false;
        c.reconnection = false;
        c.reconnection_attempts = Some(3);
        c.reconnection_delay = 1;
        c.reconnection_delay_max = 2;
        c.randomization_factor = 0.25;
        c.timeout = 3;
        c.auth = Some(json!({"token": "t"}));
        c.ack_timeout = Some(4);
        c.retries = 5;
        c.room_join_timeout = 6;
        c.namespaces = vec!["/a".into()];
        c.reconnect_after_server_disconnect = true;
        c.max_buffered_emits = 7;
        c.buffer_overflow = OverflowPolicy::DropOldest;
        c.max_pending_acks = 8;
        c.heartbeat = Some(HeartbeatConfig {
            interval: 9,
            mode: HeartbeatMode::Ack { event: "p".into() },
            window: 10,
            namespace: "/b".into(),
        });
        c.rate_limit = RateLimitConfig::disabled();
        c.rate_limit.max_pause = 11;
        c.auth_refresh_timeout = 12;
        c.max_auth_failures = 13;
        c.auth_error_patterns = vec!["x".into()];
        c.recovery = false;
        c.ask_auth = true;
        c.max_queued_events = 14;
        c.max_queued_transmits = 15;
        let json = serde_json::to_value(&c).expect("serializes");
        assert_eq!(ClientConfig::from_json(&json).expect("reads"), c);
    }
}
