//! The Rust clients under test: omni-socket, rust_socketio (async) and raw
//! tokio-tungstenite. Each measurement prints one JSON line on stdout.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures_util::{FutureExt, SinkExt, StreamExt};
use omni_socket::core::client::RateLimitConfig;
use omni_socket::models::Event;
use omni_socket::{Client, TransportKind, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::server::{split_ack_id, BINARY_SIZE};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

/// The typed model of the streamed JSON event.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tick {
    id: u64,
    data: String,
}

impl Event for Tick {
    const NAME: &'static str = "tick";
}

/// The raw and typed-floor clients' WebSocket read buffer: 16 KiB, the
/// size of omni's read-ahead. tungstenite zero-fills its read buffer's free
/// room before every read, 128 KiB by default; that made each raw ack
/// round trip zero 128 KiB (about 1 µs of a 20 µs echo) while omni,
/// which sizes its buffers itself, did not. 16 KiB receives as fast as
/// 128 KiB here (the 100 B and 4 KB streams, three rounds each) and answers
/// an echo as fast as 4 KiB, so it is each figure's floor.
const RAW_READ_BUFFER: usize = 16 * 1024;

/// The TLS configuration for `https://` URLs, trusting the load server's
/// certificate ([`trust`]).
static TLS: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();

/// Trusts the certificate (DER) at `ca`, and only it, for `https://` URLs.
pub fn trust(ca: &std::path::Path) -> Result<()> {
    let der = std::fs::read(ca)?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(der))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let _ = TLS.set(Arc::new(config));
    Ok(())
}

/// Which client a measurement runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// omni-socket (this SDK).
    Omni,
    /// rust_socketio 0.6, async API.
    Rsio,
    /// tokio-tungstenite with a hand-written handshake: the transport limit.
    Raw,
    /// The typed floor: tokio-tungstenite, each event's JSON deserialised
    /// with serde_json into the same struct the omni subscriber gets. The
    /// least work any client handing the user a typed event must do. For
    /// acks: the same session and event as omni's, the answer parsed into
    /// values.
    Floor,
}

fn start_args(kind: &str, count: u64) -> serde_json::Value {
    json!({"kind": kind, "count": count})
}

fn event_name(payload: &str) -> &'static str {
    if payload == "binary" {
        "tick_bin"
    } else {
        "tick"
    }
}

/// Receive throughput of one connection.
pub async fn recv(kind: Kind, url: &str, payload: &str, count: u64) -> Result<serde_json::Value> {
    let limit = Duration::from_secs(60);
    let (received, secs) = match kind {
        Kind::Omni => omni_recv(url, payload, count, limit).await?,
        Kind::Rsio => rsio_recv(url, payload, count, limit).await?,
        Kind::Raw => raw_recv(url, payload, count, limit).await?,
        Kind::Floor => floor_recv(url, payload, count, limit).await?,
    };
    Ok(json!({
        "received": received,
        "lost": count - received,
        "secs": secs,
        "events_per_sec": received as f64 / secs,
    }))
}

fn omni_builder(url: &str) -> omni_socket::ClientBuilder {
    // WebSocket only, like the peers; no client-side rate limiting, stated
    // (a product's table would pace the ack benchmark).
    let b = Client::builder(url)
        .transports([TransportKind::Websocket])
        .config(|c| c.rate_limit = RateLimitConfig::disabled());
    match TLS.get() {
        Some(tls) => b.tls_config(tls.clone()),
        None => b,
    }
}

async fn omni_recv(url: &str, payload: &str, count: u64, limit: Duration) -> Result<(u64, f64)> {
    // A queue as deep as the run, in events and bytes: the driver drops
    // events for a subscriber that falls behind, and this measures
    // decoding, not dropping.
    let queue = usize::try_from(count).unwrap_or(usize::MAX).max(1024);
    let client = omni_builder(url)
        .subscription_queue(queue)
        .max_queued_event_bytes(usize::MAX)
        .connect()
        .await?;
    let mut received = 0u64;
    let t0;
    if payload == "binary" {
        let mut stream = client.on_event(event_name(payload));
        client
            .emit("start", vec![Value::from(start_args(payload, count))])
            .await?;
        t0 = Instant::now();
        let _ = tokio::time::timeout(limit, async {
            while let Some(m) = stream.next().await {
                // The handler: find the attachment in the first argument.
                if let Some(Value::Object(fields)) = m.args.first() {
                    if let Some((_, Value::Binary(b))) = fields.iter().find(|(k, _)| k == "data") {
                        assert_eq!(b.len(), BINARY_SIZE);
                    }
                }
                received += 1;
                if received == count {
                    break;
                }
            }
        })
        .await;
    } else {
        let mut stream = client.subscribe::<Tick>();
        client
            .emit("start", vec![Value::from(start_args(payload, count))])
            .await?;
        t0 = Instant::now();
        let _ = tokio::time::timeout(limit, async {
            while let Some(tick) = stream.next().await {
                std::hint::black_box(&tick);
                received += 1;
                if received == count {
                    break;
                }
            }
        })
        .await;
    }
    let secs = t0.elapsed().as_secs_f64();
    let _ = client.disconnect().await;
    Ok((received, secs))
}

