//! WebSocket transport over tokio-tungstenite (rustls for `wss://`).
//!
//! Unlike long-polling, a WebSocket is not a task of its own: the
//! connection's driver task reads and writes it directly ([`Link`]). A
//! frame the core emits is written in the same turn that produced it, and
//! a frame read is fed to the core without crossing to another task, so an
//! emit-with-ack round trip has two task hand-offs (handle → driver →
//! handle) instead of four, and an idle connection has one task, not two.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream};
use omni_socket_core::client::{Frame, TransportError, TransportErrorKind, TransportId};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tracing::{debug, trace};

use super::{error, io_error, tls_connect, Input, Target, TransportSettings};

/// How long a closing WebSocket may take to send its last frames.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

type Ws = tokio_tungstenite::WebSocketStream<Socket>;

/// The byte stream under a WebSocket. The TLS session is boxed: rustls'
/// state is about 1.1 KB, and inline (as in tokio-tungstenite's
/// `MaybeTlsStream`) every plain connection's link carried its size too
/// (bench: 1.4 KB per link instead of 0.3).
pub(crate) enum Socket {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Socket::Plain(s) => s.is_write_vectored(),
            Socket::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_flush(cx),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Socket::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Socket::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

type Opening = Pin<Box<dyn Future<Output = Result<Ws, TransportError>> + Send>>;

/// How a link ended: `Ok` when the peer closed it.
pub(crate) type End = Result<(), TransportError>;

/// What [`Link::poll_read`] found.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// The handshake completed.
    Opened,
    /// A text or binary frame.
    Frame(Input),
    /// The link is over.
    End(End),
}

// `Open` is large (the stream's state and buffers) and the others small,
// but a link spends its life open and already lives on the heap (in the
// driver's list of links), so boxing the stream would only add an
// allocation and an indirection to every read and write.
#[allow(clippy::large_enum_variant)]
enum State {
    /// The handshake, boxed: its state (HTTP request, TLS, timer) is only
    /// needed until it completes, and inline it would size the link for
    /// the connection's whole life.
    Opening(Opening),
    Open(Ws),
    /// Writing failed; reported by the next [`Link::poll_read`].
    Failed(TransportError),
}

/// One WebSocket transport, driven by the connection's driver task.
pub(crate) struct Link {
    pub(crate) id: TransportId,
    state: State,
    /// Frames were written since the last completed flush.
    dirty: bool,
    /// Frames sent before the handshake completed.
    early: Vec<Frame>,
    /// The last read found nothing left: neither in tungstenite's buffer
    /// nor in the socket.
    drained: bool,
}

impl Link {
    /// Starts opening a WebSocket to `url`.
    pub(crate) fn open(id: TransportId, url: String, settings: TransportSettings) -> Self {
        debug!(?id, url, "opening websocket");
        Self {
            id,
            state: State::Opening(Box::pin(async move { connect(&url, &settings).await })),
            dirty: false,
            early: Vec::new(),
            drained: false,
        }
    }

    /// Queues `frame`; the driver flushes before it next sleeps
    /// ([`Link::poll_flush`]).
    pub(crate) fn send(&mut self, frame: Frame) {
        let ws = match &mut self.state {
            State::Open(ws) => ws,
            State::Opening(_) => return self.early.push(frame),
            State::Failed(_) => return,
        };
        let msg = match frame {
            Frame::Text(t) => Message::text(t),
            Frame::Binary(b) => Message::binary(b),
        };
        // tungstenite keeps the frame in its write buffer even when the
        // socket is full (`WouldBlock` is reported as `Ok` here); only a
        // closed or broken connection refuses it.
        match Pin::new(ws).start_send(msg) {
            Ok(()) => self.dirty = true,
            Err(e) => self.state = State::Failed(failure(e)),
        }
    }

