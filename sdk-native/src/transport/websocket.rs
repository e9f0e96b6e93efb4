//! WebSocket transport over tokio-tungstenite (rustls for `wss://`).

use futures_util::{SinkExt, StreamExt};
use omni_socket_core::client::{Frame, TransportId};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::Connector;
use tracing::{debug, trace};

use super::{Failure, Input, InputTx, Out, TransportSettings};

/// Runs one WebSocket transport until it closes, fails, or is told to
/// close. Reports everything through `input`.
pub(crate) async fn run(
    id: TransportId,
    url: String,
    settings: TransportSettings,
    mut out: mpsc::UnboundedReceiver<Out>,
    input: InputTx,
) {
    let result = session(id, &url, &settings, &mut out, &input).await;
    let report = match result {
        Ok(true) => Input::Closed,
        Ok(false) => return,
        Err(f) => Input::Failed(f),
    };
    debug!(?id, ?report, "websocket transport ended");
    let _ = input.send((id, report)).await;
}

fn failure(e: tungstenite::Error) -> Failure {
    match e {
        tungstenite::Error::Io(io) => Failure::io(&io),
        other => Failure::other(other.to_string()),
    }
}

/// `Ok(true)`: the peer closed; `Ok(false)`: we closed on request.
async fn session(
    id: TransportId,
    url: &str,
    settings: &TransportSettings,
    out: &mut mpsc::UnboundedReceiver<Out>,
    input: &InputTx,
) -> Result<bool, Failure> {
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
    // Socket.IO frames are small; tungstenite's 128 KiB default read
    // buffer per connection dominates memory when a service holds
    // thousands of connections (bench). Larger messages still work.
    let config = WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .max_message_size(Some(settings.max_message))
        .max_frame_size(Some(settings.max_message));
    debug!(?id, url, "opening websocket");
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
    if input.send((id, Input::Opened)).await.is_err() {
        return Ok(false);
    }
    let (mut sink, mut stream) = ws.split();
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
                        Ok(o) => next = Some(o),
                        Err(_) => break,
                    }
                }
                sink.flush().await.map_err(failure)?;
            }
            msg = stream.next() => {
                let report = match msg {
                    Some(Ok(Message::Text(t))) => Input::Text(t),
                    Some(Ok(Message::Binary(b))) => Input::Binary(b),
                    Some(Ok(Message::Close(frame))) => {
                        trace!(?id, ?frame, "websocket closed by peer");
                        return Ok(true);
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(failure(e)),
                    None => return Ok(true),
                };
                // A bounded channel: a fast server waits for the driver
                // instead of growing memory.
                if input.send((id, report)).await.is_err() {
                    return Ok(false);
                }
            }
        }
    }
}
