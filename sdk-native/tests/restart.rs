//! The server restarts: the client reconnects by itself, re-joins its
//! rooms and delivers what it buffered meanwhile exactly once.
mod common;

use std::time::Duration;

use common::*;
use omni_socket::{Event, RoomState};
use serde_json::json;

#[tokio::test]
async fn reconnects_rejoins_rooms_and_flushes_buffer_once() {
    let first = NodeServer::start().await;
    let port = first.port;
    let client = builder(&first.url()).connect().await.unwrap();
    let mut events = client.events();
    client.join_room("license_7", "license").await.unwrap();
    next_event(&mut events, |e| {
        matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == "license_7")
    })
    .await;

    first.stop().await;
    next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
    for n in 1..=3 {
        client
            .emit("record", vec![json(json!({"n": n}))])
            .await
            .unwrap();
    }
    next_event(&mut events, |e| matches!(e, Event::ReconnectAttempt { .. })).await;

    let _second = NodeServer::start_with(port, &[]).await;
    next_event(&mut events, |e| matches!(e, Event::Reconnect { .. })).await;
    next_event(&mut events, |e| {
        matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == "license_7")
    })
    .await;

    let t = Duration::from_secs(5);
    let records = client.emit_with_ack("records", vec![], t).await.unwrap();
    assert_eq!(as_json(&records[0]), json!([{"n": 1}, {"n": 2}, {"n": 3}]));
    let rooms = client.emit_with_ack("my_rooms", vec![], t).await.unwrap();
    assert_eq!(as_json(&rooms[0]), json!(["license_7"]));

    // A room broadcast on the new server reaches the client.
    let mut notes = client.on_event("note");
    client
        .emit(
            "broadcast",
            vec![json(
                json!({"room": "license_7", "event": "note", "data": 1}),
            )],
        )
        .await
        .unwrap();
    assert_eq!(
        as_json(&next_named(&mut notes, "note").await.args[0]),
        json!(1)
    );
}
