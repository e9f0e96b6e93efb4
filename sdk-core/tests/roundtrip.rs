//! Property tests: every packet the encoders can produce decodes back to
//! itself, and no input at all makes a decoder panic.

use std::borrow::Cow;

use bytes::Bytes;
use omni_socket_core::engineio::{self, Handshake};
use omni_socket_core::socketio::{self, decode_header, Decoded, Decoder, PacketType};
use omni_socket_core::{Limits, Value};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

fn handshake() -> impl Strategy<Value = Handshake> {
    (
        "[A-Za-z0-9_-]{1,24}",
        vec("[a-z]{1,10}", 0..3),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(sid, upgrades, ping_interval, ping_timeout, max_payload)| Handshake {
                sid,
                upgrades,
                ping_interval,
                ping_timeout,
                max_payload,
            },
        )
}

/// Engine.IO packets as they may appear in a polling payload: text never
/// contains the record separator there.
fn eio_packet() -> impl Strategy<Value = engineio::Packet<'static>> {
    let text = "[^\u{1e}]{0,40}";
    prop_oneof![
        handshake().prop_map(engineio::Packet::Open),
        Just(engineio::Packet::Close),
        text.prop_map(|s| engineio::Packet::Ping(Cow::Owned(s))),
        text.prop_map(|s| engineio::Packet::Pong(Cow::Owned(s))),
        text.prop_map(|s| engineio::Packet::Message(Cow::Owned(s))),
        vec(any::<u8>(), 0..64).prop_map(|b| engineio::Packet::Binary(Bytes::from(b))),
        Just(engineio::Packet::Upgrade),
        Just(engineio::Packet::Noop),
    ]
}

/// JSON values with binary leaves. Floats are limited to values whose text
/// form round-trips exactly; object keys are unique.
fn value(binary: bool) -> impl Strategy<Value = Value> {
    let json_leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        (-1000i32..1000)
            .prop_map(|n| Value::Number(serde_json::Number::from_f64(f64::from(n) / 8.0).unwrap())),
        ".{0,12}".prop_map(Value::String),
    ];
    let leaf = if binary {
        prop_oneof![
            4 => json_leaf,
            1 => vec(any::<u8>(), 0..16).prop_map(|b| Value::Binary(Bytes::from(b))),
        ]
        .boxed()
    } else {
        json_leaf.boxed()
    };
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(".{0,8}", inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().filter(|(k, _)| k != "_placeholder").collect()
            )),
        ]
    })
}

fn namespace() -> impl Strategy<Value = String> {
    prop_oneof![Just("/".to_owned()), "/[a-z0-9_/-]{1,12}"]
}

/// Feeds an encoded packet (text frame plus attachments) through a decoder.
fn decode_all(text: &str, attachments: &[Bytes]) -> socketio::Packet<'static> {
    let mut d = Decoder::default();
    let mut out = match d.decode_text(text).unwrap() {
        Decoded::Packet(p) => Some(p.into_owned()),
        Decoded::NeedsAttachments(n) => {
            assert_eq!(n, attachments.len());
            None
        }
    };
    for a in attachments {
        assert!(out.is_none(), "attachment after a complete packet");
        if let Decoded::Packet(p) = d.decode_binary(a.clone()).unwrap() {
            out = Some(p);
        }
    }
    out.expect("packet complete")
}

proptest! {
    #[test]
    fn engineio_text_roundtrip(p in eio_packet()) {
        prop_assume!(!matches!(p, engineio::Packet::Binary(_)));
        let wire = p.encode();
        let limits = Limits { max_packet_size: usize::MAX, ..Limits::default() };
        prop_assert_eq!(engineio::decode_text(&wire, &limits).unwrap(), p);
    }

    #[test]
    fn engineio_payload_roundtrip(packets in vec(eio_packet(), 1..8)) {
        let body = engineio::encode_payload(&packets);
        let limits = Limits { max_packet_size: usize::MAX, ..Limits::default() };
        let decoded: Vec<_> = engineio::decode_payload(&body, &limits)
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(decoded, packets);
    }

    #[test]
    fn socketio_event_roundtrip(
        nsp in namespace(),
        id in proptest::option::of(any::<u64>()),
        name in ".{0,16}",
        args in vec(value(true), 0..4),
    ) {
        let p = socketio::Packet::event_with_values(nsp.clone(), id, &name, &args);
        let decoded = decode_all(&p.encode(), &p.attachments);
        prop_assert_eq!(&decoded, &p);
        let decoded_name = decoded.event_name();
        prop_assert_eq!(decoded_name.as_deref(), Some(name.as_str()));
        let mut expected = vec![Value::String(name)];
        expected.extend(args);
        prop_assert_eq!(decoded.value(&Limits::default()).unwrap(), Value::Array(expected));
    }

    #[test]
    fn socketio_ack_roundtrip(
        nsp in namespace(),
        id in any::<u64>(),
        args in vec(value(true), 0..4),
    ) {
        let p = socketio::Packet::ack_with_values(nsp, id, &args);
        let decoded = decode_all(&p.encode(), &p.attachments);
        prop_assert_eq!(&decoded, &p);
        prop_assert_eq!(decoded.value(&Limits::default()).unwrap(), Value::Array(args));
    }

    #[test]
    fn socketio_control_roundtrip(
        nsp in namespace(),
        kind in 0..3u8,
        obj in btree_map("[a-z]{1,8}", value(false), 0..4),
    ) {
        let json = serde_json::to_string(&Value::Object(obj.into_iter().collect())).unwrap();
        let p = match kind {
            0 => socketio::Packet::connect(nsp, Some(Cow::Owned(json))),
            1 => socketio::Packet::disconnect(nsp),
            _ => socketio::Packet {
                packet_type: PacketType::ConnectError,
                nsp: Cow::Owned(nsp),
                id: None,
                data: Some(Cow::Owned(json)),
                attachments: Vec::new(),
            },
        };
        let wire = p.encode();
        let (decoded, expected) = decode_header(&wire, &Limits::default()).unwrap();
        prop_assert_eq!(expected, 0);
        prop_assert_eq!(decoded, p);
    }

    #[test]
    fn decoders_never_panic_on_text(s in ".{0,200}") {
        let limits = Limits::default();
        let _ = engineio::decode_text(&s, &limits);
        let _ = engineio::decode_payload(&s, &limits).count();
        let _ = decode_header(&s, &limits);
        let mut d = Decoder::default();
        let _ = d.decode_text(&s);
        let _ = Value::reconstruct(&s, &[], &limits);
    }

    #[test]
    fn decoders_never_panic_on_protocol_like_text(
        s in "[0-6]{1,2}[0-9-]{0,3}(/[a-z,]{0,4})?[0-9]{0,3}[\\[\\]{}\",:0-9a-z_ ]{0,40}"
    ) {
        let mut d = Decoder::default();
        if let Ok(Decoded::NeedsAttachments(_)) = d.decode_text(&s) {
            let _ = d.decode_binary(Bytes::from_static(b"x"));
        }
        let _ = engineio::decode_payload(&s, &Limits::default()).count();
    }
}

// Found by the value_reconstruct fuzz target: a long integer literal parsed
// as a float must re-parse to the same float after it is written back out
// (needs serde_json's correctly rounded float parsing).
#[test]
fn float_from_long_integer_roundtrips() {
    let json = "52222222222222222222000113525370092320135253700919737";
    let v = Value::parse_json(json, &Limits::default()).unwrap();
    let (text, _) = v.deconstruct();
    assert_eq!(Value::parse_json(&text, &Limits::default()).unwrap(), v);
}
