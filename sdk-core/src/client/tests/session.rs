//! Handshake, namespaces, heartbeat of Engine.IO, timeouts, disconnects,
//! malformed input and the websocket upgrade.

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;

#[test]
fn handshake_then_connect_on_main_namespace() {
    let mut p = Pair::new(Pair::config());
    p.client.connect(p.now);
    p.drive();
    let TransportAction::OpenWebsocket { url, .. } = &p.actions[0] else {
        panic!("first action is not an open: {:?}", p.actions);
    };
    assert_eq!(
        url,
        "ws://localhost:3000/socket.io/?EIO=4&transport=websocket"
    );
    assert!(p.saw(|e| matches!(e, Event::Open { sid } if sid == "eio")));
    assert!(p.saw(|e| matches!(e, Event::Connect { nsp, recovered: false, .. } if nsp == "/")));
    assert_eq!(p.client.state(), ConnectionState::Open);
    assert_eq!(p.client.socket_id("/"), Some("sock1"));
    assert_eq!(p.server.connects(), vec![("/".to_string(), None)]);
}

#[test]
fn url_carries_path_query_and_https_becomes_wss() {
    let mut config = Pair::config();
    config.url = "https://api.example.com/".into();
    config.path = "/ws/".into();
    config.query.insert("license".into(), "a b&c".into());
    let mut p = Pair::new(config);
    p.client.connect(p.now);
    p.drive();
    let TransportAction::OpenWebsocket { url, .. } = &p.actions[0] else {
        panic!();
    };
    assert_eq!(
        url,
        "wss://api.example.com/ws/?EIO=4&transport=websocket&license=a%20b%26c"
    );
}

#[test]
fn several_namespaces_share_one_session() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/admin".into(), "analytics".into()];
    let mut p = Pair::connected_with(config);
    let opens = p
        .actions
        .iter()
        .filter(|a| matches!(a, TransportAction::OpenWebsocket { .. }))
        .count();
    assert_eq!(opens, 1, "one Engine.IO session");
    for nsp in ["/", "/admin", "/analytics"] {
        assert!(p.client.is_connected(nsp), "{nsp} not connected");
    }
    p.emit("/admin", "stats", vec![v(json!(1))]);
    assert_eq!(
        p.server.events("/admin"),
        vec![("stats".to_string(), vec![json!(1)])]
    );
    assert!(p.server.events("/").is_empty());
    p.server_emit("/analytics", "usage_update", json!([{"n": 2}]));
    assert!(p.saw(|e| matches!(e, Event::Message { nsp, event, .. }
        if nsp == "/analytics" && event == "usage_update")));
    // Opening one more later reuses the session.
    assert!(p.client.open_namespace("/deployments", p.now));
    p.drive();
    assert!(p.client.is_connected("/deployments"));
    // Closing one leaves the others.
    p.client.close_namespace("/admin", p.now);
    p.drive();
    assert!(!p.client.is_connected("/admin"));
    assert!(p.client.is_connected("/"));
    assert!(p.server.got.iter().any(|(_, g)| *g
        == Got::Disconnect {
            nsp: "/admin".into()
        }));
}

#[test]
fn server_ping_is_answered_with_pong() {
    let mut p = Pair::connected();
    p.server_send("2");
    assert!(p
        .server
        .got
        .iter()
        .any(|(_, g)| *g == Got::Engine("3".into())));
}

#[test]
fn ping_timeout_fires_exactly_at_interval_plus_timeout() {
    let mut p = Pair::connected();
    p.server.auto_ping = false;
    let h = &p.server.handshake;
    let deadline = h.ping_interval + h.ping_timeout;
    // A ping halfway re-arms the deadline from that moment.
    p.advance(10_000);
    p.server_send("2");
    p.take_events();
    p.advance(deadline - 1);
    assert!(p.client.is_connected("/"), "declared dead 1 ms early");
    assert!(!p.saw(|e| matches!(e, Event::Disconnect { .. })));
    p.advance(1);
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::PingTimeout,
            ..
        }
    )));
    assert_eq!(DisconnectReason::PingTimeout.as_str(), "ping timeout");
    assert!(matches!(
        p.client.state(),
        ConnectionState::Reconnecting { attempt: 1 }
    ));
}

