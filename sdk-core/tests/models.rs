//! The typed event models against the seeds' payload examples.
//!
//! Every file under `tests/fixtures/<product>/<direction>/` is the data of
//! one EVENT packet, `["name", payload]`, transcribed by hand from an example
//! in `../shared/seeds/`. Each must decode into a known (not `Unknown`)
//! variant of its product's enum and re-encode to the same JSON.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use omni_socket_core::models::{
    deployments, doa, fama, marketplace, omni, DecodeError, Event, UnknownEvent,
};
use omni_socket_core::socketio::{self, Decoded, Packet};
use omni_socket_core::Limits;
use serde_json::value::RawValue;

/// What the fixture walk needs from a product's event enum.
trait Model: Sized + std::fmt::Debug {
    const NAMES: &'static [&'static str];
    fn decode(name: &str, args: &[&RawValue]) -> Result<Self, DecodeError>;
    fn data(&self) -> String;
    fn unknown(&self) -> Option<&UnknownEvent>;
    fn event_name(&self) -> &str;
}

macro_rules! model {
    ($($Enum:ty),* $(,)?) => {$(
        impl Model for $Enum {
            const NAMES: &'static [&'static str] = <$Enum>::NAMES;
            fn decode(name: &str, args: &[&RawValue]) -> Result<Self, DecodeError> {
                <$Enum>::decode(name, args)
            }
            fn data(&self) -> String {
                self.to_event_data().unwrap()
            }
            fn unknown(&self) -> Option<&UnknownEvent> {
                match self {
                    Self::Unknown(u) => Some(u),
                    _ => None,
                }
            }
            fn event_name(&self) -> &str {
                self.name()
            }
        }
    )*};
}

model!(
    omni::OmniServerEvent,
    omni::OmniClientEvent,
    deployments::DeploymentsServerEvent,
    deployments::DeploymentsClientEvent,
    doa::DoaServerEvent,
    doa::DoaClientEvent,
    fama::FamaServerEvent,
    fama::FamaClientEvent,
    marketplace::MarketplaceServerEvent,
    marketplace::MarketplaceClientEvent,
);

fn fixture_dir(product: &str, direction: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(product)
        .join(direction)
}

fn read_fixtures(product: &str, direction: &str) -> Vec<(String, String)> {
    let dir = fixture_dir(product, direction);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    out.sort();
    out
}

/// Decodes and re-encodes every fixture of one product direction; returns
/// the event names covered.
fn round_trip_all<M: Model>(product: &str, direction: &str) -> BTreeSet<String> {
    let mut covered = BTreeSet::new();
    for (file, text) in read_fixtures(product, direction) {
        let where_ = format!("{product}/{direction}/{file}");
        // Through the real codec, as a driver would receive it.
        let frame = format!("2{}", text.trim());
        let packet = match socketio::Decoder::new(Limits::default()).decode_text(&frame) {
            Ok(Decoded::Packet(p)) => p,
            other => panic!("{where_}: not a complete packet: {other:?}"),
        };
        let name = packet.event_name().expect("fixture names its event");
        let args = packet.args().unwrap();
        let event = M::decode(&name, &args).unwrap_or_else(|e| panic!("{where_}: {e}"));
        assert!(
            event.unknown().is_none(),
            "{where_}: {name} decoded as an unknown event"
        );
        assert_eq!(event.event_name(), name, "{where_}");
        let again: serde_json::Value = serde_json::from_str(&event.data()).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        // The tree a driver reads typed events from gives the same JSON.
        let tree = packet.value(&Limits::default()).unwrap();
        let through_tree: serde_json::Value = tree
            .deserialize_into()
            .unwrap_or_else(|e| panic!("{where_}: {e}"));
        assert_eq!(
            through_tree, expected,
            "{where_}: Value tree reads differently"
        );
        assert_eq!(again, expected, "{where_}: re-encoded JSON differs");
        covered.insert(name.into_owned());
    }
    covered
}

