//! A hostile server: each connection speaks a valid Engine.IO handshake and
//! Socket.IO CONNECT, then sends one kind of garbage. The client must
//! report it as a protocol error (a clear event naming the problem), close
//! that link as `parse error`, never panic, and reconnect by itself; the
//! connection after the last garbage behaves and must work normally.

use std::time::Duration;

use omni_reliability_tests::hostile::{HostileServer, Plan};
use omni_reliability_tests::*;
use omni_socket::{Client, DisconnectReason, Event, TransportKind, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

struct Case {
    name: &'static str,
    messages: Vec<Message>,
    /// What the client must say: a fragment of its protocol error, or
    /// `None` for a transport-level failure.
    error: Option<&'static str>,
}

fn text(s: impl Into<String>) -> Message {
    Message::text(s.into())
}

fn cases() -> Vec<Case> {
    let deep = format!("42[\"note\",{}{}]", "[".repeat(5000), "]".repeat(5000));
    let oversize = format!("42[\"note\",\"{}\"]", "x".repeat(2_000_000));
    // A text frame that is not UTF-8: tungstenite only builds such a frame
    // raw.
    let bad_utf8 = Message::Frame(Frame::message(
        vec![b'4', b'2', b'[', b'"', 0xff, 0xfe, b'"', b']'],
        OpCode::Data(Data::Text),
        true,
    ));
    vec![
        Case {
            name: "truncated event",
            messages: vec![text(r#"42["note",{"a":"#)],
            error: Some("invalid JSON"),
        },
        Case {
            name: "unknown Engine.IO packet type",
            messages: vec![text("9hello")],
            error: Some("unknown Engine.IO packet type '9'"),
        },
        Case {
            name: "unknown Socket.IO packet type",
            messages: vec![text(r#"47["note"]"#)],
            error: Some("unknown Socket.IO packet type '7'"),
        },
        Case {
            name: "placeholder past the attachments",
            messages: vec![
                text(r#"451-["note",{"_placeholder":true,"num":5}]"#),
                Message::binary(vec![1u8, 2, 3]),
            ],
            error: Some("invalid binary placeholder"),
        },
        Case {
            name: "huge attachment count",
            messages: vec![text(r#"4599999999999999999999-["note"]"#)],
            error: Some("over the limit of 64"),
        },
        Case {
            name: "huge ack id",
            messages: vec![text(r#"43999999999999999999999999["x"]"#)],
            error: Some("invalid ack id"),
        },
        Case {
            name: "number out of range",
            messages: vec![text(r#"42["note",1e999]"#)],
            error: Some("number out of range"),
        },
        Case {
            name: "event name not a string",
            messages: vec![text(r#"42[42,"x"]"#)],
            error: Some("must start with the event name"),
        },
        Case {
            name: "invalid UTF-8 text frame",
            messages: vec![bad_utf8],
            error: None,
        },
        Case {
            name: "nesting 5000 deep",
            messages: vec![text(deep)],
            error: Some("nested deeper than 64 levels"),
        },
        Case {
            name: "2 MB event (over the 1 MB limit)",
            messages: vec![text(oversize)],
            error: Some("over the limit of 1000000 bytes"),
        },
        Case {
            name: "binary frame nobody announced",
            messages: vec![Message::binary(vec![0u8, 1, 2, 3])],
            error: Some("binary frame without a pending binary packet"),
        },
    ]
}

/// Waits for the `k`-th connection (the hostile server names its
/// sockets `socket0`, `socket1`, ...).
async fn connected(events: &mut Events, k: usize, what: &str) {
    let sid = format!("socket{k}");
    events
        .take(
            what,
            |e| matches!(e, Event::Connect { sid: s, .. } if *s == sid),
        )
        .await;
}

/// The `k`-th connection and its end: the disconnect, the events between
/// them, and the protocol errors among those.
async fn session(events: &mut Events, k: usize, what: &str) -> (Event, Vec<Event>, Vec<String>) {
    connected(events, k, &format!("connect #{k}")).await;
    let start = events.log.len();
    let disconnect = events
        .take(&format!("disconnect after {what}"), |e| {
            matches!(e, Event::Disconnect { .. })
        })
        .await;
    let between = events.log[start..].to_vec();
    let errors = between
        .iter()
        .filter_map(|e| match e {
            Event::ProtocolError(err) => Some(err.to_string()),
            _ => None,
        })
        .collect();
    (disconnect, between, errors)
}

/// A server whose k-th connection sends `plans[k]` and whose later ones
/// behave, and a client that reconnects to it quickly (not yet running:
/// the caller subscribes first).
async fn garbage_then_behave(plans: Vec<Vec<Message>>) -> (HostileServer, Client) {
    let server = HostileServer::start(move |k| match plans.get(k) {
        Some(m) => Plan::Garbage(m.clone()),
        None => Plan::Behave,
    })
    .await;
    let client = Client::builder(&server.url())
        .transports([TransportKind::Websocket])
        .timeout(Duration::from_secs(2))
        .reconnection_delay(Duration::from_millis(50))
        .reconnection_delay_max(Duration::from_millis(200))
        .connect_lazy()
        .expect("client");
    (server, client)
}

// Single-threaded on purpose: the client task cannot run before the
// subscriptions below exist, so no early event is missed.
#[tokio::test]
async fn garbage_from_the_server_is_an_error_event_then_a_reconnect() {
    init_logs();
    let cases = cases();
    let plans: Vec<Vec<Message>> = cases.iter().map(|c| c.messages.clone()).collect();
    let (server, client) = garbage_then_behave(plans).await;
    let mut events = Events::new(client.events());
    let mut notes = client.on_event("note");

    for (k, case) in cases.iter().enumerate() {
        let (disconnect, between, errors) = session(&mut events, k, case.name).await;
        match case.error {
            Some(fragment) => {
                assert!(
                    matches!(
                        disconnect,
                        Event::Disconnect {
                            reason: DisconnectReason::ParseError,
                            ..
                        }
                    ),
                    "{}: {disconnect:?}, events {between:?}",
                    case.name
                );
                assert_eq!(errors.len(), 1, "{}: one protocol error event", case.name);
                assert!(
                    errors[0].contains(fragment),
                    "{}: {:?} does not say {fragment:?}",
                    case.name,
                    errors[0]
                );
            }
            // RFC 6455 makes a non-UTF-8 text frame a failure of the
            // WebSocket itself: the transport reports it before Engine.IO
            // sees anything.
            None => {
                assert!(
                    matches!(
                        disconnect,
                        Event::Disconnect {
                            reason: DisconnectReason::TransportError,
                            ..
                        }
                    ),
                    "{}: {disconnect:?}",
                    case.name
                );
                assert!(errors.is_empty(), "{}: {errors:?}", case.name);
            }
        }
    }

    // The first well-behaved connection works like any other.
    connected(
        &mut events,
        cases.len(),
        "connect to the well-behaved server",
    )
    .await;
    let answer = client
        .emit_with_ack("ping", vec![], Duration::from_secs(5))
        .await
        .expect("ack after recovery");
    assert_eq!(answer, vec![Value::String("ok".into())]);
    // None of the garbage became an application event.
    assert!(futures_util::FutureExt::now_or_never(notes.next()).is_none());
    // One TCP connection per case plus the good one: the client neither
    // gave up nor opened extra connections.
    assert_eq!(server.accepted(), cases.len() + 1);
    println!(
        "RELIABILITY malformed: cases={} protocol_error_events={} transport_errors={} recovered=true",
        cases.len(),
        cases.iter().filter(|c| c.error.is_some()).count(),
        cases.iter().filter(|c| c.error.is_none()).count()
    );
}

/// The model a typed subscription reads in the test below.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Note {
    n: u64,
}

impl omni_socket::models::Event for Note {
    const NAME: &'static str = "note";
}

/// A typed subscription's decode is the only JSON pass over a lent event's
/// text, so it must refuse everything the core's decoder refuses: each
/// malformed event still closes the link with the core's own protocol error
/// and reaches nobody, a well-formed event of another shape is skipped as
/// before, and the events around them arrive in order, once.
#[tokio::test]
async fn malformed_events_for_a_typed_subscription_close_the_link_as_before() {
    init_logs();
    let note = |s: &str| text(format!("42[\"note\",{s}]"));
    let deep = format!("{{\"n\":99,\"skip\":{}{}}}", "[".repeat(70), "]".repeat(70));
    // Per connection: what the server sends, and the error it must cause.
    let plans: Vec<(Vec<Message>, &str)> = vec![
        (
            vec![
                note(r#"{"n":1}"#),
                note(r#"{"n":2}"#),
                // Valid JSON, not a Note: skipped, the link stays.
                note(r#"{"n":"three"}"#),
                note(r#"{"n":4}"#),
                // A number the core refuses, in a field Note skips.
                note(r#"{"n":5,"skip":1e999}"#),
                note(r#"{"n":6}"#),
            ],
            "number out of range",
        ),
        (
            vec![
                note(r#"{"n":7}"#),
                text(r#"42["note",{"n":8}"#),
                note(r#"{"n":9}"#),
            ],
            "invalid JSON",
        ),
        (
            vec![note(r#"{"n":10}"#), note(&deep), note(r#"{"n":11}"#)],
            "nested deeper than 64 levels",
        ),
    ];
    let garbage: Vec<Vec<Message>> = plans.iter().map(|(m, _)| m.clone()).collect();
    let (server, client) = garbage_then_behave(garbage).await;
    let mut events = Events::new(client.events());
    let mut notes = client.subscribe::<Note>();

    for (k, (_, fragment)) in plans.iter().enumerate() {
        let (disconnect, between, errors) = session(&mut events, k, &format!("#{k}")).await;
        assert!(
            matches!(
                disconnect,
                Event::Disconnect {
                    reason: DisconnectReason::ParseError,
                    ..
                }
            ),
            "#{k}: {disconnect:?}, events {between:?}"
        );
        assert_eq!(errors.len(), 1, "#{k}: {errors:?}");
        assert!(
            errors[0].contains(fragment),
            "#{k}: {:?} does not say {fragment:?}",
            errors[0]
        );
    }
    connected(
        &mut events,
        plans.len(),
        "connect to the well-behaved server",
    )
    .await;
    let mut got = Vec::new();
    while let Some(n) = futures_util::FutureExt::now_or_never(notes.next()) {
        got.push(n.expect("stream open").n);
    }
    assert_eq!(got, [1, 2, 4, 7, 10]);
    assert_eq!(server.accepted(), plans.len() + 1);
}
