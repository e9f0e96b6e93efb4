//! Support code for omni-socket's reliability scenarios (`tests/*.rs`).
//!
//! The scenarios run real processes on loopback: the reference server
//! (`omni-server`), a ledger server on the official Node Socket.IO package
//! that reports every event it receives on stdout, and hostile WebSocket
//! servers written here. Every child process is started with
//! `kill_on_drop`, so a failing test leaves nothing running.
//!
//! Sizes are read from the environment so that the CI-sized run and the
//! full run (`scripts/reliability-full.sh`) share one code path:
//! [`env_usize`].
#![deny(missing_docs)]

pub mod hostile;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use omni_socket::{Event, LifecycleStream};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::Notify;

/// Upper bound for one wait in a scenario. Generous: the machine running
/// the suite may be busy compiling.
pub const WAIT: Duration = Duration::from_secs(20);

/// The secret the scenarios' reference servers sign tokens with.
pub const JWT_SECRET: &str = "reliability-test-secret-not-for-production";

/// `RUST_LOG=omni_socket=debug cargo test -p omni-reliability-tests` shows
/// the driver's logs.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A size from the environment variable `name`, or `default`.
///
/// # Panics
/// When the variable is set but not a number: a typo must not silently
/// shrink a full run to the CI size.
pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `omni-server` binary: `$OMNI_SERVER_BIN`, else the workspace's
/// `target/debug/omni-server`, built (or found up to date) with cargo once
/// per test binary so that a plain `cargo test` never runs a stale server.
///
/// # Panics
/// With instructions when it cannot be found or built.
pub fn omni_server_bin() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| workspace_bin("OMNI_SERVER_BIN", "omni-reference-server", "omni-server"))
        .clone()
}

/// The `omni-socket` CLI: `$OMNI_SOCKET_BIN`, else built like
/// [`omni_server_bin`].
///
/// # Panics
/// With instructions when it cannot be found or built.
pub fn omni_socket_bin() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| workspace_bin("OMNI_SOCKET_BIN", "omni-socket", "omni-socket"))
        .clone()
}

/// `$var`, else binary `bin` of `package` in the workspace's debug
/// target, built (or found up to date) with cargo.
fn workspace_bin(var: &str, package: &str, bin: &str) -> PathBuf {
    if let Ok(p) = std::env::var(var) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "{var}={} does not exist; build it with `cargo build -p {package}`",
            p.display()
        );
        return p;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "-q", "-p", package, "--bin", bin])
        .current_dir(repo_root())
        .status();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let p = target.join("debug").join(bin);
    assert!(
        status.is_ok_and(|s| s.success()) && p.is_file(),
        "the {bin} binary is missing and `cargo build -p {package}` failed: build it \
         (scripts/test-reliability.sh does) or set {var} to its path"
    );
    p
}

/// A running `omni-server`; killed when dropped.
#[derive(Debug)]
pub struct OmniServer {
    child: Child,
    addr: SocketAddr,
}

impl OmniServer {
    /// Starts the reference server on a free loopback port with the test
    /// secret and `extra` flags, and waits until it listens.
    pub async fn start(extra: &[&str]) -> Self {
        let mut cmd = Command::new(omni_server_bin());
        // The secret through the environment: an argument would show in `ps`.
        cmd.args(["--bind", "127.0.0.1:0"])
            .env("OMNI_JWT_SECRET", JWT_SECRET)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("starting omni-server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await.expect("reading omni-server stdout") {
                if let Some(rest) = line.strip_prefix("omni-server listening on http://") {
                    return rest
                        .trim()
                        .parse::<SocketAddr>()
                        .expect("listening address");
                }
            }
            panic!("omni-server exited before listening");
        })
        .await
        .expect("omni-server did not start in time");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { child, addr }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Claims of a reference-server token (see its README).
#[derive(Debug, Serialize)]
struct Claims<'a> {
    sub: &'a str,
    username: &'a str,
    role: &'a str,
    exp: i64,
    licenses: &'a [&'a str],
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// An HS256 token for the reference server started with [`JWT_SECRET`].
pub fn mint_token(sub: &str, role: &str, licenses: &[&str], exp: i64) -> String {
    let claims = Claims {
        sub,
        username: sub,
        role,
        exp,
        licenses,
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("signing a token")
}

/// A 24 h admin token, for the admin API.
pub fn admin_token() -> String {
    mint_token("user_67890", "admin", &[], now_secs() + 86_400)
}

/// Sends `notification {title, message}` to the room `user_<id>` through
/// the admin API and checks the server accepted it.
pub async fn notify_user(addr: SocketAddr, user_id: &str, title: &str, message: &str) {
    let body = serde_json::json!({ "user_id": user_id, "title": title, "message": message });
    let (status, answer) =
        admin_request(addr, "POST", "/admin/api/notifications", Some(&body)).await;
    assert_eq!(status, 202, "admin API answer: {answer}");
}

/// Sends one HTTP/1.1 request to the reference server's admin API and
/// returns the status code and body. Plain HTTP over a fresh socket keeps
/// an HTTP client library out of the dependencies.
pub async fn admin_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        admin_token(),
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await.expect("admin API connect");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("admin API write");
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .expect("admin API answered in time")
        .expect("admin API read");
    let text = String::from_utf8(raw).expect("admin API answers UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("HTTP status");
    let is_chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if is_chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// What the ledger server received: one JSON object per event, tagged by
/// the server instance that logged it.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    /// 0 for the first process, 1 after the first restart, …
    pub instance: usize,
    /// The logged object (`{"kind": "record" | "ack_record", "n": …, …}`).
    pub entry: serde_json::Value,
}

/// Everything every ledger server process received, in order. It outlives
/// the processes, so a killed server's log is kept.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    entries: Arc<Mutex<Vec<LedgerEntry>>>,
    changed: Arc<Notify>,
}

