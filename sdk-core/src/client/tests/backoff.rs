//! Reconnection backoff: bounds, jitter after the cap, no overflow, reset
//! on success, attempt limits and events.

use crate::prelude::*;
use alloc::collections::BTreeSet;

use super::util::*;
use crate::client::*;

fn defaults() -> Backoff {
    Backoff {
        base: 1000,
        max: 5000,
        factor: 0.5,
    }
}

#[test]
fn delays_stay_in_bounds_over_ten_thousand_attempts() {
    let b = defaults();
    let mut rng = Rng::new(42);
    let mut at_cap = BTreeSet::new();
    for attempt in 1..=10_000u32 {
        let d = b.delay(attempt, &mut rng);
        let cap = b.capped(attempt);
        assert!(cap <= 5000, "cap {cap} over max at attempt {attempt}");
        assert!(d <= cap, "delay {d} over cap {cap} at attempt {attempt}");
        assert!(
            d >= cap / 2,
            "delay {d} under (1-factor)·cap at attempt {attempt}"
        );
        assert!(d >= 500, "delay {d} under base·(1-factor)");
        if attempt > 10 {
            at_cap.insert(d);
        }
    }
    // Jitter still applies at the cap: retries at the max are spread out.
    assert!(
        at_cap.len() > 1000,
        "only {} distinct delays at the cap",
        at_cap.len()
    );
    assert_eq!(b.capped(1), 1000);
    assert_eq!(b.capped(2), 2000);
    assert_eq!(b.capped(3), 4000);
    assert_eq!(b.capped(4), 5000);
    assert_eq!(b.capped(u32::MAX), 5000);
}

#[test]
fn no_overflow_with_extreme_settings() {
    let b = Backoff {
        base: u64::MAX / 3,
        max: u64::MAX,
        factor: 1.0,
    };
    let mut rng = Rng::new(1);
    for attempt in [0, 1, 2, 3, 63, 64, 65, 10_000, u32::MAX] {
        let d = b.delay(attempt, &mut rng);
        assert!(d <= b.capped(attempt));
    }
    let nan = Backoff {
        factor: f64::NAN,
        ..defaults()
    };
    assert_eq!(nan.delay(1, &mut rng), 1000);
    let zero = Backoff {
        factor: 0.0,
        ..defaults()
    };
    assert_eq!(zero.delay(100, &mut rng), 5000);
}

#[test]
fn different_seeds_spread_clients_out() {
    let b = defaults();
    let delays: BTreeSet<u64> = (0..50).map(|s| b.delay(20, &mut Rng::new(s))).collect();
    assert!(delays.len() > 40);
}

#[test]
fn reconnect_events_and_reset_on_success() {
    let mut p = Pair::connected();
    p.server.accept_transports = false;
    p.kill_transport();
    // Three failed attempts, each with a connect_error (as socket.io-client
    // emits on every failed attempt) followed by a reconnect_error.
    for n in 1..=3u32 {
        let delay = p
            .events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::ReconnectAttempt { attempt, delay } if *attempt == n => Some(*delay),
                _ => None,
            })
            .expect("attempt scheduled");
        assert!(delay <= 5000);
        p.take_events();
        p.advance(delay);
        let failures: Vec<&str> = p
            .events
            .iter()
            .filter_map(|e| match e {
                Event::ConnectError { nsp, .. } if nsp == "/" => Some("connect_error"),
                Event::ReconnectError { attempt, .. } if *attempt == n => Some("reconnect_error"),
                Event::ReconnectError { .. } | Event::ConnectError { .. } => Some("other"),
                _ => None,
            })
            .collect();
        assert_eq!(
            failures,
            ["connect_error", "reconnect_error"],
            "attempt {n}"
        );
    }
    assert_eq!(p.client.reconnect_attempts(), 4);
    p.server.accept_transports = true;
    p.advance(5_000);
    assert!(p.client.is_connected("/"));
    assert!(p.saw(|e| matches!(e, Event::Reconnect { attempt: 4 })));
    assert_eq!(p.client.reconnect_attempts(), 0);
    // A session that stayed up as long as the longest delay ends the
    // streak: the next loss starts again at attempt 1.
    p.advance(5_000);
    p.take_events();
    p.kill_transport();
    assert!(p.saw(|e| matches!(e, Event::ReconnectAttempt { attempt: 1, .. })));
}

