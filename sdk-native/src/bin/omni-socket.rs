//! `omni-socket`: a command-line Socket.IO client for debugging servers,
//! and the black-box interface of the end-to-end tests.
//!
//! Exit codes: 0 success; 1 other runtime error; 2 usage error, bad URL or
//! bad JSON argument; 3 cannot connect (refused, transport, timeout);
//! 4 authentication failed; 5 the server rejected the connection for
//! another reason; 6 no ack / no answer in time.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use omni_socket::core::client::ConnectFailure;
use omni_socket::value::AsJson;
use omni_socket::{
    value, Client, ClientBuilder, DisconnectReason, Error, Event, HeartbeatConfig, HeartbeatMode,
    LatencyStats, Message, RoomSpec, RoomState, TransportError, TransportErrorKind, TransportKind,
    Value,
};
use serde_json::{json, Map, Value as Json};

#[derive(Parser)]
#[command(
    name = "omni-socket",
    version,
    about = "Socket.IO v5 client for debugging servers"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
    /// Debug logs on stderr (same as RUST_LOG=omni_socket=debug).
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Stay connected and print what happens.
    Listen(ListenArgs),
    /// Emit one event, optionally waiting for its ack.
    Emit(EmitArgs),
    /// Measure round trips and print statistics as one JSON object.
    Ping(PingArgs),
    /// Open many connections and report connect time, events/s, latency
    /// and memory.
    Bench(BenchArgs),
}

#[derive(Args, Clone)]
struct Conn {
    /// Server URL: http(s):// or ws(s)://; a path names the namespace.
    url: String,
    /// Namespace (default: the URL's path, or `/`).
    #[arg(long)]
    namespace: Option<String>,
    /// Sent as `auth.token`, exactly as given (a `Bearer ` prefix stays).
    #[arg(long)]
    token: Option<String>,
    /// Sent as `auth.license_key`.
    #[arg(long)]
    license_key: Option<String>,
    /// The whole auth object as JSON; --token and --license-key are merged
    /// into it.
    #[arg(long)]
    auth: Option<String>,
    /// Transports in order, comma separated: websocket, polling.
    #[arg(long, value_delimiter = ',', default_value = "polling,websocket")]
    transports: Vec<Transport>,
    /// Handshake / connect timeout in milliseconds.
    #[arg(long, default_value_t = 20_000)]
    connect_timeout_ms: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Transport {
    Websocket,
    Polling,
}

#[derive(Args)]
struct ListenArgs {
    #[command(flatten)]
    conn: Conn,
    /// Join an Omni room (`join_room {room, type}`, confirmed by
    /// `room_joined`); re-joined after every reconnect. Repeatable.
    #[arg(long = "join-room")]
    join_room: Vec<String>,
    /// Room type sent with --join-room (default: the room name up to its
    /// first `_`, e.g. `license` for `license_42`).
    #[arg(long)]
    room_type: Option<String>,
    /// 'EVENT JSON': emitted after connecting and again after every
    /// reconnect. Repeatable.
    #[arg(long)]
    subscribe: Vec<String>,
    /// Exit 0 after this many `event` lines.
    #[arg(long)]
    count: Option<u64>,
    /// Exit 0 after this many seconds.
    #[arg(long)]
    duration: Option<f64>,
    /// One JSON object per line, each with a `type`.
    #[arg(long)]
    json: bool,
    /// Disable automatic reconnection.
    #[arg(long)]
    no_reconnect: bool,
}

#[derive(Args)]
struct EmitArgs {
    #[command(flatten)]
    conn: Conn,
    /// Event name.
    event: String,
    /// Event arguments, one JSON value each ({"base64": "…"} is binary).
    args: Vec<String>,
    /// Wait for the ack and print its arguments as one JSON array.
    #[arg(long)]
    ack: bool,
    /// Ack timeout in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    timeout_ms: u64,
    /// Without --ack: milliseconds to stay connected after the emit. The
    /// Node server drops events of a socket whose DISCONNECT arrives in
    /// the same read, so leaving at once can lose the emit.
    #[arg(long, default_value_t = 100)]
    linger_ms: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum PingMode {
    /// Omni `heartbeat` answered by `heartbeat_response`.
    Heartbeat,
    /// An event with an ack request (see --event).
    Ack,
}

#[derive(Args)]
struct PingArgs {
    #[command(flatten)]
    conn: Conn,
    /// Samples to take.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// Milliseconds between samples.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// How a round trip is measured.
    #[arg(long, value_enum, default_value = "heartbeat")]
    mode: PingMode,
    /// Event emitted in ack mode.
    #[arg(long, default_value = "ping")]
    event: String,
}

#[derive(Args)]
struct BenchArgs {
    #[command(flatten)]
    conn: Conn,
    /// Connections to open.
    #[arg(long)]
    connections: usize,
    /// Generated Omni rooms: connection i joins `bench_{i mod N}` (0 =
    /// none).
    #[arg(long, default_value_t = 0)]
    rooms: usize,
    /// An Omni room every connection joins. Repeatable.
    #[arg(long = "join-room")]
    join_room: Vec<String>,
    /// Seconds to measure after all connections are up.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Milliseconds between round-trip samples per connection.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// How a round trip is measured.
    #[arg(long, value_enum, default_value = "heartbeat")]
    mode: PingMode,
    /// Event emitted in ack mode.
    #[arg(long, default_value = "ping")]
    event: String,
    /// Connections opened at the same time.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
}

/// A failure with its exit code and message.
struct Fail(u8, String);

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::InvalidUrl { .. } => 2,
            Error::ConnectionRefused { .. } | Error::Transport(_) | Error::ConnectTimeout => 3,
            Error::Auth { .. } => 4,
            Error::Rejected { .. } => 5,
            Error::AckTimeout => 6,
            _ => 1,
        };
        let hint = match &e {
            Error::ConnectionRefused { .. } => " (is the server running on that host and port?)",
            Error::Auth { .. } => " (check --token / --license-key / --auth)",
            _ => "",
        };
        Fail(code, format!("{e}{hint}"))
    }
}

