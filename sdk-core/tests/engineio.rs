//! Engine.IO v4 codec: decode/encode pairs over wire strings from the
//! published protocol document, plus error cases.

use std::borrow::Cow;

use bytes::Bytes;
use omni_socket_core::engineio::{
    decode_binary, decode_payload, decode_text, encode_payload, Handshake, Packet,
};
use omni_socket_core::{CapacityError, Error, Limits, ProtocolError};

const OPEN: &str = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

fn limits() -> Limits {
    Limits::default()
}

fn handshake() -> Handshake {
    Handshake {
        sid: "lv_VI97HAXpY6yYWAAAC".into(),
        upgrades: vec!["websocket".into()],
        ping_interval: 25000,
        ping_timeout: 20000,
        max_payload: 1_000_000,
    }
}

#[test]
fn packet_decode_open() {
    assert_eq!(decode_text(OPEN, &limits()), Ok(Packet::Open(handshake())));
}

#[test]
fn packet_encode_open() {
    assert_eq!(Packet::Open(handshake()).encode(), OPEN);
}

#[test]
fn packet_decode_open_without_max_payload_uses_default() {
    let p = decode_text(
        r#"0{"sid":"a","upgrades":[],"pingInterval":300,"pingTimeout":200}"#,
        &limits(),
    )
    .unwrap();
    let Packet::Open(h) = p else {
        panic!("not open")
    };
    assert_eq!(h.max_payload, 1_000_000);
    assert_eq!(h.ping_interval, 300);
}

#[test]
fn packet_decode_open_rejects_bad_handshake() {
    for bad in [
        r#"0{"sid":"a"}"#,
        "0",
        "0[]",
        r#"0{"sid":1,"pingInterval":1,"pingTimeout":1}"#,
    ] {
        assert!(
            matches!(
                decode_text(bad, &limits()),
                Err(Error::Protocol(ProtocolError::InvalidHandshake(_)))
            ),
            "{bad}"
        );
    }
}

#[test]
fn packet_decode_simple_types() {
    let cases = [
        ("1", Packet::Close),
        ("2", Packet::Ping(Cow::Borrowed(""))),
        ("3", Packet::Pong(Cow::Borrowed(""))),
        ("2probe", Packet::Ping(Cow::Borrowed("probe"))),
        ("3probe", Packet::Pong(Cow::Borrowed("probe"))),
        ("4hello", Packet::Message(Cow::Borrowed("hello"))),
        ("4", Packet::Message(Cow::Borrowed(""))),
        ("5", Packet::Upgrade),
        ("6", Packet::Noop),
    ];
    for (wire, packet) in cases {
        assert_eq!(decode_text(wire, &limits()).unwrap(), packet, "{wire}");
    }
}

#[test]
fn packet_encode_simple_types() {
    let cases = [
        (Packet::Close, "1"),
        (Packet::Ping(Cow::Borrowed("")), "2"),
        (Packet::Pong(Cow::Borrowed("")), "3"),
        (Packet::Ping(Cow::Borrowed("probe")), "2probe"),
        (Packet::Pong(Cow::Borrowed("probe")), "3probe"),
        (Packet::Message(Cow::Borrowed("hello")), "4hello"),
        (Packet::Upgrade, "5"),
        (Packet::Noop, "6"),
    ];
    for (packet, wire) in cases {
        assert_eq!(packet.encode(), wire);
    }
}

