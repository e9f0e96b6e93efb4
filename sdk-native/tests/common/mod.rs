//! Shared fixture: the official Node Socket.IO server from
//! `tests/node-peers/server.mjs`, started per test on a free port.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use omni_socket::{Client, ClientBuilder, Event, LifecycleStream, Message, MessageStream, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Upper bound for any single wait in a test.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/node-peers")
}

/// A running fixture server; killed when dropped.
pub struct NodeServer {
    pub child: Child,
    pub port: u16,
}

impl NodeServer {
    pub async fn start() -> Self {
        Self::start_with(0, &[]).await
    }

    /// Starts on `port` (0 = any) with extra environment variables.
    pub async fn start_with(port: u16, env: &[(&str, &str)]) -> Self {
        init_logs();
        let dir = peers_dir();
        assert!(
            dir.join("node_modules/socket.io").is_dir(),
            "tests/node-peers/node_modules is missing: run scripts/test-native.sh (npm ci in tests/node-peers) first"
        );
        let mut cmd = Command::new("node");
        cmd.arg("server.mjs")
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .expect("node (20+) must be on PATH to run these tests");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("fixture server did not print its port in time")
            .expect("reading fixture stdout")
            .expect("fixture server exited before printing its port");
        let port = line.trim().parse().expect("fixture printed a port number");
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> i32 {
        self.child.id().expect("running") as i32
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// Sends a POSIX signal (SIGSTOP, SIGCONT) with the `kill` utility.
    pub async fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .await
            .expect("kill utility");
        assert!(status.success(), "kill -{sig} failed");
    }
}

pub fn builder(url: &str) -> ClientBuilder {
    Client::builder(url)
        .timeout(Duration::from_secs(2))
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(500))
}

pub fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

pub fn json(v: serde_json::Value) -> Value {
    Value::from(v)
}

/// The next message on `stream` named `event`, skipping others.
pub async fn next_named(stream: &mut MessageStream, event: &str) -> Message {
    tokio::time::timeout(WAIT, async {
        loop {
            let m = stream.next().await.expect("client closed");
            if m.event == event {
                return m;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {event:?} event in time"))
}

/// The next lifecycle event matching `pred`.
pub async fn next_event(stream: &mut LifecycleStream, pred: impl Fn(&Event) -> bool) -> Event {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let e = stream.next().await.expect("client closed");
            if pred(&e) {
                return e;
            }
        }
    })
    .await
    .expect("expected lifecycle event did not arrive in time")
}

pub fn as_json(v: &Value) -> serde_json::Value {
    omni_socket::value::to_json(v)
}

/// `RUST_LOG=omni_socket=trace cargo test …` shows the driver's logs.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}