/// Makes glibc give large freed buffers straight back to the system.
///
/// By default glibc raises its mmap threshold to the size of each large
/// block freed, up to 32 MB: after the first 1 MB attachment is freed,
/// later ones come from the per-thread heaps, which keep freed pages
/// resident. `listen` against a server sending 64 × 1 MB attachments per
/// event kept 70–130 MB after everything was printed (1.8 GB in the issue
/// that found it, when the queues were unbounded); with the threshold
/// fixed at its default start, 128 KiB, it goes back to within a few MB
/// of where it started. Each large block then costs an `mmap`, which is
/// small beside filling a megabyte.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks() {
    // SAFETY: mallopt takes no pointers and is called before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks() {}

fn main() -> ExitCode {
    return_large_blocks();
    let cli = Cli::parse();
    let filter = if cli.verbose {
        tracing_subscriber::EnvFilter::new("omni_socket=debug")
    } else {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"))
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("omni-socket: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Cmd::Listen(a) => listen(a).await,
            Cmd::Emit(a) => emit(a).await,
            Cmd::Ping(a) => ping(a).await,
            Cmd::Bench(a) => bench(a).await,
        }
    });
    // Background tasks (transports) must not delay the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(code, message)) => {
            eprintln!("omni-socket: {message}");
            ExitCode::from(code)
        }
    }
}

fn parse_json(what: &str, text: &str) -> Result<Json, Fail> {
    serde_json::from_str(text).map_err(|e| Fail(2, format!("{what} is not valid JSON: {e}")))
}

fn builder(conn: &Conn) -> Result<ClientBuilder, Fail> {
    let mut auth: Map<String, Json> = match &conn.auth {
        Some(text) => match parse_json("--auth", text)? {
            Json::Object(m) => m,
            _ => return Err(Fail(2, "--auth must be a JSON object".into())),
        },
        None => Map::new(),
    };
    if let Some(t) = &conn.token {
        auth.insert("token".into(), Json::String(t.clone()));
    }
    if let Some(k) = &conn.license_key {
        auth.insert("license_key".into(), Json::String(k.clone()));
    }
    let mut b = Client::builder(&conn.url)
        .timeout(Duration::from_millis(conn.connect_timeout_ms))
        .transports(conn.transports.iter().map(|t| match t {
            Transport::Websocket => TransportKind::Websocket,
            Transport::Polling => TransportKind::Polling,
        }));
    if !auth.is_empty() {
        b = b.auth(omni_socket::Auth::Json(auth));
    }
    if let Some(n) = &conn.namespace {
        b = b.namespace(n.clone());
    }
    Ok(b)
}

