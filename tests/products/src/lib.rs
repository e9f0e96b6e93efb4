//! Support for the product matrix (`tests/*.rs`, `PRODUCTS.md`): every seed
//! product end to end through the native client, against the reference
//! server (`omni-server`) on 127.0.0.1 and a free port, over WebSocket and
//! over long-polling.
//!
//! Each scenario is an `async fn(Transport)`; [`both_transports!`] makes a
//! test of it per transport (`websocket::NAME`, `polling::NAME`). The
//! server is started per scenario with a secret of its own, so tokens of
//! any shape (expired, about to expire, another user) are minted here, and
//! killed when the scenario ends; [`Server::restart`] brings it back on the
//! same port.
#![deny(missing_docs)]

pub mod matrix;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use omni_socket::{ClientBuilder, Event, LifecycleStream, RoomState, TransportKind};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Upper bound of one wait. Generous: the machine may be busy compiling.
pub const WAIT: Duration = Duration::from_secs(20);

/// The secret the scenarios' servers sign tokens with.
pub const JWT_SECRET: &str = "product-matrix-secret-not-for-production";

/// The demo data set's ids (reference server README, "Tokens").
pub mod ids {
    /// john_doe, holds [`LICENSE`]; client of order-1 (with carol).
    pub const JOHN: &str = "user_12345";
    /// jane_admin.
    pub const ADMIN: &str = "user_67890";
    /// mary_moderator.
    pub const MODERATOR: &str = "user_24680";
    /// carol, holds [`CAROL_LICENSE`]; performer of order-1, client of order-2.
    pub const CAROL: &str = "user_13579";
    /// john's premium license.
    pub const LICENSE: &str = "OMNI-PREM-ABCD-1234-EFGH";
    /// carol's basic license.
    pub const CAROL_LICENSE: &str = "OMNI-BASIC-WXYZ-5678-IJKL";
    /// DOA agent of conversation 123.
    pub const AGENT: &str = "42";
    /// DOA admin.
    pub const DOA_ADMIN: &str = "1";
    /// alice (FAMA), performer of order-2.
    pub const ALICE: &str = "5";
}

/// The transport a scenario runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// WebSocket from the start.
    Websocket,
    /// HTTP long-polling only, no upgrade.
    Polling,
}

impl Transport {
    /// `builder` set to this transport, with short reconnection delays so
    /// a restart is over quickly.
    pub fn apply(self, builder: ClientBuilder) -> ClientBuilder {
        let b = builder
            .timeout(Duration::from_secs(5))
            .reconnection_delay(Duration::from_millis(100))
            .reconnection_delay_max(Duration::from_millis(400));
        match self {
            Self::Websocket => b.transports([TransportKind::Websocket]),
            Self::Polling => b.transports([TransportKind::Polling]).upgrade(false),
        }
    }
}

/// Makes one test per transport of each scenario `async fn NAME(t:
/// Transport)`: `websocket::NAME` and `polling::NAME`.
#[macro_export]
macro_rules! both_transports {
    ($($name:ident),* $(,)?) => {
        mod websocket {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::init_logs();
                    super::$name($crate::Transport::Websocket).await;
                }
            )*
        }
        mod polling {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::init_logs();
                    super::$name($crate::Transport::Polling).await;
                }
            )*
        }
    };
}

/// `RUST_LOG=omni_socket=debug` shows the client's logs.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `omni-server` binary: `$OMNI_SERVER_BIN`, else the workspace's
/// `target/debug/omni-server`, built (or found up to date) with cargo once
/// per test binary so a plain `cargo test` never runs a stale server.
///
/// # Panics
/// With instructions when it cannot be found or built.
pub fn omni_server_bin() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        if let Ok(p) = std::env::var("OMNI_SERVER_BIN") {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "OMNI_SERVER_BIN={} does not exist",
                p.display()
            );
            return p;
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args([
                "build",
                "-q",
                "-p",
                "omni-reference-server",
                "--bin",
                "omni-server",
            ])
            .current_dir(repo_root())
            .status();
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("target"));
        let p = target.join("debug/omni-server");
        assert!(
            status.is_ok_and(|s| s.success()) && p.is_file(),
            "omni-server is missing and could not be built: run scripts/test-products.sh \
             or set OMNI_SERVER_BIN"
        );
        p
    })
    .clone()
}

