//! Black-box tests of the `omni-socket` binary: the contract the
//! end-to-end tests rely on.
mod common;

use std::process::Output;
use std::time::Duration;

use common::*;
use serde_json::{json, Value as Json};
use tokio::process::Command;

async fn run(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_omni-socket"));
    cmd.args(args).kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(30), cmd.output())
        .await
        .expect("omni-socket did not finish in time")
        .expect("omni-socket runs")
}

fn lines(out: &Output) -> Vec<Json> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not one JSON object per line: {l:?}: {e}"))
        })
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn listen_json_prints_typed_lines_and_stops_after_count() {
    let server = NodeServer::start().await;
    let url = server.url();
    let out = run(&[
        "listen",
        &url,
        "--json",
        "--count",
        "3",
        "--token",
        "Bearer t1",
        "--license-key",
        "K-1",
        "--join-room",
        "license_9",
        "--subscribe",
        r#"echo {"x":[1]}"#,
        "--subscribe",
        "send_binary",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = lines(&out);
    assert!(lines.iter().all(|l| l["type"].is_string()), "{lines:?}");
    let connect = lines
        .iter()
        .find(|l| l["type"] == "connect")
        .expect("a connect line");
    assert_eq!(connect["namespace"], "/");
    let events: Vec<&Json> = lines.iter().filter(|l| l["type"] == "event").collect();
    assert_eq!(events.len(), 3, "{lines:?}");
    let by_name = |n: &str| {
        events
            .iter()
            .find(|e| e["event"] == n)
            .copied()
            .unwrap_or_else(|| panic!("no {n} in {lines:?}"))
    };
    // The token is sent exactly as given.
    assert_eq!(
        by_name("welcome")["args"][0]["auth"],
        json!({"token": "Bearer t1", "license_key": "K-1"})
    );
    // `room_joined` may be among the three events; binary shows as base64.
    let wanted = ["echo", "binary", "room_joined"];
    assert!(
        events
            .iter()
            .skip(1)
            .all(|e| wanted.contains(&e["event"].as_str().unwrap())),
        "{events:?}"
    );
    if let Some(b) = events.iter().find(|e| e["event"] == "binary") {
        assert_eq!(b["args"][1], json!({"base64": "CQ=="}));
        assert_eq!(b["args"][0]["list"][1]["nested"], json!({"base64": "/wA="}));
    }
    let room = lines
        .iter()
        .find(|l| l["type"] == "room")
        .expect("a room line");
    assert_eq!(room["room"], "license_9");
}

#[tokio::test]
async fn listen_duration_exits_zero_and_reports_rooms() {
    let server = NodeServer::start().await;
    let url = server.url();
    let out = run(&[
        "listen",
        &url,
        "--json",
        "--duration",
        "3",
        "--join-room",
        "forbidden_x",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = lines(&out);
    let states: Vec<&str> = lines
        .iter()
        .filter(|l| l["type"] == "room")
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["joining", "failed"], "{lines:?}");
}

#[tokio::test]
async fn emit_with_and_without_ack() {
    let server = NodeServer::start().await;
    let url = server.url();
    let out = run(&[
        "emit",
        &url,
        "ack_echo",
        r#"{"a":1}"#,
        r#"{"base64":"AQI="}"#,
        "2",
        "--ack",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out), [json!([{"a": 1}, {"base64": "AQI="}, 2])]);

    // A long linger: the server drops an event whose DISCONNECT it reads in
    // the same tick, and a loaded machine can stall it past the default.
    let out = run(&[
        "emit",
        &url,
        "record",
        r#""fire and forget""#,
        "--linger-ms",
        "1000",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let out = run(&["emit", &url, "records", "--ack", "--namespace", "/"]).await;
    assert_eq!(lines(&out), [json!([["fire and forget"]])]);

    let out = run(&["emit", &url, "record", "1", "--ack", "--timeout-ms", "200"]).await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("no ack"), "{}", stderr(&out));
}

#[tokio::test]
async fn ping_prints_statistics_in_both_modes() {
    let server = NodeServer::start().await;
    let url = server.url();
    for mode in ["heartbeat", "ack"] {
        let out = run(&[
            "ping",
            &url,
            "--count",
            "4",
            "--interval-ms",
            "50",
            "--mode",
            mode,
        ])
        .await;
        assert!(out.status.success(), "{mode}: {}", stderr(&out));
        let l = lines(&out);
        assert_eq!(l.len(), 1);
        let s = &l[0];
        assert_eq!(s["count"], 4);
        let get = |k: &str| {
            s[k].as_u64()
                .unwrap_or_else(|| panic!("{k} missing in {s}"))
        };
        assert!(get("min") <= get("p50") && get("p50") <= get("p95"));
        assert!(get("p95") <= get("p99") && get("p99") <= get("max"));
        assert!(get("min") <= get("mean") && get("mean") <= get("max"));
    }
}

#[tokio::test]
async fn failures_have_distinct_exit_codes_and_messages() {
    let server = NodeServer::start().await;
    let url = server.url();

    let out = run(&["emit", &url, "x", "--token", "invalid"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("authentication failed"),
        "{}",
        stderr(&out)
    );

    let out = run(&["listen", &url, "--json", "--token", "forbidden"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let l = lines(&out);
    let err = l
        .iter()
        .find(|l| l["type"] == "connect_error")
        .expect("connect_error line");
    assert_eq!(err["message"], "namespace closed for maintenance");
    assert_eq!(err["data"], json!({"code": "MAINTENANCE"}));

    // Bound but never listening: refused, and not handed to another server.
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let free = reserved.local_addr().unwrap().port();
    let out = run(&["emit", &format!("http://127.0.0.1:{free}"), "x"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
    drop(reserved);

    for bad in ["ftp://host", "127.0.0.1:3001", "http://"] {
        let out = run(&["emit", bad, "x"]).await;
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("invalid URL"), "{}", stderr(&out));
    }
    let out = run(&["emit", &url, "x", "{not json"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn bench_reports_one_json_object() {
    let server = NodeServer::start().await;
    let url = server.url();
    let out = run(&[
        "bench",
        &url,
        "--connections",
        "5",
        "--rooms",
        "2",
        "--duration",
        "0.5",
        "--interval-ms",
        "100",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["connected"], 5);
    assert_eq!(l[0]["failed"], 0);
    assert!(l[0]["connect_ms"]["p99"].is_number());
    assert!(l[0]["latency_ms"]["count"].as_u64().unwrap() > 0);
}