fn heartbeat(mode: PingMode, event: &str, interval_ms: u64, window: usize) -> HeartbeatConfig {
    HeartbeatConfig {
        interval: interval_ms,
        mode: match mode {
            PingMode::Heartbeat => HeartbeatMode::omni(env!("CARGO_PKG_VERSION"), "cli"),
            PingMode::Ack => HeartbeatMode::Ack {
                event: event.to_owned(),
            },
        },
        window: window.max(1),
        namespace: "/".into(),
    }
}

/// Prints lines for `listen`, as JSON or for humans.
struct Printer {
    json: bool,
}

impl Printer {
    fn line(&self, kind: &str, fields: Json, human: impl FnOnce() -> String) {
        if self.json {
            let mut obj = Map::new();
            obj.insert("type".into(), Json::String(kind.to_owned()));
            if let Json::Object(f) = fields {
                obj.extend(f);
            }
            println!("{}", Json::Object(obj));
        } else {
            println!("[{kind}] {}", human());
        }
    }

    /// Prints a server event. Written straight to stdout: binary
    /// arguments are base64-encoded on the way, never held whole in a
    /// string, so an event of 64 MB of attachments costs no more memory
    /// to print than it already takes.
    fn message(&self, m: &Message) -> std::io::Result<()> {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            namespace: &'a str,
            event: &'a str,
            args: Args<'a>,
        }
        struct Args<'a>(&'a [Value]);
        impl serde::Serialize for Args<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(AsJson))
            }
        }
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        let args = Args(&m.args);
        if self.json {
            let line = Line {
                kind: "event",
                namespace: &m.namespace,
                event: &m.event,
                args,
            };
            serde_json::to_writer(&mut out, &line)?;
        } else {
            write!(out, "[event] {} {} ", m.namespace, m.event)?;
            serde_json::to_writer(&mut out, &args)?;
        }
        writeln!(out)?;
        out.flush()
    }

    /// Says that the client dropped `count` events because this program
    /// fell behind printing them (the subscription's queue was full).
    fn dropped(&self, count: u64, total: u64) {
        self.line("dropped", json!({"count": count, "total": total}), || {
            format!("{count} events lost while printing fell behind ({total} in all)")
        });
    }

    /// Prints a lifecycle event; `subs` maps subscription keys that are
    /// not rooms, `cause` is the transport failure behind a
    /// `transport error`.
    fn lifecycle(&self, e: &Event, subs: &[String], cause: Option<&TransportError>) {
        match e {
            Event::Connect { nsp, sid, recovered } => self.line(
                "connect",
                json!({"namespace": nsp, "id": sid, "recovered": recovered}),
                || format!("{nsp} id={sid}"),
            ),
            Event::ConnectError {
                nsp,
                message,
                data,
                cause,
            } => {
                let kind = failure_kind(*cause);
                let data: Option<serde_json::Value> =
                    data.as_deref().and_then(|d| serde_json::from_str(d).ok());
                self.line(
                    "connect_error",
                    json!({"namespace": nsp, "message": message, "data": data, "cause": kind}),
                    || match data {
                        Some(d) => format!("{nsp} {kind}: {message} {d}"),
                        None => format!("{nsp} {kind}: {message}"),
                    },
                );
            }
            Event::Disconnect { nsp, reason } => {
                let cause = cause
                    .filter(|_| *reason == DisconnectReason::TransportError)
                    .map(|c| c.message.as_str());
                self.line(
                    "disconnect",
                    json!({"namespace": nsp, "reason": reason.as_str(), "cause": cause}),
                    || match cause {
                        Some(c) => format!("{nsp} {reason}: {c}"),
                        None => format!("{nsp} {reason}"),
                    },
                );
            }
            Event::ReconnectAttempt { attempt, delay } => self.line(
                "reconnect_attempt",
                json!({"attempt": attempt, "delay_ms": delay}),
                || format!("reconnecting in {delay} ms (attempt {attempt})"),
            ),
            Event::Reconnect { attempt } => {
                self.line("reconnect", json!({"attempt": attempt}), || {
                    format!("after {attempt} attempts")
                })
            }
            Event::ReconnectError { attempt, message } => self.line(
                "error",
                json!({"message": message, "attempt": attempt}),
                || format!("reconnect attempt {attempt}: {message}"),
            ),
            Event::ReconnectFailed { attempts } => {
                self.line("reconnect_failed", json!({"attempts": attempts}), || {
                    format!("gave up after {attempts} attempts")
                })
            }
            Event::RoomState { nsp, key, state } => {
                if subs.contains(key) {
                    return;
                }
                let (name, reason) = match state {
                    RoomState::Unsubscribed => ("unsubscribed", None),
                    RoomState::Joining => ("joining", None),
                    RoomState::Joined => ("joined", None),
                    RoomState::Failed(r) => ("failed", Some(r.clone())),
                };
                self.line(
                    "room",
                    json!({"namespace": nsp, "room": key, "state": name, "reason": reason}),
                    || format!("{nsp} {key} {name} {}", reason.clone().unwrap_or_default()),
                );
            }
            Event::Latency(s) => self.line(
                "latency",
                json!({"rtt_ms": s.rtt, "stats": stats_json(&s.stats)}),
                || format!("{} ms", s.rtt),
            ),
            Event::AuthFailed { nsp, message, .. } => self.line(
                "error",
                json!({"namespace": nsp, "message": message, "kind": "auth"}),
                || format!("{nsp} auth failed: {message}"),
            ),
            Event::ProtocolError(err) => self.line(
                "error",
                json!({"message": err.to_string(), "kind": "protocol"}),
                || format!("protocol error: {err}"),
            ),
            Event::RateLimited {
                nsp,
                event,
                retry_after,
            } => self.line(
                "error",
                json!({"namespace": nsp, "message": "rate limited", "event": event, "retry_after_ms": retry_after, "kind": "rate_limited"}),
                || format!("{nsp} rate limited on {event} for {retry_after} ms"),
            ),
            _ => {}
        }
    }
}