#[test]
fn regular_pings_keep_the_link_alive() {
    let mut p = Pair::connected();
    p.advance(10 * 60_000);
    assert!(p.client.is_connected("/"));
    assert!(!p.saw(|e| matches!(e, Event::Disconnect { .. })));
}

#[test]
fn engine_connect_timeout_then_retry() {
    let mut config = Pair::config();
    config.timeout = 5_000;
    let mut p = Pair::new(config);
    p.server.send_handshake = false;
    p.client.connect(p.now);
    p.drive();
    p.advance(4_999);
    assert_eq!(p.client.state(), ConnectionState::Connecting);
    p.advance(1);
    assert!(p.saw(|e| matches!(e, Event::ConnectError { message, .. } if message == "timeout")));
    assert!(p.saw(|e| matches!(e, Event::ReconnectAttempt { attempt: 1, .. })));
    // The server comes back: the next attempt succeeds.
    p.server.send_handshake = true;
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    assert!(p.saw(|e| matches!(e, Event::Reconnect { attempt: 1 })));
}

#[test]
fn namespace_connect_timeout() {
    let mut config = Pair::config();
    config.timeout = 3_000;
    config.namespaces = vec!["/".into(), "/slow".into()];
    let mut p = Pair::new(config);
    p.server.policy.insert("/slow".into(), Policy::Ignore);
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    p.advance(2_999);
    assert!(!p.saw(|e| matches!(e, Event::ConnectError { .. })));
    p.advance(1);
    assert!(
        p.saw(|e| matches!(e, Event::ConnectError { nsp, message, .. }
        if nsp == "/slow" && message == "timeout"))
    );
    // It is retried after a backoff and succeeds once the server answers.
    p.server.policy.insert("/slow".into(), Policy::Accept);
    p.advance(5_000);
    assert!(p.client.is_connected("/slow"));
    assert!(p.client.is_connected("/"));
}

#[test]
fn a_session_lost_before_the_connect_answer_is_a_connect_error_with_its_cause() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/slow".into()];
    let mut p = Pair::new(config);
    p.server.policy.insert("/slow".into(), Policy::Ignore);
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    p.take_events();
    let id = p.active();
    p.client.handle_transport_error(
        id,
        p.now,
        TransportError::new(TransportErrorKind::TooLarge, "message of 17 MB"),
    );
    p.drive();
    let events = p.take_events();
    // `/` was connected: a disconnect. `/slow` waited for its answer: that
    // attempt failed, and says why at once, not after `timeout`.
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Disconnect { nsp, .. } if nsp == "/")));
    let errors: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ConnectError {
                nsp,
                message,
                cause,
                ..
            } => Some((nsp.as_str(), message.as_str(), *cause)),
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        [(
            "/slow",
            "message of 17 MB",
            ConnectFailure::Transport(TransportErrorKind::TooLarge)
        )]
    );
}

#[test]
fn connect_error_carries_message_and_data() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/admin".into()];
    let mut p = Pair::new(config);
    p.server.policy.insert(
        "/admin".into(),
        Policy::Reject("Not an admin".into(), Some(json!({"code": 403}))),
    );
    p.client.connect(p.now);
    p.drive();
    assert!(p.saw(
        |e| matches!(e, Event::ConnectError { nsp, message, data, cause: ConnectFailure::Server }
        if nsp == "/admin" && message == "Not an admin" && data.as_deref() == Some(r#"{"code":403}"#))
    ));
    assert!(!p.client.is_connected("/admin"));
    assert!(p.client.is_connected("/"));
}

#[test]
fn server_disconnect_does_not_reconnect_by_default() {
    let mut p = Pair::connected();
    p.server_send("41");
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::IoServerDisconnect,
            ..
        }
    )));
    assert_eq!(p.client.state(), ConnectionState::Idle);
    p.advance(60_000);
    assert!(!p.client.is_connected("/"));
    assert_eq!(p.server.connects().len(), 1);
    // The application may connect again on purpose.
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
}

#[test]
fn server_disconnect_reconnects_when_configured() {
    let mut config = Pair::config();
    config.reconnect_after_server_disconnect = true;
    let mut p = Pair::connected_with(config);
    p.server_send("41");
    assert!(!p.client.is_connected("/"));
    p.advance(1_000);
    assert!(p.client.is_connected("/"));
    assert_eq!(p.server.connects().len(), 2);
}