#[test]
fn packet_decode_socketio_message_inside_engineio() {
    assert_eq!(
        decode_text(r#"42["hello",1]"#, &limits()).unwrap(),
        Packet::Message(Cow::Borrowed(r#"2["hello",1]"#))
    );
}

#[test]
fn packet_decode_binary_frame() {
    let p = decode_binary(Bytes::from_static(&[1, 2, 3, 4]), &limits()).unwrap();
    assert_eq!(p, Packet::Binary(Bytes::from_static(&[1, 2, 3, 4])));
}

#[test]
fn packet_decode_errors() {
    assert_eq!(decode_text("", &limits()), Err(ProtocolError::Empty.into()));
    assert_eq!(
        decode_text("7", &limits()),
        Err(ProtocolError::UnknownEngineIoType('7').into())
    );
    assert_eq!(
        decode_text("é", &limits()),
        Err(ProtocolError::UnknownEngineIoType('é').into())
    );
    for (wire, name) in [("1x", "close"), ("5x", "upgrade"), ("6x", "noop")] {
        assert_eq!(
            decode_text(wire, &limits()),
            Err(ProtocolError::UnexpectedData { packet: name }.into())
        );
    }
}

#[test]
fn packet_decode_oversize_is_capacity_error() {
    let small = Limits {
        max_packet_size: 8,
        ..Limits::default()
    };
    assert_eq!(
        decode_text("4123456789", &small),
        Err(CapacityError::PacketTooLarge { size: 10, max: 8 }.into())
    );
    assert!(matches!(
        decode_binary(Bytes::from(vec![0u8; 9]), &small),
        Err(Error::Capacity(CapacityError::PacketTooLarge {
            size: 9,
            max: 8
        }))
    ));
}

// Payload examples from the protocol document: "4hello\x1e4€" and
// "4€\x1ebAQIDBA==" (a text message then the binary message 01 02 03 04).
#[test]
fn payload_decode_text_records() {
    let packets: Vec<_> = decode_payload("4hello\x1e4€", &limits())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        packets,
        vec![
            Packet::Message(Cow::Borrowed("hello")),
            Packet::Message(Cow::Borrowed("€")),
        ]
    );
}

#[test]
fn payload_encode_text_records() {
    let packets = [
        Packet::Message(Cow::Borrowed("hello")),
        Packet::Message(Cow::Borrowed("€")),
    ];
    assert_eq!(encode_payload(&packets), "4hello\x1e4€");
}

#[test]
fn payload_decode_binary_record() {
    let packets: Vec<_> = decode_payload("4€\x1ebAQIDBA==", &limits())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        packets,
        vec![
            Packet::Message(Cow::Borrowed("€")),
            Packet::Binary(Bytes::from_static(&[1, 2, 3, 4])),
        ]
    );
}

#[test]
fn payload_encode_binary_record() {
    let packets = [
        Packet::Message(Cow::Borrowed("€")),
        Packet::Binary(Bytes::from_static(&[1, 2, 3, 4])),
    ];
    assert_eq!(encode_payload(&packets), "4€\x1ebAQIDBA==");
}

#[test]
fn payload_decode_socketio_binary_event_over_polling() {
    // A BINARY_EVENT header and its attachment, as a polling response.
    let body = "451-[\"hello\",{\"_placeholder\":true,\"num\":0}]\x1ebAQIDBA==";
    let packets: Vec<_> = decode_payload(body, &limits())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(packets.len(), 2);
    assert_eq!(
        packets[0],
        Packet::Message(Cow::Borrowed(
            "51-[\"hello\",{\"_placeholder\":true,\"num\":0}]"
        ))
    );
}

#[test]
fn payload_decode_stops_after_first_error() {
    let mut it = decode_payload("4a\x1e9\x1e4b", &limits());
    assert!(it.next().unwrap().is_ok());
    assert_eq!(
        it.next(),
        Some(Err(ProtocolError::UnknownEngineIoType('9').into()))
    );
    assert_eq!(it.next(), None);
}

#[test]
fn payload_decode_errors() {
    assert_eq!(
        decode_payload("", &limits()).collect::<Vec<_>>(),
        vec![Err(ProtocolError::Empty.into())]
    );
    assert_eq!(
        decode_payload("b!!!", &limits()).collect::<Vec<_>>(),
        vec![Err(ProtocolError::InvalidBase64.into())]
    );
    assert_eq!(
        decode_payload("4a\x1e\x1e4b", &limits()).nth(1),
        Some(Err(ProtocolError::Empty.into()))
    );
    // The body has its own bound; each record has the packet bound, a
    // binary one before its base64 is decoded.
    let small = Limits {
        max_packet_size: 4,
        max_polling_body: 12,
        ..Limits::default()
    };
    assert_eq!(
        decode_payload("4a\x1e4b", &small).collect::<Vec<_>>(),
        vec![
            Ok(Packet::Message("a".into())),
            Ok(Packet::Message("b".into()))
        ]
    );
    assert_eq!(
        decode_payload("4abcd\x1e4b", &small).collect::<Vec<_>>(),
        vec![Err(CapacityError::PacketTooLarge { size: 5, max: 4 }.into())]
    );
    assert_eq!(decode_payload("4a\x1e4b\x1e4c\x1e4de", &small).count(), 4);
    assert_eq!(
        decode_payload("4a\x1e4b\x1e4c\x1e4def", &small).collect::<Vec<_>>(),
        vec![Err(
            CapacityError::PacketTooLarge { size: 13, max: 12 }.into()
        )]
    );
    assert_eq!(
        decode_payload("bAQIDBAU=", &small).collect::<Vec<_>>(),
        vec![Err(CapacityError::PacketTooLarge { size: 5, max: 4 }.into())]
    );
    assert_eq!(
        decode_payload("bAQIDBA==", &small).collect::<Vec<_>>(),
        vec![Ok(Packet::Binary(Bytes::from_static(&[1, 2, 3, 4])))]
    );
}
