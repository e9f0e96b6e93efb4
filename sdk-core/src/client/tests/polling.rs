//! The long-polling request lifecycle and the upgrade, as the core drives
//! them: requests with full URLs and bodies, one GET and one POST in
//! flight, where a DISCONNECT goes, the pause before the upgrade, and
//! never a request with a sid after its session ended (the harness fails
//! any test that sends one).

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;

fn polling_config() -> ClientConfig {
    let mut config = Pair::config();
    config.transports = vec![TransportKind::Polling];
    config
}

fn upgrading_pair() -> Pair {
    let mut config = Pair::config();
    config.transports = vec![TransportKind::Polling, TransportKind::Websocket];
    let mut p = Pair::new(config);
    p.server.handshake.upgrades = vec!["websocket".into()];
    p
}

/// The upgrade probe the client opened.
fn probe_id(p: &Pair) -> TransportId {
    p.actions
        .iter()
        .find_map(|a| match a {
            TransportAction::OpenWebsocket { id, .. } => Some(*id),
            _ => None,
        })
        .expect("probe")
}

fn requests_of(p: &Pair) -> Vec<HttpRequest> {
    p.actions
        .iter()
        .filter_map(|a| match a {
            TransportAction::Request(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn handshake_get_then_requests_carry_the_sid() {
    let mut config = polling_config();
    config.query.insert("token".into(), "a b".into());
    let p = Pair::connected_with(config);
    let reqs = requests_of(&p);
    assert_eq!(
        reqs[0].url,
        "http://localhost:3000/socket.io/?EIO=4&transport=polling&token=a%20b"
    );
    assert_eq!(reqs[0].method, HttpMethod::Get);
    for r in &reqs[1..] {
        assert_eq!(
            r.url,
            "http://localhost:3000/socket.io/?EIO=4&transport=polling&sid=eio&token=a%20b"
        );
    }
    // The CONNECT went in a POST, and a GET waits for the server.
    let id = p.active();
    let log = p.requests(id);
    assert_eq!(log[0], "GET");
    assert!(log.contains(&"POST 40".to_string()), "{log:?}");
    assert_eq!(log.last().map(String::as_str), Some("GET"));
}

#[test]
fn one_post_in_flight_and_batches_what_queued_meanwhile() {
    let mut p = Pair::connected_with(polling_config());
    let id = p.active();
    // Emits of one turn go in one body.
    for i in 0..3 {
        p.client
            .emit("/", "e", vec![v(json!(i))], p.now)
            .expect("emit");
    }
    p.drive();
    let posts: Vec<_> = p
        .requests(id)
        .into_iter()
        .filter(|r| r.starts_with("POST"))
        .collect();
    assert_eq!(
        posts.last().map(String::as_str),
        Some("POST 42[\"e\",0]\u{1e}42[\"e\",1]\u{1e}42[\"e\",2]")
    );
    // While a POST is unanswered, nothing else is posted.
    p.client.emit("/", "a", vec![], p.now).expect("emit");
    let Some(TransportAction::Request(first)) = p.client.poll_action() else {
        panic!("no POST");
    };
    assert_eq!(first.method, HttpMethod::Post);
    p.client.emit("/", "b", vec![], p.now).expect("emit");
    assert_eq!(p.client.poll_action(), None, "a second POST in flight");
    p.client
        .handle_http_response(id, HttpMethod::Post, p.now, 200, "ok");
    let Some(TransportAction::Request(second)) = p.client.poll_action() else {
        panic!("no POST after the answer");
    };
    assert_eq!(second.body.as_deref(), Some("42[\"b\"]"));
}

#[test]
fn emit_then_disconnect_posts_the_disconnect_alone_then_closes() {
    let mut p = Pair::connected_with(polling_config());
    let id = p.active();
    p.client.emit("/", "last", vec![], p.now).expect("emit");
    p.client.disconnect(p.now);
    p.drive();
    let log = p.requests(id);
    let posts: Vec<_> = log.iter().filter(|r| r.starts_with("POST")).collect();
    let n = posts.len();
    assert!(n >= 3, "{log:?}");
    assert_eq!(posts[n - 3], "POST 42[\"last\"]");
    assert_eq!(posts[n - 2], "POST 41");
    assert_eq!(posts[n - 1], "POST 1");
    assert!(p.server.events("/").iter().any(|(e, _)| e == "last"));
    assert!(matches!(
        p.actions.last(),
        Some(TransportAction::Close { id: c }) if *c == id
    ));
    assert!(!p.client.has_transports());
}

#[test]
fn closing_gives_up_when_the_server_never_answers() {
    let mut p = Pair::connected_with(polling_config());
    let id = p.active();
    p.client.disconnect(p.now);
    // The driver sends the POST, but no answer ever comes.
    let Some(TransportAction::Request(r)) = p.client.poll_action() else {
        panic!("no POST");
    };
    assert_eq!(r.body.as_deref(), Some("41"));
    assert!(p.client.has_transports());
    assert!(p.client.poll_action().is_none());
    let at = p.client.poll_timeout().expect("closing deadline");
    p.now = at;
    p.client.handle_timeout(at);
    assert_eq!(p.client.poll_action(), Some(TransportAction::Close { id }));
    assert!(!p.client.has_transports());
}

#[test]
fn a_dead_server_gets_no_request_with_the_old_sid() {
    let mut p = Pair::connected_with(polling_config());
    let old = p.active();
    let before = requests_of(&p).len();
    // The server dies: the GET in flight fails, and nothing is sent on the
    // old transport again (the harness would fail the test).
    p.client.handle_transport_error(
        old,
        p.now,
        TransportError::new(TransportErrorKind::Refused, "connection refused"),
    );
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::TransportError,
            ..
        }
    )));
    // The restarted server gives a new sid; every request after the
    // failure is either the new handshake or carries the new sid.
    p.server.handshake.sid = "fresh".into();
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    let after = &requests_of(&p)[before..];
    assert!(!after.is_empty());
    assert!(after.iter().all(|r| r.transport != old));
    assert!(
        after.iter().all(|r| !r.url.contains("sid=eio")),
        "{after:?}"
    );
    assert!(after.iter().skip(1).all(|r| r.url.contains("sid=fresh")));
}

