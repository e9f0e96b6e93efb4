//! A hostile server sends binary events of 64 attachments of 1 MB
//! (64 MB each) to a native client whose application stalls. The client's
//! memory must stay bounded by its queues' byte bounds, not grow with
//! what the server sends, and come back once the application catches up.
//!
//! Issue 21: with queues bounded only by count, `omni-socket listen`
//! reached 2.06 GB this way.

use std::time::Duration;

use omni_reliability_tests::hostile::{HostileServer, Plan};
use omni_reliability_tests::*;
use omni_socket::{Client, TransportKind, Value};

const EVENTS: usize = 12;
const ATTACHMENTS: usize = 64;
const SIZE: usize = 1_000_000;
const MB: u64 = 1024 * 1024;
/// What the process may hold at its peak beyond its start: the event the
/// decoder is reassembling (64 MB), the one in the subscription's queue
/// (an event over the 16 MiB byte bound goes into an empty queue alone),
/// and the allocator's slack. Without the byte bound the queue took every
/// event: 12 × 64 MB.
const PEAK_BOUND: u64 = 256 * MB;
/// What may stay once the application has taken everything.
const AFTER_BOUND: u64 = 24 * MB;

/// As an application that receives large binary events should (see the
/// native README): glibc then gives freed blocks over 128 KiB back at
/// once instead of keeping them in its per-thread heaps, so what stays is
/// what the client still holds.
fn return_large_blocks() {
    // SAFETY: mallopt takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_application_holds_one_event_not_the_flood() {
    init_logs();
    return_large_blocks();
    let server = HostileServer::start(|_| Plan::Blobs {
        events: EVENTS,
        attachments: ATTACHMENTS,
        size: SIZE,
    })
    .await;
    let client = Client::builder(&server.url())
        .transports([TransportKind::Websocket])
        .connect_lazy()
        .expect("client");
    let mut stream = client.on_any();
    client.connect_outcome().await.expect("connected");
    let pid = std::process::id();
    let start = proc_status_bytes(pid, "VmRSS").expect("VmRSS");

    // The application takes nothing while the server sends 768 MB.
    server.flood();
    tokio::time::timeout(Duration::from_secs(120), async {
        while server.blobs_sent() < EVENTS {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the server could not send its flood in time");
    // Written is not yet read: the ticks after the flood say when the
    // client has read everything; they are dropped while the queue is
    // full, and arrive once the application catches up.
    let mut blobs = Vec::new();
    let ticks = tokio::time::timeout(WAIT, async {
        loop {
            let m = stream.next().await.expect("client open");
            match m.event.as_str() {
                "blob" => {
                    let bytes: usize = m
                        .args
                        .iter()
                        .map(|a| match a {
                            Value::Binary(b) => b.len(),
                            _ => 0,
                        })
                        .sum();
                    assert_eq!(bytes, ATTACHMENTS * SIZE, "a blob came whole");
                    blobs.push(m.args[0].clone());
                }
                "tick" => return,
                other => panic!("unexpected event {other}"),
            }
        }
    })
    .await;
    ticks.expect("no tick after the flood");
    let peak = proc_status_bytes(pid, "VmHWM").expect("VmHWM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = proc_status_bytes(pid, "VmRSS").expect("VmRSS");
    let dropped = stream.dropped();
    println!(
        "RELIABILITY client_memory: flood={EVENTS}x{ATTACHMENTS}x{SIZE}B rss_start_mib={} \
         rss_peak_mib={} rss_after_mib={} delivered={} dropped={dropped}",
        start / MB,
        peak / MB,
        after / MB,
        blobs.len()
    );
    assert!(
        peak <= start + PEAK_BOUND,
        "RSS peaked at {} MiB from {} MiB",
        peak / MB,
        start / MB
    );
    assert!(
        after <= start + AFTER_BOUND,
        "RSS {} MiB after draining, from {} MiB",
        after / MB,
        start / MB
    );
    // The policy: a full queue drops the new events, counted (ticks
    // included), so the first blob is the one that waited.
    assert_eq!(
        blobs.first(),
        Some(&Value::from(serde_json::json!(0))),
        "{blobs:?}"
    );
    assert!(
        dropped >= (EVENTS - blobs.len()) as u64,
        "{blobs:?} dropped={dropped}"
    );
    client.disconnect().await.expect("disconnect");
}