/// A server that accepts every session and breaks it at once (say, with a
/// frame over the size limit) must not be retried at the first delay
/// forever: a session that ends before it is stable continues the streak,
/// so the delays grow to the maximum.
#[test]
fn sessions_that_break_at_once_keep_backing_off() {
    let mut p = Pair::connected();
    let mut attempts = Vec::new();
    for _ in 0..6 {
        p.take_events();
        p.kill_transport();
        let (attempt, delay) = p
            .events
            .iter()
            .find_map(|e| match e {
                Event::ReconnectAttempt { attempt, delay } => Some((*attempt, *delay)),
                _ => None,
            })
            .expect("a reconnection is scheduled");
        attempts.push(attempt);
        p.advance(delay);
        assert!(p.client.is_connected("/"), "the server accepts again");
    }
    assert_eq!(attempts, [1, 2, 3, 4, 5, 6]);
    // Once connected, no attempts are shown; the streak is still there.
    assert_eq!(p.client.reconnect_attempts(), 0);
}

#[test]
fn reconnect_failed_after_configured_attempts() {
    let mut config = Pair::config();
    config.reconnection_attempts = Some(3);
    let mut p = Pair::connected_with(config);
    p.server.accept_transports = false;
    p.kill_transport();
    p.advance(60_000);
    let attempts: Vec<u32> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::ReconnectAttempt { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, vec![1, 2, 3]);
    assert!(p.saw(|e| matches!(e, Event::ReconnectFailed { attempts: 3 })));
    assert_eq!(p.client.state(), ConnectionState::Idle);
}

#[test]
fn no_reconnection_when_disabled() {
    let mut config = Pair::config();
    config.reconnection = false;
    let mut p = Pair::connected_with(config);
    p.kill_transport();
    assert_eq!(p.client.state(), ConnectionState::Idle);
    assert!(!p.saw(|e| matches!(e, Event::ReconnectAttempt { .. })));
}

#[test]
fn options_accept_socket_io_client_names() {
    let config: ClientConfig = serde_json::from_str(
        r#"{"url":"https://x","reconnectionAttempts":5,"reconnectionDelay":200,
            "reconnectionDelayMax":800,"randomizationFactor":0.2,"timeout":1000,
            "transports":["websocket"],"path":"/io/","query":{"a":"b"},
            "auth":{"token":"t"},"ackTimeout":3000,"retries":2}"#,
    )
    .expect("options");
    assert_eq!(config.reconnection_attempts, Some(5));
    assert_eq!(config.reconnection_delay, 200);
    assert_eq!(config.reconnection_delay_max, 800);
    assert_eq!(config.transports, vec![TransportKind::Websocket]);
    assert_eq!(config.ack_timeout, Some(3000));
    assert_eq!(config.retries, 2);
    assert!(config.reconnection, "unset options keep their defaults");
    let inf: ClientConfig = serde_json::from_str(r#"{"reconnectionAttempts":1e300}"#).unwrap();
    assert_eq!(inf.reconnection_attempts, None);
    let d = ClientConfig::default();
    assert_eq!(
        (
            d.reconnection_delay,
            d.reconnection_delay_max,
            d.timeout,
            d.path.as_str()
        ),
        (1000, 5000, 20_000, "/socket.io/")
    );
    assert_eq!(d.randomization_factor, 0.5);
}

#[test]
fn reconnect_now_skips_the_delay() {
    let mut config = Pair::config();
    config.reconnection_delay = 60_000;
    config.reconnection_delay_max = 60_000;
    let mut p = Pair::connected_with(config);
    p.kill_transport();
    p.advance(10);
    assert!(!p.client.is_connected("/"));
    p.client.reconnect_now(p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    assert!(p.saw(|e| matches!(e, Event::Reconnect { attempt: 1 })));
}

#[test]
fn a_max_below_the_base_caps_every_delay() {
    // socket.io-client: `reconnectionDelayMax` bounds the delay even when
    // it is below `reconnectionDelay`.
    let b = Backoff {
        base: 1000,
        max: 100,
        factor: 0.0,
    };
    let mut rng = Rng::new(3);
    for attempt in 1..=5 {
        assert_eq!(b.delay(attempt, &mut rng), 100);
    }
}
