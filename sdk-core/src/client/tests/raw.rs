//! `raw_messages`: server events arrive as their JSON text, and the client
//! still reads the arguments it needs itself (rooms, heartbeat, pauses).

use crate::prelude::*;
use bytes::Bytes;
use serde_json::json;

use super::util::*;
use crate::client::*;

fn raw() -> Pair {
    let mut config = Pair::config();
    config.driver.raw_messages = true;
    config.heartbeat = Some(HeartbeatConfig {
        interval: 10_000,
        mode: HeartbeatMode::omni("1.0.0", "web"),
        window: 4,
        namespace: "/".into(),
    });
    Pair::connected_with(config)
}

#[test]
fn events_come_as_text_with_ack_and_attachments() {
    let mut p = raw();
    p.server_send("42/,7[\"tick\",{\"id\":1,\"s\":\"a\\\"b\"}]");
    p.server_send("451-[\"file\",{\"_placeholder\":true,\"num\":0}]");
    let id = p.active();
    p.client
        .handle_binary(id, p.now, Bytes::from_static(b"\x01\x02"));
    p.drive();
    assert!(!p.saw(|e| matches!(e, Event::Message { .. })));
    assert!(p.saw(
        |e| matches!(e, Event::RawMessage { nsp, event, data, ack: Some(7), attachments }
        if nsp == "/" && event == "tick" && data == "[\"tick\",{\"id\":1,\"s\":\"a\\\"b\"}]"
            && attachments.is_empty())
    ));
    assert!(p.saw(
        |e| matches!(e, Event::RawMessage { event, data, ack: None, attachments, .. }
        if event == "file" && data == "[\"file\",{\"_placeholder\":true,\"num\":0}]"
            && attachments == &vec![Bytes::from_static(b"\x01\x02")])
    ));
    // The server's ack request is still answerable.
    assert!(p.client.ack("/", 7, vec![v(json!("ok"))], p.now));
}

#[test]
fn client_still_reads_what_it_needs() {
    let mut p = raw();
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    p.server_emit("/", "room_joined", json!([{"room": "user_1"}]));
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);

    p.advance(25);
    p.server_emit(
        "/",
        "heartbeat_response",
        json!([{"server_timestamp": 1, "latency": 7, "status": "healthy"}]),
    );
    assert_eq!(p.client.latency().last, 25);
    assert_eq!(p.client.server_status(), Some("healthy"));

    p.server_emit(
        "/",
        "rate_limited",
        json!([{"event": "chat", "retry_after": 2}]),
    );
    assert!(p.saw(
        |e| matches!(e, Event::RateLimited { event, retry_after: 2_000, .. } if event == "chat")
    ));
    // Each of those events reached the application too, as text.
    for name in ["room_joined", "heartbeat_response", "rate_limited"] {
        assert!(p.saw(|e| matches!(e, Event::RawMessage { event, .. } if event == name)));
    }
}

