//! Socket.IO v5 codec: decode/encode pairs over wire strings from the
//! published protocol document, binary reassembly, placeholders and limits.

use std::borrow::Cow;

use bytes::Bytes;
use omni_socket_core::socketio::{decode_header, Decoded, Decoder, Packet, PacketType};
use omni_socket_core::{CapacityError, Error, Limits, ProtocolError, Value};

fn decode(wire: &str) -> Packet<'_> {
    let (p, expected) = decode_header(wire, &Limits::default()).unwrap();
    assert_eq!(expected, 0, "{wire} announces attachments");
    p
}

fn packet<'a>(
    packet_type: PacketType,
    nsp: &'a str,
    id: Option<u64>,
    data: Option<&'a str>,
) -> Packet<'a> {
    Packet {
        packet_type,
        nsp: Cow::Borrowed(nsp),
        id,
        data: data.map(Cow::Borrowed),
        attachments: Vec::new(),
    }
}

/// (wire, packet) pairs straight from the protocol document's examples.
fn vectors() -> Vec<(&'static str, Packet<'static>)> {
    use PacketType::*;
    vec![
        ("0", packet(Connect, "/", None, None)),
        ("0/admin,", packet(Connect, "/admin", None, None)),
        (
            r#"0/admin,{"token":"123"}"#,
            packet(Connect, "/admin", None, Some(r#"{"token":"123"}"#)),
        ),
        (
            r#"0{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
            packet(
                Connect,
                "/",
                None,
                Some(r#"{"sid":"oSO0OpakMV_3jnilAAAA"}"#),
            ),
        ),
        ("1/admin,", packet(Disconnect, "/admin", None, None)),
        ("1", packet(Disconnect, "/", None, None)),
        (
            r#"2["hello",1]"#,
            packet(Event, "/", None, Some(r#"["hello",1]"#)),
        ),
        (
            r#"2/admin,456["project:delete",123]"#,
            packet(
                Event,
                "/admin",
                Some(456),
                Some(r#"["project:delete",123]"#),
            ),
        ),
        (
            r#"3/admin,456[]"#,
            packet(Ack, "/admin", Some(456), Some("[]")),
        ),
        (
            r#"3/admin,13["bar"]"#,
            packet(Ack, "/admin", Some(13), Some(r#"["bar"]"#)),
        ),
        (
            r#"4{"message":"Not authorized"}"#,
            packet(
                ConnectError,
                "/",
                None,
                Some(r#"{"message":"Not authorized"}"#),
            ),
        ),
        (
            r#"4/admin,{"message":"Not authorized"}"#,
            packet(
                ConnectError,
                "/admin",
                None,
                Some(r#"{"message":"Not authorized"}"#),
            ),
        ),
    ]
}

#[test]
fn packet_decode_protocol_vectors() {
    for (wire, expected) in vectors() {
        assert_eq!(decode(wire), expected, "{wire}");
    }
}

#[test]
fn packet_encode_protocol_vectors() {
    for (wire, p) in vectors() {
        assert_eq!(p.encode(), wire);
    }
}

#[test]
fn packet_decode_event_name_and_args() {
    let p = decode(r#"2/admin,456["project:delete",123,{"a":[1]}]"#);
    assert_eq!(p.event_name().as_deref(), Some("project:delete"));
    let args: Vec<_> = p
        .args()
        .unwrap()
        .iter()
        .map(|r| r.get().to_owned())
        .collect();
    assert_eq!(args, vec!["123", r#"{"a":[1]}"#]);
    // Escapes in the name are decoded.
    let p = decode(r#"2["a\"b\u00e9"]"#);
    assert_eq!(p.event_name().as_deref(), Some("a\"bé"));
    assert!(p.args().unwrap().is_empty());
    // Acks have no name; all elements are arguments.
    let p = decode(r#"3/admin,13["bar"]"#);
    assert_eq!(p.event_name(), None);
    assert_eq!(p.args().unwrap().len(), 1);
}

#[test]
fn packet_decode_keeps_raw_json_slice() {
    let wire = r#"2["hello", {"nested": [1, 2.5e3, "x"]} ]"#;
    let p = decode(wire);
    // Data is a slice of the input, not a re-serialised copy.
    let Some(Cow::Borrowed(data)) = p.data else {
        panic!("data should borrow from the input")
    };
    assert_eq!(data, &wire[1..]);
}

#[test]
fn packet_decode_binary_event_with_decoder() {
    let mut d = Decoder::default();
    let header = r#"51-["a",{"_placeholder":true,"num":0}]"#;
    assert_eq!(d.decode_text(header).unwrap(), Decoded::NeedsAttachments(1));
    assert_eq!(d.pending_attachments(), 1);
    let Decoded::Packet(p) = d.decode_binary(Bytes::from_static(&[1, 2, 3])).unwrap() else {
        panic!("complete")
    };
    assert_eq!(p.packet_type, PacketType::BinaryEvent);
    assert_eq!(p.attachments, vec![Bytes::from_static(&[1, 2, 3])]);
    assert_eq!(p.event_name().as_deref(), Some("a"));
    assert_eq!(
        p.value(&Limits::default()).unwrap(),
        Value::Array(vec![
            Value::String("a".into()),
            Value::Binary(Bytes::from_static(&[1, 2, 3]))
        ])
    );
    assert_eq!(d.pending_attachments(), 0);
}

#[test]
fn packet_encode_binary_event() {
    let p = Packet::event_with_values(
        "/",
        None,
        "a",
        &[Value::Binary(Bytes::from_static(&[1, 2, 3]))],
    );
    assert_eq!(p.encode(), r#"51-["a",{"_placeholder":true,"num":0}]"#);
    assert_eq!(p.attachments, vec![Bytes::from_static(&[1, 2, 3])]);
}

#[test]
fn packet_decode_binary_ack_with_namespace_and_nested_placeholders() {
    let header = r#"62-/admin,7[{"files":[{"_placeholder":true,"num":1},{"x":{"_placeholder":true,"num":0}}]}]"#;
    let mut d = Decoder::default();
    assert_eq!(d.decode_text(header).unwrap(), Decoded::NeedsAttachments(2));
    assert_eq!(
        d.decode_binary(Bytes::from_static(b"zero")).unwrap(),
        Decoded::NeedsAttachments(1)
    );
    let Decoded::Packet(p) = d.decode_binary(Bytes::from_static(b"one")).unwrap() else {
        panic!("complete")
    };
    assert_eq!(
        (p.packet_type, &*p.nsp, p.id),
        (PacketType::BinaryAck, "/admin", Some(7))
    );
    let v = p.value(&Limits::default()).unwrap();
    let expected = Value::Array(vec![Value::Object(vec![(
        "files".into(),
        Value::Array(vec![
            Value::Binary(Bytes::from_static(b"one")),
            Value::Object(vec![(
                "x".into(),
                Value::Binary(Bytes::from_static(b"zero")),
            )]),
        ]),
    )])]);
    assert_eq!(v, expected);
}

#[test]
fn packet_encode_binary_ack_with_namespace_and_nested_placeholders() {
    let args = [Value::Object(vec![(
        "files".into(),
        Value::Array(vec![
            Value::Binary(Bytes::from_static(b"zero")),
            Value::Object(vec![(
                "x".into(),
                Value::Binary(Bytes::from_static(b"one")),
            )]),
        ]),
    )])];
    let p = Packet::ack_with_values("/admin", 7, &args);
    assert_eq!(
        p.encode(),
        r#"62-/admin,7[{"files":[{"_placeholder":true,"num":0},{"x":{"_placeholder":true,"num":1}}]}]"#
    );
    assert_eq!(
        p.attachments,
        vec![Bytes::from_static(b"zero"), Bytes::from_static(b"one")]
    );
}

#[test]
fn event_without_binary_stays_plain_event() {
    let p = Packet::event_with_values(
        "/",
        Some(3),
        "hi",
        &[Value::from(serde_json::json!({"a": 1}))],
    );
    assert_eq!(p.encode(), r#"23["hi",{"a":1}]"#);
}

#[test]
fn decoder_rejects_text_while_attachments_pending() {
    let mut d = Decoder::default();
    d.decode_text(r#"52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#)
        .unwrap();
    d.decode_binary(Bytes::from_static(b"x")).unwrap();
    assert_eq!(
        d.decode_text("2[\"b\"]"),
        Err(ProtocolError::UnexpectedText { remaining: 1 }.into())
    );
    // The half packet is gone; the decoder works again.
    assert!(matches!(d.decode_text("2[\"b\"]"), Ok(Decoded::Packet(_))));
}

#[test]
fn decoder_rejects_unexpected_binary() {
    let mut d = Decoder::default();
    assert_eq!(
        d.decode_binary(Bytes::from_static(b"x")),
        Err(ProtocolError::UnexpectedBinary.into())
    );
}

#[test]
fn decoder_reset_drops_partial_packet() {
    let mut d = Decoder::default();
    d.decode_text(r#"51-["a",{"_placeholder":true,"num":0}]"#)
        .unwrap();
    d.reset();
    assert_eq!(d.pending_attachments(), 0);
    assert_eq!(
        d.decode_binary(Bytes::from_static(b"x")),
        Err(ProtocolError::UnexpectedBinary.into())
    );
}

#[test]
fn binary_event_with_zero_attachments_is_complete() {
    let mut d = Decoder::default();
    assert!(matches!(
        d.decode_text(r#"50-["a"]"#),
        Ok(Decoded::Packet(_))
    ));
}

fn decode_err(wire: &str) -> Error {
    decode_header(wire, &Limits::default()).unwrap_err()
}

#[test]
fn packet_decode_grammar_errors() {
    assert_eq!(decode_err(""), ProtocolError::Empty.into());
    assert_eq!(
        decode_err("7"),
        ProtocolError::UnknownSocketIoType('7').into()
    );
    assert_eq!(
        decode_err("x"),
        ProtocolError::UnknownSocketIoType('x').into()
    );
    for wire in ["5[\"a\"]", "5-[\"a\"]", "51[\"a\"]", "5x-[\"a\"]"] {
        assert_eq!(
            decode_err(wire),
            ProtocolError::InvalidAttachmentCount.into(),
            "{wire}"
        );
    }
    assert_eq!(
        decode_err("218446744073709551616[\"a\"]"),
        ProtocolError::InvalidAckId.into()
    );
    assert!(matches!(
        decode_err("2[\"a\""),
        Error::Protocol(ProtocolError::InvalidJson(_))
    ));
    assert!(matches!(
        decode_err("2[\"a\"]x"),
        Error::Protocol(ProtocolError::InvalidJson(_))
    ));
    assert!(matches!(
        decode_err("2/nsp,\u{7f}"),
        Error::Protocol(ProtocolError::InvalidJson(_))
    ));
}

#[test]
fn packet_decode_shape_errors() {
    let cases = [
        ("0[]", "CONNECT"),
        ("0\"tok\"", "CONNECT"),
        ("1{}", "DISCONNECT"),
        ("2", "EVENT"),
        ("2{}", "EVENT"),
        ("2[]", "EVENT"),
        ("2[1,2]", "EVENT"),
        ("3[]", "ACK"),
        ("31{}", "ACK"),
        ("4", "CONNECT_ERROR"),
        ("4[]", "CONNECT_ERROR"),
        ("51-{\"_placeholder\":true,\"num\":0}", "BINARY_EVENT"),
        ("60-[]", "BINARY_ACK"),
    ];
    for (wire, packet) in cases {
        assert!(
            matches!(
                decode_err(wire),
                Error::Protocol(ProtocolError::InvalidPayload { packet: p, .. }) if p == packet
            ),
            "{wire}: {:?}",
            decode_err(wire)
        );
    }
}

#[test]
fn connect_error_may_be_a_string() {
    assert_eq!(decode(r#"4"nope""#).data.as_deref(), Some(r#""nope""#));
}

#[test]
fn packet_decode_bad_placeholders() {
    let cases = [
        r#"51-["a",{"_placeholder":true,"num":1}]"#,
        r#"51-["a",{"_placeholder":true,"num":-1}]"#,
        r#"51-["a",{"_placeholder":true,"num":"0"}]"#,
        r#"51-["a",{"_placeholder":true}]"#,
        r#"52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]"#,
        r#"52-["a",{"_placeholder":true,"num":0}]"#,
        r#"51-["a"]"#,
        r#"51-["a",{"_placeholder":true,"num":1e400}]"#,
    ];
    for wire in cases {
        let err = decode_err(wire);
        assert!(
            matches!(
                err,
                Error::Protocol(
                    ProtocolError::InvalidPlaceholder(_) | ProtocolError::InvalidJson(_)
                )
            ),
            "{wire}: {err:?}"
        );
    }
}

#[test]
fn placeholder_lookalike_is_plain_data_in_non_binary_packet() {
    // Only BINARY_* packets interpret placeholders.
    let p = decode(r#"2["a",{"_placeholder":true,"num":0}]"#);
    assert_eq!(
        p.value(&Limits::default()).unwrap(),
        Value::Array(vec![
            Value::String("a".into()),
            Value::Object(vec![
                ("_placeholder".into(), Value::Bool(true)),
                ("num".into(), Value::Number(0.into())),
            ]),
        ])
    );
    assert_eq!(p.args().unwrap().len(), 1);
}

#[test]
fn limits_are_enforced() {
    let limits = Limits {
        max_packet_size: 64,
        max_polling_body: 256,
        max_attachments: 2,
        max_depth: 3,
    };
    let long = format!("2[\"{}\"]", "x".repeat(80));
    assert!(matches!(
        decode_header(&long, &limits),
        Err(Error::Capacity(CapacityError::PacketTooLarge {
            max: 64,
            ..
        }))
    ));
    assert_eq!(
        decode_header("53-[\"a\"]", &limits),
        Err(CapacityError::TooManyAttachments { count: 3, max: 2 }.into())
    );
    assert_eq!(
        decode_header("599999999999999999999999-[\"a\"]", &limits),
        Err(CapacityError::TooManyAttachments {
            count: usize::MAX,
            max: 2
        }
        .into())
    );
    assert!(decode_header("2[\"a\",[[1]]]", &limits).is_ok());
    assert_eq!(
        decode_header("2[\"a\",[[[1]]]]", &limits),
        Err(CapacityError::TooDeep { max: 3 }.into())
    );
    // Brackets inside strings do not count.
    assert!(decode_header(r#"2["[[[[[{{{{"]"#, &limits).is_ok());
    let mut d = Decoder::new(limits);
    d.decode_text(r#"51-["a",{"_placeholder":true,"num":0}]"#)
        .unwrap();
    assert!(matches!(
        d.decode_binary(Bytes::from(vec![0u8; 65])),
        Err(Error::Capacity(CapacityError::PacketTooLarge {
            size: 65,
            max: 64
        }))
    ));
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    let deep = format!("2[\"a\",{}1{}]", "[".repeat(100_000), "]".repeat(100_000));
    let limits = Limits {
        max_packet_size: 1 << 20,
        ..Limits::default()
    };
    assert_eq!(
        decode_header(&deep, &limits),
        Err(CapacityError::TooDeep { max: 64 }.into())
    );
}

// Found by the socketio_decoder fuzz target: a CONNECT_ERROR has no
// arguments, and asking for them must not be an error.
#[test]
fn args_of_packets_without_arguments_are_empty() {
    for wire in [r#"4{"message":"Not authorized"}"#, r#"0{"sid":"x"}"#, "1"] {
        assert!(decode(wire).args().unwrap().is_empty(), "{wire}");
    }
}

/// Found by the `socketio_decoder` fuzz target: serde_json's validate-only
/// path accepted a number past f64's range, so a "complete" packet then
/// failed to build its value. The decoder must refuse it up front.
#[test]
fn packet_decode_number_out_of_range() {
    for wire in [
        "2[\"bww\",{\"_nm\":0},[{\"_pceh\":3333333e333330}]]".to_owned(),
        "2[\"a\",1e999]".to_owned(),
        "2[\"a\",-1e999]".to_owned(),
        "3[1e400]".to_owned(),
        // No exponent, but too many digits for an f64.
        format!("2[\"a\",1{}]", "0".repeat(400)),
    ] {
        assert!(
            matches!(
                decode_err(&wire),
                Error::Protocol(ProtocolError::InvalidJson(ref m)) if m.contains("number out of range")
            ),
            "{wire}"
        );
    }
    // Large but finite numbers stay valid, and decode to a value.
    let p = decode("2[\"a\",1e308,-1.5e-320,18446744073709551616]");
    p.value(&Limits::default())
        .expect("finite numbers reconstruct");
}

/// The one-pass decode a client uses agrees with decoding and then
/// building the tree, for good input and bad.
#[test]
fn decode_text_parsed_matches_two_passes() {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    let good = [
        r#"2["tick",{"id":1,"data":"x"},[1,2.5,-3],null,true]"#,
        r#"2/admin,7["ev"]"#,
        r#"3/admin,7[{"ok":true},"x"]"#,
        r#"0{"sid":"abc"}"#,
        r#"4{"message":"no"}"#,
        "1",
        r#"51-["bin",{"_placeholder":true,"num":0}]"#,
    ];
    for wire in good {
        let mut two = Decoder::new(limits);
        let mut one = Decoder::new(limits);
        let expected = two.decode_text(wire).unwrap();
        let (got, tree) = one.decode_text_parsed(wire).unwrap();
        assert_eq!(got, expected, "{wire}");
        match (&got, tree) {
            (Decoded::Packet(p), Some(tree)) => {
                assert!(matches!(p.packet_type, PacketType::Event | PacketType::Ack));
                assert_eq!(tree, p.value(&limits).unwrap(), "{wire}");
            }
            (Decoded::Packet(p), None) => assert!(
                !matches!(p.packet_type, PacketType::Event | PacketType::Ack) || p.data.is_none(),
                "{wire}: an event or ack without its tree"
            ),
            (Decoded::NeedsAttachments(_), None) => {}
            (other, Some(_)) => panic!("{wire}: a tree for {other:?}"),
        }
    }
    let bad = [
        r#"2["tick",1e999]"#,
        r#"2["tick",[[[[[1]]]]]]"#,
        // Too deep, and malformed further on: the depth is found first.
        r#"2["tick",[[[[[[[[1}"#,
        // Malformed before it gets too deep.
        r#"2["tick",x,[[[[[[[[1]]]]]]]]]"#,
        r#"2["tick",}"#,
        r#"2[1,2]"#,
        r#"2{"a":1}"#,
        r#"3[1"#,
        r#"3["no id"]"#,
    ];
    for wire in bad {
        let two = Decoder::new(limits).decode_text(wire).unwrap_err();
        let one = Decoder::new(limits).decode_text_parsed(wire).unwrap_err();
        // The same error kind, e.g. `Protocol(InvalidJson` or `Capacity(TooDeep`.
        let kind = |e: &Error| {
            format!("{e:?}")
                .split('(')
                .take(2)
                .collect::<Vec<_>>()
                .join("(")
        };
        assert_eq!(kind(&one), kind(&two), "{wire}: {one} vs {two}");
    }
}
