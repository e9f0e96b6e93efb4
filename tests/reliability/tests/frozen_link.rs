//! The link between client and reference server goes half-open (the fault
//! proxy stops every byte, both sockets stay open) or is cut outright.
//!
//! A half-open link gives the client no error at all; only the missing
//! Engine.IO pings reveal it. The client must report `ping timeout` within
//! pingInterval + pingTimeout (+0.5 s of scheduling slack), keep trying
//! while the link is dead, and recover by itself once it is back: session,
//! room and server-side room membership (an admin-API notification to the
//! user's room reaches it).

use std::time::{Duration, Instant};

use omni_fault_proxy::FaultProxy;
use omni_reliability_tests::*;
use omni_socket::{Auth, Client, Credentials, DisconnectReason, Event, RoomState};
use serde_json::json;

const PING_INTERVAL_MS: u64 = 300;
const PING_TIMEOUT_MS: u64 = 200;
const SLACK_MS: u64 = 500;
const USER: &str = "user_12345";

async fn setup() -> (OmniServer, FaultProxy, Client, Events) {
    init_logs();
    let server = OmniServer::start(&[
        "--ping-interval-ms",
        &PING_INTERVAL_MS.to_string(),
        "--ping-timeout-ms",
        &PING_TIMEOUT_MS.to_string(),
    ])
    .await;
    let proxy = FaultProxy::start(server.addr()).await.expect("proxy");
    let token = mint_token(USER, "user", &[], now_secs() + 3600);
    let client = Client::builder(&format!("http://{}", proxy.addr()))
        .auth(Auth::Credentials(Credentials::token(token)))
        .timeout(Duration::from_millis(800))
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(300))
        .connect()
        .await
        .expect("connect through the proxy");
    let mut events = Events::new(client.events());
    client.join_room(USER, "user").await.expect("join");
    events.take("room joined", |e| is_joined(e, USER)).await;
    (server, proxy, client, events)
}

/// The room works end to end: a notification sent by the server to the
/// user's room arrives.
async fn check_room_delivery(server: &OmniServer, client: &Client, round: usize) {
    let mut notes = client.on_event("notification");
    let text = format!("after fault {round}");
    notify_user(server.addr(), USER, "reliability", &text).await;
    let m = tokio::time::timeout(WAIT, notes.next())
        .await
        .expect("notification in time")
        .expect("client open");
    assert_eq!(
        omni_socket::value::to_json(&m.args[0])["message"],
        json!(text)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_link_is_detected_by_ping_timeout_and_recovers() {
    let (server, proxy, client, mut events) = setup().await;
    let bound = Duration::from_millis(PING_INTERVAL_MS + PING_TIMEOUT_MS + SLACK_MS);
    for round in 1..=3 {
        events.clear();
        let frozen_at = Instant::now();
        proxy.freeze();
        let e = events
            .take_within(bound + Duration::from_secs(2), "disconnect", |e| {
                matches!(e, Event::Disconnect { .. })
            })
            .await;
        let detected_after = frozen_at.elapsed();
        assert!(
            matches!(
                e,
                Event::Disconnect {
                    reason: DisconnectReason::PingTimeout,
                    ..
                }
            ),
            "round {round}: {e:?}"
        );
        assert!(
            detected_after <= bound,
            "round {round}: ping timeout after {detected_after:?}, bound {bound:?}"
        );
        // While the link stays dead, attempts fail (no handshake arrives)
        // and the client says so instead of pretending to be connected.
        events
            .take("a failed attempt on the dead link", |e| {
                matches!(e, Event::ReconnectError { .. })
            })
            .await;
        assert!(!client.connected());

        proxy.thaw();
        events
            .take("reconnect", |e| matches!(e, Event::Reconnect { .. }))
            .await;
        events.take("room re-joined", |e| is_joined(e, USER)).await;
        check_room_delivery(&server, &client, round).await;
        println!(
            "RELIABILITY frozen_link: round={round} detected_after_ms={}",
            detected_after.as_millis()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_link_reconnects_and_rejoins() {
    let (server, proxy, client, mut events) = setup().await;
    for round in 1..=3 {
        events.clear();
        proxy.cut();
        let e = events
            .take("disconnect", |e| matches!(e, Event::Disconnect { .. }))
            .await;
        assert!(
            matches!(
                e,
                Event::Disconnect {
                    reason: DisconnectReason::TransportClose | DisconnectReason::TransportError,
                    ..
                }
            ),
            "round {round}: {e:?}"
        );
        events
            .take("reconnect", |e| matches!(e, Event::Reconnect { .. }))
            .await;
        events.take("room re-joined", |e| is_joined(e, USER)).await;
        check_room_delivery(&server, &client, round).await;
    }
}

fn is_joined(e: &Event, room: &str) -> bool {
    matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == room)
}
