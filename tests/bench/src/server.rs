//! The load server: just enough Engine.IO v4 / Socket.IO v5 over WebSocket
//! for the benchmarks, with every streamed frame encoded once up front so
//! the server is never the bottleneck.
//!
//! On `/socket.io/` it opens a session and answers:
//! - `start {kind, count}`: streams `count` pre-encoded events of `kind`
//!   (`small` ≈ 100 B, `large` ≈ 4 KB JSON `tick`; `binary`: `tick_bin`
//!   with one 64 KiB attachment) as fast as the socket takes them;
//! - `echo …` with an ack id: acknowledges with the same arguments;
//! - `join_room {room}`: `room_joined {room}` (and the ack, if asked).
//!
//! Any other path is a raw WebSocket echo, the floor for round trips.
//!
//! With a certificate path it serves `wss://` instead: a self-signed
//! certificate for `127.0.0.1`, made at start and written (DER) to that
//! path for the clients to trust.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

const PING_INTERVAL_MS: u64 = 25_000;
const PING_TIMEOUT_MS: u64 = 20_000;

/// Size of the binary attachment of `tick_bin`.
pub const BINARY_SIZE: usize = 64 * 1024;

/// Pre-encoded frames of one stream kind.
struct Frames {
    small: Message,
    large: Message,
    binary_head: Message,
    binary_body: Message,
}

/// A `tick` event whose whole Engine.IO frame is `total` bytes long.
pub fn tick_frame(total: usize) -> String {
    let head = r#"42["tick",{"id":1,"data":""#;
    let tail = r#""}]"#;
    let pad = total.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", "x".repeat(pad))
}

fn frames() -> Frames {
    Frames {
        small: Message::Text(Utf8Bytes::from(tick_frame(100))),
        large: Message::Text(Utf8Bytes::from(tick_frame(4096))),
        binary_head: Message::Text(Utf8Bytes::from_static(
            r#"451-["tick_bin",{"id":1,"data":{"_placeholder":true,"num":0}}]"#,
        )),
        binary_body: Message::Binary(Bytes::from(vec![0xA5u8; BINARY_SIZE])),
    }
}

/// A TLS acceptor with a new self-signed certificate for `127.0.0.1` and
/// `localhost`, whose DER is written to `cert_out`.
fn self_signed(cert_out: &Path) -> Result<TlsAcceptor, Box<dyn std::error::Error>> {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    std::fs::write(cert_out, made.cert.der())?;
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![made.cert.der().clone()], key.into())?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves on `127.0.0.1:port` (0: any free port) until killed, over TLS
/// when `cert_out` is given (see the module doc). Prints `listening PORT`
/// once bound.
pub async fn run(port: u16, cert_out: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    let tls = cert_out.map(self_signed).transpose()?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening {}", listener.local_addr()?.port());
    let frames: &'static Frames = Box::leak(Box::new(frames()));
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let tls = tls.clone();
        tokio::spawn(async move {
            let _ = match tls {
                Some(tls) => match tls.accept(tcp).await {
                    Ok(stream) => serve(stream, frames).await,
                    Err(e) => Err(e.into()),
                },
                None => serve(tcp, frames).await,
            };
        });
    }
}

type Ws<S> = tokio_tungstenite::WebSocketStream<S>;

// The handshake callback's error type is tungstenite's HTTP response.
#[allow(clippy::result_large_err)]
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    tcp: S,
    frames: &'static Frames,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut socketio = false;
    let cfg = WebSocketConfig::default().max_message_size(Some(256 << 20));
    let ws = tokio_tungstenite::accept_hdr_async_with_config(
        tcp,
        |req: &Request, resp: Response| {
            socketio = req.uri().path().starts_with("/socket.io");
            Ok(resp)
        },
        Some(cfg),
    )
    .await?;
    if socketio {
        session(ws, frames).await
    } else {
        raw_echo(ws).await
    }
}

async fn raw_echo<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: Ws<S>,
) -> Result<(), Box<dyn std::error::Error>> {
    while let Some(m) = ws.next().await {
        match m? {
            m @ (Message::Text(_) | Message::Binary(_)) => ws.send(m).await?,
            Message::Close(_) => break,
            _ => {}
        }
    }
    Ok(())
}

static SIDS: AtomicU64 = AtomicU64::new(1);

async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: Ws<S>,
    frames: &'static Frames,
) -> Result<(), Box<dyn std::error::Error>> {
    let sid = SIDS.fetch_add(1, Ordering::Relaxed);
    ws.send(Message::text(format!(
        r#"0{{"sid":"bench{sid}","upgrades":[],"pingInterval":{PING_INTERVAL_MS},"pingTimeout":{PING_TIMEOUT_MS},"maxPayload":100000000}}"#
    )))
    .await?;
    let mut ping = tokio::time::interval(Duration::from_millis(PING_INTERVAL_MS));
    ping.tick().await;
    loop {
        let m = tokio::select! {
            m = ws.next() => m,
            _ = ping.tick() => {
                ws.send(Message::text("2")).await?;
                continue;
            }
        };
        let Some(m) = m else { break };
        let text = match m? {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        let text = text.as_str();
        if let Some(rest) = text.strip_prefix("40") {
            let _ = rest;
            ws.send(Message::text(format!(r#"40{{"sid":"s{sid}"}}"#)))
                .await?;
        } else if let Some(rest) = text.strip_prefix("42") {
            let (ack, json) = split_ack_id(rest);
            let Ok(serde_json::Value::Array(args)) =
                serde_json::from_str::<serde_json::Value>(json)
            else {
                continue;
            };
            let name = args.first().and_then(|v| v.as_str()).unwrap_or_default();
            match name {
                "start" => {
                    let opts = args.get(1).cloned().unwrap_or_default();
                    let count = opts["count"].as_u64().unwrap_or(1000);
                    let kind = opts["kind"].as_str().unwrap_or("small").to_owned();
                    stream(&mut ws, frames, &kind, count).await?;
                }
                "join_room" => {
                    let room = args.get(1).map(|o| o["room"].clone()).unwrap_or_default();
                    let reply = serde_json::json!(["room_joined", { "room": room }]);
                    ws.send(Message::text(format!("42{reply}"))).await?;
                }
                _ => {}
            }
            if let Some(id) = ack {
                let answer = serde_json::Value::Array(args[1..].to_vec());
                ws.send(Message::text(format!("43{id}{answer}"))).await?;
            }
        }
    }
    Ok(())
}

/// A packet's ack id (the digits after its type, on the main namespace)
/// and the JSON that follows them.
pub fn split_ack_id(rest: &str) -> (Option<u64>, &str) {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (rest[..digits].parse().ok(), &rest[digits..])
}

async fn stream<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut Ws<S>,
    frames: &'static Frames,
    kind: &str,
    count: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    for i in 0..count {
        match kind {
            "binary" => {
                ws.feed(frames.binary_head.clone()).await?;
                ws.feed(frames.binary_body.clone()).await?;
            }
            "large" => ws.feed(frames.large.clone()).await?,
            _ => ws.feed(frames.small.clone()).await?,
        }
        if i % 64 == 63 {
            ws.flush().await?;
        }
    }
    ws.flush().await?;
    Ok(())
}