impl Ledger {
    /// A snapshot of the entries so far.
    pub fn entries(&self) -> Vec<LedgerEntry> {
        self.entries.lock().expect("ledger lock").clone()
    }

    /// Waits until `pred` holds over the entries.
    ///
    /// # Panics
    /// After [`WAIT`].
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&[LedgerEntry]) -> bool) {
        let ok = tokio::time::timeout(WAIT, async {
            loop {
                let notified = self.changed.notified();
                if pred(&self.entries.lock().expect("ledger lock")) {
                    return;
                }
                notified.await;
            }
        })
        .await;
        assert!(ok.is_ok(), "ledger: {what} did not happen in time");
    }
}

/// The Node ledger server (`fixtures/ledger-server.mjs`); killed when
/// dropped.
#[derive(Debug)]
pub struct LedgerServer {
    child: Child,
    port: u16,
}

impl LedgerServer {
    /// Starts an instance on `port` (0 = any) that appends what it
    /// receives to `ledger` under `instance`.
    ///
    /// # Panics
    /// When node or `tests/node-peers/node_modules` is missing.
    pub async fn start(port: u16, ledger: &Ledger, instance: usize) -> Self {
        let peers = repo_root().join("tests/node-peers/node_modules/socket.io");
        assert!(
            peers.is_dir(),
            "tests/node-peers/node_modules is missing: run scripts/test-native.sh \
             (npm ci in tests/node-peers) first"
        );
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ledger-server.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node (20+) must be on PATH");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .expect("ledger server did not print its port in time")
            .expect("reading ledger stdout")
            .expect("ledger server exited before printing its port");
        let port = first.trim().parse().expect("ledger printed its port");
        let entries = Arc::clone(&ledger.entries);
        let changed = Arc::clone(&ledger.changed);
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let entry = serde_json::from_str(&line).expect("ledger lines are JSON");
                entries
                    .lock()
                    .expect("ledger lock")
                    .push(LedgerEntry { instance, entry });
                changed.notify_waiters();
            }
        });
        Self { child, port }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the process (SIGKILL, a crash) and reaps it.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A [`LifecycleStream`] that remembers what it skipped, so one scenario
/// can wait for several events in any order without losing any.
#[derive(Debug)]
pub struct Events {
    stream: LifecycleStream,
    seen: VecDeque<Event>,
    /// Every event received so far, in order, for final assertions.
    pub log: Vec<Event>,
}

impl Events {
    /// Wraps a client's lifecycle stream.
    pub fn new(stream: LifecycleStream) -> Self {
        Self {
            stream,
            seen: VecDeque::new(),
            log: Vec::new(),
        }
    }

    /// The first not yet taken event matching `pred`, waiting up to
    /// `within`.
    ///
    /// # Panics
    /// After `within`, naming `what`.
    pub async fn take_within(
        &mut self,
        within: Duration,
        what: &str,
        pred: impl Fn(&Event) -> bool,
    ) -> Event {
        if let Some(i) = self.seen.iter().position(&pred) {
            return self.seen.remove(i).expect("index in range");
        }
        let found = tokio::time::timeout(within, async {
            loop {
                let e = self.stream.next().await.expect("client closed");
                self.log.push(e.clone());
                if pred(&e) {
                    return e;
                }
                self.seen.push_back(e);
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no {what} within {within:?}; seen: {:?}", self.seen))
    }

    /// [`take_within`](Self::take_within) with [`WAIT`].
    pub async fn take(&mut self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        self.take_within(WAIT, what, pred).await
    }

    /// Forgets the events not taken so far (after a phase whose events do
    /// not matter any more).
    pub fn clear(&mut self) {
        self.seen.clear();
    }

    /// Receives whatever is already queued, without waiting.
    pub fn drain_ready(&mut self) {
        while let Some(Some(e)) = futures_util::FutureExt::now_or_never(self.stream.next()) {
            self.log.push(e.clone());
            self.seen.push_back(e);
        }
    }
}

/// A size field of `/proc/<pid>/status` in bytes, e.g. `VmRSS` (resident
/// now) or `VmHWM` (the most resident so far); `None` once the process is
/// gone.
pub fn proc_status_bytes(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Resident set size of this process in bytes: the resident pages of
/// `/proc/self/statm` times the page size (`getconf PAGESIZE`, 4 KiB if
/// that fails).
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm (Linux)");
    let resident: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("statm resident field");
    resident * page_size()
}

fn page_size() -> u64 {
    static SIZE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SIZE.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("PAGESIZE")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(4096)
    })
}
