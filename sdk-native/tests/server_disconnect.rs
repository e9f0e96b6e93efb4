//! A server-initiated disconnect is final unless the application
//! reconnects.
mod common;

use std::time::Duration;

use common::*;
use omni_socket::{DisconnectReason, Event};

#[tokio::test]
async fn server_disconnect_is_not_retried_until_asked() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut events = client.events();
    client.emit("kick", vec![]).await.unwrap();
    next_event(&mut events, |e| {
        matches!(e, Event::Disconnect { nsp, reason: DisconnectReason::IoServerDisconnect } if nsp == "/")
    })
    .await;
    assert!(!client.connected());

    // Emits wait in the buffer and go out once the application reconnects.
    let mut echoes = client.on_event("echo");
    client.emit("echo", vec![s("after kick")]).await.unwrap();
    client.reconnect().unwrap();
    client.wait_connected(WAIT).await.unwrap();
    let m = next_named(&mut echoes, "echo").await;
    assert_eq!(m.args, vec![s("after kick")]);
    client
        .emit_with_ack("ping", vec![], Duration::from_secs(5))
        .await
        .unwrap();
}

#[tokio::test]
async fn client_disconnect_stops_and_reconnect_resumes() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut events = client.events();
    client.disconnect().await.unwrap();
    next_event(&mut events, |e| {
        matches!(
            e,
            Event::Disconnect {
                reason: DisconnectReason::IoClientDisconnect,
                ..
            }
        )
    })
    .await;
    assert!(!client.connected());
    client.reconnect().unwrap();
    client.wait_connected(WAIT).await.unwrap();
}
