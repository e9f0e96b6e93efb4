//! What a socket.io-client `Manager` does with the session apart from any
//! one namespace: open it alone, add namespaces later, keep it while the
//! application wants it, and close it with the last namespace.

use super::util::*;
use crate::client::*;
fn alone() -> Pair {
    let mut config = Pair::config();
    config.namespaces = Vec::new();
    Pair::new(config)
}

#[test]
fn a_session_opened_alone_connects_no_namespace() {
    let mut p = alone();
    p.client.open_session(p.now);
    p.drive();
    assert_eq!(p.client.state(), ConnectionState::Open);
    assert!(p.server.connects().is_empty(), "{:?}", p.server.connects());
    assert!(p.client.open_namespace("/admin", p.now));
    p.drive();
    assert_eq!(p.server.connects(), vec![("/admin".to_string(), None)]);
}

#[test]
fn a_session_opened_alone_reconnects_and_closes_with_its_last_namespace() {
    let mut p = alone();
    p.client.open_session(p.now);
    p.drive();
    p.kill_transport();
    assert!(p.saw(|e| matches!(e, Event::ReconnectAttempt { attempt: 1, .. })));
    p.advance(5_000);
    assert_eq!(p.client.state(), ConnectionState::Open);
    p.client.open_namespace("/", p.now);
    p.drive();
    p.client.close_namespace("/", p.now);
    p.drive();
    assert_eq!(p.client.state(), ConnectionState::Idle);
    p.take_events();
    p.advance(60_000);
    assert!(
        !p.saw(|e| matches!(e, Event::ReconnectAttempt { .. })),
        "{:?}",
        p.events
    );
}

#[test]
fn emits_to_an_added_namespace_wait_until_it_is_opened() {
    let mut p = alone();
    assert!(p.client.add_namespace("/chat"));
    assert_eq!(
        p.emit("/chat", "hello", vec![v(serde_json::json!(1))]),
        EmitOutcome::Queued
    );
    assert_eq!(
        p.client.state(),
        ConnectionState::Idle,
        "adding does not connect"
    );
    assert_eq!(p.client.buffered("/chat"), 1);
    p.client.open_namespace("/chat", p.now);
    p.drive();
    assert_eq!(
        p.server.events("/chat"),
        vec![("hello".to_string(), vec![serde_json::json!(1)])]
    );
}

#[test]
fn each_namespace_answers_for_its_own_credentials() {
    let mut config = Pair::config();
    config.namespaces = Vec::new();
    config.ask_auth = true;
    let mut p = Pair::new(config);
    p.client.open_namespace("/", p.now);
    p.client.open_namespace("/admin", p.now);
    p.drive();
    let asked: Vec<String> = p
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::AuthRequested { nsp } => Some(nsp),
            _ => None,
        })
        .collect();
    assert_eq!(asked, vec!["/".to_string(), "/admin".to_string()]);
    let token = |t: &str| Auth::from_json(serde_json::json!({ "token": t })).unwrap();
    p.client.answer_auth("/admin", token("admin"), p.now);
    p.drive();
    p.client.answer_auth("/", Auth::None, p.now);
    p.drive();
    assert_eq!(
        p.server.connects(),
        vec![
            (
                "/admin".to_string(),
                Some(serde_json::json!({ "token": "admin" }))
            ),
            ("/".to_string(), None),
        ]
    );
    assert!(p.client.is_connected("/") && p.client.is_connected("/admin"));
}

#[test]
fn a_dropped_transport_is_a_forced_close_then_a_reconnection() {
    let mut p = Pair::connected();
    let old = p.active();
    p.client.drop_transport(true, p.now);
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::ForcedClose,
            ..
        }
    )));
    assert!(p
        .actions
        .iter()
        .any(|a| matches!(a, TransportAction::Close { id } if *id == old)));
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    assert_ne!(p.active(), old);
    assert_eq!(DisconnectReason::ForcedClose.as_str(), "forced close");
}

#[test]
fn reconnection_options_change_while_running() {
    let mut p = Pair::connected();
    let mut r = Reconnection {
        reconnection: true,
        attempts: None,
        delay: 10,
        delay_max: 10,
        factor: 0.5,
        timeout: 20_000,
    };
    p.client.set_reconnection(r, p.now);
    p.kill_transport();
    assert!(p.saw(|e| matches!(e, Event::ReconnectAttempt { attempt: 1, delay } if *delay <= 10)));
    p.advance(10);
    assert!(p.client.is_connected("/"));
    // Off while waiting: the client stops there.
    p.kill_transport();
    r.reconnection = false;
    p.client.set_reconnection(r, p.now);
    assert_eq!(p.client.state(), ConnectionState::Idle);
    p.take_events();
    p.advance(60_000);
    assert!(p.events.is_empty(), "{:?}", p.events);
}

#[test]
fn a_refusal_is_final_without_reconnect_after_refusal() {
    let mut config = Pair::config();
    config.reconnect_after_refusal = false;
    let mut p = Pair::new(config);
    p.server
        .policy
        .insert("/".into(), Policy::Reject("not allowed".into(), None));
    p.client.connect(p.now);
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::ConnectError { message, .. } if message == "not allowed")));
    assert!(!p.client.namespace_active("/"));
    p.advance(60_000);
    assert_eq!(p.server.connects().len(), 1, "no retry");
    assert_eq!(p.client.state(), ConnectionState::Idle);
}

