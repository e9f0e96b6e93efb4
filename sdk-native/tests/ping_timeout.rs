//! A frozen server (SIGSTOP) is detected by the missing Engine.IO pings;
//! after SIGCONT the client reconnects by itself.
mod common;

use std::time::Duration;

use common::*;
use omni_socket::{DisconnectReason, Event};

#[tokio::test]
async fn ping_timeout_then_recovery() {
    // Pings every 300 ms, 200 ms grace: a stop is noticed within ~0.5 s.
    let server = NodeServer::start_with(0, &[("PING_TIMEOUT", "200")]).await;
    let client = builder(&server.url())
        .timeout(Duration::from_millis(1000))
        .connect()
        .await
        .unwrap();
    let mut events = client.events();

    server.signal("STOP").await;
    next_event(&mut events, |e| {
        matches!(
            e,
            Event::Disconnect {
                reason: DisconnectReason::PingTimeout,
                ..
            }
        )
    })
    .await;
    // Attempts against the frozen process fail (the handshake never comes).
    next_event(&mut events, |e| matches!(e, Event::ReconnectError { .. })).await;
    assert!(!client.connected());

    server.signal("CONT").await;
    next_event(&mut events, |e| matches!(e, Event::Reconnect { .. })).await;
    client.wait_connected(WAIT).await.unwrap();
    client
        .emit_with_ack("ping", vec![], Duration::from_secs(5))
        .await
        .unwrap();
}
