//! A tiny scripted Engine.IO v4 / Socket.IO v5 server over WebSocket.
//!
//! Real servers are too well-behaved to test the client's defences, so
//! this one follows a [`Plan`] per connection: speak a valid handshake and
//! then send garbage, refuse every CONNECT, or behave. It logs every frame
//! it receives with its arrival time, so a scenario can check what the
//! client did (e.g. the spacing of its retries).
//!
//! Clients must use the WebSocket transport only
//! (`.transports([TransportKind::Websocket])`): there is no polling here,
//! except for [`Plan::PollingBody`].

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// Engine.IO ping interval and timeout the server announces, in ms.
pub const PING_INTERVAL_MS: u64 = 300;
/// See [`PING_INTERVAL_MS`].
pub const PING_TIMEOUT_MS: u64 = 200;

/// What the server does on one connection.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Answer CONNECT, then send these WebSocket messages, then behave.
    Garbage(Vec<Message>),
    /// Answer every CONNECT with `connect_error {message}`.
    RefuseConnect(String),
    /// Answer CONNECT with these WebSocket messages instead of its
    /// answer.
    AnswerConnectWith(Vec<Message>),
    /// Answer an HTTP request (a long-polling handshake) with `200` and a
    /// body of this many bytes, whatever it asks.
    PollingBody(usize),
    /// Answer CONNECT, ping, and answer every ack request with `["ok"]`.
    Behave,
    /// Answer CONNECT; once [`HostileServer::flood`] is called, send
    /// `events` binary events `blob` as fast as the socket takes them, each
    /// carrying `attachments` attachments of `size` bytes (`["blob", n,
    /// {placeholder 0}, …]`, `n` counting from 0); then behave, and after
    /// the flood send `["tick", n]` with every ping, so a client that
    /// shows a tick has handled everything sent before it. The handshake announces a 20 s
    /// ping interval: the flood holds the pings back.
    Blobs {
        /// Events to send.
        events: usize,
        /// Attachments per event.
        attachments: usize,
        /// Bytes per attachment.
        size: usize,
    },
}

/// One frame the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// 0-based connection number.
    pub conn: usize,
    /// Arrival time.
    pub at: Instant,
    /// The text (binary frames are logged as `<binary N bytes>`).
    pub text: String,
}

/// A running scripted server; stops when dropped.
#[derive(Debug)]
pub struct HostileServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Received>>>,
    accepted: Arc<Mutex<Vec<Instant>>>,
    blobs: Arc<AtomicUsize>,
    go: tokio::sync::watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    /// Listens on a free loopback port; connection `k` follows
    /// `plan(k)`.
    pub async fn start(plan: impl Fn(usize) -> Plan + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let blobs = Arc::new(AtomicUsize::new(0));
        let (go, go_rx) = tokio::sync::watch::channel(false);
        let plan = Arc::new(plan);
        let task = {
            let log = Arc::clone(&log);
            let accepted = Arc::clone(&accepted);
            let blobs = Arc::clone(&blobs);
            tokio::spawn(async move {
                let mut conns = Vec::new();
                let mut k = 0;
                while let Ok((tcp, _)) = listener.accept().await {
                    accepted.lock().expect("lock").push(Instant::now());
                    let plan = plan(k);
                    let out = Out {
                        log: Arc::clone(&log),
                        blobs: Arc::clone(&blobs),
                        go: go_rx.clone(),
                    };
                    conns.push(tokio::spawn(serve(tcp, k, plan, out)));
                    k += 1;
                }
                for c in conns {
                    c.abort();
                }
            })
        };
        Self {
            addr,
            log,
            accepted,
            blobs,
            go,
            task,
        }
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Frames received so far.
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().expect("lock").clone()
    }

    /// Arrival times of the Socket.IO CONNECT packets for namespace `/`.
    pub fn connect_times(&self) -> Vec<Instant> {
        self.received()
            .into_iter()
            .filter(|r| r.text == "40" || r.text.starts_with("40{"))
            .map(|r| r.at)
            .collect()
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.lock().expect("lock").len()
    }

    /// [`Plan::Blobs`] events written to a socket so far, all connections
    /// together.
    pub fn blobs_sent(&self) -> usize {
        self.blobs.load(Ordering::Acquire)
    }

    /// Starts the [`Plan::Blobs`] floods (at once for connections that
    /// answer CONNECT later).
    pub fn flood(&self) {
        self.go.send_replace(true);
    }
}

/// What a connection reports back.
struct Out {
    log: Arc<Mutex<Vec<Received>>>,
    blobs: Arc<AtomicUsize>,
    go: tokio::sync::watch::Receiver<bool>,
}

