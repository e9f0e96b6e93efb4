//! Driver conformance, native driver: every scenario of
//! `tests/conformance/scenarios.json`, run with this crate against the
//! official socket.io server of `tests/conformance/server.mjs`, once per
//! transport setup. The browser driver runs the same list in
//! `npm/test/conformance.test.mjs`.
mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use common::{init_logs, next_event, WAIT};
use omni_socket::core::client::{Preset, PresetId};
use omni_socket::{
    Auth, Client, DisconnectReason, Event, RateLimitConfig, RoomSpec, RoomState, TransportKind,
    Value,
};
use serde_json::{json, Value as Json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The scenario fixture server; killed when dropped.
struct Fixture {
    _child: Child,
    url: String,
    addr: String,
}

impl Fixture {
    async fn start() -> Self {
        init_logs();
        assert!(
            root()
                .join("tests/node-peers/node_modules/socket.io")
                .is_dir(),
            "tests/node-peers/node_modules is missing: run scripts/test-native.sh first"
        );
        let mut child = Command::new("node")
            .arg(root().join("tests/conformance/server.mjs"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node (20+) must be on PATH");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let url = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("fixture did not print its URL")
            .expect("fixture stdout")
            .expect("fixture exited");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = url.trim_start_matches("http://").to_owned();
        Self {
            _child: child,
            url,
            addr,
        }
    }

    /// A control request; the response body.
    async fn control(&self, method: &str, path: &str) -> String {
        let mut tcp = TcpStream::connect(&self.addr).await.expect("control");
        let req = format!(
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
            self.addr
        );
        tcp.write_all(req.as_bytes()).await.expect("control write");
        let mut out = String::new();
        tcp.read_to_string(&mut out).await.expect("control read");
        out.split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default()
    }

    async fn log(&self) -> Json {
        serde_json::from_str(&self.control("GET", "/_control/log").await).expect("log JSON")
    }

    /// Polls the log until `pred` holds.
    async fn until(&self, what: &str, pred: impl Fn(&Json) -> bool) -> Json {
        let end = tokio::time::Instant::now() + WAIT;
        loop {
            let log = self.log().await;
            if pred(&log) {
                return log;
            }
            assert!(
                tokio::time::Instant::now() < end,
                "timed out waiting for {what}: {log}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Events of the log received from socket `sid` named `event`.
fn events_of<'a>(log: &'a Json, sid: &str, event: &str) -> Vec<&'a Json> {
    log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["sid"] == sid && e["event"] == event)
        .collect()
}

fn builder(url: &str, transport: &str) -> omni_socket::ClientBuilder {
    // No client-side pacing: this server enforces no rate limit.
    let b = Client::builder(url)
        .timeout(Duration::from_secs(3))
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(200))
        .rate_limit(RateLimitConfig::disabled());
    match transport {
        "websocket" => b.transports([TransportKind::Websocket]),
        "polling" => b.transports([TransportKind::Polling]),
        _ => b,
    }
}

async fn emit_then_disconnect(f: &Fixture, transport: &str) {
    let client = builder(&f.url, transport).connect().await.unwrap();
    let sid = client.id().expect("sid");
    client
        .emit("last", vec![Value::from(json!(1))])
        .await
        .unwrap();
    client.disconnect().await.unwrap();
    f.until("the last emit", |l| !events_of(l, &sid, "last").is_empty())
        .await;
}

async fn burst_during_upgrade(f: &Fixture, transport: &str) {
    const N: usize = 300;
    let auth = Auth::from_json(json!({ "ticks": N })).expect("auth object");
    let client = builder(&f.url, transport)
        .auth(auth)
        .connect_lazy()
        .unwrap();
    let mut ticks = client.on_event("tick");
    client.wait_connected(WAIT).await.unwrap();
    let sid = client.id().expect("sid");
    for i in 0..N {
        client
            .emit("burst", vec![Value::from(json!(i))])
            .await
            .unwrap();
    }
    let log = f
        .until("every burst event", |l| {
            events_of(l, &sid, "burst").len() == N
        })
        .await;
    let got: Vec<u64> = events_of(&log, &sid, "burst")
        .iter()
        .map(|e| e["args"][0].as_u64().unwrap())
        .collect();
    assert_eq!(got, (0..N as u64).collect::<Vec<_>>(), "burst order");
    let mut seen = Vec::new();
    while seen.len() < N {
        let m = tokio::time::timeout(WAIT, ticks.next())
            .await
            .expect("ticks in time")
            .expect("client closed");
        seen.push(m.first_json().as_u64().unwrap());
    }
    assert_eq!(seen, (0..N as u64).collect::<Vec<_>>(), "tick order");
}

async fn restart_without_stale_sid(f: &Fixture, transport: &str) {
    let client = builder(&f.url, transport).connect().await.unwrap();
    let mut events = client.events();
    // A long-poll is in flight now over polling.
    tokio::time::sleep(Duration::from_millis(100)).await;
    f.control("POST", "/_control/restart").await;
    next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
    next_event(&mut events, |e| matches!(e, Event::Connect { .. })).await;
    client
        .emit_with_ack("done", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    let log = f.log().await;
    assert_eq!(log["incarnation"], 2);
    assert_eq!(
        log["stale"],
        json!([]),
        "requests with a sid the server never issued"
    );
}

async fn conversation_007_room(f: &Fixture, _transport: &str) {
    let client = builder(&f.url, _transport).connect().await.unwrap();
    let sid = client.id().expect("sid");
    let mut events = client.events();
    let conv = Preset::named("conversation").expect("preset");
    let spec = RoomSpec::from_preset(conv, &PresetId::Text("007")).unwrap();
    let key = spec.key.clone();
    client.join(spec).await.unwrap();
    f.until("the join", |l| {
        !events_of(l, &sid, "join_conversation").is_empty()
    })
    .await;
    client.leave(&key).unwrap();
    f.until("the leave", |l| {
        !events_of(l, &sid, "leave_conversation").is_empty()
    })
    .await;
    // The same room named by a number, left by that spec's key.
    client.join(RoomSpec::conversation(7)).await.unwrap();
    let by_number = RoomSpec::from_preset(conv, &PresetId::Number(7.0)).unwrap();
    client.leave(&by_number.key).unwrap();
    let log = f
        .until("the second leave", |l| {
            events_of(l, &sid, "leave_conversation").len() == 2
        })
        .await;
    let mine: Vec<(String, Json)> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["sid"] == sid.as_str() && e["event"].as_str().unwrap().ends_with("_conversation")
        })
        .map(|e| (e["event"].as_str().unwrap().to_owned(), e["args"].clone()))
        .collect();
    let want = ["join", "leave", "join", "leave"]
        .map(|w| (format!("{w}_conversation"), json!([7])))
        .to_vec();
    assert_eq!(mine, want);
    // The last state of the subscription is unsubscribed.
    let mut last = None;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(200), events.next()).await {
        if let Event::RoomState { key: k, state, .. } = e {
            if k == key {
                last = Some(state);
            }
        }
    }
    assert_eq!(last, Some(RoomState::Unsubscribed));
}

async fn close_reasons(f: &Fixture, transport: &str) {
    let client = builder(&f.url, transport).connect().await.unwrap();
    let mut events = client.events();
    let mut reasons = Vec::new();
    let down = |e: Event, reasons: &mut Vec<DisconnectReason>| {
        if let Event::Disconnect { reason, .. } = e {
            reasons.push(reason);
        }
    };
    for action in ["garbage", "close", "stop-pings"] {
        client
            .emit("do", vec![Value::from(json!({ "action": action }))])
            .await
            .unwrap();
        let e = next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
        down(e, &mut reasons);
        next_event(&mut events, |e| matches!(e, Event::Connect { .. })).await;
    }
    client
        .emit("do", vec![Value::from(json!({ "action": "disconnect" }))])
        .await
        .unwrap();
    let e = next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
    down(e, &mut reasons);
    client.reconnect().unwrap();
    next_event(&mut events, |e| matches!(e, Event::Connect { .. })).await;
    client.disconnect().await.unwrap();
    let e = next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
    down(e, &mut reasons);
    let names: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "parse error",
            "transport close",
            "ping timeout",
            "io server disconnect",
            "io client disconnect",
        ]
    );
}

async fn run(name: &str, transport: &str) {
    let f = Fixture::start().await;
    let scenario = async {
        match name {
            "emit-then-disconnect" => emit_then_disconnect(&f, transport).await,
            "burst-during-upgrade" => burst_during_upgrade(&f, transport).await,
            "restart-without-stale-sid" => restart_without_stale_sid(&f, transport).await,
            "conversation-007-room" => conversation_007_room(&f, transport).await,
            "close-reasons" => close_reasons(&f, transport).await,
            other => panic!("scenario {other} is not implemented by the native driver's runner"),
        }
    };
    tokio::time::timeout(Duration::from_secs(60), scenario)
        .await
        .unwrap_or_else(|_| panic!("{name} over {transport} did not finish in 60 s"));
}

/// Every scenario over every transport setup of the shared list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_over_every_transport() {
    let text = std::fs::read_to_string(root().join("tests/conformance/scenarios.json"))
        .expect("scenario list");
    let list: Json = serde_json::from_str(&text).expect("scenario list JSON");
    let transports: Vec<&str> = list["transports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for s in list["scenarios"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        for t in &transports {
            eprintln!("conformance: {name} over {t}");
            run(name, t).await;
        }
    }
}
