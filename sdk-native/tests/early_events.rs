//! Events socket.io 4.8 writes ahead of its CONNECT answer, which the
//! client must deliver (socket.io-client does, just before `connect`): the
//! missed events of a recovered session, and emits of the middleware.
mod common;

use std::time::Duration;

use common::*;
use omni_socket::{Auth, Credentials, Event, TransportKind};
use serde_json::json;

#[tokio::test]
async fn middleware_emits_arrive() {
    let server = NodeServer::start().await;
    for transport in [TransportKind::Websocket, TransportKind::Polling] {
        let client = builder(&server.url())
            .transports([transport])
            .auth(Auth::Credentials(Credentials::token("greet")))
            .connect_lazy()
            .unwrap();
        let mut greetings = client.on_event("greeting");
        client.wait_connected(WAIT).await.unwrap();
        let m = next_named(&mut greetings, "greeting").await;
        assert_eq!(
            as_json(&m.args[0]),
            json!({"from": "middleware"}),
            "{transport:?}"
        );
    }
}

/// With `connectionStateRecovery` on: after a dropped link the session
/// comes back with its id and rooms, and the room events sent while the
/// client was away arrive.
#[tokio::test]
async fn dropped_link_recovers_session_rooms_and_missed_events() {
    let server = NodeServer::start_with(0, &[("RECOVERY", "1")]).await;
    let client = builder(&server.url())
        .transports([TransportKind::Websocket])
        // Longer than the fixture's 50 ms before it sends the missed event.
        .reconnection_delay(Duration::from_millis(500))
        .reconnection_delay_max(Duration::from_millis(500))
        .randomization_factor(0.0)
        .connect()
        .await
        .unwrap();
    let mut events = client.events();
    let mut news = client.on_event("news");
    client.join_room("r1", "public").await.unwrap();
    let id = client.id().expect("connected");
    let news_for = |n: u32| json(json!({"room": "r1", "event": "news", "data": n}));
    client.emit("broadcast", vec![news_for(1)]).await.unwrap();
    assert_eq!(
        as_json(&next_named(&mut news, "news").await.args[0]),
        json!(1)
    );

    client.emit("drop", vec![news_for(2)]).await.unwrap();
    next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
    let e = next_event(&mut events, |e| matches!(e, Event::Connect { .. })).await;
    assert!(
        matches!(
            e,
            Event::Connect {
                recovered: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(client.id().as_deref(), Some(id.as_str()), "same socket id");
    let missed = next_named(&mut news, "news").await;
    assert_eq!(as_json(&missed.args[0]), json!(2));

    // The room survived on the server without a re-join.
    let rooms = client
        .emit_with_ack("my_rooms", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(as_json(&rooms[0]), json!(["r1"]));
}
