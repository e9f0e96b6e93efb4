//! The `transports` option: polling only, WebSocket only, and the upgrade
//! from polling to WebSocket.
mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use omni_socket::{Event, RateLimitConfig, TransportKind, Value};

async fn server_transport(client: &omni_socket::Client) -> String {
    let who = client
        .emit_with_ack("whoami", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    as_json(&who[0])["transport"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn polling_only() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .transports([TransportKind::Polling])
        .connect()
        .await
        .unwrap();
    assert_eq!(
        client.state().borrow().transport,
        Some(TransportKind::Polling)
    );
    assert_eq!(server_transport(&client).await, "polling");
    // Binary over polling travels as base64 records.
    let bin = Value::Array(vec![Value::Binary(Bytes::from_static(&[1, 2, 3])), s("x")]);
    let back = client
        .emit_with_ack("ack_echo", vec![bin.clone()], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(back, vec![bin]);
    // Several pings pass (300 ms interval) while the session stays up.
    let mut events = client.events();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(client.connected());
    assert!(events_without_disconnect(&mut events));
    assert_eq!(server_transport(&client).await, "polling");
}

fn events_without_disconnect(events: &mut omni_socket::LifecycleStream) -> bool {
    use futures_util::FutureExt;
    while let Some(Some(e)) = events.next().now_or_never() {
        if matches!(e, Event::Disconnect { .. }) {
            return false;
        }
    }
    true
}

#[tokio::test]
async fn websocket_only() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .transports([TransportKind::Websocket])
        .connect()
        .await
        .unwrap();
    assert_eq!(
        client.state().borrow().transport,
        Some(TransportKind::Websocket)
    );
    assert_eq!(server_transport(&client).await, "websocket");
}

/// The driver reads the WebSocket itself, at most a batch of frames per
/// turn: a burst far larger than a batch arrives whole and in order, and
/// acks asked for in the middle of it are answered.
#[tokio::test]
async fn websocket_burst_arrives_in_order_while_acks_pass() {
    const N: u64 = 5_000;
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .transports([TransportKind::Websocket])
        .rate_limit(RateLimitConfig::disabled())
        .subscription_queue(N as usize)
        .connect()
        .await
        .unwrap();
    let mut seq = client.on_event("seq");
    client
        .emit("burst", vec![json(serde_json::json!(N))])
        .await
        .unwrap();
    for _ in 0..3 {
        let back = client
            .emit_with_ack("ack_echo", vec![s("mid-burst")], Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(back, vec![s("mid-burst")]);
    }
    // One deadline for the whole burst (it takes well under a second): a
    // reader that stalled between batches would only move on at the next
    // heartbeat (300 ms here) and miss it.
    let all = async {
        for i in 0..N {
            let msg = seq.next().await.expect("stream ended");
            assert_eq!(as_json(&msg.args[0]), serde_json::json!(i));
        }
    };
    tokio::time::timeout(Duration::from_secs(10), all)
        .await
        .expect("burst stalled");
    assert!(client.connected());
}

#[tokio::test]
async fn upgrade_from_polling_to_websocket() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect_lazy().unwrap();
    let mut events = client.events();
    let mut any = client.on_any();
    next_event(&mut events, |e| {
        matches!(
            e,
            Event::Upgraded {
                transport: TransportKind::Websocket
            }
        )
    })
    .await;
    // The welcome the server sent during the upgrade was not lost.
    next_named(&mut any, "welcome").await;
    assert_eq!(
        client.state().borrow().transport,
        Some(TransportKind::Websocket)
    );
    assert_eq!(server_transport(&client).await, "websocket");
}

#[tokio::test]
async fn emits_during_the_upgrade_arrive_once_in_order() {
    let server = NodeServer::start().await;
    for round in 0..3 {
        // Emits made while polling pauses for the upgrade are held and sent
        // on the WebSocket after it; none may be lost or doubled.
        let client = builder(&server.url())
            .rate_limit(RateLimitConfig::disabled())
            .connect()
            .await
            .unwrap();
        for n in 0..40 {
            client
                .emit("record", vec![json(serde_json::json!([round, n]))])
                .await
                .unwrap();
        }
        // The status watch cannot miss an upgrade that completed before
        // this line, unlike an event subscription made now.
        let mut state = client.state();
        tokio::time::timeout(
            WAIT,
            state.wait_for(|s| s.transport == Some(TransportKind::Websocket)),
        )
        .await
        .expect("the upgrade did not complete")
        .expect("client closed");
        for n in 40..50 {
            client
                .emit("record", vec![json(serde_json::json!([round, n]))])
                .await
                .unwrap();
        }
        let records = client
            .emit_with_ack("records", vec![], Duration::from_secs(5))
            .await
            .unwrap();
        let all = as_json(&records[0]);
        let mine: Vec<&serde_json::Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r[0] == round)
            .collect();
        let expected: Vec<serde_json::Value> =
            (0..50).map(|n| serde_json::json!([round, n])).collect();
        assert_eq!(mine, expected.iter().collect::<Vec<_>>(), "round {round}");
        client.disconnect().await.unwrap();
    }
}

/// Emits buffered while connecting are flushed in POSTs within the
/// server's maxPayload: one body of all of them would be refused and the
/// session dropped, over and over.
#[tokio::test]
async fn polling_posts_stay_within_max_payload() {
    let server = NodeServer::start_with(0, &[("MAX_PAYLOAD", "100000")]).await;
    let client = builder(&server.url())
        .transports([TransportKind::Polling])
        .connect_lazy()
        .unwrap();
    let mut events = client.events();
    let chunk = "x".repeat(10_000);
    for i in 0..30 {
        client
            .emit(
                "record",
                vec![json(serde_json::json!({"i": i, "chunk": chunk}))],
            )
            .await
            .unwrap();
    }
    client.wait_connected(WAIT).await.unwrap();
    let records = client
        .emit_with_ack("records", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    let got: Vec<u64> = as_json(&records[0])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["i"].as_u64().unwrap())
        .collect();
    assert_eq!(got, (0..30).collect::<Vec<u64>>());
    // An attachment under maxPayload as bytes but over it as base64 is
    // refused up front rather than sent to be refused by the server.
    let blob = Value::Binary(Bytes::from(vec![7u8; 80_000]));
    client.emit("record", vec![blob]).await.unwrap();
    next_event(&mut events, |e| matches!(e, Event::EmitDropped { .. })).await;
    assert!(events_without_disconnect(&mut events));
    assert!(client.connected());
}

/// A server writes every packet it has buffered into one polling response,
/// whatever its maxPayload: 30 events of 40 kB arrive in responses of more
/// than 1 MB, each packet within the limit.
#[tokio::test]
async fn polling_responses_larger_than_max_payload_are_read() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .transports([TransportKind::Polling])
        .connect()
        .await
        .unwrap();
    let mut events = client.events();
    let mut seq = client.on_event("seq");
    client
        .emit(
            "burst",
            vec![json(serde_json::json!(30)), json(serde_json::json!(40_000))],
        )
        .await
        .unwrap();
    for i in 0..30 {
        let m = next_named(&mut seq, "seq").await;
        assert_eq!(as_json(&m.args[0]), serde_json::json!(i));
        assert_eq!(as_json(&m.args[1]).as_str().map(str::len), Some(40_000));
    }
    assert!(events_without_disconnect(&mut events));
}