#[test]
fn http_failures_are_classified_by_kind() {
    let mut p = Pair::new(polling_config());
    p.server.send_handshake = false;
    p.client.connect(p.now);
    p.drive();
    let id = p.active();
    p.client
        .handle_http_response(id, HttpMethod::Get, p.now, 503, "busy");
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::ConnectError {
            cause: ConnectFailure::Transport(TransportErrorKind::Status(503)),
            ..
        }
    )));
}

#[test]
fn an_oversized_poll_is_refused_before_it_is_decoded() {
    let mut p = Pair::connected_with(polling_config());
    let id = p.active();
    let body = "6".repeat(crate::Limits::DEFAULT_MAX_POLLING_BODY + 1);
    p.client
        .handle_http_response(id, HttpMethod::Get, p.now, 200, &body);
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::TransportError,
            ..
        }
    )));
}

#[test]
fn a_first_poll_without_handshake_is_a_protocol_error() {
    let mut p = Pair::new(polling_config());
    p.server.send_handshake = false;
    p.client.connect(p.now);
    p.drive();
    let id = p.active();
    p.client
        .handle_http_response(id, HttpMethod::Get, p.now, 200, "6");
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::ProtocolError(_))));
    // No second GET without a sid on that transport.
    assert_eq!(p.requests(id), vec!["GET".to_string()]);
}

#[test]
fn upgrade_waits_for_the_poll_in_flight_and_keeps_order() {
    let mut p = upgrading_pair();
    p.client.connect(p.now);
    p.drive();
    assert_eq!(p.client.transport().unwrap().1, TransportKind::Websocket);
    let ws = p.active();
    let polling = TransportId(0);
    // The GET in flight was ended by the server's noop, and no request
    // followed the probe answer: the last polling request is that GET.
    let log = p.requests(polling);
    assert_eq!(log.last().map(String::as_str), Some("GET"), "{log:?}");
    let engine: Vec<_> = p
        .server
        .got
        .iter()
        .filter(|(t, _)| *t == ws)
        .map(|(_, g)| g.clone())
        .collect();
    assert_eq!(engine[0], Got::Engine("2probe".into()));
    assert_eq!(engine[1], Got::Engine("5".into()));
}

#[test]
fn frames_queued_during_the_pause_follow_the_upgrade_in_order() {
    // Connected over polling with the probe open but unanswered; then the
    // probe's answer arrives while a GET is still in flight, so polling
    // pauses until that GET returns.
    let mut p = upgrading_pair();
    p.server.answer_probe = false;
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    let polling = p.active();
    let ws = probe_id(&p);
    p.server.hold_polls = true;
    p.server.outbox_push(polling, "42[\"from-poll\"]");
    // The probe answer: polling pauses, the GET is still out.
    p.client.handle_text(ws, p.now, "3probe");
    for i in 0..5 {
        p.client
            .emit("/", "burst", vec![v(json!(i))], p.now)
            .expect("emit");
    }
    p.drive();
    assert_eq!(p.client.transport().unwrap().1, TransportKind::Polling);
    let posts_before = p
        .requests(polling)
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    // The GET returns with the server's event and the noop.
    p.server.outbox_push(polling, "6");
    p.server.hold_polls = false;
    p.drive();
    assert_eq!(
        p.client.transport().unwrap(),
        (ws, TransportKind::Websocket)
    );
    // Nothing was posted during the pause, the event of the last poll
    // was delivered, and the burst went over the WebSocket after `5`, in
    // order.
    let posts_after = p
        .requests(polling)
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts_before, posts_after);
    assert!(p.saw(|e| matches!(e, Event::Message { event, .. } if event == "from-poll")));
    let on_ws: Vec<_> = p
        .server
        .got
        .iter()
        .filter(|(t, _)| *t == ws)
        .map(|(_, g)| match g {
            Got::Engine(s) => s.clone(),
            Got::Event { args, .. } => args[0].to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(on_ws, vec!["2probe", "5", "0", "1", "2", "3", "4"]);
}

#[test]
fn a_failed_probe_resumes_polling() {
    let mut p = upgrading_pair();
    p.server.answer_probe = false;
    p.client.connect(p.now);
    p.drive();
    let polling = p.active();
    let ws = probe_id(&p);
    p.client.handle_text(ws, p.now, "3probe");
    p.drive();
    // Paused with the GET still out; then the probe dies.
    p.client.handle_transport_closed(ws, p.now);
    p.drive();
    assert_eq!(
        p.client.transport().unwrap(),
        (polling, TransportKind::Polling)
    );
    assert!(p.server.transports[&polling].pending_get, "polling resumed");
    p.emit("/", "still", vec![]);
    assert!(p.server.events("/").iter().any(|(e, _)| e == "still"));
}