async fn rsio_connect(
    url: &str,
    on: Option<(&'static str, Arc<AtomicU64>, Arc<Notify>, u64)>,
) -> Result<rust_socketio::asynchronous::Client> {
    let mut b = rust_socketio::asynchronous::ClientBuilder::new(url)
        .transport_type(rust_socketio::TransportType::Websocket);
    if let Some((name, counter, done, count)) = on {
        let handler = move |payload: rust_socketio::Payload| {
            let counter = counter.clone();
            let done = done.clone();
            async move {
                // The handler: look at the decoded payload.
                match payload {
                    rust_socketio::Payload::Text(args) => {
                        std::hint::black_box(args.first());
                    }
                    rust_socketio::Payload::Binary(b) => {
                        std::hint::black_box(b.len());
                    }
                    #[allow(deprecated)]
                    rust_socketio::Payload::String(s) => {
                        std::hint::black_box(s.len());
                    }
                }
                if counter.fetch_add(1, Ordering::Relaxed) + 1 == count {
                    done.notify_one();
                }
            }
            .boxed()
        };
        if name == "tick_bin" {
            // rust_socketio 0.6 names a binary event after its whole JSON
            // data (quotes stripped) unless the data is just `["name",
            // <placeholder>]`, so `on("tick_bin")` never fires; `on_any`
            // is the only way to receive it.
            b = b.on_any(move |_event, payload, _client| handler(payload));
        } else {
            b = b.on(name, move |payload, _client| handler(payload));
        }
    }
    Ok(b.connect().await?)
}

async fn rsio_recv(url: &str, payload: &str, count: u64, limit: Duration) -> Result<(u64, f64)> {
    let counter = Arc::new(AtomicU64::new(0));
    let done = Arc::new(Notify::new());
    let client = rsio_connect(
        url,
        Some((event_name(payload), counter.clone(), done.clone(), count)),
    )
    .await?;
    client.emit("start", start_args(payload, count)).await?;
    let t0 = Instant::now();
    let _ = tokio::time::timeout(limit, done.notified()).await;
    let secs = t0.elapsed().as_secs_f64();
    let _ = client.disconnect().await;
    Ok((counter.load(Ordering::Relaxed), secs))
}

type RawWs = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn ws_url(url: &str, path: &str) -> String {
    let ws = match url.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}"),
        None => url.replacen("http://", "ws://", 1),
    };
    format!("{ws}{path}")
}

/// A WebSocket to `url` + `path`, over TLS (trusting [`TLS`]) for
/// `https://`.
async fn raw_connect(url: &str, path: &str) -> Result<RawWs> {
    let connector = TLS.get().map(|tls| Connector::Rustls(tls.clone()));
    let config = WebSocketConfig::default().read_buffer_size(RAW_READ_BUFFER);
    let (ws, _) = tokio_tungstenite::connect_async_tls_with_config(
        ws_url(url, path),
        Some(config),
        false,
        connector,
    )
    .await?;
    Ok(ws)
}

/// Opens a raw Engine.IO session and connects the main namespace.
async fn raw_session(url: &str) -> Result<RawWs> {
    let mut ws = raw_connect(url, "/socket.io/?EIO=4&transport=websocket").await?;
    let _open = ws.next().await.ok_or("closed before open")??;
    ws.send(Message::text("40")).await?;
    loop {
        match ws.next().await.ok_or("closed before connect")?? {
            Message::Text(t) if t.starts_with("40") => return Ok(ws),
            _ => {}
        }
    }
}

/// A raw session with the server's stream of `count` `payload` events
/// asked for, and when it was asked.
async fn raw_stream(url: &str, payload: &str, count: u64) -> Result<(RawWs, Instant)> {
    let mut ws = raw_session(url).await?;
    let start = format!("42{}", json!(["start", start_args(payload, count)]));
    ws.send(Message::text(start)).await?;
    Ok((ws, Instant::now()))
}

async fn raw_recv(url: &str, payload: &str, count: u64, limit: Duration) -> Result<(u64, f64)> {
    let (mut ws, t0) = raw_stream(url, payload, count).await?;
    let binary = payload == "binary";
    let mut received = 0u64;
    let _ = tokio::time::timeout(limit, async {
        while let Some(Ok(m)) = ws.next().await {
            // Frames only: an event is its text frame, or its attachment.
            let counted = match &m {
                Message::Binary(b) => binary && !b.is_empty(),
                Message::Text(t) => !binary && t.starts_with("42"),
                _ => false,
            };
            if counted {
                received += 1;
                if received == count {
                    break;
                }
            }
        }
    })
    .await;
    let secs = t0.elapsed().as_secs_f64();
    Ok((received, secs))
}

