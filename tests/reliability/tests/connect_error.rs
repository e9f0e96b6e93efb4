//! A server that answers every Socket.IO CONNECT with `connect_error`.
//!
//! The client must retry with exponential backoff (base 100 ms, cap
//! 800 ms, jitter 0.5: attempt `i` waits between half and all of
//! `min(100 · 2^(i-1), 800)` ms), stop after `reconnection_attempts`, say
//! so with `reconnect_failed`, and then leave the server alone. The
//! spacing is measured at the server, from the arrival times of the
//! CONNECT packets.

use std::time::Duration;

use omni_reliability_tests::hostile::{HostileServer, Plan};
use omni_reliability_tests::*;
use omni_socket::{Client, Event, TransportKind};

const BASE_MS: u64 = 100;
const MAX_MS: u64 = 800;
const ATTEMPTS: u32 = 6;
const MESSAGE: &str = "namespace closed for maintenance";

fn capped(attempt: u32) -> u64 {
    (BASE_MS << (attempt - 1)).min(MAX_MS)
}

// Single-threaded: the subscriptions exist before the client task runs.
#[tokio::test]
async fn connect_error_forever_backs_off_then_gives_up() {
    init_logs();
    let server = HostileServer::start(|_| Plan::RefuseConnect(MESSAGE.into())).await;
    let client = Client::builder(&server.url())
        .transports([TransportKind::Websocket])
        .timeout(Duration::from_secs(2))
        .reconnection_delay(Duration::from_millis(BASE_MS))
        .reconnection_delay_max(Duration::from_millis(MAX_MS))
        .randomization_factor(0.5)
        .reconnection_attempts(Some(ATTEMPTS))
        .connect_lazy()
        .expect("client");
    let mut events = Events::new(client.events());

    events
        .take("reconnect_failed", |e| {
            matches!(e, Event::ReconnectFailed { .. })
        })
        .await;
    // Anything after giving up would be hammering.
    tokio::time::sleep(Duration::from_secs(2)).await;
    events.drain_ready();

    let times = server.connect_times();
    assert_eq!(
        times.len(),
        1 + ATTEMPTS as usize,
        "one CONNECT plus one per retry, none after giving up"
    );
    let errors: Vec<_> = events
        .log
        .iter()
        .filter_map(|e| match e {
            Event::ConnectError { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(errors, vec![MESSAGE; 1 + ATTEMPTS as usize]);
    assert!(
        events
            .log
            .contains(&Event::ReconnectFailed { attempts: ATTEMPTS }),
        "{:?}",
        events.log
    );
    assert!(!client.connected());

    let mut gaps = Vec::new();
    for (i, pair) in times.windows(2).enumerate() {
        let attempt = i as u32 + 1;
        let gap = pair[1] - pair[0];
        let full = Duration::from_millis(capped(attempt));
        // Jitter takes off at most half; timers fire late, never early
        // (5 ms for clock granularity).
        assert!(
            gap + Duration::from_millis(5) >= full / 2,
            "retry {attempt} after {gap:?}, less than half of {full:?}"
        );
        assert!(
            gap <= full + Duration::from_millis(500),
            "retry {attempt} after {gap:?}, far beyond {full:?}"
        );
        gaps.push(gap.as_millis());
    }
    println!(
        "RELIABILITY connect_error: connects={} gaps_ms={gaps:?} tcp_connections={} gave_up=true",
        times.len(),
        server.accepted()
    );
}