#[test]
fn opening_a_namespace_after_giving_up_counts_attempts_from_one() {
    let mut config = Pair::config();
    config.namespaces = Vec::new();
    config.reconnection_attempts = Some(2);
    let mut p = Pair::new(config);
    p.server.accept_transports = false;
    p.client.open_namespace("/", p.now);
    p.drive();
    p.advance(60_000);
    assert!(p.saw(|e| matches!(e, Event::ReconnectFailed { attempts: 2 })));
    p.take_events();
    p.client.open_namespace("/", p.now);
    p.drive();
    assert!(
        p.saw(|e| matches!(e, Event::ReconnectAttempt { attempt: 1, .. })),
        "{:?}",
        p.events
    );
}

#[test]
fn a_reconnection_attempt_is_told_when_it_starts_after_its_delay() {
    let mut p = Pair::connected();
    p.take_events();
    p.kill_transport();
    let Some(Event::ReconnectAttempt { attempt: 1, delay }) = p
        .take_events()
        .into_iter()
        .find(|e| matches!(e, Event::ReconnectAttempt { .. }))
    else {
        panic!("no attempt scheduled");
    };
    assert!(!p.saw(|e| matches!(e, Event::Reconnecting { .. })));
    p.advance(delay - 1);
    assert!(!p.saw(|e| matches!(e, Event::Reconnecting { .. })));
    p.advance(1);
    assert_eq!(
        p.events.first(),
        Some(&Event::Reconnecting { attempt: 1 }),
        "{:?}",
        p.events
    );
}

#[test]
fn a_polling_session_closed_on_purpose_tells_the_server() {
    let mut config = Pair::config();
    config.transports = vec![TransportKind::Polling];
    config.upgrade = false;
    let mut p = Pair::connected_with(config.clone());
    p.client.drop_transport(true, p.now);
    p.drive();
    assert!(
        p.server
            .got
            .iter()
            .any(|(_, g)| *g == Got::Engine("1".into())),
        "{:?}",
        p.server.got
    );

    let mut p = Pair::connected_with(config);
    p.client.disconnect(p.now);
    p.drive();
    assert!(p
        .server
        .got
        .iter()
        .any(|(_, g)| *g == Got::Engine("1".into())));

    // Over a WebSocket the close frame says it.
    let mut p = Pair::connected();
    p.client.drop_transport(true, p.now);
    p.drive();
    assert!(!p
        .server
        .got
        .iter()
        .any(|(_, g)| *g == Got::Engine("1".into())));
}

#[test]
fn an_emit_past_the_ping_deadline_waits_for_the_reconnection() {
    let mut p = Pair::connected();
    p.server.auto_ping = false;
    p.client.set_ping_deadline(p.now.plus_millis(5), p.now);
    // The timer is late (a throttled tab): time passes without it firing.
    p.now = p.now.plus_millis(10);
    let r = p.client.emit("/", "late", vec![], p.now).unwrap();
    assert_eq!(r, EmitOutcome::Queued);
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::PingTimeout,
            ..
        }
    )));
    assert!(
        p.server.event_names("/").is_empty(),
        "written into the dead link"
    );
    p.server.auto_ping = true;
    p.advance(5_000);
    assert_eq!(p.server.event_names("/"), vec!["late".to_string()]);
}

#[test]
fn a_dropped_transport_without_reconnection_stays_closed() {
    let mut p = Pair::connected();
    p.client.drop_transport(false, p.now);
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::ForcedClose,
            ..
        }
    )));
    assert_eq!(p.client.state(), ConnectionState::Idle);
    p.take_events();
    p.advance(60_000);
    assert!(p.events.is_empty(), "{:?}", p.events);
    // The namespace is still wanted: opening the session again connects it.
    p.client.open_session(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));

    // Waiting to reconnect: called off.
    p.kill_transport();
    assert!(matches!(
        p.client.state(),
        ConnectionState::Reconnecting { .. }
    ));
    p.client.drop_transport(false, p.now);
    assert_eq!(p.client.state(), ConnectionState::Idle);
}

#[test]
fn open_comes_before_reconnect_and_a_failed_retry_after_what_follows_it() {
    let mut p = Pair::connected();
    p.kill_transport();
    p.take_events();
    p.advance(5_000);
    let order: Vec<&str> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Open { .. } => Some("open"),
            Event::Reconnect { .. } => Some("reconnect"),
            _ => None,
        })
        .collect();
    assert_eq!(order, vec!["open", "reconnect"]);

    let mut config = Pair::config();
    config.reconnection_attempts = Some(1);
    let mut p = Pair::new(config);
    p.server.accept_transports = false;
    p.client.connect(p.now);
    p.drive();
    p.advance(60_000);
    let order: Vec<&str> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::ReconnectError { .. } => Some("reconnect_error"),
            Event::ReconnectFailed { .. } => Some("reconnect_failed"),
            _ => None,
        })
        .collect();
    assert_eq!(order, vec!["reconnect_failed", "reconnect_error"]);
}
