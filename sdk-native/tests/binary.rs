//! Binary values nested in objects and arrays, both directions.
mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use omni_socket::Value;

fn nested() -> Value {
    Value::Object(vec![
        ("name".into(), s("file.bin")),
        (
            "data".into(),
            Value::Binary(Bytes::from_static(&[0, 1, 2, 255])),
        ),
        (
            "parts".into(),
            Value::Array(vec![
                Value::Binary(Bytes::from_static(b"first")),
                Value::Object(vec![(
                    "deep".into(),
                    Value::Binary(Bytes::from_static(&[7; 3])),
                )]),
                Value::Null,
            ]),
        ),
    ])
}

#[tokio::test]
async fn nested_binary_round_trips_through_echo_and_ack() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut echoes = client.on_event("echo");
    let top = Value::Binary(Bytes::from_static(&[42]));
    client
        .emit("echo", vec![nested(), top.clone()])
        .await
        .unwrap();
    let m = next_named(&mut echoes, "echo").await;
    assert_eq!(m.args, vec![nested(), top.clone()]);

    let acked = client
        .emit_with_ack(
            "ack_echo",
            vec![nested(), top.clone()],
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(acked, vec![nested(), top]);
}

#[tokio::test]
async fn server_sends_binary_in_place() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut bin = client.on_event("binary");
    client.emit("send_binary", vec![]).await.unwrap();
    let m = next_named(&mut bin, "binary").await;
    assert_eq!(
        as_json(&m.args[0]),
        serde_json::json!({
            "file": {"base64": "AQID"},
            "list": [{"base64": "YWI="}, {"nested": {"base64": "/wA="}}],
            "text": "plain"
        })
    );
    assert_eq!(m.args[1], Value::Binary(Bytes::from_static(&[9])));
}
