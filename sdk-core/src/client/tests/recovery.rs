//! Connection state recovery: pid and offset kept and sent in CONNECT.

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;

#[test]
fn pid_and_offset_are_sent_and_recovery_reported() {
    let mut config = Pair::config();
    config.auth = Some(json!({"token": "t"}));
    let mut p = Pair::new(config);
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    assert!(p.saw(|e| matches!(
        e,
        Event::Connect {
            recovered: false,
            ..
        }
    )));
    p.server_emit("/", "msg", json!(["hello", "off-1"]));
    p.server_emit("/", "msg", json!(["again", "off-2"]));
    assert_eq!(p.client.recovery_state("/"), Some(("pid-1", Some("off-2"))));
    p.take_events();
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(
        p.server.connects().last().unwrap().1,
        Some(json!({"token": "t", "pid": "pid-1", "offset": "off-2"}))
    );
    assert!(p.saw(|e| matches!(
        e,
        Event::Connect {
            recovered: true,
            ..
        }
    )));
}

/// socket.io writes a restored session's missed events (and its
/// middleware's emits) before its CONNECT answer; they must reach the
/// application, not be dropped as events of a namespace not connected yet.
#[test]
fn events_sent_before_the_connect_answer_are_delivered() {
    let mut p = Pair::new(Pair::config());
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    p.server_emit("/", "news", json!([1, "off-1"]));
    p.take_events();
    p.kill_transport();
    p.server.missed = vec![json!(["news", 2, "off-2"]), json!(["news", 3, "off-3"])];
    p.advance(5_000);
    assert_eq!(
        p.server.connects().last().unwrap().1,
        Some(json!({"pid": "pid-1", "offset": "off-1"}))
    );
    let seen: Vec<String> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Message { event, args, .. } => {
                Some(format!("{event} {}", args[0].clone().into_json()))
            }
            Event::Connect { recovered, .. } => Some(format!("connect recovered={recovered}")),
            _ => None,
        })
        .collect();
    // The order socket.io-client gives them: the missed events, then connect.
    assert_eq!(seen, ["news 2", "news 3", "connect recovered=true"]);
    assert_eq!(p.client.recovery_state("/"), Some(("pid-1", Some("off-3"))));

    // A new session: what the server's middleware emits before its CONNECT
    // answer arrives too, as with socket.io-client.
    p.client.disconnect(p.now);
    p.drive();
    p.take_events();
    p.server.missed = vec![json!(["server_info", {"v": 1}])];
    p.client.connect(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    assert!(p.saw(|e| matches!(e, Event::Message { event, .. } if event == "server_info")));

    // A namespace that is not connected or connecting gets nothing.
    assert!(p.client.open_namespace("/admin", p.now));
    p.drive();
    p.client.close_namespace("/admin", p.now);
    p.drive();
    p.take_events();
    p.server_emit("/admin", "late", json!([1]));
    assert!(
        !p.saw(|e| matches!(e, Event::Message { .. })),
        "{:?}",
        p.events
    );
}

#[test]
fn new_pid_means_not_recovered() {
    let mut p = Pair::new(Pair::config());
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    p.server_emit("/", "msg", json!(["x", "off-1"]));
    p.server.pid = Some("pid-2".into());
    p.take_events();
    p.kill_transport();
    p.advance(5_000);
    assert!(p.saw(|e| matches!(
        e,
        Event::Connect {
            recovered: false,
            ..
        }
    )));
    assert_eq!(p.client.recovery_state("/"), Some(("pid-2", None)));
}

#[test]
fn recovery_can_be_turned_off() {
    let mut config = Pair::config();
    config.recovery = false;
    let mut p = Pair::new(config);
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(p.server.connects().last().unwrap().1, None);
    assert_eq!(p.client.recovery_state("/"), None);
}

#[test]
fn manual_disconnect_forgets_the_session() {
    let mut p = Pair::new(Pair::config());
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    p.client.disconnect(p.now);
    p.client.connect(p.now);
    p.drive();
    assert_eq!(p.server.connects().last().unwrap().1, None);
}

#[test]
fn recovered_session_keeps_joined_rooms_without_rejoining() {
    let mut p = Pair::new(Pair::config());
    p.server.pid = Some("pid-1".into());
    p.client.connect(p.now);
    p.drive();
    p.client
        .join(RoomSpec::omni("kept", "user"), p.now)
        .unwrap();
    p.client
        .join(RoomSpec::omni("pending", "user"), p.now)
        .unwrap();
    p.drive();
    p.server_emit("/", "room_joined", json!([{"room": "kept"}]));
    p.kill_transport();
    p.advance(5_000);
    assert!(p.saw(|e| matches!(
        e,
        Event::Connect {
            recovered: true,
            ..
        }
    )));
    assert_eq!(p.client.room_state("/", "kept"), RoomState::Joined);
    let joins: Vec<_> = p
        .server
        .events("/")
        .into_iter()
        .filter(|(n, _)| n == "join_room")
        .map(|(_, a)| a[0]["room"].clone())
        .collect();
    // "pending" was never confirmed, so it is joined again; "kept" is not.
    assert_eq!(
        joins,
        vec![json!("kept"), json!("pending"), json!("pending")]
    );
    // Without recovery, everything is re-joined.
    p.server.pid = Some("pid-2".into());
    p.server_emit("/", "room_joined", json!([{"room": "pending"}]));
    p.kill_transport();
    p.advance(5_000);
    assert!(p.saw(|e| matches!(
        e,
        Event::Connect {
            recovered: false,
            ..
        }
    )));
    let total = p
        .server
        .event_names("/")
        .iter()
        .filter(|n| *n == "join_room")
        .count();
    assert_eq!(total, 5);
}