    /// Writes out what [`Link::send`] queued, as far as the socket takes
    /// it now; a write failure is reported by the next
    /// [`Link::poll_read`].
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) {
        if !self.dirty {
            return;
        }
        if let State::Open(ws) = &mut self.state {
            match Pin::new(ws).poll_flush(cx) {
                Poll::Ready(Ok(())) => self.dirty = false,
                Poll::Ready(Err(e)) => self.state = State::Failed(failure(e)),
                Poll::Pending => {}
            }
        }
    }

    /// Drives the handshake, or reads the next frame.
    pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<LinkEvent> {
        let ws = match &mut self.state {
            State::Opening(fut) => {
                let result = std::task::ready!(fut.as_mut().poll(cx));
                return Poll::Ready(match result {
                    Ok(ws) => {
                        self.state = State::Open(ws);
                        for frame in std::mem::take(&mut self.early) {
                            self.send(frame);
                        }
                        LinkEvent::Opened
                    }
                    Err(f) => LinkEvent::End(Err(f)),
                });
            }
            State::Failed(f) => return Poll::Ready(LinkEvent::End(Err(f.clone()))),
            State::Open(ws) => ws,
        };
        // The driver polls the link whenever it wakes, for any reason, and
        // tungstenite zero-fills its 4 KiB read buffer before every read
        // attempt, data or not: a fifth of an ack round trip's instructions
        // went there. So once a read found nothing, the next waits until the
        // socket is readable. Plain TCP only: a TLS stream may also wait to
        // write on a read, and keeps being polled as before.
        if self.drained {
            if let Socket::Plain(tcp) = ws.get_ref() {
                if tcp.poll_read_ready(cx).is_pending() {
                    return Poll::Pending;
                }
            }
        }
        let mut ws = Pin::new(ws);
        loop {
            let Poll::Ready(msg) = ws.as_mut().poll_next(cx) else {
                self.drained = true;
                return Poll::Pending;
            };
            self.drained = false;
            return Poll::Ready(match msg {
                Some(Ok(Message::Text(t))) => LinkEvent::Frame(Input::Text(t)),
                Some(Ok(Message::Binary(b))) => LinkEvent::Frame(Input::Binary(b)),
                Some(Ok(Message::Close(frame))) => {
                    trace!(id = ?self.id, ?frame, "websocket closed by peer");
                    LinkEvent::End(Ok(()))
                }
                // Ping/pong frames: tungstenite answers them.
                Some(Ok(_)) => continue,
                Some(Err(e)) => LinkEvent::End(Err(failure(e))),
                None => LinkEvent::End(Ok(())),
            });
        }
    }

    /// Closes the link: what was queued is sent, then a close frame, by a
    /// short-lived task (returned, so `disconnect()` can wait for it).
    pub(crate) fn close(self) -> Option<JoinHandle<()>> {
        let State::Open(mut ws) = self.state else {
            return None;
        };
        let id = self.id;
        Some(tokio::spawn(async move {
            let closing = ws.send(Message::Close(None));
            let result = tokio::time::timeout(CLOSE_TIMEOUT, closing).await;
            debug!(?id, ?result, "websocket closed");
        }))
    }
}

fn failure(e: tungstenite::Error) -> TransportError {
    let kind = match &e {
        tungstenite::Error::Io(io) => return io_error(io),
        tungstenite::Error::Tls(_) => TransportErrorKind::Tls,
        tungstenite::Error::Http(response) => {
            TransportErrorKind::Status(response.status().as_u16())
        }
        tungstenite::Error::Capacity(tungstenite::error::CapacityError::MessageTooLong {
            size,
            max_size,
        }) => {
            return error(
                TransportErrorKind::TooLarge,
                format!(
                    "the server sent a WebSocket message of {size} bytes, over the limit of \
                     {max_size} bytes"
                ),
            )
        }
        tungstenite::Error::Capacity(_) => TransportErrorKind::TooLarge,
        _ => TransportErrorKind::Other,
    };
    error(kind, e.to_string())
}

/// The WebSocket handshake.
async fn connect(url: &str, settings: &TransportSettings) -> Result<Ws, TransportError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| error(TransportErrorKind::Other, e.to_string()))?;
    for (k, v) in &settings.extra_headers {
        let name = tungstenite::http::HeaderName::from_bytes(k.as_bytes())
            .map_err(|e| error(TransportErrorKind::Other, format!("header {k:?}: {e}")))?;
        let value = HeaderValue::from_str(v)
            .map_err(|e| error(TransportErrorKind::Other, format!("header {k:?}: {e}")))?;
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
    // The TCP connection and TLS session are made here rather than by
    // tokio-tungstenite, so the TLS state can be boxed (see `Socket`).
    let connecting = async {
        let target = Target::parse(url).map_err(|e| error(TransportErrorKind::Other, e))?;
        let tcp = TcpStream::connect((target.host.as_str(), target.port))
            .await
            .map_err(|e| io_error(&e))?;
        // TCP_NODELAY: Socket.IO frames are small and latency matters.
        tcp.set_nodelay(true).map_err(|e| io_error(&e))?;
        let socket = if target.tls {
            Socket::Tls(Box::new(tls_connect(settings, target.host, tcp).await?))
        } else {
            Socket::Plain(tcp)
        };
        let (ws, _) = tokio_tungstenite::client_async_with_config(request, socket, Some(config))
            .await
            .map_err(failure)?;
        Ok::<_, TransportError>(ws)
    };
    let ws = tokio::time::timeout(settings.connect_timeout, connecting)
        .await
        .map_err(|_| error(TransportErrorKind::Timeout, "websocket connect timeout"))??;
    Ok(ws)
}
