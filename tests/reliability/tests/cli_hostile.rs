//! `omni-socket listen` against hostile servers: a flood of 64 MB binary
//! events while its output is stalled (memory stays bounded, and comes
//! back), and messages over the 16 MiB limit (the cause is printed
//! plainly, without `-v`). Issue 21, items 9 and 10.

use std::process::Stdio;
use std::time::Duration;

use omni_reliability_tests::hostile::{HostileServer, Plan};
use omni_reliability_tests::*;
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

const MB: u64 = 1024 * 1024;
/// 17 MiB: over the client's 16 MiB WebSocket message and polling body
/// limit.
const OVERSIZE: usize = 17 * 1024 * 1024;
const OVERSIZE_CAUSE: &str =
    "the server sent a WebSocket message of 17825792 bytes, over the limit of 16777216 bytes";

fn listen(url: &str, extra: &[&str]) -> Child {
    Command::new(omni_socket_bin())
        .arg("listen")
        .arg(url)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("omni-socket runs")
}

/// Waits for `child` to exit; its exit code, stdout and stderr.
async fn finish(child: Child) -> (Option<i32>, String, String) {
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("omni-socket did not exit in time")
        .expect("omni-socket output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_with_stalled_output_holds_one_event_and_gives_memory_back() {
    const EVENTS: usize = 12;
    let server = HostileServer::start(|_| Plan::Blobs {
        events: EVENTS,
        attachments: 64,
        size: 1_000_000,
    })
    .await;
    let mut child = listen(&server.url(), &["--transports", "websocket", "--json"]);
    let pid = child.id().expect("pid");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::with_capacity(1 << 20, stdout).lines();
    // Connected once it says so; nothing else is read until the flood is
    // over, so its writes to stdout block and its queue fills.
    tokio::time::timeout(WAIT, async {
        while let Some(l) = lines.next_line().await.expect("stdout") {
            if l.contains(r#""type":"connect""#) {
                return;
            }
        }
        panic!("omni-socket ended before connecting");
    })
    .await
    .expect("no connect line");
    let start = proc_status_bytes(pid, "VmRSS").expect("VmRSS");
    server.flood();
    tokio::time::timeout(Duration::from_secs(120), async {
        while server.blobs_sent() < EVENTS {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the server could not send its flood in time");
    // One event being printed when stdout stalled, one in the queue, one
    // being reassembled: 3 × 64 MB, and the allocator's slack. Before:
    // the queue took all 12 (1 GB), and 98 MB stayed afterwards.
    let peak_bound = start + 256 * MB;
    let check_peak = || {
        let peak = proc_status_bytes(pid, "VmHWM").expect("VmHWM");
        assert!(
            peak <= peak_bound,
            "RSS peaked at {} MiB from {} MiB",
            peak / MB,
            start / MB
        );
        peak
    };
    check_peak();

    // Now read: what it kept, a line saying what it lost, then a tick sent
    // after the flood, once its queue had room again.
    let (mut blobs, mut dropped) = (0, 0);
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(l) = lines.next_line().await.expect("stdout") {
            let line: Json = serde_json::from_str(&l).expect("a JSON line");
            match (line["type"].as_str(), line["event"].as_str()) {
                (Some("event"), Some("blob")) => blobs += 1,
                (Some("event"), Some("tick")) => return,
                (Some("dropped"), _) => dropped = line["total"].as_u64().expect("total"),
                _ => {}
            }
        }
        panic!("omni-socket ended before the tick");
    })
    .await
    .expect("no tick after the flood");
    let peak = check_peak();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = proc_status_bytes(pid, "VmRSS").expect("VmRSS");
    println!(
        "RELIABILITY cli_memory: flood={EVENTS}x64x1000000B rss_start_mib={} rss_peak_mib={} \
         rss_after_mib={} printed={blobs} reported_dropped={dropped}",
        start / MB,
        peak / MB,
        after / MB
    );
    assert!(
        after <= start + 24 * MB,
        "RSS {} MiB after the queue drained, from {} MiB",
        after / MB,
        start / MB
    );
    assert!(
        blobs >= 1 && dropped >= 1,
        "printed {blobs}, dropped {dropped}"
    );
}

#[tokio::test]
async fn an_oversized_frame_after_connecting_is_named_with_each_reconnect_delay() {
    let server =
        HostileServer::start(|_| Plan::Garbage(vec![Message::binary(vec![0u8; OVERSIZE])])).await;
    let child = listen(
        &server.url(),
        &["--transports", "websocket", "--duration", "3"],
    );
    let (code, stdout, stderr) = finish(child).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    // Plainly, without -v: what broke, why, and when the next try comes.
    let disconnect = format!("[disconnect] / transport error: {OVERSIZE_CAUSE}");
    assert!(stdout.contains(&disconnect), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("[reconnect_attempt] reconnecting in ")
                && l.ends_with(" ms (attempt 1)")),
        "{stdout}"
    );
    assert!(stdout.contains("[reconnect] "), "{stdout}");
}

#[tokio::test]
async fn an_oversized_frame_instead_of_the_connect_answer_is_the_exit_message() {
    let server = HostileServer::start(|_| {
        Plan::AnswerConnectWith(vec![Message::binary(vec![0u8; OVERSIZE])])
    })
    .await;
    omni_socket_bin();
    let started = std::time::Instant::now();
    let child = listen(&server.url(), &["--transports", "websocket"]);
    let (code, stdout, stderr) = finish(child).await;
    // Exit 3 (cannot connect) with the cause, at once: not "timed out
    // while connecting" after the 20 s connect timeout.
    assert_eq!(code, Some(3), "{stdout}\n{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("omni-socket: transport error: {OVERSIZE_CAUSE}"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("[connect_error] / too large: {OVERSIZE_CAUSE}")),
        "{stdout}"
    );
    println!(
        "RELIABILITY cli_oversize_connect: exit=3 after_ms={}",
        started.elapsed().as_millis()
    );
}

#[tokio::test]
async fn an_oversized_polling_body_is_the_exit_message() {
    let server = HostileServer::start(|_| Plan::PollingBody(OVERSIZE)).await;
    let mut child = listen(&server.url(), &["--transports", "polling", "-v"]);
    // -v would show the cause in the logs anyway; the exit message must
    // carry it on its own, so only the last line counts.
    let mut stderr = child.stderr.take().expect("stderr");
    let reading = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let (code, stdout, _) = finish(child).await;
    let stderr = reading.await.expect("stderr");
    assert_eq!(code, Some(3), "{stdout}\n{stderr}");
    assert_eq!(
        stderr.lines().last(),
        Some(
            "omni-socket: transport error: the server sent a polling response over the limit \
             of 16777216 bytes"
        ),
        "{stderr}"
    );
}
