//! Acks: per-namespace ids, answers, timeouts, retries, server requests.

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;

fn ack_ids(p: &Pair, name: &str) -> Vec<Option<u64>> {
    p.server
        .got
        .iter()
        .filter_map(|(_, g)| match g {
            Got::Event { name: n, id, .. } if n == name => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn ack_answer_is_delivered_and_ids_are_per_namespace() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/admin".into()];
    let mut p = Pair::connected_with(config);
    let r1 = p
        .client
        .emit_with_ack("/", "license_check", vec![], None, p.now)
        .unwrap();
    let r2 = p
        .client
        .emit_with_ack("/admin", "stats", vec![], None, p.now)
        .unwrap();
    let r3 = p
        .client
        .emit_with_ack("/", "license_check", vec![], None, p.now)
        .unwrap();
    p.drive();
    assert_eq!(ack_ids(&p, "license_check"), vec![Some(0), Some(1)]);
    assert_eq!(ack_ids(&p, "stats"), vec![Some(0)]);
    p.server_ack("/", 1, json!(["second"]));
    p.server_ack("/admin", 0, json!([{"ok": true}]));
    p.server_ack("/", 0, json!(["first"]));
    let acks: Vec<_> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Ack { nsp, request, args } => Some((nsp.clone(), *request, args.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        acks,
        vec![
            ("/".into(), r3, vec![v(json!("second"))]),
            ("/admin".into(), r2, vec![v(json!({"ok": true}))]),
            ("/".into(), r1, vec![v(json!("first"))]),
        ]
    );
    assert_eq!(p.client.pending_acks("/"), 0);
    // A duplicate or unknown ack is ignored.
    p.take_events();
    p.server_ack("/", 0, json!([]));
    p.server_ack("/", 99, json!([]));
    assert!(p.events.is_empty());
}

#[test]
fn ack_timeout_removes_the_request() {
    let mut p = Pair::connected();
    let r = p
        .client
        .emit_with_ack("/", "slow", vec![], Some(2_000), p.now)
        .unwrap();
    p.drive();
    assert_eq!(p.client.pending_acks("/"), 1);
    p.advance(1_999);
    assert!(!p.saw(|e| matches!(e, Event::AckFailed { .. })));
    p.advance(1);
    assert!(p.saw(|e| matches!(e, Event::AckFailed { request, reason: AckFailure::Timeout, .. } if *request == r)));
    assert_eq!(p.client.pending_acks("/"), 0);
    // The late answer is ignored.
    p.take_events();
    p.server_ack("/", 0, json!([]));
    assert!(!p.saw(|e| matches!(e, Event::Ack { .. })));
}

#[test]
fn default_ack_timeout_option_applies() {
    let mut config = Pair::config();
    config.ack_timeout = Some(500);
    let mut p = Pair::connected_with(config);
    let start = p.now;
    p.client
        .emit_with_ack("/", "x", vec![], None, p.now)
        .unwrap();
    p.drive();
    assert_eq!(p.client.poll_timeout(), Some(start.plus_millis(500)));
    p.advance_to_next_timeout();
    assert_eq!(p.now, start.plus_millis(500));
    assert!(p.saw(|e| matches!(
        e,
        Event::AckFailed {
            reason: AckFailure::Timeout,
            ..
        }
    )));
}

#[test]
fn retries_resend_in_order_until_acknowledged() {
    let mut config = Pair::config();
    config.retries = 2;
    config.ack_timeout = Some(1_000);
    let mut p = Pair::connected_with(config);
    let a = p
        .client
        .emit_with_ack("/", "a", vec![v(json!(1))], None, p.now)
        .unwrap();
    let b = p
        .client
        .emit_with_ack("/", "b", vec![v(json!(2))], None, p.now)
        .unwrap();
    p.drive();
    // One in flight at a time.
    assert_eq!(p.server.event_names("/"), vec!["a"]);
    p.advance(1_000);
    assert_eq!(
        p.server.event_names("/"),
        vec!["a", "a"],
        "a resent after its timeout"
    );
    let id = last_ack_id(&p.server, "a").unwrap();
    p.server_ack("/", id, json!(["ok"]));
    assert!(p.saw(|e| matches!(e, Event::Ack { request, .. } if *request == a)));
    assert_eq!(p.server.event_names("/"), vec!["a", "a", "b"]);
    // b is never answered: 1 send + 2 retries, then it fails.
    p.advance(3_000);
    assert_eq!(p.server.event_names("/"), vec!["a", "a", "b", "b", "b"]);
    assert!(p.saw(|e| matches!(e, Event::AckFailed { request, reason: AckFailure::Timeout, .. } if *request == b)));
    assert_eq!(p.client.pending_acks("/"), 0);
}

#[test]
fn retries_survive_a_reconnect() {
    let mut config = Pair::config();
    config.retries = 1;
    config.ack_timeout = Some(10_000);
    let mut p = Pair::connected_with(config);
    let a = p
        .client
        .emit_with_ack("/", "a", vec![], None, p.now)
        .unwrap();
    p.drive();
    p.kill_transport();
    assert!(!p.saw(|e| matches!(e, Event::AckFailed { .. })));
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    assert_eq!(p.server.event_names("/"), vec!["a", "a"]);
    let id = last_ack_id(&p.server, "a").unwrap();
    p.server_ack("/", id, json!([]));
    assert!(p.saw(|e| matches!(e, Event::Ack { request, .. } if *request == a)));
}

#[test]
fn pending_acks_fail_on_disconnect_without_retries() {
    let mut p = Pair::connected();
    let sent: Vec<RequestId> = (0..3)
        .map(|_| {
            p.client
                .emit_with_ack("/", "a", vec![], None, p.now)
                .unwrap()
        })
        .collect();
    p.drive();
    p.kill_transport();
    // In the order they were made.
    let failed: Vec<RequestId> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::AckFailed {
                request,
                reason: AckFailure::Disconnected,
                ..
            } => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(failed, sent);
    assert_eq!(p.client.pending_acks("/"), 0);
}

#[test]
fn pending_ack_bound() {
    let mut config = Pair::config();
    config.max_pending_acks = 3;
    let mut p = Pair::connected_with(config);
    for _ in 0..3 {
        p.client
            .emit_with_ack("/", "a", vec![], None, p.now)
            .unwrap();
    }
    assert_eq!(
        p.client.emit_with_ack("/", "a", vec![], None, p.now),
        Err(EmitError::TooManyAcks { max: 3 })
    );
}

#[test]
fn server_ack_requests_are_answered_once() {
    let mut p = Pair::connected();
    p.server_send("4212[\"question\",\"?\"]");
    let ack = p.events.iter().find_map(|e| match e {
        Event::Message { event, ack, .. } if event == "question" => *ack,
        _ => None,
    });
    assert_eq!(ack, Some(12));
    assert!(p.client.ack("/", 12, vec![v(json!("answer"))], p.now));
    assert!(
        !p.client.ack("/", 12, vec![], p.now),
        "second answer refused"
    );
    assert!(!p.client.ack("/", 13, vec![], p.now), "never asked");
    p.drive();
    let acks: Vec<_> = p
        .server
        .got
        .iter()
        .filter(|(_, g)| matches!(g, Got::Ack { .. }))
        .collect();
    assert_eq!(acks.len(), 1);
    assert_eq!(
        acks[0].1,
        Got::Ack {
            nsp: "/".into(),
            id: 12,
            args: vec![json!("answer")]
        }
    );
}

#[test]
fn binary_args_go_as_attachments() {
    let mut p = Pair::connected();
    let data = bytes::Bytes::from_static(b"\x00\xff");
    p.emit("/", "upload", vec![crate::Value::Binary(data.clone())]);
    let got = p.server.got.iter().find_map(|(_, g)| match g {
        Got::Event { name, binary, .. } if name == "upload" => Some(binary.clone()),
        _ => None,
    });
    assert_eq!(got, Some(vec![data]));
}