#[test]
fn recovery_offsets_are_read_from_raw_events() {
    let mut config = Pair::config();
    config.driver.raw_messages = true;
    let mut p = Pair::new(config);
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    p.server_emit("/", "msg", json!(["hello", "off-1"]));
    assert_eq!(p.client.recovery_state("/"), Some(("pid-1", Some("off-1"))));
    assert!(p.saw(|e| matches!(e, Event::RawMessage { data, .. }
        if data == r#"["msg","hello","off-1"]"#)));
}

fn driver_parses() -> Pair {
    let mut config = Pair::config();
    config.driver.raw_messages = true;
    config.driver.parses_events = true;
    config.reconnection = false;
    Pair::connected_with(config)
}

fn parse_error_close(p: &Pair) -> bool {
    p.saw(|e| matches!(e, Event::ProtocolError(_)))
        && p.saw(|e| {
            matches!(
                e,
                Event::Disconnect {
                    reason: DisconnectReason::ParseError,
                    ..
                }
            )
        })
        && p.client.state() == ConnectionState::Idle
        && matches!(p.actions.last(), Some(TransportAction::Close { .. }))
}

#[test]
fn a_driver_that_parses_events_gets_their_text_unchecked_and_rejects_it() {
    let mut p = driver_parses();
    p.take_events();
    // Past its name the text is the driver's to check.
    p.server_send("42[\"tick\",{]");
    assert!(p.saw(|e| matches!(e, Event::RawMessage { event, data, .. }
        if event == "tick" && data == "[\"tick\",{]")));
    assert!(!p.saw(|e| matches!(e, Event::ProtocolError(_))));
    assert_eq!(p.client.state(), ConnectionState::Open);
    // Its JSON.parse fails: the same error and close as a bad packet.
    p.client.reject_message(p.now, "Unexpected token ]");
    p.drive();
    assert!(parse_error_close(&p), "{:?}", p.events);
    // Without a session there is nothing to close.
    let before = p.events.len();
    p.client.reject_message(p.now, "late");
    p.drive();
    assert_eq!(p.events.len(), before);
}

#[test]
fn a_driver_that_parses_events_still_gets_checked_names_acks_and_binaries() {
    // Each of these is caught by the client itself: the name it reads, the
    // ACKs and binary packets it does not leave to the driver, and the
    // arguments of events it answers.
    for bad in [
        "42{\"a\":1}",
        "42[1,2]",
        "42[\"ti\\q\"]",
        "43[1,{]",
        "451-[\"file\",{]",
        "42[\"rate_limited\",{\"event\":]",
    ] {
        let mut p = driver_parses();
        p.take_events();
        p.server_send(bad);
        assert!(parse_error_close(&p), "{bad}: {:?}", p.events);
        assert!(
            !p.saw(|e| matches!(e, Event::RawMessage { .. })),
            "{bad} delivered"
        );
    }
    // Valid events are delivered as before.
    let mut p = driver_parses();
    p.server_emit("/", "tick", json!([{"id": 1, "s": "a\"b"}]));
    assert!(p.saw(|e| matches!(e, Event::RawMessage { event, data, .. }
        if event == "tick" && data == r#"["tick",{"id":1,"s":"a\"b"}]"#)));
}

#[test]
fn an_event_the_client_does_not_read_is_lent_from_its_frame() {
    let mut config = Pair::config();
    config.driver.raw_messages = true;
    config.namespaces = vec!["/".into(), "/admin".into()];
    let mut p = Pair::connected_with(config);
    assert!(p.client.is_connected("/admin"));
    p.take_events();
    let id = p.active();

    let frame = "42/admin,7[\"tick\",{\"s\":\"a\\\"b\"}]";
    let ev = p.client.handle_text_event(id, p.now, frame).expect("lent");
    assert_eq!(ev.nsp, "/admin");
    assert_eq!(ev.data, "[\"tick\",{\"s\":\"a\\\"b\"}]");
    // A slice of the frame, not a copy.
    assert!(std::ptr::eq(ev.data.as_ptr(), frame[10..].as_ptr()));
    assert_eq!(ev.start, 10);
    assert_eq!(ev.ack, Some(7));
    assert_eq!(ev.event(), "tick");
    assert!(
        matches!(ev.to_event(), Event::RawMessage { nsp, event, data, ack: Some(7), attachments }
        if nsp == "/admin" && event == "tick" && data == frame[10..] && attachments.is_empty())
    );
    // Nothing queued for it, and the server's request is answerable.
    assert_eq!(p.client.queue_lengths().2, 0);
    assert!(p.client.ack("/admin", 7, vec![], p.now));
    p.drive();

    // What the client reads itself, what it cannot lend, and what is not
    // an event are queued as with `handle_text`.
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    p.take_events();
    for frame in [
        "42[\"room_joined\",{\"room\":\"user_1\"}]",
        "451-[\"file\",{\"_placeholder\":true,\"num\":0}]",
        "43/admin,99[1]",
        "41/admin,",
    ] {
        assert!(
            p.client.handle_text_event(id, p.now, frame).is_none(),
            "{frame}"
        );
        if frame.starts_with("45") {
            p.client
                .handle_binary(id, p.now, Bytes::from_static(b"\x01"));
        }
    }
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::RawMessage { event, .. } if event == "room_joined")));
    assert!(
        p.saw(|e| matches!(e, Event::RawMessage { event, attachments, .. }
        if event == "file" && attachments.len() == 1))
    );
    assert!(p.saw(|e| matches!(e, Event::Disconnect { nsp, .. } if nsp == "/admin")));
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
}

#[test]
fn without_raw_messages_nothing_is_lent() {
    let mut p = Pair::connected_with(Pair::config());
    p.take_events();
    let id = p.active();
    assert!(p
        .client
        .handle_text_event(id, p.now, "42[\"tick\",1]")
        .is_none());
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::Message { event, .. } if event == "tick")));
}

fn lends_unchecked() -> Pair {
    let mut config = Pair::config();
    config.driver.raw_messages = true;
    config.reconnection = false;
    config.namespaces = vec!["/".into(), "/admin".into()];
    Pair::connected_with(config)
}