/// A connect failure's cause as one word.
fn failure_kind(cause: ConnectFailure) -> &'static str {
    match cause {
        ConnectFailure::Server => "refused by the server",
        ConnectFailure::Timeout => "timeout",
        ConnectFailure::TooLarge => "auth too large",
        ConnectFailure::Transport(kind) => match kind {
            TransportErrorKind::Refused => "connection refused",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Tls => "TLS error",
            TransportErrorKind::Status(_) => "HTTP error",
            TransportErrorKind::TooLarge => "too large",
            TransportErrorKind::Closed => "closed",
            TransportErrorKind::Protocol => "protocol error",
            TransportErrorKind::Other => "transport error",
        },
    }
}

fn stats_json(s: &LatencyStats) -> Json {
    json!({"count": s.count, "min": s.min, "mean": s.mean, "p50": s.p50, "p95": s.p95,
        "p99": s.p99, "max": s.max, "last": s.last})
}

fn room_type(room: &str) -> &str {
    room.split_once('_').map_or("custom", |(t, _)| t)
}

async fn listen(a: ListenArgs) -> Result<(), Fail> {
    let mut subs = Vec::new();
    let mut sub_specs = Vec::new();
    for s in &a.subscribe {
        let (event, data) = s
            .split_once(char::is_whitespace)
            .unwrap_or((s.as_str(), ""));
        let args = if data.trim().is_empty() {
            vec![]
        } else {
            vec![value::from_json(parse_json("--subscribe", data.trim())?)]
        };
        // A subscription without confirmation that is re-sent after every
        // reconnect, like a room; it is never left.
        sub_specs.push(RoomSpec::new(s.clone(), event, args, "", vec![]));
        subs.push(s.clone());
    }
    let printer = Printer { json: a.json };
    let client = builder(&a.conn)?
        .reconnection(!a.no_reconnect)
        .connect_lazy()?;
    let mut events = client.events();
    let mut messages = client.on_any();
    for spec in sub_specs {
        client.join(spec).await?;
    }
    for room in &a.join_room {
        let kind = a.room_type.as_deref().unwrap_or_else(|| room_type(room));
        client.join(RoomSpec::omni(room, kind)).await?;
    }
    // Everything before the first connect is printed too, then the
    // outcome decides whether to go on.
    let outcome = client.connect_outcome().await;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::ZERO, events.next()).await {
        printer.lifecycle(&e, &subs, client.last_transport_error().as_ref());
    }
    outcome?;

    let deadline = a
        .duration
        .map(|s| tokio::time::Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let sleep = tokio::time::sleep_until(
        deadline.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(86_400 * 365)),
    );
    tokio::pin!(sleep);
    let mut seen = 0u64;
    let mut dropped = 0u64;
    if a.count == Some(0) {
        return Ok(());
    }
    loop {
        tokio::select! {
            m = messages.next() => {
                let Some(m) = m else { return Err(Fail(1, "connection closed".into())) };
                // Events lost before this one are said before it.
                let lost = messages.dropped();
                if lost > dropped {
                    printer.dropped(lost - dropped, lost);
                    dropped = lost;
                }
                printer
                    .message(&m)
                    .map_err(|e| Fail(1, format!("cannot write to stdout: {e}")))?;
                seen += 1;
                if a.count.is_some_and(|n| seen >= n) {
                    break;
                }
            }
            e = events.next() => {
                let Some(e) = e else { return Err(Fail(1, "connection closed".into())) };
                printer.lifecycle(&e, &subs, client.last_transport_error().as_ref());
                if let Event::ReconnectFailed { .. } | Event::AuthGaveUp { .. } = e {
                    let _ = client.disconnect().await;
                    return Err(Fail(if matches!(e, Event::AuthGaveUp { .. }) { 4 } else { 3 },
                        "gave up reconnecting".into()));
                }
            }
            () = &mut sleep => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    let _ = client.disconnect().await;
    Ok(())
}

async fn emit(a: EmitArgs) -> Result<(), Fail> {
    let mut args = Vec::new();
    for (i, text) in a.args.iter().enumerate() {
        args.push(value::from_json(parse_json(
            &format!("argument {}", i + 1),
            text,
        )?));
    }
    let client = builder(&a.conn)?.reconnection(false).connect().await?;
    if a.ack {
        let reply = client
            .emit_with_ack(&a.event, args, Duration::from_millis(a.timeout_ms))
            .await;
        let reply = match reply {
            Ok(r) => r,
            Err(Error::AckTimeout) => {
                let _ = client.disconnect().await;
                return Err(Fail(
                    6,
                    format!("no ack for {:?} within {} ms", a.event, a.timeout_ms),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        println!(
            "{}",
            Json::Array(reply.iter().map(value::to_json).collect::<Vec<_>>())
        );
    } else {
        client.emit(&a.event, args).await?;
        tokio::time::sleep(Duration::from_millis(a.linger_ms)).await;
    }
    client.disconnect().await?;
    Ok(())
}

async fn ping(a: PingArgs) -> Result<(), Fail> {
    let count = a.count.max(1);
    let client = builder(&a.conn)?
        .heartbeat(heartbeat(a.mode, &a.event, a.interval_ms, count))
        .connect()
        .await?;
    let mut state = client.state();
    let budget = Duration::from_millis(a.interval_ms.saturating_mul(count as u64 + 2))
        + Duration::from_secs(5);
    // Map at once: the watch guard must not be held while the driver
    // publishes (it would block the driver).
    let waited = tokio::time::timeout(budget, state.wait_for(|s| s.latency.count >= count))
        .await
        .map(|r| r.map(|_| ()));
    let stats = client.latency();
    let _ = client.disconnect().await;
    match waited {
        Ok(Ok(_)) => {
            println!("{}", stats_json(&stats));
            Ok(())
        }
        Ok(Err(_)) => Err(Fail(1, "connection closed".into())),
        Err(_) => Err(Fail(
            6,
            format!(
                "only {} of {count} round trips answered; does the server answer {}?",
                stats.count,
                match a.mode {
                    PingMode::Heartbeat => "heartbeat with heartbeat_response".to_owned(),
                    PingMode::Ack => format!("{:?} with an ack", a.event),
                }
            ),
        )),
    }
}

fn percentiles(mut v: Vec<f64>) -> Json {
    if v.is_empty() {
        return Json::Null;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let r2 = |x: f64| (x * 100.0).round() / 100.0;
    let rank = |p: usize| r2(v[((p * n).div_ceil(100)).clamp(1, n) - 1]);
    let mean = v.iter().sum::<f64>() / n as f64;
    json!({"count": n, "min": r2(v[0]), "mean": r2(mean), "p50": rank(50),
        "p95": rank(95), "p99": rank(99), "max": r2(v[n - 1])})
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

async fn bench(a: BenchArgs) -> Result<(), Fail> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    if a.connections == 0 {
        return Err(Fail(2, "--connections must be at least 1".into()));
    }
    let base = builder(&a.conn)?.heartbeat(heartbeat(a.mode, &a.event, a.interval_ms, 1000));
    let received = Arc::new(AtomicU64::new(0));
    let joined = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let (rtt_tx, mut rtt_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let gate = Arc::new(tokio::sync::Semaphore::new(a.concurrency.max(1)));
    let rss_before = rss_mb();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..a.connections {
        let b = base.clone();
        let gate = gate.clone();
        let mut rooms = a.join_room.clone();
        if a.rooms > 0 {
            rooms.push(format!("bench_{}", i % a.rooms));
        }
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.ok()?;
            let t0 = Instant::now();
            let client = b.connect().await.ok()?;
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            // Subscribed before joining so no room answer is missed.
            let streams = (client.on_any(), client.events());
            for room in &rooms {
                client.join_room(room, room_type(room)).await.ok()?;
            }
            Some((client, ms, streams))
        }));
    }
    let mut clients = Vec::new();
    let mut streams = Vec::new();
    let mut connect_ms = Vec::new();
    for t in tasks {
        if let Ok(Some((c, ms, s))) = t.await {
            connect_ms.push(ms);
            clients.push(c);
            streams.push(s);
        }
    }
    let connect_all_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut counters = Vec::new();
    for (mut any, mut events) in streams {
        let received = received.clone();
        let joined = joined.clone();
        let refused = refused.clone();
        let rtt_tx = rtt_tx.clone();
        counters.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    m = any.next() => match m {
                        Some(_) => { received.fetch_add(1, Ordering::Relaxed); }
                        None => break,
                    },
                    e = events.next() => match e {
                        Some(Event::Latency(s)) => { let _ = rtt_tx.send(s.rtt); }
                        Some(Event::RoomState { state: RoomState::Joined, .. }) => {
                            joined.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(Event::RoomState { state: RoomState::Failed(_), .. }) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(_) => {}
                        None => break,
                    },
                }
            }
        }));
    }
    drop(rtt_tx);
    let measure = Duration::from_secs_f64(a.duration.max(0.0));
    let t1 = Instant::now();
    tokio::time::sleep(measure).await;
    let elapsed = t1.elapsed().as_secs_f64();
    let events = received.load(Ordering::Relaxed);
    let rss = rss_mb();
    for c in &clients {
        let _ = c.disconnect().await;
    }
    drop(clients);
    for t in counters {
        t.abort();
    }
    let mut rtts = Vec::new();
    while let Ok(r) = rtt_rx.try_recv() {
        rtts.push(r as f64);
    }
    let connected = connect_ms.len();
    println!(
        "{}",
        json!({
            "connections": a.connections,
            "connected": connected,
            "failed": a.connections - connected,
            "connect_all_ms": connect_all_ms.round(),
            "connect_ms": percentiles(connect_ms),
            "rooms_joined": joined.load(Ordering::Relaxed),
            "rooms_refused": refused.load(Ordering::Relaxed),
            "events": events,
            "events_per_sec": ((events as f64 / elapsed.max(1e-9)) * 10.0).round() / 10.0,
            "latency_ms": percentiles(rtts),
            "rss_mb_before": rss_before,
            "rss_mb": rss,
        })
    );
    if connected == 0 {
        return Err(Fail(3, "no connection succeeded".into()));
    }
    Ok(())
}
