//! Room subscriptions: states, confirmation, failure, leave while joining,
//! re-join after reconnect without duplicates and before buffered emits,
//! and the presets of the five seed products.

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;
use crate::Args;

fn joins(p: &Pair) -> Vec<serde_json::Value> {
    p.server
        .events("/")
        .into_iter()
        .filter(|(n, _)| n == "join_room")
        .map(|(_, a)| a[0].clone())
        .collect()
}

fn states(p: &Pair, key: &str) -> Vec<RoomState> {
    p.events
        .iter()
        .filter_map(|e| match e {
            Event::RoomState { key: k, state, .. } if k == key => Some(state.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn omni_join_confirmed_by_room_joined_matched_on_room() {
    let mut p = Pair::connected();
    p.client
        .join(RoomSpec::omni("license_X", "license"), p.now)
        .unwrap();
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    assert_eq!(
        joins(&p),
        vec![
            json!({"room": "license_X", "type": "license"}),
            json!({"room": "user_1", "type": "user"})
        ]
    );
    assert_eq!(p.client.room_state("/", "license_X"), RoomState::Joining);
    // An answer for another room does not confirm this one.
    p.server_emit(
        "/",
        "room_joined",
        json!([{"room": "user_1", "members_count": 5}]),
    );
    assert_eq!(p.client.room_state("/", "license_X"), RoomState::Joining);
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
    p.server_emit(
        "/",
        "room_error",
        json!([{"room": "license_X", "code": "ROOM_NOT_FOUND", "message": "Room does not exist"}]),
    );
    assert_eq!(
        p.client.room_state("/", "license_X"),
        RoomState::Failed("Room does not exist".into())
    );
    assert_eq!(
        states(&p, "license_X"),
        vec![
            RoomState::Joining,
            RoomState::Failed("Room does not exist".into())
        ]
    );
}

#[test]
fn joining_twice_sends_one_join() {
    let mut p = Pair::connected();
    p.client.join(RoomSpec::omni("r", "user"), p.now).unwrap();
    p.client.join(RoomSpec::omni("r", "user"), p.now).unwrap();
    p.drive();
    p.server_emit("/", "room_joined", json!([{"room": "r"}]));
    p.client.join(RoomSpec::omni("r", "user"), p.now).unwrap();
    p.drive();
    assert_eq!(joins(&p).len(), 1);
}

#[test]
fn rooms_rejoined_after_reconnect_once_and_before_buffered_emits() {
    let mut p = Pair::connected();
    p.client.join(RoomSpec::omni("a", "user"), p.now).unwrap();
    p.client
        .join(RoomSpec::omni("b", "license"), p.now)
        .unwrap();
    p.drive();
    p.server_emit("/", "room_joined", json!([{"room": "a"}]));
    p.server_emit("/", "room_joined", json!([{"room": "b"}]));
    p.kill_transport();
    assert_eq!(p.client.room_state("/", "a"), RoomState::Joining);
    // Joined while offline, and an emit while offline.
    p.client.join(RoomSpec::omni("c", "admin"), p.now).unwrap();
    p.client.join(RoomSpec::omni("a", "user"), p.now).unwrap();
    p.client
        .emit("/", "chat", vec![v(json!("hi"))], p.now)
        .unwrap();
    // Two failed attempts in between must not queue joins twice.
    p.server.accept_transports = false;
    p.advance(3_000);
    p.server.accept_transports = true;
    p.advance(10_000);
    assert!(p.client.is_connected("/"));
    let names = p.server.event_names("/");
    assert_eq!(
        names,
        vec![
            "join_room",
            "join_room",
            "join_room",
            "join_room",
            "join_room",
            "chat"
        ],
        "two joins, then a, b, c once each, then the buffered chat"
    );
    let after: Vec<_> = joins(&p)[2..].iter().map(|j| j["room"].clone()).collect();
    assert_eq!(after, vec![json!("a"), json!("b"), json!("c")]);
    // A third reconnect again re-joins each exactly once.
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(joins(&p).len(), 8);
}

#[test]
fn leave_while_joining() {
    let mut p = Pair::connected();
    // Offline: the join is withdrawn before it ever goes out.
    p.kill_transport();
    p.client.join(RoomSpec::omni("x", "user"), p.now).unwrap();
    p.client.leave("/", "x", p.now);
    p.advance(5_000);
    assert!(joins(&p).is_empty());
    assert!(!p
        .server
        .event_names("/")
        .contains(&"leave_room".to_string()));
    // Online: the join went out unconfirmed, so a leave follows, and a late
    // confirmation does not resurrect the room.
    p.client.join(RoomSpec::omni("y", "user"), p.now).unwrap();
    p.drive();
    p.client.leave("/", "y", p.now);
    p.drive();
    assert_eq!(p.server.event_names("/"), vec!["join_room", "leave_room"]);
    assert_eq!(p.server.events("/")[1].1, vec![json!({"room": "y"})]);
    p.server_emit("/", "room_joined", json!([{"room": "y"}]));
    assert_eq!(p.client.room_state("/", "y"), RoomState::Unsubscribed);
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(joins(&p).len(), 1, "left rooms are not re-joined");
}

#[test]
fn failed_rooms_are_not_rejoined_until_asked() {
    let mut p = Pair::connected();
    p.client
        .join(RoomSpec::omni("bad", "license"), p.now)
        .unwrap();
    p.drive();
    p.server_emit(
        "/",
        "room_error",
        json!([{"room": "bad", "code": "DENIED"}]),
    );
    assert_eq!(
        p.client.room_state("/", "bad"),
        RoomState::Failed("DENIED".into())
    );
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(joins(&p).len(), 1);
    p.client
        .join(RoomSpec::omni("bad", "license"), p.now)
        .unwrap();
    p.drive();
    assert_eq!(joins(&p).len(), 2);
}

#[test]
fn presets_of_the_seed_products() {
    let mut p = Pair::connected();
    p.client.join(RoomSpec::deployment("dep-1"), p.now).unwrap();
    p.client.join(RoomSpec::conversation(9), p.now).unwrap();
    p.client.join(RoomSpec::order_chat("o-1"), p.now).unwrap();
    p.client.join(RoomSpec::dispute_chat("d-2"), p.now).unwrap();
    p.drive();
    assert_eq!(
        p.server.events("/"),
        vec![
            ("deployment:subscribe".to_string(), vec![json!("dep-1")]),
            ("join_conversation".to_string(), vec![json!(9)]),
            (
                "join_order_chat".to_string(),
                vec![json!({"orderId": "o-1"})]
            ),
            (
                "join_dispute_chat".to_string(),
                vec![json!({"disputeId": "d-2"})]
            ),
        ]
    );
    // Each waits for its ack (before issue 20, sent meant joined, so a
    // refused room was reported joined).
    assert_eq!(
        p.client.room_state("/", "deployment:dep-1"),
        RoomState::Joining
    );
    for name in [
        "deployment:subscribe",
        "join_conversation",
        "join_order_chat",
        "join_dispute_chat",
    ] {
        assert!(
            last_ack_id(&p.server, name).is_some(),
            "{name} asks for an ack"
        );
    }
    assert_eq!(p.client.rooms("/").len(), 4);
    for key in [
        "deployment:dep-1",
        "conversation:9",
        "order:o-1",
        "dispute:d-2",
    ] {
        p.client.leave("/", key, p.now);
    }
    p.drive();
    assert_eq!(
        p.server.events("/")[4..],
        [
            ("deployment:unsubscribe".to_string(), vec![json!("dep-1")]),
            ("leave_conversation".to_string(), vec![json!(9)]),
            (
                "leave_order_chat".to_string(),
                vec![json!({"orderId": "o-1"})]
            ),
            (
                "leave_dispute_chat".to_string(),
                vec![json!({"disputeId": "d-2"})]
            ),
        ]
    );
    assert!(p.client.rooms("/").is_empty());
}

#[test]
fn rooms_in_another_namespace() {
    let mut config = Pair::config();
    config.namespaces = vec!["/".into(), "/marketplace".into()];
    let mut p = Pair::connected_with(config);
    p.client
        .join(
            RoomSpec::order_chat("o-7").in_namespace("/marketplace"),
            p.now,
        )
        .unwrap();
    p.drive();
    assert_eq!(
        p.server.event_names("/marketplace"),
        vec!["join_order_chat"]
    );
    assert!(p.server.events("/").is_empty());
    assert!(matches!(
        p.client
            .join(RoomSpec::omni("r", "user").in_namespace("/nowhere"), p.now),
        Err(EmitError::UnknownNamespace(_))
    ));
}

#[test]
fn omni_presets_build_room_names_from_the_model_helpers() {
    let mut p = Pair::connected();
    p.client
        .join(RoomSpec::omni_license("OMNI-PREM-ABCD-1234-EFGH"), p.now)
        .unwrap();
    p.client.join(RoomSpec::omni_user("12345"), p.now).unwrap();
    p.client
        .join(RoomSpec::omni_admin_dashboard(), p.now)
        .unwrap();
    p.drive();
    assert_eq!(
        joins(&p),
        vec![
            json!({"room": "license_OMNI-PREM-ABCD-1234-EFGH", "type": "license"}),
            json!({"room": "user_12345", "type": "user"}),
            json!({"room": "admin_dashboard", "type": "admin"}),
        ]
    );
}

#[test]
fn unconfirmed_join_fails_after_room_join_timeout() {
    let mut config = Pair::config();
    config.room_join_timeout = 3_000;
    let mut p = Pair::connected_with(config);
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    assert_eq!(joins(&p).len(), 1);
    let sent = p.now;
    p.advance(2_999);
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joining);
    p.advance(1);
    assert_eq!(p.now.millis_since(sent), 3_000);
    assert_eq!(
        p.client.room_state("/", "user_1"),
        RoomState::Failed("join not confirmed within 3000 ms".into())
    );
    // A late confirmation does not revive it; joining again does.
    p.server_emit("/", "room_joined", json!([{"room": "user_1"}]));
    assert!(matches!(
        p.client.room_state("/", "user_1"),
        RoomState::Failed(_)
    ));
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    assert_eq!(joins(&p).len(), 2);
    p.server_emit("/", "room_joined", json!([{"room": "user_1"}]));
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
    // Once joined, no deadline is left behind.
    p.advance(60_000);
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
}

#[test]
fn confirmation_deadline_restarts_with_each_rejoin_after_reconnect() {
    let mut config = Pair::config();
    config.room_join_timeout = 3_000;
    let mut p = Pair::connected_with(config);
    p.client
        .join(RoomSpec::omni("user_1", "user"), p.now)
        .unwrap();
    p.drive();
    p.advance(2_900);
    // The transport dies before the answer. Reconnecting takes 0.5–1 s
    // (reconnectionDelay with jitter), so the old deadline, 0.1 s away,
    // passes while offline: it must not fail the room, and the re-join gets
    // a deadline of its own.
    p.kill_transport();
    p.advance(1_500);
    assert_eq!(joins(&p).len(), 2, "re-joined once after reconnect");
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joining);
    p.server_emit("/", "room_joined", json!([{"room": "user_1"}]));
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
}

/// Each preset's key is its prefix and the id, numbers without leading
/// zeros: the rule the npm package applies from the generated table.
#[test]
fn preset_keys_follow_the_table() {
    let cases: [(&str, PresetId<'_>, &str); 7] = [
        ("omni", PresetId::Text("user_12"), "user_12"),
        ("deployment", PresetId::Text("d-1"), "deployment:d-1"),
        ("conversation", PresetId::Text("007"), "conversation:7"),
        ("conversation", PresetId::Number(7.0), "conversation:7"),
        ("orderChat", PresetId::Text("9"), "order:9"),
        ("disputeChat", PresetId::Text("x"), "dispute:x"),
        ("conversation", PresetId::Text("0"), "conversation:0"),
    ];
    for (name, id, key) in cases {
        let p = Preset::named(name).expect("preset");
        let spec = RoomSpec::from_preset(p, &id).expect("spec");
        assert_eq!(spec.key, key);
        assert!(spec.key.starts_with(p.key_prefix));
    }
    let conv = Preset::named("conversation").unwrap();
    for bad in [
        PresetId::Text("7a"),
        PresetId::Text(""),
        PresetId::Number(-1.0),
        PresetId::Number(1.5),
    ] {
        assert!(RoomSpec::from_preset(conv, &bad).is_err(), "{bad:?}");
    }
    // An Omni room's type follows from its name.
    let types: Vec<_> = ["user_1", "license_k", "admin_dashboard", "lobby"]
        .iter()
        .map(|r| match RoomSpec::omni_room(r).join_args {
            Args::Values(v) => v[0].clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let want: Vec<_> = [
        ("user_1", "user"),
        ("license_k", "license"),
        ("admin_dashboard", "admin"),
        ("lobby", "public"),
    ]
    .iter()
    .map(|(r, t)| v(json!({"room": r, "type": t})))
    .collect();
    assert_eq!(types, want);
}

/// Issue 20: the marketplace refuses a chat of someone else's order with
/// the ack `{success: false, code: "FORBIDDEN", message}` and an `error`
/// event that names no room. The room must be reported failed with the
/// server's reason; an accepted one joined; never the other way round.
#[test]
fn ack_answered_presets_fail_with_the_servers_reason() {
    let mut p = Pair::connected();
    p.client
        .join(RoomSpec::order_chat("order-2"), p.now)
        .unwrap();
    p.client
        .join(RoomSpec::order_chat("order-1"), p.now)
        .unwrap();
    p.drive();
    let ids: Vec<u64> = p
        .server
        .got
        .iter()
        .filter_map(|(_, g)| match g {
            Got::Event { name, id, .. } if name == "join_order_chat" => *id,
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    // The server's `error` comes first and confirms or refuses nothing.
    p.server_emit(
        "/",
        "error",
        json!([{"code": "FORBIDDEN", "message": "You are not a participant of this order"}]),
    );
    assert_eq!(
        p.client.room_state("/", "order:order-2"),
        RoomState::Joining
    );
    assert_eq!(
        p.client.room_state("/", "order:order-1"),
        RoomState::Joining
    );
    p.server_ack(
        "/",
        ids[0],
        json!([{"success": false, "code": "FORBIDDEN", "message": "You are not a participant of this order"}]),
    );
    p.server_ack(
        "/",
        ids[1],
        json!([{"success": true, "orderId": "order-1"}]),
    );
    assert_eq!(
        p.client.room_state("/", "order:order-2"),
        RoomState::Failed("You are not a participant of this order".into())
    );
    assert_eq!(p.client.room_state("/", "order:order-1"), RoomState::Joined);
    assert_eq!(
        states(&p, "order:order-2"),
        vec![
            RoomState::Joining,
            RoomState::Failed("You are not a participant of this order".into())
        ]
    );
    // A refusal without a message gives its code.
    p.client.join(RoomSpec::deployment("dep-9"), p.now).unwrap();
    p.drive();
    let id = last_ack_id(&p.server, "deployment:subscribe").unwrap();
    p.server_ack("/", id, json!([{"success": false, "code": "NOT_FOUND"}]));
    assert_eq!(
        p.client.room_state("/", "deployment:dep-9"),
        RoomState::Failed("NOT_FOUND".into())
    );
}

#[test]
fn ack_answered_presets_rejoin_after_reconnect_and_ignore_stale_acks() {
    let mut p = Pair::connected();
    p.client.join(RoomSpec::conversation(123), p.now).unwrap();
    p.drive();
    let first = last_ack_id(&p.server, "join_conversation").unwrap();
    p.server_ack(
        "/",
        first,
        json!([{"success": true, "conversationId": 123}]),
    );
    assert_eq!(
        p.client.room_state("/", "conversation:123"),
        RoomState::Joined
    );
    // Left and joined again: an ack of an older join answers nothing.
    p.client.leave("/", "conversation:123", p.now);
    p.client.join(RoomSpec::conversation(123), p.now).unwrap();
    p.drive();
    let second = last_ack_id(&p.server, "join_conversation").unwrap();
    assert_ne!(first, second);
    p.server_ack("/", first, json!([{"success": false, "message": "late"}]));
    assert_eq!(
        p.client.room_state("/", "conversation:123"),
        RoomState::Joining
    );
    p.server_ack("/", second, json!([{"success": true}]));
    assert_eq!(
        p.client.room_state("/", "conversation:123"),
        RoomState::Joined
    );
    // After a reconnect it is joined again and confirmed by the new ack.
    p.kill_transport();
    p.advance(1_500);
    assert!(p.client.is_connected("/"));
    assert_eq!(
        p.client.room_state("/", "conversation:123"),
        RoomState::Joining
    );
    let third = last_ack_id(&p.server, "join_conversation").unwrap();
    p.server_ack("/", third, json!([{"success": true}]));
    assert_eq!(
        p.client.room_state("/", "conversation:123"),
        RoomState::Joined
    );
}

#[test]
fn an_unanswered_ack_join_fails_after_the_join_timeout() {
    let mut config = Pair::config();
    config.room_join_timeout = 2_000;
    let mut p = Pair::connected_with(config);
    p.client.join(RoomSpec::dispute_chat("d-1"), p.now).unwrap();
    p.drive();
    p.advance(1_999);
    assert_eq!(p.client.room_state("/", "dispute:d-1"), RoomState::Joining);
    p.advance(1);
    assert_eq!(
        p.client.room_state("/", "dispute:d-1"),
        RoomState::Failed("join not confirmed within 2000 ms".into())
    );
}

/// A join refused by the server's rate limit is no verdict on the room: it
/// goes out again when the pause ends and the room is joined then.
#[test]
fn rate_limited_joins_are_sent_again_not_failed() {
    let mut p = Pair::connected();
    p.client
        .join(RoomSpec::order_chat("order-1"), p.now)
        .unwrap();
    p.drive();
    let id = last_ack_id(&p.server, "join_order_chat").unwrap();
    p.server_ack(
        "/",
        id,
        json!([{"success": false, "code": "RATE_LIMITED", "message": "Too many", "retry_after": 2}]),
    );
    p.server_emit(
        "/",
        "rate_limited",
        json!([{"event": "join_order_chat", "limit": 120, "window": 60, "retry_after": 2}]),
    );
    assert_eq!(
        p.client.room_state("/", "order:order-1"),
        RoomState::Joining
    );
    let sent = |p: &Pair| {
        p.server
            .event_names("/")
            .iter()
            .filter(|n| *n == "join_order_chat")
            .count()
    };
    assert_eq!(sent(&p), 1);
    p.advance(1_999);
    assert_eq!(sent(&p), 1, "held for the server's pause");
    p.advance(1);
    assert_eq!(sent(&p), 2);
    let id = last_ack_id(&p.server, "join_order_chat").unwrap();
    p.server_ack("/", id, json!([{"success": true}]));
    assert_eq!(p.client.room_state("/", "order:order-1"), RoomState::Joined);

    // Omni's server answers an over-budget `join_room` with `rate_limited`
    // and no `room_error`: the room is joined again after the pause rather
    // than failing when its confirmation does not come.
    p.client.join(RoomSpec::omni_room("user_1"), p.now).unwrap();
    p.drive();
    p.server_emit(
        "/",
        "rate_limited",
        json!([{"event": "join_room", "limit": 20, "window": 60, "retry_after": 5}]),
    );
    p.advance(4_999);
    assert_eq!(joins(&p).len(), 1);
    p.advance(1);
    assert_eq!(joins(&p).len(), 2);
    p.server_emit("/", "room_joined", json!([{"room": "user_1"}]));
    assert_eq!(p.client.room_state("/", "user_1"), RoomState::Joined);
}

/// The preset table (generated for TypeScript) says what each preset's
/// spec does: its events and how its server answers.
#[test]
fn preset_table_matches_the_specs() {
    for p in PRESETS {
        let id = if p.numeric {
            PresetId::Number(7.0)
        } else {
            PresetId::Text("user_7")
        };
        let spec = RoomSpec::from_preset(&p, &id).expect("spec");
        assert_eq!(
            (spec.join_event.as_str(), spec.leave_event.as_str()),
            (p.join, p.leave)
        );
        match p.answer {
            PresetAnswer::Ack => {
                assert!(
                    spec.ack && spec.confirm.is_none() && spec.failure.is_none(),
                    "{}",
                    p.name
                )
            }
            PresetAnswer::Events {
                confirm,
                failure,
                field,
            } => {
                assert!(!spec.ack);
                let c = spec.confirm.expect("confirm");
                let f = spec.failure.expect("failure");
                assert_eq!((c.event.as_str(), f.event.as_str()), (confirm, failure));
                assert_eq!(c.field.expect("field").0, field);
            }
        }
    }
}
