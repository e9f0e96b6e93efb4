//! Acknowledgements in both directions, and ack timeouts.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use common::*;
use omni_socket::Error;
use serde_json::json;

/// Polls `fut` once from the test's own task (it sends its packet and, on a
/// one-thread runtime, starts helping the driver); it must still be waiting.
async fn poll_once<F: Future + Unpin>(fut: &mut F, answered: &str) {
    let waiting =
        std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx).is_pending())).await;
    assert!(waiting, "{answered}");
}

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

/// The driver moves its timer only to an earlier deadline (src/driver.rs):
/// a short timeout after a long one already armed must still fire on time,
/// and the long one when it is the only one left.
#[tokio::test(flavor = "current_thread")]
async fn a_shorter_ack_timeout_fires_before_a_longer_one_armed_first() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    // `record` has no ack callback on the server.
    let long = client.emit_with_ack("record", vec![s("long")], Duration::from_millis(1500));
    let short = client.emit_with_ack("record", vec![s("short")], Duration::from_millis(200));
    let mut long = Box::pin(long);
    // The long one is sent, and its deadline armed, first.
    poll_once(&mut long, "answered without an answer").await;
    let started = tokio::time::Instant::now();
    let err = tokio::time::timeout(Duration::from_millis(1200), short)
        .await
        .expect("the short timeout waited for the long one")
        .unwrap_err();
    assert!(matches!(err, Error::AckTimeout), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(150));
    let err = tokio::time::timeout(Duration::from_secs(10), long)
        .await
        .expect("the long timeout never fired")
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

/// On a one-thread runtime a caller awaiting an ack polls the driver
/// itself (src/drive.rs). An ack future polled once and then left alone
/// must not take the connection with it: the driver's task still runs it,
/// so events arrive, other acks are answered, and the left future is
/// answered when polled again.
#[tokio::test(flavor = "current_thread")]
async fn an_ack_future_left_unpolled_does_not_stall_the_connection() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut echoes = client.on_event("echo");
    let mut left = Box::pin(client.emit_with_ack("ack_echo", vec![s("left")], WAIT));
    // Polled once (it sends the packet and starts helping), then not again
    // until the end.
    poll_once(&mut left, "answered before the server saw it").await;
    client.emit("echo", vec![s("e")]).await.unwrap();
    let e = next_named(&mut echoes, "echo").await;
    assert_eq!(e.args, vec![s("e")]);
    let answer = tokio::time::timeout(WAIT, client.emit_with_ack("ack_echo", vec![s("b")], WAIT))
        .await
        .expect("a second ack while the first waits unpolled")
        .unwrap();
    assert_eq!(answer, vec![s("b")]);
    // Dropped while waiting: the next one is answered as well.
    let mut dropped = Box::pin(client.emit_with_ack("record", vec![s("x")], WAIT));
    poll_once(&mut dropped, "`record` has no ack").await;
    drop(dropped);
    let answer = client
        .emit_with_ack("ack_echo", vec![s("c")], WAIT)
        .await
        .unwrap();
    assert_eq!(answer, vec![s("c")]);
    let answer = tokio::time::timeout(WAIT, left)
        .await
        .expect("the first ack, polled again")
        .unwrap();
    assert_eq!(answer, vec![s("left")]);
}

/// On a multi-thread runtime the driver keeps to its own task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acks_on_a_multi_thread_runtime() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    for i in 0..20 {
        let answer = client
            .emit_with_ack("ack_echo", vec![json(json!(i))], WAIT)
            .await
            .unwrap();
        assert_eq!(answer, vec![json(json!(i))]);
    }
}

/// A caller on a blocking thread of a one-thread runtime
/// (`Handle::block_on` inside `spawn_blocking`) helps from another thread
/// than the connection's task: acks are answered all the same.
#[tokio::test(flavor = "current_thread")]
async fn acks_from_a_blocking_thread_of_a_one_thread_runtime() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let handle = tokio::runtime::Handle::current();
    let answers = tokio::task::spawn_blocking(move || {
        (0..20)
            .map(|i| {
                handle
                    .block_on(client.emit_with_ack("ack_echo", vec![json(json!(i))], WAIT))
                    .unwrap()
            })
            .collect::<Vec<_>>()
    });
    let answers = tokio::time::timeout(WAIT, answers)
        .await
        .expect("twenty acks")
        .unwrap();
    for (i, a) in answers.into_iter().enumerate() {
        assert_eq!(a, vec![json(json!(i))]);
    }
}
