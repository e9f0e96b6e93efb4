//! The server crashes (SIGKILL) and comes back on the same port, again and
//! again, while the client keeps up a steady stream of acked emits, buffers
//! plain emits while the server is down, and holds two rooms.
//!
//! Checked at the server (the ledger server logs every event it receives,
//! and the log outlives each process):
//! - every buffered emit arrives exactly once and in order;
//! - every acked emit is answered exactly once at the client, with its own
//!   payload, and reached the server; the server saw an emit twice only
//!   when the client was told it failed (`Disconnected`, in flight at the
//!   crash) and the application sent it again;
//! - after every restart both rooms are re-joined (the server's own room
//!   list says so) and a room broadcast reaches the client exactly once.
//!
//! `RELIABILITY_RESTARTS` sets the number of restarts (default 20).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use omni_reliability_tests::*;
use omni_socket::core::client::RateLimitConfig;
use omni_socket::{Client, Error, Event, RoomState, TransportKind, Value};
use serde_json::json;

const ROOMS: [&str; 2] = ["room_a", "room_b"];
/// Plain emits made while the server is down, per restart.
const BUFFERED_PER_RESTART: u64 = 5;

fn to_json(v: &Value) -> serde_json::Value {
    omni_socket::value::to_json(v)
}

/// One acked emit as the application saw it.
#[derive(Debug)]
struct Acked {
    n: u64,
    attempts: u32,
    answer: serde_json::Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarts_lose_and_duplicate_nothing() {
    restarts_scenario(&[TransportKind::Websocket]).await;
}

/// The same over long-polling with the upgrade to WebSocket after every
/// reconnect, so emits and re-joins also land in the upgrade window (probe
/// answered, polling pausing). Before the driver held frames for that
/// window, the re-joins sent in it were lost about one run in two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarts_with_polling_upgrade() {
    restarts_scenario(&[TransportKind::Polling, TransportKind::Websocket]).await;
}

