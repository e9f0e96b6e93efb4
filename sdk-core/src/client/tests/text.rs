//! JSON that crosses the core as text: emit and ack arguments a driver
//! wrote itself (`Args::Json`), auth objects as text (`Auth::Text`), ack
//! answers with `raw_messages` (`Event::RawAck`) and refusal data. None of
//! it is parsed into a tree and written again, so numbers keep every digit
//! (the browser build reads JSON without serde_json's exact float parser).

use crate::prelude::*;
use bytes::Bytes;
use serde_json::json;

use super::util::*;
use crate::client::*;
use crate::socketio::Packet;
use crate::{raw_fields, raw_string, Args};

/// serde_json's fast float parser reads this one unit in the last place
/// off; an exact path must keep its text.
const INEXACT: &str = "31.245270191439438";

fn text_args(text: &str) -> Args {
    Args::json(text, Vec::new()).expect("a JSON array")
}

#[test]
fn args_text_goes_into_the_packet_as_written() {
    let args = text_args(&format!(r#"[{INEXACT},{{"a":"\"q\""}}]"#));
    assert_eq!(
        Packet::event_with_args("/", None, "e\"v", &args).encode(),
        format!(r#"2["e\"v",{INEXACT},{{"a":"\"q\""}}]"#)
    );
    assert_eq!(
        Packet::ack_with_args("/chat", 4, &args).encode(),
        format!(r#"3/chat,4[{INEXACT},{{"a":"\"q\""}}]"#)
    );
    // No arguments, however the array is spaced.
    for empty in ["[]", " [ ] ", "[\n]"] {
        let a = text_args(empty);
        assert!(a.is_empty());
        assert_eq!(
            Packet::event_with_args("/", Some(2), "x", &a).encode(),
            r#"22["x"]"#
        );
        assert_eq!(
            Packet::ack_with_args("/", 2, &a).encode(),
            format!("32{}", empty.trim())
        );
    }
    for not_array in ["", "[", "{}", "1", "\"[]\""] {
        assert_eq!(Args::json(not_array, Vec::new()), None, "{not_array:?}");
    }
    // Attachments make it a BINARY_EVENT numbering them.
    let bin = Args::json(
        r#"[{"_placeholder":true,"num":0}]"#,
        vec![Bytes::from_static(b"\x01")],
    )
    .unwrap();
    let p = Packet::event_with_args("/", None, "up", &bin);
    assert_eq!(p.encode(), r#"51-["up",{"_placeholder":true,"num":0}]"#);
    assert_eq!(p.attachments, vec![Bytes::from_static(b"\x01")]);
}

#[test]
fn client_sends_text_args_on_emit_and_ack() {
    let mut p = Pair::connected();
    let data = Bytes::from_static(b"\x00\xff");
    p.client
        .emit(
            "/",
            "upload",
            Args::json(
                format!(r#"[{INEXACT},{{"_placeholder":true,"num":0}}]"#),
                vec![data.clone()],
            )
            .unwrap(),
            p.now,
        )
        .unwrap();
    p.drive();
    let got = p.server.got.iter().rev().find_map(|(_, g)| match g {
        Got::Event {
            name, args, binary, ..
        } if name == "upload" => Some((args.clone(), binary.clone())),
        _ => None,
    });
    let (args, binary) = got.expect("the server got the event");
    assert_eq!(args[0], json!(31.245270191439438));
    assert_eq!(binary, vec![data]);

    // An ack answer as text.
    p.server_send(r#"42/,9["question"]"#);
    assert!(p.client.ack("/", 9, text_args(r#"[{"n":1.5}]"#), p.now));
    p.drive();
    assert!(p.server.got.iter().any(|(_, g)| *g
        == Got::Ack {
            nsp: "/".into(),
            id: 9,
            args: vec![json!({"n": 1.5})]
        }));
}

#[test]
fn raw_mode_hands_ack_answers_over_as_text() {
    let mut config = Pair::config();
    config.driver.raw_messages = true;
    let mut p = Pair::connected_with(config);
    let request = p
        .client
        .emit_with_ack("/", "ask", text_args("[]"), None, p.now)
        .unwrap();
    p.drive();
    let id = last_ack_id(&p.server, "ask").expect("an ack id");
    let answer = format!(r#"[{INEXACT},{{"_placeholder":true,"num":0}}]"#);
    p.server_send(&format!("461-{id}{answer}"));
    let t = p.active();
    p.client.handle_binary(t, p.now, Bytes::from_static(b"bin"));
    p.drive();
    assert!(
        p.saw(
            |e| matches!(e, Event::RawAck { nsp, request: r, data, attachments }
            if nsp == "/" && *r == request && *data == answer
                && attachments == &vec![Bytes::from_static(b"bin")])
        ),
        "{:?}",
        p.take_events()
    );
    assert!(!p.saw(|e| matches!(e, Event::Ack { .. })));
}

#[test]
fn refusal_data_keeps_its_text() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/admin".into()];
    let mut p = Pair::new(config);
    let data: serde_json::Value = serde_json::from_str(&format!(r#"{{"n":{INEXACT}}}"#)).unwrap();
    p.server.policy.insert(
        "/admin".into(),
        Policy::Reject("no \"admin\"".into(), Some(data)),
    );
    p.client.connect(p.now);
    p.drive();
    let want = format!(r#"{{"n":{INEXACT}}}"#);
    assert!(p.saw(
        |e| matches!(e, Event::ConnectError { nsp, message, data: Some(d), .. }
            if nsp == "/admin" && message == "no \"admin\"" && *d == want)
    ));
}

#[test]
fn refusal_payloads_of_every_shape() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/x".into()];
    for (payload, message, data) in [
        (r#""just text""#, "just text", None),
        (r#"{"message":"m"}"#, "m", None),
        (
            r#"{ "data" : [1, 2] , "message" : "m\u0021" }"#,
            "m!",
            Some("[1, 2]"),
        ),
        (r#"{"message":7,"data":null}"#, "", Some("null")),
    ] {
        let mut p = Pair::new(config.clone());
        p.server.policy.insert("/x".into(), Policy::Ignore);
        p.client.connect(p.now);
        p.drive();
        p.server_send(&format!("44/x,{payload}"));
        assert!(
            p.saw(
                |e| matches!(e, Event::ConnectError { nsp, message: m, data: d, .. }
                if nsp == "/x" && m == message && d.as_deref() == data)
            ),
            "{payload}: {:?}",
            p.take_events()
        );
    }
}

#[test]
fn auth_text_is_sent_as_written() {
    assert_eq!(Auth::from_text(" null "), Some(Auth::None));
    assert_eq!(Auth::from_text("[]"), None);
    assert_eq!(Auth::from_text("\"x\""), None);
    let text = format!(r#"{{"token":"t","n":{INEXACT}}}"#);
    let auth = Auth::from_text(&text).unwrap();
    assert_eq!(auth, Auth::Text(text.clone()));
    assert_eq!(
        auth.to_object().and_then(|m| m.get("token").cloned()),
        Some(json!("t"))
    );

    let mut config = Pair::config();
    config.namespaces = vec!["/".into()];
    let mut p = Pair::new(config);
    p.client.set_auth(auth, AuthApply::NextConnect, p.now);
    p.client.connect(p.now);
    p.drive();
    assert_eq!(
        p.server.connects(),
        vec![(
            "/".into(),
            Some(json!({"token": "t", "n": 31.245270191439438}))
        )]
    );
}

#[test]
fn auth_text_gets_the_recovery_fields_last() {
    let auth = Auth::from_text(r#"{"a":1,"pid":"old"}"#).unwrap();
    assert_eq!(auth.build(None, None).unwrap(), r#"{"a":1,"pid":"old"}"#);
    // The client's pid and offset come after the application's fields, so
    // they are the ones a JSON reader keeps.
    assert_eq!(
        auth.build(Some("p\"1"), Some("o")).unwrap(),
        r#"{"a":1,"pid":"old","pid":"p\"1","offset":"o"}"#
    );
    let empty = Auth::from_text("{ }").unwrap();
    assert_eq!(empty.build(Some("p"), None).unwrap(), r#"{"pid":"p"}"#);
}

#[test]
fn raw_fields_read_an_object_without_rewriting_values() {
    let json = format!(
        " {{ \"a\" : {INEXACT} ,\"b\\u0021\":{{\"x\":[1,{{}}]}},\"c\":\"s\\\"\", \"d\":null}} "
    );
    let fields = raw_fields(&json).unwrap();
    let names: Vec<_> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["a", "b!", "c", "d"]);
    assert_eq!(fields[0].1, INEXACT);
    assert_eq!(fields[1].1, r#"{"x":[1,{}]}"#);
    assert_eq!(raw_string(fields[2].1).as_deref(), Some("s\""));
    assert_eq!(raw_string(fields[3].1), None);
    assert_eq!(raw_fields("{}"), Some(Vec::new()));
    for bad in [
        "",
        "[]",
        "{",
        r#"{"a"}"#,
        r#"{"a":1,}"#,
        r#"{"a":1} x"#,
        r#"{1:2}"#,
        r#"{"a":1 "b":2}"#,
    ] {
        assert_eq!(raw_fields(bad), None, "{bad:?}");
    }
}
