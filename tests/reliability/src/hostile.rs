//! A tiny scripted Engine.IO v4 / Socket.IO v5 server over WebSocket.
//!
//! Real servers are too well-behaved to test the client's defences, so
//! this one follows a [`Plan`] per connection: speak a valid handshake and
//! then send garbage, refuse every CONNECT, or behave. It logs every frame
//! it receives with its arrival time, so a scenario can check what the
//! client did (e.g. the spacing of its retries).
//!
//! Clients must use the WebSocket transport only
//! (`.transports([TransportKind::Websocket])`): there is no polling here.

use std::net::SocketAddr;
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
    /// Answer CONNECT, ping, and answer every ack request with `["ok"]`.
    Behave,
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
        let plan = Arc::new(plan);
        let task = {
            let log = Arc::clone(&log);
            let accepted = Arc::clone(&accepted);
            tokio::spawn(async move {
                let mut conns = Vec::new();
                let mut k = 0;
                while let Ok((tcp, _)) = listener.accept().await {
                    accepted.lock().expect("lock").push(Instant::now());
                    let plan = plan(k);
                    let log = Arc::clone(&log);
                    conns.push(tokio::spawn(serve(tcp, k, plan, log)));
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
}

async fn serve(tcp: tokio::net::TcpStream, k: usize, plan: Plan, log: Arc<Mutex<Vec<Received>>>) {
    let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let open = format!(
        r#"0{{"sid":"hostile{k}","upgrades":[],"pingInterval":{PING_INTERVAL_MS},"pingTimeout":{PING_TIMEOUT_MS},"maxPayload":1000000}}"#
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
    loop {
        let msg = tokio::select! {
            m = rx.next() => m,
            _ = ping.tick() => {
                if tx.send(Message::text("2")).await.is_err() {
                    return;
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
        log.lock().expect("lock").push(Received {
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
                _ => {
                    replies.push(Message::text(format!(r#"40{{"sid":"socket{k}"}}"#)));
                    replies.extend(garbage.take().unwrap_or_default());
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

/// The ack id of an EVENT packet for `/` (`42<id>[…]`), if it asks for one.
fn ack_id(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("42")?;
    let end = rest.find('[')?;
    rest[..end].parse().ok()
}