/// The example program `name` of the native crate (`sdk-native/examples`):
/// in `$OMNI_EXAMPLES_DIR`, else built with cargo once per test binary.
///
/// # Panics
/// With instructions when it cannot be found or built.
pub fn example_bin(name: &str) -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        if let Ok(d) = std::env::var("OMNI_EXAMPLES_DIR") {
            return PathBuf::from(d);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-q", "-p", "omni-socket", "--examples"])
            .current_dir(repo_root())
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "building the examples failed: run scripts/test-products.sh or set OMNI_EXAMPLES_DIR"
        );
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("target"))
            .join("debug/examples")
    });
    let p = dir.join(name);
    assert!(p.is_file(), "{} is missing", p.display());
    p
}

/// A running `omni-server`; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    addr: SocketAddr,
    extra: Vec<String>,
}

impl Server {
    /// Starts the reference server on 127.0.0.1 and a free port with the
    /// test secret and `extra` flags; returns once it listens.
    pub async fn start(extra: &[&str]) -> Self {
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        let (child, addr) = spawn("127.0.0.1:0", &extra).await;
        Self { child, addr, extra }
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://ADDR/NSP`: the URL of namespace `nsp`.
    pub fn url_of(&self, nsp: &str) -> String {
        format!("http://{}{nsp}", self.addr)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Kills the process (SIGKILL: every client sees its link drop) and
    /// starts a new one on the same port with the same flags. Everything
    /// the clients had on the server (sockets, rooms) is gone.
    pub async fn restart(&mut self) {
        let _ = self.child.kill().await;
        let bind = self.addr.to_string();
        let mut last = None;
        // The port was just freed; binding again may race a slow kernel.
        for _ in 0..50 {
            match try_spawn(&bind, &self.extra).await {
                Ok((child, addr)) => {
                    self.child = child;
                    self.addr = addr;
                    return;
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("omni-server did not come back on {bind}: {last:?}");
    }

    /// Sends a request to the admin API with an admin token; returns the
    /// status and the JSON answer.
    pub async fn admin(
        &self,
        method: &str,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        admin_request(self.addr, method, path, body).await
    }

    /// POSTs `body` to the admin API route `path` and checks it was
    /// accepted (202).
    ///
    /// # Panics
    /// When the server answers otherwise.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, answer) = self.admin("POST", path, body).await;
        assert_eq!(status, 202, "POST {path}: {answer}");
        answer
    }
}

async fn spawn(bind: &str, extra: &[String]) -> (Child, SocketAddr) {
    try_spawn(bind, extra)
        .await
        .unwrap_or_else(|e| panic!("omni-server did not start: {e}"))
}

async fn try_spawn(bind: &str, extra: &[String]) -> Result<(Child, SocketAddr), String> {
    let mut child = Command::new(omni_server_bin())
        .args(["--bind", bind])
        // The secret through the environment: an argument would show in `ps`.
        .env("OMNI_JWT_SECRET", JWT_SECRET)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting omni-server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(WAIT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix("omni-server listening on http://") {
                return rest.trim().parse::<SocketAddr>().map_err(|e| e.to_string());
            }
        }
        Err("omni-server exited before listening".to_owned())
    })
    .await
    .map_err(|_| "omni-server did not start in time".to_owned())??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
}

/// Claims of a reference-server token (its README, "Tokens").
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

/// An HS256 token for user `sub` with `role`, expiring at `exp`.
pub fn token_until(sub: &str, role: &str, exp: i64) -> String {
    let claims = Claims {
        sub,
        username: username(sub),
        role,
        exp,
        licenses: &[],
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("signing a token")
}

/// A token valid for a day: `user` role, except the demo data set's admins
/// and moderator.
pub fn token(sub: &str) -> String {
    token_until(sub, role(sub), now_secs() + 86_400)
}

/// The message of the auth refusal `builder`'s connection must meet.
pub async fn auth_refusal(t: Transport, builder: ClientBuilder) -> String {
    match t.apply(builder).connect().await {
        Err(omni_socket::Error::Auth { message, .. }) => message,
        other => panic!("expected an auth refusal, got {other:?}"),
    }
}

/// The refusals every server taking `auth: {token}` gives: a forged, an
/// expired and a missing token of `user`. `builder` makes the client's
/// options for a token.
pub async fn assert_token_refusals(
    t: Transport,
    user: &str,
    builder: impl Fn(&str) -> ClientBuilder,
) {
    for (token, want) in [
        (forged_token(user), "INVALID_TOKEN: Token is invalid"),
        (expired_token(user), "TOKEN_EXPIRED: Token expired"),
        (
            String::new(),
            "INVALID_TOKEN: Authentication token is missing",
        ),
    ] {
        assert_eq!(auth_refusal(t, builder(&token)).await, want);
    }
}

/// A token that expired a minute ago.
pub fn expired_token(sub: &str) -> String {
    token_until(sub, role(sub), now_secs() - 60)
}

/// A token signed with another secret.
pub fn forged_token(sub: &str) -> String {
    let claims = Claims {
        sub,
        username: username(sub),
        role: role(sub),
        exp: now_secs() + 3600,
        licenses: &[],
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"someone-elses-secret"),
    )
    .expect("signing a token")
}

fn role(sub: &str) -> &'static str {
    match sub {
        ids::ADMIN | ids::DOA_ADMIN => "admin",
        ids::MODERATOR => "moderator",
        _ => "user",
    }
}

fn username(sub: &str) -> &'static str {
    match sub {
        ids::JOHN => "john_doe",
        ids::ADMIN => "jane_admin",
        ids::MODERATOR => "mary_moderator",
        ids::CAROL => "carol",
        ids::AGENT => "ahmet_agent",
        ids::ALICE => "alice",
        ids::DOA_ADMIN => "doa_admin",
        _ => "someone",
    }
}