#[test]
fn client_disconnect_stops_reconnection() {
    let mut p = Pair::connected();
    p.kill_transport();
    assert!(matches!(
        p.client.state(),
        ConnectionState::Reconnecting { .. }
    ));
    p.client.disconnect(p.now);
    p.drive();
    assert_eq!(p.client.state(), ConnectionState::Idle);
    p.advance(120_000);
    assert_eq!(p.client.state(), ConnectionState::Idle);
    let opens = p
        .actions
        .iter()
        .filter(|a| matches!(a, TransportAction::OpenWebsocket { .. }))
        .count();
    assert_eq!(opens, 1);
}

#[test]
fn client_disconnect_sends_disconnect_and_reports_reason() {
    let mut p = Pair::connected();
    p.client.disconnect(p.now);
    p.drive();
    assert!(p
        .server
        .got
        .iter()
        .any(|(_, g)| *g == Got::Disconnect { nsp: "/".into() }));
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::IoClientDisconnect,
            ..
        }
    )));
    assert!(matches!(
        p.actions.last(),
        Some(TransportAction::Close { .. })
    ));
}

#[test]
fn transport_close_and_error_reasons_then_reconnect() {
    let mut p = Pair::connected();
    p.kill_transport();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::TransportClose,
            ..
        }
    )));
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    assert!(p.saw(|e| matches!(e, Event::Reconnect { attempt: 1 })));
    // Stable for as long as the longest delay: the streak is over.
    p.advance(5_000);
    p.take_events();
    let id = p.active();
    p.client.handle_transport_error(id, p.now, "ECONNRESET");
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::TransportError,
            ..
        }
    )));
    // Attempts restarted from 1 after the success.
    assert!(p.saw(|e| matches!(e, Event::ReconnectAttempt { attempt: 1, .. })));
}

#[test]
fn engine_close_packet_is_transport_close() {
    let mut p = Pair::connected();
    p.server_send("1");
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::TransportClose,
            ..
        }
    )));
}

#[test]
fn malformed_input_closes_with_parse_error() {
    for bad in [
        "",
        "9",
        "4x",
        "42",
        "42[1]",
        "42{\"a\":1}",
        "0{}",
        "43[1]",
        "451-[\"a\"]",
        "1data",
        "4\u{0}",
        "42[\"a\",{]",
    ] {
        let mut config = Pair::config();
        config.reconnection = false;
        let mut p = Pair::connected_with(config);
        p.take_events();
        p.server_send(bad);
        assert!(
            p.saw(|e| matches!(e, Event::ProtocolError(_))),
            "no protocol error for {bad:?}: {:?}",
            p.events
        );
        assert!(
            p.saw(|e| matches!(
                e,
                Event::Disconnect {
                    reason: DisconnectReason::ParseError,
                    ..
                }
            )),
            "no parse error disconnect for {bad:?}"
        );
        assert_eq!(p.client.state(), ConnectionState::Idle);
        assert!(matches!(
            p.actions.last(),
            Some(TransportAction::Close { .. })
        ));
    }
}

/// A CONNECT answer without a sid is what a Socket.IO v2 server sends: a
/// refusal that says so, final unless refusals are retried, never a parse
/// error that reconnects to that server forever.
#[test]
fn connect_reply_without_sid_is_refused_as_a_v2_server() {
    for answer in ["40", "40{\"nosid\":1}"] {
        let mut config = Pair::config();
        config.namespaces = vec!["/".into(), "/admin".into()];
        config.reconnect_after_refusal = false;
        let mut p = Pair::new(config);
        p.server.policy.insert("/".into(), Policy::Ignore);
        p.client.connect(p.now);
        p.drive();
        assert!(p.client.is_connected("/admin"));
        p.server_send(answer);
        assert!(p.saw(
            |e| matches!(e, Event::ConnectError { nsp, message, cause: ConnectFailure::Server, .. }
            if nsp == "/" && message.contains("Socket.IO v2"))
        ));
        assert!(!p.saw(|e| matches!(e, Event::ProtocolError(_))));
        // The session and the other namespace stay; `/` is not asked again.
        assert!(p.client.is_connected("/admin"));
        p.advance(60_000);
        assert!(!p.saw(|e| matches!(e, Event::ReconnectAttempt { .. })));
        let connects = |p: &Pair| {
            p.server
                .connects()
                .iter()
                .filter(|(nsp, _)| nsp == "/")
                .count()
        };
        assert_eq!(connects(&p), 1, "{answer}");

        // Retried with backoff when refusals are.
        let mut config = Pair::config();
        config.reconnect_after_refusal = true;
        let mut p = Pair::new(config);
        p.server.policy.insert("/".into(), Policy::Ignore);
        p.client.connect(p.now);
        p.drive();
        p.server_send(answer);
        p.server.policy.insert("/".into(), Policy::Accept);
        p.advance(10_000);
        assert!(p.client.is_connected("/"), "{answer}");
    }
}