async fn serve(tcp: tokio::net::TcpStream, k: usize, plan: Plan, out: Out) {
    if let Plan::PollingBody(size) = plan {
        return polling_body(tcp, size).await;
    }
    let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let (interval, timeout) = match plan {
        Plan::Blobs { .. } => (20_000, 20_000),
        _ => (PING_INTERVAL_MS, PING_TIMEOUT_MS),
    };
    let open = format!(
        r#"0{{"sid":"hostile{k}","upgrades":[],"pingInterval":{interval},"pingTimeout":{timeout},"maxPayload":1000000}}"#
    );
    if tx.send(Message::text(open)).await.is_err() {
        return;
    }
    let mut garbage = match &plan {
        Plan::Garbage(msgs) => Some(msgs.clone()),
        _ => None,
    };
    let mut ping = tokio::time::interval_at(
        Instant::now() + Duration::from_millis(PING_INTERVAL_MS),
        Duration::from_millis(PING_INTERVAL_MS),
    );
    let mut ticks = 0u64;
    let mut flood = None;
    let mut flooded = false;
    let mut go = out.go.clone();
    loop {
        if flood.is_some() && *go.borrow_and_update() {
            if let Some((events, attachments, blob)) = flood.take() {
                if send_blobs(&mut tx, events, attachments, &blob, &out.blobs)
                    .await
                    .is_err()
                {
                    return;
                }
                flooded = true;
            }
        }
        let msg = tokio::select! {
            m = rx.next() => m,
            Ok(()) = go.changed(), if flood.is_some() => continue,
            _ = ping.tick() => {
                let mut frames = vec![Message::text("2")];
                if flooded {
                    frames.push(Message::text(format!(r#"42["tick",{ticks}]"#)));
                    ticks += 1;
                }
                for f in frames {
                    if tx.send(f).await.is_err() {
                        return;
                    }
                }
                continue;
            }
        };
        let text = match msg {
            Some(Ok(Message::Text(t))) => t.as_str().to_owned(),
            Some(Ok(Message::Binary(b))) => format!("<binary {} bytes>", b.len()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
            Some(Ok(_)) => continue,
        };
        out.log.lock().expect("lock").push(Received {
            conn: k,
            at: Instant::now(),
            text: text.clone(),
        });
        let mut replies = Vec::new();
        if text == "40" || text.starts_with("40{") {
            match &plan {
                Plan::RefuseConnect(m) => {
                    replies.push(Message::text(format!(
                        "44{}",
                        serde_json::json!({ "message": m })
                    )));
                }
                Plan::AnswerConnectWith(msgs) => replies.extend(msgs.iter().cloned()),
                _ => {
                    replies.push(Message::text(format!(r#"40{{"sid":"socket{k}"}}"#)));
                    replies.extend(garbage.take().unwrap_or_default());
                    if let Plan::Blobs {
                        events,
                        attachments,
                        size,
                    } = plan
                    {
                        flood = Some((events, attachments, bytes::Bytes::from(vec![7u8; size])));
                    }
                }
            }
        } else if let Some(id) = ack_id(&text) {
            replies.push(Message::text(format!(r#"43{id}["ok"]"#)));
        }
        for r in replies {
            if tx.send(r).await.is_err() {
                return;
            }
        }
    }
}

/// Reads one HTTP request head and answers `200` with `size` bytes of
/// body, as long as the client reads.
async fn polling_body(mut tcp: tokio::net::TcpStream, size: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match tcp.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let status = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: {size}\r\n\r\n"
    );
    if tcp.write_all(status.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b'x'; 64 * 1024];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        if tcp.write_all(&chunk[..n]).await.is_err() {
            return;
        }
        left -= n;
    }
}

/// Writes `events` binary events of `attachments` copies of `blob` each,
/// counting each one written in `sent`.
async fn send_blobs<S>(
    tx: &mut S,
    events: usize,
    attachments: usize,
    blob: &bytes::Bytes,
    sent: &AtomicUsize,
) -> Result<(), S::Error>
where
    S: futures_util::Sink<Message> + Unpin,
{
    for n in 0..events {
        let placeholders: Vec<String> = (0..attachments)
            .map(|i| format!(r#"{{"_placeholder":true,"num":{i}}}"#))
            .collect();
        let header = format!(r#"45{attachments}-["blob",{n},{}]"#, placeholders.join(","));
        tx.feed(Message::text(header)).await?;
        for _ in 0..attachments {
            tx.feed(Message::binary(blob.clone())).await?;
        }
        tx.flush().await?;
        sent.fetch_add(1, Ordering::AcqRel);
    }
    Ok(())
}

/// The ack id of an EVENT packet for `/` (`42<id>[…]`), if it asks for one.
fn ack_id(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("42")?;
    let end = rest.find('[')?;
    rest[..end].parse().ok()
}