/// Checks the fixtures of a direction and that every modelled event has one,
/// except the listed ones the seed names without showing a payload.
fn check<M: Model>(product: &str, direction: &str, without_example: &[&str]) -> usize {
    let covered = round_trip_all::<M>(product, direction);
    for name in M::NAMES {
        if without_example.contains(name) {
            assert!(
                !covered.contains(*name),
                "{product}/{direction}: {name} has a fixture now; drop it from the list"
            );
        } else {
            assert!(
                covered.contains(*name),
                "{product}/{direction}: no fixture for {name}"
            );
        }
    }
    read_fixtures(product, direction).len()
}

#[test]
fn omni_fixtures_round_trip() {
    // `real_time_stats` is only passed on to a dashboard in the seed.
    assert_eq!(
        check::<omni::OmniServerEvent>("omni", "server", &["real_time_stats"]),
        22
    );
    assert_eq!(check::<omni::OmniClientEvent>("omni", "client", &[]), 9);
}

#[test]
fn deployments_fixtures_round_trip() {
    // `error` is only logged in the seed.
    assert_eq!(
        check::<deployments::DeploymentsServerEvent>("deployments", "server", &["error"]),
        4
    );
    assert_eq!(
        check::<deployments::DeploymentsClientEvent>("deployments", "client", &[]),
        2
    );
}

#[test]
fn doa_fixtures_round_trip() {
    assert_eq!(check::<doa::DoaServerEvent>("doa", "server", &[]), 6);
    assert_eq!(check::<doa::DoaClientEvent>("doa", "client", &[]), 4);
}

#[test]
fn fama_fixtures_round_trip() {
    assert_eq!(check::<fama::FamaServerEvent>("fama", "server", &[]), 2);
    assert_eq!(check::<fama::FamaClientEvent>("fama", "client", &[]), 0);
}

#[test]
fn marketplace_fixtures_round_trip() {
    // The seed emits `dispute_typing` but only shows the server's
    // `order_typing` relay.
    assert_eq!(
        check::<marketplace::MarketplaceServerEvent>("marketplace", "server", &["dispute_typing"]),
        7
    );
    assert_eq!(
        check::<marketplace::MarketplaceClientEvent>("marketplace", "client", &[]),
        8
    );
}

fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).unwrap()
}