/// Feeds `frame` as the native driver does, through
/// `handle_text_event_unchecked`: a lent event is checked before anything
/// else; returns the lent text.
fn feed_checking(p: &mut Pair, frame: &str) -> Option<String> {
    let id = p.active();
    let data = p
        .client
        .handle_text_event_unchecked(id, p.now, frame)
        .map(|e| e.data.to_owned());
    if let Some(d) = &data {
        p.client.check_lent_event(p.now, d);
    }
    p.drive();
    data
}

fn protocol_errors(p: &Pair) -> Vec<String> {
    p.events
        .iter()
        .filter_map(|e| match e {
            Event::ProtocolError(err) => Some(err.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_lent_event_comes_unchecked_and_the_driver_check_closes_as_the_client_would() {
    let mut p = lends_unchecked();
    p.take_events();
    let id = p.active();
    let frame = "42[\"tick\",{]";
    let data = p
        .client
        .handle_text_event_unchecked(id, p.now, frame)
        .map(|e| e.data.to_owned())
        .expect("lent");
    assert_eq!(data, "[\"tick\",{]");
    p.drive();
    // Nothing said yet: the text is the driver's to check.
    assert!(protocol_errors(&p).is_empty());
    assert_eq!(p.client.state(), ConnectionState::Open);
    assert!(!p.client.check_lent_event(p.now, &data));
    p.drive();
    assert!(parse_error_close(&p), "{:?}", p.events);

    // A valid one passes and changes nothing.
    let mut p = lends_unchecked();
    p.take_events();
    let data = feed_checking(&mut p, "42[\"tick\",{\"id\":1}]").expect("lent");
    assert_eq!(data, "[\"tick\",{\"id\":1}]");
    assert!(p.client.check_lent_event(p.now, &data));
    assert!(protocol_errors(&p).is_empty());
    assert_eq!(p.client.state(), ConnectionState::Open);
}

#[test]
fn with_lent_events_checked_by_the_driver_every_bad_frame_gets_the_same_error() {
    // Lent, not lent (the client reads it, another namespace, an ack, a
    // binary event), and a name the client cannot read: each must close
    // with the error the client gives when it checks everything itself.
    let deep = format!("42[\"tick\",{}{}]", "[".repeat(70), "]".repeat(70));
    let bad: Vec<String> = [
        "42[\"tick\",{]",
        "42[\"tick\",1e999]",
        "42[\"tick\",\"\\ud800\"]",
        "42[\"tick\",1] x",
        "42[\"ti\\q\",1]",
        "42[\"room_joined\",{\"room\":]",
        "42/admin,[\"tick\",{]",
        "42/other,[\"tick\",{]",
        "43[1,{]",
        "42{\"a\":1}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([deep])
    .collect();
    for frame in &bad {
        let mut checked = {
            let mut config = Pair::config();
            config.driver.raw_messages = true;
            config.reconnection = false;
            config.namespaces = vec!["/".into(), "/admin".into()];
            Pair::connected_with(config)
        };
        checked.take_events();
        checked.server_send(frame);
        let expected = protocol_errors(&checked);
        assert_eq!(expected.len(), 1, "{frame}: {:?}", checked.events);

        let mut p = lends_unchecked();
        p.take_events();
        feed_checking(&mut p, frame);
        assert_eq!(protocol_errors(&p), expected, "{frame}");
        assert!(parse_error_close(&p), "{frame}: {:?}", p.events);
        assert!(
            !p.saw(|e| matches!(e, Event::RawMessage { .. })),
            "{frame} delivered"
        );
    }
}

#[test]
fn events_before_and_after_a_lent_one_keep_their_order() {
    let mut p = lends_unchecked();
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    p.take_events();
    let id = p.active();
    // The client reads `room_joined` itself, so it is queued; the `tick`
    // after it is lent and comes after it.
    p.client.handle_text(
        id,
        p.now,
        "42[\"room_joined\",{\"room\":\"user_1\",\"type\":\"user\"}]",
    );
    let lent = p
        .client
        .handle_text_event_unchecked(id, p.now, "42[\"tick\",2]")
        .map(|e| e.data.to_owned())
        .expect("lent");
    assert!(p.client.check_lent_event(p.now, &lent));
    let queued: Vec<String> = core::iter::from_fn(|| p.client.poll_event())
        .filter_map(|e| match e {
            Event::RawMessage { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    assert_eq!(queued, ["room_joined"]);
    assert_eq!(lent, "[\"tick\",2]");
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
}
