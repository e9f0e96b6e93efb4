//! Typed subscriptions over the seed models, rooms with the Omni preset,
//! and the Omni heartbeat feeding `latency()`.
mod common;

use common::*;
use omni_socket::models::omni::{HeartbeatResponse, Notification, RoomError, RoomJoined};
use omni_socket::{Event, HeartbeatConfig, HeartbeatMode, RoomState};
use serde_json::json;

#[tokio::test]
async fn typed_streams_decode_models_and_skip_mismatches() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut joined = client.subscribe::<RoomJoined>();
    let mut refused = client.subscribe::<RoomError>();
    let mut notifications = client.subscribe::<Notification>();
    let mut events = client.events();

    client.join_room("license_42", "license").await.unwrap();
    let j = tokio::time::timeout(WAIT, joined.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (j.room.as_str(), j.kind.as_str(), j.members_count),
        ("license_42", "license", 1)
    );
    next_event(&mut events, |e| {
        matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == "license_42")
    })
    .await;

    client.join_room("forbidden_1", "license").await.unwrap();
    let r = tokio::time::timeout(WAIT, refused.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (r.room.as_str(), r.code.as_str()),
        ("forbidden_1", "ACCESS_DENIED")
    );
    next_event(&mut events, |e| {
        matches!(e, Event::RoomState { key, state: RoomState::Failed(m), .. } if key == "forbidden_1" && m == "access denied")
    })
    .await;

    // A payload that does not fit the model is skipped; the next one that
    // fits comes through.
    let good = json!({"id": "n1", "type": "license_expiry", "title": "T", "message": "M",
        "priority": "high", "created_at": "2024-01-15T10:00:00Z"});
    for data in [json!({"id": 5}), good.clone()] {
        client
            .emit(
                "broadcast",
                vec![json_arg(
                    json!({"room": "license_42", "event": "notification", "data": data}),
                )],
            )
            .await
            .unwrap();
    }
    let n = tokio::time::timeout(WAIT, notifications.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(serde_json::to_value(&n).unwrap(), good);
}

fn json_arg(v: serde_json::Value) -> omni_socket::Value {
    json(v)
}

#[tokio::test]
async fn on_handler_runs_for_each_typed_event() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _task = client.on::<RoomJoined, _>(move |j| {
        let _ = tx.send(j.room);
    });
    for room in ["a", "b"] {
        client.join_room(room, "user").await.unwrap();
    }
    let mut got = vec![];
    for _ in 0..2 {
        got.push(
            tokio::time::timeout(WAIT, rx.recv())
                .await
                .unwrap()
                .unwrap(),
        );
    }
    got.sort();
    assert_eq!(got, ["a", "b"]);
}

#[tokio::test]
async fn omni_heartbeat_measures_latency() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .heartbeat(HeartbeatConfig {
            interval: 50,
            mode: HeartbeatMode::omni("test", "native"),
            window: 100,
            namespace: "/".into(),
        })
        .connect()
        .await
        .unwrap();
    let mut responses = client.subscribe::<HeartbeatResponse>();
    let r = tokio::time::timeout(WAIT, responses.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "healthy");
    let mut state = client.state();
    tokio::time::timeout(WAIT, state.wait_for(|s| s.latency.count >= 3))
        .await
        .unwrap()
        .unwrap();
    let stats = client.latency();
    assert!(stats.min <= stats.p50 && stats.p50 <= stats.p99 && stats.p99 <= stats.max);
}

/// Typed subscriptions read the event's JSON text, untyped ones a parsed
/// tree; both kinds on the same event each get it once, with the same data.
#[tokio::test]
async fn typed_and_untyped_subscribers_share_an_event() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut typed_a = client.subscribe::<Notification>();
    let mut typed_b = client.subscribe::<Notification>();
    let mut named = client.on_event("notification");
    let mut any = client.on_any();
    let mut joined = client.subscribe::<RoomJoined>();
    client.join_room("license_7", "license").await.unwrap();
    tokio::time::timeout(WAIT, joined.next())
        .await
        .unwrap()
        .unwrap();

    let data = json!({"id": "n2", "type": "info", "title": "T", "message": "M",
        "priority": "low", "created_at": "2024-01-15T10:00:00Z"});
    client
        .emit(
            "broadcast",
            vec![json_arg(
                json!({"room": "license_7", "event": "notification", "data": data}),
            )],
        )
        .await
        .unwrap();
    for stream in [&mut typed_a, &mut typed_b] {
        let n = tokio::time::timeout(WAIT, stream.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(serde_json::to_value(&n).unwrap(), data);
    }
    let m = tokio::time::timeout(WAIT, named.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.event.as_str(), m.first_json()),
        ("notification", data.clone())
    );
    // on_any also saw the room_joined before it.
    loop {
        let m = tokio::time::timeout(WAIT, any.next())
            .await
            .unwrap()
            .unwrap();
        if m.event == "notification" {
            assert_eq!(m.first_json(), data);
            break;
        }
    }
}
