//! Acknowledgements in both directions, and ack timeouts.
mod common;

use std::time::Duration;

use common::*;
use omni_socket::Error;
use serde_json::json;

#[tokio::test]
async fn client_request_gets_the_server_answer() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let answer = client
        .emit_with_ack(
            "ack_echo",
            vec![s("a"), json(json!({"n": 1}))],
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(answer, vec![s("a"), json(json!({"n": 1}))]);
    let empty = client
        .emit_with_ack("ping", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    assert!(empty.is_empty());
}

#[tokio::test]
async fn unanswered_request_times_out() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    // `record` has no ack callback on the server.
    let err = client
        .emit_with_ack("record", vec![s("x")], Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AckTimeout), "{err:?}");
}

#[tokio::test]
async fn server_request_gets_the_client_answer() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut questions = client.on_event("question");
    let mut answers = client.on_event("client_answered");
    client
        .emit("ask_client", vec![json(json!({"q": 6}))])
        .await
        .unwrap();
    let q = next_named(&mut questions, "question").await;
    assert_eq!(as_json(&q.args[0]), json!({"q": 6}));
    let ack = q.ack.expect("the server asked for an ack");
    ack.send(vec![json(json!({"a": 42}))]).unwrap();
    let a = next_named(&mut answers, "client_answered").await;
    assert_eq!(as_json(&a.args[0]), json!({"a": 42}));
}