/// One admin API request over HTTP/1.1 (hyper), with an admin token.
pub async fn admin_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("admin API connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("admin API handshake");
    tokio::spawn(conn);
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("authorization", format!("Bearer {}", token(ids::ADMIN)))
        .header("content-type", "application/json")
        .body(Full::new(bytes::Bytes::from(body.to_string())))
        .expect("admin API request");
    let res = tokio::time::timeout(WAIT, sender.send_request(req))
        .await
        .expect("admin API answered in time")
        .expect("admin API answer");
    let status = res.status().as_u16();
    let bytes = res
        .into_body()
        .collect()
        .await
        .expect("admin API body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// Waits up to [`WAIT`] for `fut`.
///
/// # Panics
/// With `what` when it takes longer.
pub async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: not within {WAIT:?}"))
}

/// The next item of a product stream, waiting up to [`WAIT`].
///
/// # Panics
/// When none comes in time or the client is gone.
pub async fn next<T, F>(what: &str, fut: F) -> T
where
    F: std::future::Future<Output = Option<T>>,
{
    within(what, fut)
        .await
        .unwrap_or_else(|| panic!("{what}: the client is gone"))
}

/// A lifecycle stream that keeps what it skipped, so a scenario can wait
/// for events in any order without losing any.
#[derive(Debug)]
pub struct Events {
    stream: LifecycleStream,
    seen: VecDeque<Event>,
}

impl Events {
    /// Wraps a client's lifecycle stream.
    pub fn new(stream: LifecycleStream) -> Self {
        Self {
            stream,
            seen: VecDeque::new(),
        }
    }

    /// The first event not yet taken that matches `pred`.
    ///
    /// # Panics
    /// When none comes within [`WAIT`].
    pub async fn take(&mut self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        if let Some(i) = self.seen.iter().position(&pred) {
            return self.seen.remove(i).expect("index in range");
        }
        within(what, async {
            loop {
                let e = self.stream.next().await.expect("client gone");
                if pred(&e) {
                    return e;
                }
                self.seen.push_back(e);
            }
        })
        .await
    }

    /// Waits until room `key` of `nsp` is in `state`.
    pub async fn room(&mut self, nsp: &str, key: &str, state: RoomState) {
        let what = format!("room {key} {state:?}");
        self.take(&what, |e| {
            matches!(e, Event::RoomState { nsp: n, key: k, state: s } if n == nsp && k == key && *s == state)
        })
        .await;
    }

    /// Waits for a reconnection.
    pub async fn reconnect(&mut self) {
        self.take("reconnect", |e| matches!(e, Event::Reconnect { .. }))
            .await;
    }
}
