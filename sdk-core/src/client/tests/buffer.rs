//! The offline buffer: bounded, flushed once and in order, volatile emits.

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;

fn nums(p: &Pair, name: &str) -> Vec<i64> {
    p.server
        .events("/")
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, a)| a[0].as_i64().unwrap())
        .collect()
}

#[test]
fn offline_emits_are_delivered_once_in_order() {
    let mut p = Pair::connected();
    p.kill_transport();
    for i in 0..5 {
        assert_eq!(p.emit("/", "msg", vec![v(json!(i))]), EmitOutcome::Queued);
    }
    assert_eq!(p.client.buffered("/"), 5);
    assert!(nums(&p, "msg").is_empty());
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    // Newer emits after the reconnect come after the buffered ones.
    p.emit("/", "msg", vec![v(json!(5))]);
    assert_eq!(nums(&p, "msg"), vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(p.client.buffered("/"), 0);
    // A second reconnect does not resend anything.
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(nums(&p, "msg"), vec![0, 1, 2, 3, 4, 5]);
}

#[test]
fn emits_before_first_connect_are_buffered() {
    let mut p = Pair::new(Pair::config());
    p.client
        .emit("/", "early", vec![v(json!(1))], p.now)
        .unwrap();
    p.client.connect(p.now);
    p.client
        .emit("/", "early", vec![v(json!(2))], p.now)
        .unwrap();
    p.drive();
    assert_eq!(nums(&p, "early"), vec![1, 2]);
}

#[test]
fn emit_right_after_connect_event_is_not_lost() {
    let mut p = Pair::new(Pair::config());
    p.client.connect(p.now);
    // Step by hand: react to Connect the moment it is polled.
    for _ in 0..100 {
        p.drive();
        if p.client.is_connected("/") {
            break;
        }
    }
    p.client
        .emit("/", "first", vec![v(json!(1))], p.now)
        .unwrap();
    p.drive();
    assert_eq!(nums(&p, "first"), vec![1]);
}

#[test]
fn overflow_is_an_error_by_default() {
    let mut config = Pair::config();
    config.max_buffered_emits = 3;
    let mut p = Pair::connected_with(config);
    p.kill_transport();
    for i in 0..3 {
        p.client.emit("/", "m", vec![v(json!(i))], p.now).unwrap();
    }
    assert_eq!(
        p.client.emit("/", "m", vec![v(json!(3))], p.now),
        Err(EmitError::BufferFull { max: 3 })
    );
    p.advance(5_000);
    assert_eq!(nums(&p, "m"), vec![0, 1, 2]);
}

#[test]
fn overflow_can_drop_oldest() {
    let mut config = Pair::config();
    config.max_buffered_emits = 3;
    config.buffer_overflow = OverflowPolicy::DropOldest;
    let mut p = Pair::connected_with(config);
    p.kill_transport();
    for i in 0..5 {
        p.client.emit("/", "m", vec![v(json!(i))], p.now).unwrap();
    }
    assert_eq!(p.client.buffered("/"), 3);
    p.drive();
    let dropped = p
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::EmitDropped {
                    reason: DropReason::BufferOverflow,
                    ..
                }
            )
        })
        .count();
    assert_eq!(dropped, 2);
    p.advance(5_000);
    assert_eq!(nums(&p, "m"), vec![2, 3, 4]);
}

#[test]
fn volatile_emits_are_dropped_when_not_writable() {
    let mut p = Pair::connected();
    assert_eq!(
        p.client
            .emit_volatile("/", "typing", vec![v(json!(1))], p.now),
        Ok(EmitOutcome::Queued)
    );
    p.drive();
    p.kill_transport();
    assert_eq!(
        p.client
            .emit_volatile("/", "typing", vec![v(json!(2))], p.now),
        Ok(EmitOutcome::Dropped)
    );
    assert_eq!(p.client.buffered("/"), 0);
    p.advance(5_000);
    assert_eq!(nums(&p, "typing"), vec![1]);
}

#[test]
fn reserved_names_and_unknown_namespaces_are_refused() {
    let mut p = Pair::connected();
    assert_eq!(
        p.client.emit("/", "disconnect", vec![], p.now),
        Err(EmitError::Reserved("disconnect".into()))
    );
    assert!(matches!(
        p.client.emit("/nope", "x", vec![], p.now),
        Err(EmitError::UnknownNamespace(_))
    ));
}

#[test]
fn transmit_queue_is_bounded_and_drains() {
    let mut config = Pair::config();
    config.max_queued_transmits = 4;
    let mut p = Pair::connected_with(config);
    for i in 0..20 {
        p.client.emit("/", "m", vec![v(json!(i))], p.now).unwrap();
        assert!(p.client.queue_lengths().0 <= 4);
    }
    p.drive();
    assert_eq!(nums(&p, "m"), (0..20).collect::<Vec<_>>());
}

#[test]
fn emits_over_the_servers_max_payload_are_dropped_not_resent_forever() {
    let mut p = Pair::new(Pair::config());
    p.server.handshake.max_payload = 64;
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    let big = Value::String("x".repeat(100));
    let request = p
        .client
        .emit_with_ack("/", "upload", vec![big.clone()], Some(5_000), p.now)
        .unwrap();
    p.emit("/", "upload", vec![big]);
    p.emit("/", "small", vec![Value::Bool(true)]);
    p.drive();
    // Only the small one reached the server; the connection stays up.
    assert_eq!(p.server.event_names("/"), vec!["small".to_string()]);
    assert!(p.client.is_connected("/"));
    let too_large = |e: &Event| matches!(e, Event::EmitDropped { event, reason: DropReason::TooLarge { max: 64, .. }, .. } if event == "upload");
    assert_eq!(p.events.iter().filter(|e| too_large(e)).count(), 2);
    assert!(p.saw(|e| matches!(
        e,
        Event::AckFailed { request: r, reason: AckFailure::Dropped, .. } if *r == request
    )));
    assert_eq!(p.client.pending_acks("/"), 0);
    // Binary attachments count one by one.
    let blob = Value::Binary(bytes::Bytes::from(vec![0u8; 65]));
    p.emit("/", "blob", vec![blob]);
    p.drive();
    assert!(!p.server.event_names("/").contains(&"blob".to_string()));
}

#[test]
fn polling_bodies_stay_within_max_payload() {
    let frames = vec![
        Frame::Text("42[\"a\"]".into()),
        Frame::Text("x".repeat(10)),
        Frame::Binary(bytes::Bytes::from_static(&[1, 2, 3, 4, 5])),
        Frame::Text("4".into()),
    ];
    for f in &frames {
        let mut body = String::new();
        f.push_polling_record(&mut body);
        assert_eq!(body.len(), f.polling_len(), "{f:?}");
    }
    // 7 + 1 + 10 fills 18 bytes; the binary record (9) waits.
    let (body, n) = polling_body(&frames, 18);
    assert_eq!((body.as_str(), n), ("42[\"a\"]\u{1e}xxxxxxxxxx", 2));
    let (body, n) = polling_body(&frames[2..], 18);
    assert_eq!((body.as_str(), n), ("bAQIDBAU=\u{1e}4", 2));
    // Everything fits: one body.
    assert_eq!(polling_body(&frames, 1_000).1, 4);
    // A record over the limit on its own still goes, alone.
    let big = [Frame::Text("y".repeat(30)), Frame::Text("z".into())];
    assert_eq!(polling_body(&big, 18).1, 1);
    assert_eq!(polling_body(&[], 18), (String::new(), 0));
}
