//! Application heartbeat: Omni style and ack style, latency statistics.

use crate::prelude::*;
use serde_json::json;

use super::util::*;
use crate::client::*;

fn omni_config(interval: u64) -> ClientConfig {
    let mut config = Pair::config();
    config.heartbeat = Some(HeartbeatConfig {
        interval,
        mode: HeartbeatMode::omni("1.0.0", "web"),
        window: 4,
        namespace: "/".into(),
    });
    config
}

fn samples(p: &Pair) -> Vec<LatencySample> {
    p.events
        .iter()
        .filter_map(|e| match e {
            Event::Latency(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn omni_heartbeat_measures_round_trips() {
    let mut p = Pair::connected_with(omni_config(10_000));
    let sent = p.server.events("/");
    assert_eq!(sent.len(), 1, "first heartbeat on connect");
    assert_eq!(sent[0].0, "heartbeat");
    assert_eq!(
        sent[0].1,
        vec![
            json!({"timestamp": p.now.as_millis(), "client_info": {"version": "1.0.0", "platform": "web"}})
        ]
    );
    let rtts = [40u64, 10, 30, 20, 50];
    for (i, rtt) in rtts.iter().enumerate() {
        if i > 0 {
            p.advance(10_000 - rtts[i - 1]);
            assert_eq!(p.server.events("/").len(), i + 1);
        }
        p.advance(*rtt);
        p.server_emit(
            "/",
            "heartbeat_response",
            json!([{"server_timestamp": 1, "latency": 7, "status": "healthy"}]),
        );
    }
    let s = samples(&p);
    assert_eq!(s.iter().map(|s| s.rtt).collect::<Vec<_>>(), rtts);
    let last = s.last().unwrap();
    assert_eq!(last.server_latency, Some(7));
    assert_eq!(last.server_status.as_deref(), Some("healthy"));
    // Window of 4: the 40 ms sample has left it.
    let stats = p.client.latency();
    assert_eq!(stats.count, 4);
    assert_eq!((stats.min, stats.max, stats.last), (10, 50, 50));
    assert_eq!(stats.mean, 27);
    assert_eq!(stats.p50, 20);
    assert_eq!(stats.p95, 50);
    assert_eq!(stats.p99, 50);
    assert_eq!(p.client.server_status(), Some("healthy"));
}

#[test]
fn unsolicited_response_is_not_a_sample() {
    let mut p = Pair::connected_with(omni_config(10_000));
    p.server_emit("/", "heartbeat_response", json!([{"status": "ok"}]));
    p.server_emit("/", "heartbeat_response", json!([{"status": "ok"}]));
    assert_eq!(samples(&p).len(), 1);
}

#[test]
fn ack_heartbeat_measures_round_trips() {
    let mut config = Pair::config();
    config.heartbeat = Some(HeartbeatConfig {
        interval: 5_000,
        mode: HeartbeatMode::Ack {
            event: "ping".into(),
        },
        window: 10,
        namespace: "/".into(),
    });
    let mut p = Pair::connected_with(config);
    p.advance(25);
    let id = last_ack_id(&p.server, "ping").expect("ping with ack id");
    p.server_ack("/", id, json!([]));
    assert_eq!(
        samples(&p).iter().map(|s| s.rtt).collect::<Vec<_>>(),
        vec![25]
    );
    // Unanswered pings are dropped from the ack table, not leaked.
    p.advance(60_000);
    assert!(p.client.pending_acks("/") <= 1);
}

#[test]
fn heartbeat_stops_while_disconnected() {
    let mut p = Pair::connected_with(omni_config(1_000));
    p.server.accept_transports = false;
    p.kill_transport();
    let before = p.server.events("/").len();
    p.advance(4_000);
    assert_eq!(p.server.events("/").len(), before);
}

/// Omni's heartbeat defaults exist once, here: an options object that says
/// only `heartbeat: {}` (what the React hook and the Vue plugin pass) or
/// names only the mode gets seed 000's events, 30 s, this version.
#[test]
fn omni_heartbeat_defaults_come_from_the_core() {
    let want = HeartbeatConfig::default();
    assert_eq!(want.interval, 30_000);
    assert_eq!(
        want.mode,
        HeartbeatMode::Omni {
            event: "heartbeat".into(),
            response_event: "heartbeat_response".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            platform: "rust".into(),
        }
    );
    for options in [
        json!({"heartbeat": {}}),
        json!({"heartbeat": {"mode": {"type": "omni"}}}),
    ] {
        let c = ClientConfig::from_json(&options).expect("options");
        assert_eq!(c.heartbeat.as_ref(), Some(&want), "{options}");
    }
    let c = ClientConfig::from_json(
        &json!({"heartbeat": {"interval": 5, "mode": {"type": "omni", "platform": "web"}}}),
    )
    .expect("options");
    let hb = c.heartbeat.expect("heartbeat");
    assert_eq!(hb.interval, 5);
    assert!(
        matches!(hb.mode, HeartbeatMode::Omni { platform, event, .. } if platform == "web" && event == "heartbeat")
    );
}