/// `["tick", {…}]`: the name is skipped, the data typed.
type TickArgs = (serde::de::IgnoredAny, Tick);

/// The first argument of `tick_bin`, its attachment a placeholder (its
/// `id` is not read).
#[derive(Deserialize)]
struct BinTick {
    data: Placeholder,
}

#[derive(Deserialize)]
struct Placeholder {
    #[serde(rename = "_placeholder")]
    placeholder: bool,
    num: usize,
}

async fn floor_recv(url: &str, payload: &str, count: u64, limit: Duration) -> Result<(u64, f64)> {
    let (mut ws, t0) = raw_stream(url, payload, count).await?;
    let binary = payload == "binary";
    let mut received = 0u64;
    let mut expect_attachment = false;
    let run = tokio::time::timeout(limit, async {
        while let Some(Ok(m)) = ws.next().await {
            let done = match &m {
                // Finding the JSON: after `42`, or after `451-` (one
                // attachment) for the binary event.
                Message::Text(t) if !binary => match t.strip_prefix("42") {
                    Some(json) => {
                        let args: TickArgs = serde_json::from_str(json)?;
                        std::hint::black_box(&args.1);
                        true
                    }
                    None => false,
                },
                Message::Text(t) => {
                    if let Some(json) = t.strip_prefix("451-") {
                        let (_, head): (serde::de::IgnoredAny, BinTick) =
                            serde_json::from_str(json)?;
                        expect_attachment = head.data.placeholder && head.data.num == 0;
                    }
                    false
                }
                Message::Binary(b) if expect_attachment => {
                    expect_attachment = false;
                    assert_eq!(b.len(), BINARY_SIZE);
                    true
                }
                _ => false,
            };
            if done {
                received += 1;
                if received == count {
                    break;
                }
            }
        }
        Ok::<_, serde_json::Error>(())
    })
    .await;
    let secs = t0.elapsed().as_secs_f64();
    // A timeout shows as events lost; a payload that is not the model is
    // an error.
    if let Ok(parsed) = run {
        parsed?;
    }
    Ok((received, secs))
}

fn percentiles(mut samples: Vec<f64>) -> serde_json::Value {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().unwrap_or(f64::NAN)
    };
    json!({"n": samples.len(), "p50_us": at(0.50), "p99_us": at(0.99)})
}

