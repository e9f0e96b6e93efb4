//! Soak: one client in one process goes through thousands of reconnect
//! cycles. Each cycle the fault proxy cuts the link; the client notices,
//! reconnects by itself, authenticates again and re-joins its room. What
//! must not grow: memory (RSS), open file descriptors, connections.
//!
//! `RELIABILITY_SOAK_CYCLES` sets the number of cycles (default 1,000; the
//! full run uses 10,000). The memory bound is deliberately generous — it
//! is there to catch a leak per cycle, not to measure.

use std::time::Duration;

use omni_fault_proxy::FaultProxy;
use omni_reliability_tests::*;
use omni_socket::core::client::RateLimitConfig;
use omni_socket::{Auth, Client, Credentials, Event, RoomState, TransportKind, Value};
use serde_json::json;

const USER: &str = "user_12345";
/// Cycles before the baseline is taken, so allocator pools and lazily
/// created state are in place.
const WARMUP: usize = 100;
/// Allowed RSS growth between the baseline and the end.
const MAX_GROWTH: u64 = 8 * 1024 * 1024;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_cycles_do_not_grow_memory() {
    init_logs();
    let cycles = env_usize("RELIABILITY_SOAK_CYCLES", 1_000).max(WARMUP + 1);
    // The server's join_room budget is per user and survives reconnects
    // (20 a minute): reconnecting as fast as possible is the point here.
    let server = OmniServer::start(&["--rate-limits", "off"]).await;
    let proxy = FaultProxy::start(server.addr()).await.expect("proxy");
    let token = mint_token(USER, "user", &[], now_secs() + 86_400);
    let client = Client::builder(&format!("http://{}", proxy.addr()))
        .auth(Auth::Credentials(Credentials::token(token)))
        .transports([TransportKind::Websocket])
        .timeout(Duration::from_secs(5))
        .reconnection_delay(Duration::from_millis(1))
        .reconnection_delay_max(Duration::from_millis(5))
        // The Omni rate table allows 20 `join_room` a minute and re-joins
        // count: with it on, cycle 21 onwards waits up to a minute for the
        // client's own limiter. Reconnecting as fast as possible is the
        // point here.
        .config(|c| c.rate_limit = RateLimitConfig::disabled())
        .connect()
        .await
        .expect("connect");
    let mut events = Events::new(client.events());
    client.join_room(USER, "user").await.expect("join");
    events
        .take(
            "room joined",
            |e| matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == USER),
        )
        .await;

    let rss_start = rss_bytes();
    let mut rss_base = rss_start;
    let mut fds_base = open_fds();
    for cycle in 1..=cycles {
        if cycle == WARMUP + 1 {
            rss_base = rss_bytes();
            fds_base = open_fds();
        }
        proxy.cut();
        events
            .take(&format!("re-join in cycle {cycle}"), |e| {
                matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == USER)
            })
            .await;
        // The event log is for assertions in short scenarios; here it
        // would itself grow with every cycle.
        events.log.clear();
        events.clear();
        if cycle % 100 == 0 {
            client
                .emit_with_ack(
                    "heartbeat",
                    vec![Value::from(json!({ "timestamp": 1 }))],
                    Duration::from_secs(5),
                )
                .await
                .unwrap_or_else(|e| panic!("ack after cycle {cycle}: {e}"));
        }
    }
    let rss_end = rss_bytes();
    let fds_end = open_fds();
    // One new TCP connection per cycle through the proxy: no extra
    // attempts, no parallel connections.
    assert_eq!(proxy.accepted_connections(), cycles + 1);
    assert_eq!(proxy.active_connections(), 1);
    assert!(
        fds_end <= fds_base + 2,
        "file descriptors grew from {fds_base} to {fds_end}"
    );
    let growth = rss_end.saturating_sub(rss_base);
    println!(
        "RELIABILITY soak: cycles={cycles} rss_kib_start={} rss_kib_after_warmup={} rss_kib_end={} \
         growth_kib={} fds_after_warmup={fds_base} fds_end={fds_end}",
        rss_start / 1024,
        rss_base / 1024,
        rss_end / 1024,
        growth / 1024
    );
    assert!(
        growth <= MAX_GROWTH,
        "RSS grew by {} KiB over {} cycles",
        growth / 1024,
        cycles - WARMUP
    );
    client.disconnect().await.expect("disconnect");
}
