//! WebSocket transport over tokio-tungstenite (rustls for `wss://`).

use futures_util::{FutureExt, SinkExt, StreamExt};
use omni_socket_core::client::{Frame, TransportId};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::Connector;
use tracing::{debug, trace};

use super::{Failure, Input, InputTx, Out, OutRx, TransportSettings};

/// Frames handed to the driver in one batch at most, so a flood of input
/// still lets the driver run its timers and commands in between.
const MAX_BATCH: usize = 64;

/// Runs one WebSocket transport until it closes, fails, or is told to
/// close. Reports everything through `input`.
pub(crate) async fn run(
    id: TransportId,
    url: String,
    settings: TransportSettings,
    mut out: OutRx,
    input: InputTx,
) {
    let result = session(id, &url, &settings, &mut out, &input).await;
    let report = match result {
        Ok(true) => Input::Closed,
        Ok(false) => return,
        Err(f) => Input::Failed(f),
    };
    debug!(?id, ?report, "websocket transport ended");
    let _ = input.send(id, report).await;
}

fn failure(e: tungstenite::Error) -> Failure {
    match e {
        tungstenite::Error::Io(io) => Failure::io(&io),
        other => Failure::other(other.to_string()),
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the WebSocket. A separate, boxed future: the handshake's state
/// (HTTP request, TLS, timer) is only needed until it completes, and kept
/// inline it would size the task for the connection's whole life.
async fn open(url: &str, settings: &TransportSettings) -> Result<Ws, Failure> {
    let mut request = url
        .into_client_request()
        .map_err(|e| Failure::other(e.to_string()))?;
    for (k, v) in &settings.extra_headers {
        let name = tungstenite::http::HeaderName::from_bytes(k.as_bytes())
            .map_err(|e| Failure::other(format!("header {k:?}: {e}")))?;
        let value =
            HeaderValue::from_str(v).map_err(|e| Failure::other(format!("header {k:?}: {e}")))?;
        request.headers_mut().insert(name, value);
    }
    // Socket.IO frames are small; tungstenite fills its whole read buffer
    // (128 KiB by default) with zeros before each read, so its size is
    // resident memory of every idle connection (bench: 4 KiB instead of
    // 16 KiB took 49 to 37 KiB per connection, receive speed unchanged).
    // Larger messages still work: the buffer grows for them.
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .max_message_size(Some(settings.max_message))
        .max_frame_size(Some(settings.max_message));
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(config),
        // TCP_NODELAY: Socket.IO frames are small and latency matters.
        true,
        Some(Connector::Rustls(settings.tls.clone())),
    );
    let (ws, _) = tokio::time::timeout(settings.connect_timeout, connecting)
        .await
        .map_err(|_| Failure::other("websocket connect timeout"))?
        .map_err(failure)?;
    Ok(ws)
}

/// `Ok(true)`: the peer closed; `Ok(false)`: we closed on request.
async fn session(
    id: TransportId,
    url: &str,
    settings: &TransportSettings,
    out: &mut OutRx,
    input: &InputTx,
) -> Result<bool, Failure> {
    debug!(?id, url, "opening websocket");
    let ws = Box::pin(open(url, settings)).await?;
    // Split at once: the stream then lives behind the halves' shared lock,
    // so no state of this task holds the 1.4 KB stream inline.
    let (mut sink, mut stream) = ws.split();
    if input.send(id, Input::Opened).await.is_err() {
        return Ok(false);
    }
    loop {
        tokio::select! {
            cmd = out.recv() => {
                let mut next = cmd;
                // Feed everything already queued, then flush once.
                loop {
                    match next {
                        Some(Out::Frame(f)) => {
                            let msg = match f {
                                Frame::Text(t) => Message::text(t),
                                Frame::Binary(b) => Message::binary(b),
                            };
                            sink.feed(msg).await.map_err(failure)?;
                        }
                        Some(Out::Pause | Out::Resume) => {}
                        Some(Out::Close) | None => {
                            let _ = sink.send(Message::Close(None)).await;
                            return Ok(false);
                        }
                    }
                    match out.try_recv() {
                        Some(o) => next = Some(o),
                        None => break,
                    }
                }
                sink.flush().await.map_err(failure)?;
            }
            msg = stream.next() => {
                // Everything the socket already holds goes to the driver in
                // one message: one wake-up per read instead of one per
                // frame, which is most of the cost of small events.
                let mut batch = Vec::new();
                let mut next = Some(msg);
                let mut end = None;
                while let Some(msg) = next.take() {
                    match msg {
                        Some(Ok(Message::Text(t))) => batch.push(Input::Text(t)),
                        Some(Ok(Message::Binary(b))) => batch.push(Input::Binary(b)),
                        Some(Ok(Message::Close(frame))) => {
                            trace!(?id, ?frame, "websocket closed by peer");
                            end = Some(Ok(true));
                            break;
                        }
                        // Ping/pong frames: tungstenite answers them.
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            end = Some(Err(failure(e)));
                            break;
                        }
                        None => {
                            end = Some(Ok(true));
                            break;
                        }
                    }
                    if batch.len() < MAX_BATCH {
                        next = stream.next().now_or_never();
                    }
                }
                // A bounded channel: a fast server waits for the driver
                // instead of growing memory. Frames read before a close or
                // an error are delivered before it.
                let sent = match batch.len() {
                    0 => true,
                    1 => input.send(id, batch.remove(0)).await.is_ok(),
                    _ => input.send(id, Input::Batch(batch)).await.is_ok(),
                };
                if !sent {
                    return Ok(false);
                }
                if let Some(end) = end {
                    return end;
                }
            }
        }
    }
}