/// Sequential emit-with-ack round trips (µs), after `n / 10` warm-up ones.
pub async fn ack(kind: Kind, url: &str, n: usize) -> Result<serde_json::Value> {
    let warm = n / 10;
    let mut samples = Vec::with_capacity(n);
    match kind {
        Kind::Omni => {
            let client = omni_builder(url).connect().await?;
            for i in 0..warm + n {
                let t0 = Instant::now();
                let args = vec![Value::from(json!({"id": i}))];
                client
                    .emit_with_ack("echo", args, Duration::from_secs(5))
                    .await?;
                if i >= warm {
                    samples.push(t0.elapsed().as_secs_f64() * 1e6);
                }
            }
            let _ = client.disconnect().await;
        }
        Kind::Rsio => {
            let client = rsio_connect(url, None).await?;
            for i in 0..warm + n {
                let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                let tx = Arc::new(Mutex::new(Some(tx)));
                let t0 = Instant::now();
                client
                    .emit_with_ack(
                        "echo",
                        json!({"id": i}),
                        Duration::from_secs(5),
                        move |_payload, _client| {
                            if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
                                let _ = tx.send(());
                            }
                            async {}.boxed()
                        },
                    )
                    .await?;
                tokio::time::timeout(Duration::from_secs(5), rx).await??;
                if i >= warm {
                    samples.push(t0.elapsed().as_secs_f64() * 1e6);
                }
            }
            let _ = client.disconnect().await;
        }
        Kind::Floor => {
            // The typed floor of an ack: omni's Socket.IO session and
            // event, the arguments written with serde_json, the answer
            // found by its id and parsed into values as the caller gets
            // them. Its round trip includes the load server's Socket.IO
            // handling, which the raw echo skips; no task, channel or ack
            // table.
            let mut ws = raw_session(url).await?;
            for i in 0..warm + n {
                let t0 = Instant::now();
                let event = serde_json::to_string(&("echo", json!({"id": i})))?;
                ws.send(Message::text(format!("42{i}{event}"))).await?;
                let answer: Vec<serde_json::Value> = loop {
                    let Message::Text(t) = ws.next().await.ok_or("closed before the answer")??
                    else {
                        continue;
                    };
                    if let Some(rest) = t.strip_prefix("43") {
                        let (id, json) = split_ack_id(rest);
                        if id == Some(i as u64) {
                            break serde_json::from_str(json)?;
                        }
                    } else if t.as_str() == "2" {
                        ws.send(Message::text("3")).await?;
                    }
                };
                std::hint::black_box(&answer);
                if i >= warm {
                    samples.push(t0.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
        Kind::Raw => {
            // The floor: a WebSocket echo of a frame the size of the event.
            let mut ws = raw_connect(url, "/raw").await?;
            for i in 0..warm + n {
                let t0 = Instant::now();
                let frame = format!("421{}", json!(["echo", {"id": i}]));
                ws.send(Message::text(frame)).await?;
                ws.next().await.ok_or("echo closed")??;
                if i >= warm {
                    samples.push(t0.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
    }
    Ok(percentiles(samples))
}

/// Resident set size of this process, in bytes.
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// RSS growth per idle connection, `n` connections held in this process.
pub async fn idle(kind: Kind, url: &str, n: usize) -> Result<serde_json::Value> {
    // One connection first, so one-time set-up is not counted per
    // connection.
    let mut omni = Vec::new();
    let mut rsio = Vec::new();
    match kind {
        Kind::Omni => omni.push(omni_builder(url).connect().await?),
        Kind::Rsio => rsio.push(rsio_connect(url, None).await?),
        Kind::Raw | Kind::Floor => return Err("idle: raw is not measured".into()),
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_bytes();
    let t0 = Instant::now();
    const BATCH: usize = 100;
    let mut left = n;
    while left > 0 {
        let k = left.min(BATCH);
        left -= k;
        match kind {
            Kind::Omni => {
                let batch =
                    futures_util::future::join_all((0..k).map(|_| omni_builder(url).connect()))
                        .await;
                for c in batch {
                    omni.push(c?);
                }
            }
            Kind::Rsio => {
                let batch =
                    futures_util::future::join_all((0..k).map(|_| rsio_connect(url, None))).await;
                for c in batch {
                    rsio.push(c?);
                }
            }
            Kind::Raw | Kind::Floor => {}
        }
    }
    let connect_secs = t0.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_bytes();
    let connected = omni.len() + rsio.len() - 1;
    Ok(json!({
        "n": connected,
        "connect_secs": connect_secs,
        "bytes_per_conn": (after.saturating_sub(before)) as f64 / connected.max(1) as f64,
    }))
}

/// Connects `n` omni clients, each joined to one of `rooms` rooms, and
/// prints `ready`. After a line on stdin (the runner has just killed the
/// server), measures the time until every client is connected again with
/// its room re-joined.
pub async fn storm(
    url: &str,
    n: usize,
    rooms: usize,
    limit: Duration,
) -> Result<serde_json::Value> {
    let rejoined = Arc::new(AtomicU64::new(0));
    let all_back = Arc::new(Notify::new());
    let go = Arc::new(tokio::sync::Semaphore::new(0));
    let mut clients = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let batch = futures_util::future::join_all(chunk.iter().map(|&i| async move {
            let c = omni_builder(url).connect().await?;
            let room = format!("room_{}", i % rooms.max(1));
            c.join_room(&room, "bench").await?;
            Ok::<_, BoxError>((c, room))
        }))
        .await;
        for r in batch {
            let (c, room) = r?;
            let mut events = c.events();
            let (rejoined, all_back, go) = (rejoined.clone(), all_back.clone(), go.clone());
            let total = n as u64;
            tokio::spawn(async move {
                // Wait for the restart, then for this room to be joined
                // again.
                let _permit = go.acquire().await;
                let mut disconnected = false;
                while let Some(e) = events.next().await {
                    match e {
                        omni_socket::Event::Disconnect { .. } => disconnected = true,
                        omni_socket::Event::RoomState { key, state, .. }
                            if disconnected
                                && key == room
                                && state == omni_socket::RoomState::Joined =>
                        {
                            if rejoined.fetch_add(1, Ordering::Relaxed) + 1 == total {
                                all_back.notify_one();
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            });
            clients.push(c);
        }
    }
    // Wait for the room confirmations to settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("ready");
    let mut line = String::new();
    tokio::io::AsyncBufReadExt::read_line(
        &mut tokio::io::BufReader::new(tokio::io::stdin()),
        &mut line,
    )
    .await?;
    let t0 = Instant::now();
    go.add_permits(n);
    let _ = tokio::time::timeout(limit, all_back.notified()).await;
    let secs = t0.elapsed().as_secs_f64();
    let back = rejoined.load(Ordering::Relaxed);
    Ok(json!({"n": n, "secs": secs, "rejoined": back, "lost": n as u64 - back}))
}