async fn restarts_scenario(transports: &[TransportKind]) {
    init_logs();
    let restarts = env_usize("RELIABILITY_RESTARTS", 20);
    let ledger = Ledger::default();
    let mut server = LedgerServer::start(0, &ledger, 0).await;
    let port = server.port();

    let client = Client::builder(&server.url())
        .transports(transports.iter().copied())
        .timeout(Duration::from_secs(2))
        .reconnection_delay(Duration::from_millis(50))
        .reconnection_delay_max(Duration::from_millis(300))
        // The Omni rate table is for the reference server; this stream
        // runs at full speed.
        .config(|c| c.rate_limit = RateLimitConfig::disabled())
        .connect()
        .await
        .expect("first connect");
    let mut events = Events::new(client.events());
    let mut notes = client.on_event("note");
    for room in ROOMS {
        client.join_room(room, "test").await.expect("join");
        events.take("first room join", |e| is_joined(e, room)).await;
    }

    // The steady stream: one acked emit after another. An emit that fails
    // because the connection died under it is sent again, as an
    // application would.
    let stop = Arc::new(AtomicBool::new(false));
    let stream = {
        let client = client.clone();
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut done = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let mut attempts = 0;
                let answer = loop {
                    attempts += 1;
                    let args = vec![Value::from(json!({ "n": n }))];
                    match client
                        .emit_with_ack("ack_record", args, Duration::from_secs(3))
                        .await
                    {
                        Ok(answer) => break answer,
                        Err(Error::Disconnected | Error::AckTimeout) => {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Err(e) => panic!("acked emit {n} failed unexpectedly: {e}"),
                    }
                };
                assert_eq!(answer.len(), 1, "ack {n} has one argument");
                done.push(Acked {
                    n,
                    attempts,
                    answer: to_json(&answer[0]),
                });
                n += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            done
        })
    };

    let mut buffered = Vec::new();
    let mut seq = 0u64;
    for cycle in 1..=restarts {
        tokio::time::sleep(Duration::from_millis(150)).await;
        events.clear();
        server.kill().await;
        events
            .take("disconnect after the crash", |e| {
                matches!(e, Event::Disconnect { .. })
            })
            .await;

        // Offline: these wait in the client's buffer.
        for _ in 0..BUFFERED_PER_RESTART {
            client
                .emit(
                    "record",
                    vec![Value::from(json!({ "n": seq, "cycle": cycle }))],
                )
                .await
                .expect("buffered emit accepted");
            buffered.push(seq);
            seq += 1;
        }

        server = LedgerServer::start(port, &ledger, cycle).await;
        events
            .take("reconnect", |e| matches!(e, Event::Reconnect { .. }))
            .await;
        for room in ROOMS {
            events.take("room re-joined", |e| is_joined(e, room)).await;
        }
        let want = buffered.len();
        ledger
            .wait_for("buffered emits delivered", |entries| {
                entries.iter().filter(|e| kind(e) == "record").count() >= want
            })
            .await;

        // The server's view: this socket is in both rooms.
        let rooms = client
            .emit_with_ack("my_rooms", vec![], Duration::from_secs(5))
            .await
            .expect("my_rooms");
        assert_eq!(
            to_json(&rooms[0]),
            json!(ROOMS),
            "rooms after restart {cycle}"
        );
        for room in ROOMS {
            let data =
                json!({ "room": room, "event": "note", "data": { "room": room, "cycle": cycle } });
            client
                .emit("broadcast", vec![Value::from(data)])
                .await
                .expect("broadcast emit");
        }
        let mut got = BTreeSet::new();
        for _ in ROOMS {
            let m = tokio::time::timeout(WAIT, notes.next())
                .await
                .expect("room broadcast in time")
                .expect("client open");
            got.insert(to_json(&m.args[0]).to_string());
        }
        let want: BTreeSet<_> = ROOMS
            .iter()
            .map(|r| json!({ "room": r, "cycle": cycle }).to_string())
            .collect();
        assert_eq!(got, want, "room broadcasts after restart {cycle}");
    }

    stop.store(true, Ordering::Relaxed);
    let acked = tokio::time::timeout(WAIT, stream)
        .await
        .expect("ack stream ends")
        .expect("ack stream task");
    // Anything late would show up now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        notes.next().now_or_never().is_none(),
        "a room broadcast arrived twice"
    );

    // The server logs an emit before it acks it, but its lines reach the
    // ledger through a pipe and a reader task, so wait for the last ones.
    ledger
        .wait_for("every acked emit logged", |entries| {
            let logged: BTreeSet<u64> = entries
                .iter()
                .filter(|e| kind(e) == "ack_record")
                .filter_map(|e| e.entry["n"].as_u64())
                .collect();
            acked.iter().all(|a| logged.contains(&a.n))
        })
        .await;
    let entries = ledger.entries();
    // Buffered emits: exactly once, in order, across all server processes.
    let records: Vec<u64> = entries
        .iter()
        .filter(|e| kind(e) == "record")
        .map(|e| e.entry["n"].as_u64().expect("n"))
        .collect();
    assert_eq!(records, buffered, "buffered emits at the server");

    // Acked emits: one answer per emit, carrying its own payload.
    for (i, a) in acked.iter().enumerate() {
        assert_eq!(a.n, i as u64);
        assert_eq!(a.answer, json!({ "n": a.n }), "ack of emit {}", a.n);
    }
    let mut seen_at_server: BTreeMap<u64, usize> = BTreeMap::new();
    for e in entries.iter().filter(|e| kind(e) == "ack_record") {
        *seen_at_server
            .entry(e.entry["n"].as_u64().expect("n"))
            .or_default() += 1;
    }
    let mut server_duplicates = 0;
    for a in &acked {
        let times = seen_at_server.get(&a.n).copied().unwrap_or(0);
        assert!(times >= 1, "acked emit {} never reached the server", a.n);
        assert!(
            times <= a.attempts as usize,
            "acked emit {} reached the server {times} times but was sent {} times",
            a.n,
            a.attempts
        );
        server_duplicates += times - 1;
    }
    assert!(
        seen_at_server.keys().all(|n| (*n as usize) < acked.len()),
        "the server saw an acked emit the application never finished"
    );
    let resent = acked.iter().filter(|a| a.attempts > 1).count();

    // Rooms: joined once at start and once after every restart.
    events.drain_ready();
    for room in ROOMS {
        let joins = events.log.iter().filter(|e| is_joined(e, room)).count();
        assert_eq!(
            joins,
            restarts + 1,
            "{room}: joined at start and once per restart"
        );
    }
    println!(
        "RELIABILITY restart: transports={transports:?} restarts={restarts} acked_emits={} acked_resent_after_crash={resent} \
         server_side_redeliveries_of_resent={server_duplicates} buffered_emits={} \
         buffered_lost=0 buffered_duplicated=0 room_rejoins={} broadcasts={}",
        acked.len(),
        buffered.len(),
        restarts * ROOMS.len(),
        restarts * ROOMS.len()
    );
    client.disconnect().await.expect("disconnect");
    drop(server);
}

fn is_joined(e: &Event, room: &str) -> bool {
    matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == room)
}

fn kind(e: &LedgerEntry) -> &str {
    e.entry["kind"].as_str().unwrap_or_default()
}
