//! Many native connections to one reference server (seed 000's load
//! test): each authenticates with its own token, joins its user room and
//! the shared license room, and runs the Omni heartbeat. Then the server
//! broadcasts through its admin API:
//! - `usage_update` to the license room reaches every client exactly once;
//! - `maintenance_mode` to the whole namespace reaches every client once;
//! - a `notification` to one user's room reaches that client only.
//!
//! `RELIABILITY_LOAD_CONNECTIONS` sets the size (default 200; the full run
//! uses 1,000).

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::FutureExt;
use omni_reliability_tests::*;
use omni_socket::{
    Auth, Client, Credentials, Event, HeartbeatConfig, MessageStream, RoomState, TransportKind,
};
use serde_json::json;

const LICENSE: &str = "OMNI-PREM-ABCD-1234-EFGH";
/// Connections opened at the same time.
const CONNECT_BATCH: usize = 50;

struct Conn {
    client: Client,
    usage: MessageStream,
    maintenance: MessageStream,
    notes: MessageStream,
}

async fn open(url: String, i: usize) -> Conn {
    let user = format!("user_load{i}");
    let token = mint_token(&user, "user", &[LICENSE], now_secs() + 3600);
    let client = Client::builder(&url)
        .auth(Auth::Credentials(Credentials::token(token)))
        .transports([TransportKind::Websocket])
        .timeout(Duration::from_secs(20))
        .heartbeat(HeartbeatConfig {
            interval: 2_000,
            ..HeartbeatConfig::default()
        })
        .connect_lazy()
        .expect("client");
    let mut events = Events::new(client.events());
    let usage = client.on_event("usage_update");
    let maintenance = client.on_event("maintenance_mode");
    let notes = client.on_event("notification");
    client
        .connect_outcome()
        .await
        .unwrap_or_else(|e| panic!("connection {i}: {e}"));
    client
        .join_room(&user, "user")
        .await
        .expect("join user room");
    let license_room = format!("license_{LICENSE}");
    client
        .join_room(&license_room, "license")
        .await
        .expect("join license room");
    for room in [user.as_str(), license_room.as_str()] {
        events
            .take(&format!("connection {i} joined {room}"), |e| {
                matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == room)
            })
            .await;
    }
    Conn {
        client,
        usage,
        maintenance,
        notes,
    }
}

async fn expect_one(stream: &mut MessageStream, what: &str, i: usize) -> serde_json::Value {
    let m = tokio::time::timeout(WAIT, stream.next())
        .await
        .unwrap_or_else(|_| panic!("connection {i}: no {what}"))
        .expect("client open");
    omni_socket::value::to_json(&m.args[0])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_reach_every_connection() {
    init_logs();
    let n = env_usize("RELIABILITY_LOAD_CONNECTIONS", 200);
    // Every client comes from 127.0.0.1: above the per-address caps.
    let server = OmniServer::start(&[
        "--max-sessions-per-ip",
        "5000",
        "--max-connections-per-ip",
        "5000",
    ])
    .await;
    let rss_before = rss_bytes();

    let mut conns = Vec::with_capacity(n);
    for start in (0..n).step_by(CONNECT_BATCH) {
        let batch: Vec<_> = (start..(start + CONNECT_BATCH).min(n))
            .map(|i| tokio::spawn(open(server.url(), i)))
            .collect();
        for t in batch {
            conns.push(t.await.expect("connection task"));
        }
    }
    let (status, stats) = admin_request(server.addr(), "GET", "/admin/api/stats", None).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats["namespaces"]["/"],
        json!(n),
        "server-side count: {stats}"
    );

    // Room broadcast.
    let usage = json!({ "license_key": LICENSE, "api_calls": 1250, "storage_used_gb": 15.5, "active_users": n });
    let (status, answer) =
        admin_request(server.addr(), "POST", "/admin/api/usage", Some(&usage)).await;
    assert_eq!(status, 202, "{answer}");
    for (i, c) in conns.iter_mut().enumerate() {
        let got = expect_one(&mut c.usage, "usage_update", i).await;
        assert_eq!(got["api_calls"], json!(1250), "connection {i}");
    }

    // Namespace-wide broadcast.
    let body = json!({ "enabled": true, "message": "load test" });
    let (status, answer) =
        admin_request(server.addr(), "POST", "/admin/api/maintenance", Some(&body)).await;
    assert_eq!(status, 202, "{answer}");
    for (i, c) in conns.iter_mut().enumerate() {
        let got = expect_one(&mut c.maintenance, "maintenance_mode", i).await;
        assert_eq!(got["enabled"], json!(true), "connection {i}");
    }

    // One user's room: exactly that connection.
    let target = n / 2;
    notify_user(
        server.addr(),
        &format!("user_load{target}"),
        "t",
        "only you",
    )
    .await;
    let got = expect_one(&mut conns[target].notes, "notification", target).await;
    assert_eq!(got["message"], json!("only you"));

    // Heartbeats run on every connection (interval 2 s).
    tokio::time::timeout(WAIT, async {
        while conns.iter().any(|c| c.client.latency().count == 0) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("every connection has a heartbeat round trip");

    // Nothing arrived twice, and the notification went nowhere else.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut extra: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &mut conns {
        for (name, s) in [
            ("usage_update", &mut c.usage),
            ("maintenance_mode", &mut c.maintenance),
            ("notification", &mut c.notes),
        ] {
            while let Some(Some(_)) = s.next().now_or_never() {
                *extra.entry(name).or_default() += 1;
            }
        }
    }
    assert!(extra.is_empty(), "unexpected extra deliveries: {extra:?}");
    let rss_after = rss_bytes();
    let p99_max = conns
        .iter()
        .map(|c| c.client.latency().p99)
        .max()
        .unwrap_or(0);
    println!(
        "RELIABILITY load: connections={n} room_broadcast_delivered={n} namespace_broadcast_delivered={n} \
         targeted_delivered=1 duplicates=0 heartbeat_p99_max_ms={p99_max} client_rss_mb_before={} client_rss_mb_after={}",
        rss_before / 1_048_576,
        rss_after / 1_048_576
    );
    for c in &conns {
        let _ = c.client.disconnect().await;
    }
}
