//! The `transports` option: polling only, WebSocket only, and the upgrade
//! from polling to WebSocket.
mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use omni_socket::{Event, TransportKind, Value};

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