#[test]
fn binary_frame_without_pending_packet_is_parse_error() {
    let mut p = Pair::connected();
    let id = p.active();
    p.client
        .handle_binary(id, p.now, bytes::Bytes::from_static(b"\x01\x02"));
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::ParseError,
            ..
        }
    )));
}

#[test]
fn binary_event_from_server_is_reassembled() {
    let mut p = Pair::connected();
    p.server_send("451-[\"file\",{\"_placeholder\":true,\"num\":0}]");
    assert!(!p.saw(|e| matches!(e, Event::Message { .. })));
    let id = p.active();
    p.client
        .handle_binary(id, p.now, bytes::Bytes::from_static(b"\x01\x02"));
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::Message { event, args, .. }
        if event == "file" && args == &vec![crate::Value::Binary(bytes::Bytes::from_static(b"\x01\x02"))])));
}

#[test]
fn stale_transport_input_is_ignored() {
    let mut p = Pair::connected();
    let old = p.active();
    p.kill_transport();
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    p.take_events();
    p.client.handle_text(old, p.now, "garbage");
    p.client.handle_transport_closed(old, p.now);
    p.drive();
    assert!(p.events.is_empty(), "{:?}", p.events);
    assert!(p.client.is_connected("/"));
}

#[test]
fn polling_upgrades_to_websocket_with_probe() {
    let mut config = Pair::config();
    config.transports = vec![TransportKind::Polling, TransportKind::Websocket];
    let mut p = Pair::new(config);
    p.server.handshake.upgrades = vec!["websocket".into()];
    p.client.connect(p.now);
    p.drive();
    let opens: Vec<_> = p
        .actions
        .iter()
        .filter_map(|a| match a {
            TransportAction::OpenWebsocket { url, .. } => {
                Some((TransportKind::Websocket, url.clone()))
            }
            TransportAction::Request(HttpRequest { url, .. }) => {
                Some((TransportKind::Polling, url.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(opens[0].0, TransportKind::Polling);
    assert_eq!(
        opens[0].1,
        "http://localhost:3000/socket.io/?EIO=4&transport=polling"
    );
    let ws = opens
        .iter()
        .find(|(k, _)| *k == TransportKind::Websocket)
        .expect("probe");
    assert_eq!(
        ws.1,
        "ws://localhost:3000/socket.io/?EIO=4&transport=websocket&sid=eio"
    );
    let engine: Vec<_> = p
        .server
        .got
        .iter()
        .filter_map(|(_, g)| match g {
            Got::Engine(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(engine, vec!["2probe".to_string(), "5".to_string()]);
    assert!(p.saw(|e| matches!(
        e,
        Event::Upgraded {
            transport: TransportKind::Websocket
        }
    )));
    assert_eq!(p.client.transport().unwrap().1, TransportKind::Websocket);
    // After the upgrade, emits go over the websocket.
    p.emit("/", "hello", vec![]);
    let ws = p.active();
    assert!(p
        .server
        .got
        .iter()
        .any(|(t, g)| *t == ws && matches!(g, Got::Event { name, .. } if name == "hello")));
}

#[test]
fn failed_probe_keeps_polling() {
    let mut config = Pair::config();
    config.transports = vec![TransportKind::Polling, TransportKind::Websocket];
    config.timeout = 2_000;
    let mut p = Pair::new(config);
    p.server.handshake.upgrades = vec!["websocket".into()];
    p.server.answer_probe = false;
    p.client.connect(p.now);
    p.drive();
    p.advance(2_000);
    assert_eq!(p.client.transport().unwrap().1, TransportKind::Polling);
    assert!(p.client.is_connected("/"));
    assert!(!p.saw(|e| matches!(e, Event::Upgraded { .. })));
}

#[test]
fn polling_payload_with_several_packets() {
    let mut config = Pair::config();
    config.transports = vec![TransportKind::Polling];
    let mut p = Pair::connected_with(config);
    let id = p.active();
    p.server.outbox_push(id, "2");
    p.server.outbox_push(id, "42[\"a\",1]");
    p.server.outbox_push(id, "42[\"b\",2]");
    p.drive();
    let names: Vec<_> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Message { event, .. } => Some(event.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, vec!["a", "b"]);
    assert!(p
        .server
        .got
        .iter()
        .any(|(_, g)| *g == Got::Engine("3".into())));
}

#[test]
fn namespace_lookup_agrees_with_normalized_names() {
    use crate::client::{normalize_nsp, same_nsp};
    for name in ["/", "/admin", "/a/b"] {
        for nsp in ["", "/", "admin", "/admin", "a/b", "/a/b", "x", "//admin"] {
            assert_eq!(
                same_nsp(name, nsp),
                normalize_nsp(nsp) == name,
                "{name} vs {nsp}"
            );
        }
    }
}

/// `namespace_active` (socket.io-client's `socket.active`) says whether the
/// client keeps working towards the namespace without the application.
#[test]
fn active_until_nothing_more_happens_without_the_application() {
    let mut config = Pair::config();
    config.reconnection_attempts = Some(2);
    config.max_auth_failures = 2;
    config.auth_refresh_timeout = 1_000;
    let mut p = Pair::new(config);
    assert!(!p.client.namespace_active("/"), "before connect");
    p.client.connect(p.now);
    assert!(p.client.namespace_active("/"), "connecting");
    p.drive();
    assert!(p.client.is_connected("/") && p.client.namespace_active("/"));
    assert!(!p.client.namespace_active("/admin"), "never opened");

    // A lost link: reconnecting on its own, then giving up.
    p.server.accept_transports = false;
    p.kill_transport();
    assert!(p.client.namespace_active("/"), "reconnecting");
    p.advance(60_000);
    assert!(p.saw(|e| matches!(e, Event::ReconnectFailed { .. })));
    assert!(!p.client.namespace_active("/"), "reconnection gave up");

    // An auth refusal is retried once the refresh wait is over, until
    // maxAuthFailures.
    p.server.accept_transports = true;
    p.server
        .policy
        .insert("/".into(), Policy::Reject("Unauthorized".into(), None));
    p.take_events();
    p.client.connect(p.now);
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::AuthRefreshNeeded { .. })));
    assert!(p.client.namespace_active("/"), "waiting to retry the auth");
    p.advance(60_000);
    assert!(p.saw(|e| matches!(e, Event::AuthGaveUp { .. })));
    assert!(!p.client.namespace_active("/"), "auth gave up");

    // Other namespaces: open and closed by the application, or
    // disconnected by the server (no reconnect by default).
    p.server.policy.insert("/".into(), Policy::Accept);
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.open_namespace("/admin", p.now));
    p.drive();
    assert!(p.client.namespace_active("/admin"));
    p.client.close_namespace("/admin", p.now);
    p.drive();
    assert!(!p.client.namespace_active("/admin"), "closed namespace");
    assert!(p.client.namespace_active("/"));
    p.server_send("41");
    assert!(!p.client.namespace_active("/"), "server disconnect");

    p.client.connect(p.now);
    p.drive();
    assert!(p.client.namespace_active("/"));
    p.client.disconnect(p.now);
    p.drive();
    assert!(!p.client.namespace_active("/"), "client disconnect");
}

/// An idle connection keeps no room in its queues: what a turn queued
/// (frames, actions, events) goes back once the driver has drained it.
#[test]
fn drained_queues_keep_no_memory() {
    let mut p = Pair::connected();
    p.emit("/", "hello", vec![v(json!(1))]);
    p.server_emit("/", "news", json!({"n": 1}));
    p.server_send("2");
    p.drive();
    assert!(p.server.events("/").iter().any(|(e, _)| e == "hello"));
    assert!(p.saw(|e| matches!(e, Event::Message { event, .. } if event == "news")));
    assert_eq!(p.client.session.queue_capacities(), (0, 0));
    assert_eq!(p.client.events.capacity(), 0);
}