#[test]
fn decoded_fields_land_where_the_seed_puts_them() {
    let args = [raw(
        r#"{"server_timestamp":1642248000000,"latency":45.5,"status":"healthy"}"#,
    )];
    let args: Vec<&RawValue> = args.iter().map(|a| &**a).collect();
    match omni::OmniServerEvent::decode("heartbeat_response", &args).unwrap() {
        omni::OmniServerEvent::HeartbeatResponse(r) => {
            assert_eq!(r.server_timestamp, 1_642_248_000_000);
            assert!((r.latency - 45.5).abs() < f64::EPSILON);
            assert_eq!(r.status, "healthy");
        }
        other => panic!("{other:?}"),
    }

    let packet = Packet::event(
        "/",
        None,
        r#"["error",{"message":"Authentication failed: Token expired"}]"#.into(),
    );
    match fama::FamaServerEvent::from_packet(&packet).unwrap() {
        fama::FamaServerEvent::Error(e) => assert!(e.is_token_expired()),
        other => panic!("{other:?}"),
    }
    let other_error = fama::Error {
        message: "User not found".into(),
    };
    assert!(!other_error.is_token_expired());

    let packet = Packet::event("/", None, r#"["deployment:subscribe","dep-1"]"#.into());
    assert_eq!(
        deployments::DeploymentsClientEvent::from_packet(&packet).unwrap(),
        deployments::DeploymentsClientEvent::Subscribe(deployments::DeploymentSubscribe(
            "dep-1".into()
        ))
    );
}

#[test]
fn same_name_different_products_have_their_own_types() {
    let omni_json = r#"{"id":"n1","type":"t","title":"T","message":"m","priority":"low","created_at":"2024-01-15T10:30:00.000Z"}"#;
    let market_json = r#"{"content":"hello"}"#;
    let o = raw(omni_json);
    let m = raw(market_json);

    assert!(matches!(
        omni::OmniServerEvent::decode("notification", &[&o]).unwrap(),
        omni::OmniServerEvent::Notification(_)
    ));
    assert!(matches!(
        marketplace::MarketplaceServerEvent::decode("notification", &[&m]).unwrap(),
        marketplace::MarketplaceServerEvent::Notification(_)
    ));
    // Each product's shape is not the other's.
    assert!(omni::OmniServerEvent::decode("notification", &[&m]).is_err());

    let fama_error = raw(r#"{"message":"Token expired"}"#);
    // Omni's `error` needs a code, FAMA's does not.
    assert!(omni::OmniServerEvent::decode("error", &[&fama_error]).is_err());
    assert!(fama::FamaServerEvent::decode("error", &[&fama_error]).is_ok());
    assert_eq!(<omni::Error as Event>::NAME, <fama::Error as Event>::NAME);
}

#[test]
fn unknown_events_pass_through_as_raw_json() {
    let packet = Packet::event(
        "/",
        Some(7),
        r#"["custom:thing",{"a":[1,2]},"second",3]"#.into(),
    );
    for decoded in [
        omni::OmniServerEvent::from_packet(&packet)
            .unwrap()
            .name()
            .to_owned(),
        doa::DoaServerEvent::from_packet(&packet)
            .unwrap()
            .name()
            .to_owned(),
    ] {
        assert_eq!(decoded, "custom:thing");
    }
    let event = marketplace::MarketplaceServerEvent::from_packet(&packet).unwrap();
    let marketplace::MarketplaceServerEvent::Unknown(unknown) = &event else {
        panic!("{event:?}");
    };
    assert_eq!(unknown.args.len(), 3);
    assert_eq!(unknown.args[0].get(), r#"{"a":[1,2]}"#);
    assert_eq!(unknown.arg::<u32>(2).unwrap().unwrap(), 3);
    assert_eq!(
        event.to_event_data().unwrap(),
        r#"["custom:thing",{"a":[1,2]},"second",3]"#
    );

    // An event known to one product is unknown to another.
    let packet = Packet::event("/", None, r#"["connected",{"message":"hi"}]"#.into());
    assert!(matches!(
        omni::OmniServerEvent::from_packet(&packet).unwrap(),
        omni::OmniServerEvent::Unknown(_)
    ));
}

#[test]
fn unknown_fields_are_tolerated() {
    let a = raw(r#"{"room":"user_1","members":3,"extra":{"x":null}}"#);
    match omni::OmniServerEvent::decode("room_left", &[&a]).unwrap() {
        omni::OmniServerEvent::RoomLeft(left) => assert_eq!(left.room, "user_1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_shapes_are_errors_not_panics() {
    let cases: [(&str, &str); 8] = [
        ("room_joined", r#"{"room":"r"}"#),
        (
            "room_joined",
            r#"{"room":"r","type":"user","members_count":-1}"#,
        ),
        ("heartbeat_response", r#""healthy""#),
        (
            "heartbeat_response",
            r#"{"server_timestamp":"soon","latency":1,"status":"ok"}"#,
        ),
        (
            "system_status",
            r#"{"status":"ok","services":[],"load":{},"timestamp":"t"}"#,
        ),
        (
            "license_updated",
            r#"{"license_key":"k","changes":{"status":{"old":1}}}"#,
        ),
        ("authenticated", r#"{"permissions":"read"}"#),
        ("notification", "null"),
    ];
    for (name, json) in cases {
        let a = raw(json);
        let err = omni::OmniServerEvent::decode(name, &[&a]).unwrap_err();
        assert!(
            matches!(&err, DecodeError::InvalidPayload { event, .. } if event == name),
            "{name} {json}: {err:?}"
        );
    }
    for (name, json) in [
        ("join_conversation", r#""123""#),
        ("typing", r#"{"conversationId":123}"#),
        ("mark_read", r#"{"messageId":7}"#),
    ] {
        let a = raw(json);
        assert!(doa::DoaClientEvent::decode(name, &[&a]).is_err(), "{name}");
    }
    let bare = raw(r#"{"id":"dep"}"#);
    assert!(
        deployments::DeploymentsClientEvent::decode("deployment:subscribe", &[&bare]).is_err(),
        "the subscribe payload is a bare string"
    );

    // A known event without its payload.
    assert_eq!(
        fama::FamaServerEvent::decode("connected", &[]).unwrap_err(),
        DecodeError::MissingPayload {
            event: "connected".into()
        }
    );
    // Not an event at all.
    let ack = Packet::ack("/", 3, "[]".into());
    assert_eq!(
        omni::OmniServerEvent::from_packet(&ack).unwrap_err(),
        DecodeError::NotAnEvent
    );
}

#[test]
fn client_events_encode_to_packet_data() {
    let data = omni::JoinRoom::license("OMNI-PREM-ABCD-1234-EFGH")
        .to_event_data()
        .unwrap();
    assert_eq!(
        data,
        r#"["join_room",{"room":"license_OMNI-PREM-ABCD-1234-EFGH","type":"license"}]"#
    );
    let frame = Packet::event("/", None, data.into()).encode();
    assert!(frame.starts_with("2[\"join_room\""));

    let heartbeat = omni::Heartbeat {
        timestamp: 1_705_314_600_000,
        client_info: None,
    };
    assert_eq!(
        heartbeat.to_args_json().unwrap(),
        r#"[{"timestamp":1705314600000}]"#
    );

    let sub = deployments::DeploymentSubscribe("dep-1".into());
    assert_eq!(
        sub.to_event_data().unwrap(),
        r#"["deployment:subscribe","dep-1"]"#
    );
    let join = doa::JoinConversation(123);
    assert_eq!(
        join.to_event_data().unwrap(),
        r#"["join_conversation",123]"#
    );

    let via_enum =
        marketplace::MarketplaceClientEvent::OrderMessage(marketplace::SendOrderMessage {
            order_id: "o1".into(),
            content: "hi".into(),
            attachments: None,
        });
    assert_eq!(via_enum.name(), "order_message");
    assert_eq!(
        via_enum.to_event_data().unwrap(),
        r#"["order_message",{"orderId":"o1","content":"hi"}]"#
    );
}

#[test]
fn room_helpers_build_the_seed_names() {
    assert_eq!(
        omni::license_room("OMNI-PREM-ABCD-1234-EFGH"),
        "license_OMNI-PREM-ABCD-1234-EFGH"
    );
    assert_eq!(omni::user_room("12345"), "user_12345");
    assert_eq!(omni::user_room("user_12345"), "user_12345");
    assert_eq!(omni::ADMIN_DASHBOARD_ROOM, "admin_dashboard");
    assert_eq!(omni::JoinRoom::admin().room, "admin_dashboard");
    assert_eq!(omni::JoinRoom::user("7").kind.as_deref(), Some("user"));

    assert_eq!(doa::user_room(42), "user:42");
    assert_eq!(doa::conversation_room(123), "conversation:123");
    assert_eq!(doa::ADMIN_ROOM, "admin");

    assert_eq!(fama::user_room(5), "user_5");
    assert_eq!(fama::FamaAuth::bearer("abc").token, "Bearer abc");

    assert_eq!(deployments::deployment_key("d1"), "deployment:d1");
    assert_eq!(marketplace::order_chat_room("o1"), "order:o1");
    assert_eq!(marketplace::dispute_chat_room("d1"), "dispute:d1");
}

#[test]
fn auth_objects_serialize_like_the_seeds() {
    let auth = omni::OmniAuth {
        token: Some("jwt-token".into()),
        license_key: Some("license-key".into()),
        role: None,
    };
    assert_eq!(
        serde_json::to_string(&auth).unwrap(),
        r#"{"token":"jwt-token","license_key":"license-key"}"#
    );
    let admin: omni::OmniAuth =
        serde_json::from_str(r#"{"token":"admin-jwt-token","role":"admin"}"#).unwrap();
    assert_eq!(admin.role.as_deref(), Some("admin"));
    assert_eq!(
        serde_json::to_string(&fama::FamaAuth::bearer("t")).unwrap(),
        r#"{"token":"Bearer t"}"#
    );
}
