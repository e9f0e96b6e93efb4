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

use bytes::{Buf, BytesMut};
use futures_util::{Sink, SinkExt, Stream as _};
use omni_socket_core::client::{Frame, TransportError, TransportErrorKind, TransportId};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::io::poll_read_buf;
use tracing::{debug, trace};

use super::{error, io_error, tls_connect, Input, Target, TransportSettings};

/// How long a closing WebSocket may take to send its last frames.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

type Ws = tokio_tungstenite::WebSocketStream<Socket>;

/// The byte stream under a WebSocket: TCP or TLS, with a read-ahead
/// buffer that exists only while data keeps arriving.
///
/// tungstenite keeps its read buffer for the connection's life, so its
/// size is resident memory of every idle connection, and it reads at most
/// that much per call. Here it is given a small one ([`WS_READ_BUFFER`]),
/// and reads go straight into it. A read that fills it says more is
/// coming: from then on the socket is read [`READ_AHEAD`] bytes at a time
/// and tungstenite's reads are served from those, so a stream costs fewer
/// system calls than with tungstenite's 4 KiB. The read-ahead stays while
/// the stream goes on (freed and allocated again at every pause, it cost
/// a tenth of the receive time in the allocator); the [`Link`] releases
/// it once the socket has been quiet for [`RELEASE_AFTER`]. An idle
/// connection keeps none, and a request-answer exchange (an ack) never
/// makes one.
pub(crate) struct Socket {
    stream: Stream,
    /// Read from the stream, not yet taken by tungstenite.
    ahead: BytesMut,
    mode: ReadMode,
}

/// How [`Socket`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadMode {
    /// The handshake reads the HTTP response through `ahead`, handed its
    /// head alone; the state of [`head_end`].
    Head(u8),
    /// The handshake is over: what followed the head is taken from
    /// `ahead`, then reads go [`Direct`](Self::Direct).
    AfterHead,
    /// Straight into tungstenite's buffer.
    Direct,
    /// Through `ahead`, until [`Socket::release`].
    Ahead,
}

/// The TLS session is boxed: rustls' state is about 1.1 KB, and inline
/// (as in tokio-tungstenite's `MaybeTlsStream`) every plain connection's
/// link carried its size too (bench: 1.4 KB per link instead of 0.3).
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// Bytes read from the socket in one call while a stream arrives.
const READ_AHEAD: usize = 16 * 1024;

/// Bytes read from the socket in one call during the handshake: its
/// answer's head, and what the server sends right after it (the open
/// packet), fit in a few.
const HEAD_READ: usize = 1024;

/// tungstenite's read buffer, kept for the connection's life: the bytes
/// it takes from [`Socket`] per call (a frame header and its payload are
/// read into it, and it grows for a frame larger than it).
const WS_READ_BUFFER: usize = 256;

/// How long the socket must stay empty before its read-ahead is freed.
const RELEASE_AFTER: Duration = Duration::from_millis(250);

impl Socket {
    fn new(stream: Stream) -> Self {
        Self {
            stream,
            ahead: BytesMut::new(),
            mode: ReadMode::Head(0),
        }
    }

    /// Whether the handshake has been handed the response's whole head
    /// and nothing after it: what the server sent next is still here.
    fn head_read(&mut self) -> bool {
        let done = self.mode == ReadMode::Head(HEAD_END);
        self.mode = ReadMode::AfterHead;
        done
    }

    /// The TCP stream of a plain connection with nothing read ahead: when
    /// it is not readable, there is nothing to read.
    fn idle_tcp(&self) -> Option<&TcpStream> {
        match &self.stream {
            Stream::Plain(tcp) if self.ahead.is_empty() => Some(tcp),
            _ => None,
        }
    }

    /// Whether a read-ahead buffer is held for a stream.
    fn holds_read_ahead(&self) -> bool {
        self.mode == ReadMode::Ahead && self.ahead.capacity() != 0
    }

    /// Frees the read-ahead (or what the handshake left) if it is empty;
    /// reads go straight to tungstenite's buffer again.
    fn release(&mut self) {
        if matches!(self.mode, ReadMode::Ahead | ReadMode::AfterHead) && self.ahead.is_empty() {
            self.ahead = BytesMut::new();
            self.mode = ReadMode::Direct;
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.mode == ReadMode::AfterHead {
            this.release();
        }
        if this.mode == ReadMode::Direct {
            let room = buf.remaining();
            let before = buf.filled().len();
            let read = Pin::new(&mut this.stream).poll_read(cx, buf);
            // Filled: more is probably waiting. A small room filled says
            // little (tungstenite's buffer may just have little left).
            if buf.filled().len() - before == room && room >= WS_READ_BUFFER / 2 {
                this.mode = ReadMode::Ahead;
            }
            return read;
        }
        if this.ahead.is_empty() {
            // Reuses the emptied buffer, or allocates it.
            let size = match this.mode {
                ReadMode::Ahead => READ_AHEAD,
                _ => HEAD_READ,
            };
            this.ahead.reserve(size);
            match poll_read_buf(Pin::new(&mut this.stream), cx, &mut this.ahead) {
                Poll::Ready(Ok(n)) if n > 0 => {}
                // Empty: the buffer is kept for the stream's next bytes.
                Poll::Pending => return Poll::Pending,
                // Ended or failed: nothing more will be read.
                other => {
                    this.ahead = BytesMut::new();
                    return other.map_ok(|_| ());
                }
            }
        }
        // A read served from here costs the task budget a socket read
        // would: without it the driver, reading from memory, would run far
        // ahead of its subscribers before tokio made it yield (queueing
        // many more events: 10% slower on a one-thread runtime).
        let coop = std::task::ready!(tokio::task::coop::poll_proceed(cx));
        let mut n = buf.remaining().min(this.ahead.len());
        if let ReadMode::Head(at) = &mut this.mode {
            n = head_end(at, &this.ahead[..n]);
        }
        buf.put_slice(&this.ahead[..n]);
        this.ahead.advance(n);
        coop.made_progress();
        Poll::Ready(Ok(()))
    }
}

/// How many of `bytes` belong to an HTTP response head: all of them, or up
/// to and including the empty line that ends it (`at` is then
/// [`HEAD_END`], and stays so). `at` carries where the bytes so far
/// stopped: mid-line (0), at a line's start (1), after a `\r` there (2).
/// Lines end with `\r\n` or, as httparse also accepts, `\n`.
fn head_end(at: &mut u8, bytes: &[u8]) -> usize {
    for (i, &b) in bytes.iter().enumerate() {
        *at = match (*at, b) {
            (HEAD_END, _) => return i,
            (1 | 2, b'\n') => HEAD_END,
            (_, b'\n') => 1,
            (1, b'\r') => 2,
            _ => 0,
        };
    }
    bytes.len()
}

/// [`head_end`]'s state once the head is over.
const HEAD_END: u8 = 3;

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.stream {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
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
    /// Runs while the socket holds a read-ahead and was found empty: when
    /// it fires, the read-ahead goes ([`Socket::release`]).
    release: Option<Pin<Box<tokio::time::Sleep>>>,
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
            release: None,
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
        // tungstenite zero-fills its read buffer before every read attempt,
        // data or not: with a 4 KiB buffer, a fifth of an ack round trip's
        // instructions went there. So once a read found nothing, the next
        // waits until the socket is readable (with nothing read ahead).
        // Plain TCP only: a TLS stream may also wait to write on a read,
        // and keeps being polled as before.
        if self.drained {
            if let Some(tcp) = ws.get_ref().idle_tcp() {
                if tcp.poll_read_ready(cx).is_pending() {
                    poll_release(&mut self.release, ws.get_mut(), cx);
                    return Poll::Pending;
                }
            }
        }
        let mut ws = Pin::new(ws);
        loop {
            let Poll::Ready(msg) = ws.as_mut().poll_next(cx) else {
                self.drained = true;
                poll_release(&mut self.release, Pin::get_mut(ws).get_mut(), cx);
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

/// Frees `socket`'s read-ahead once it has been found empty for
/// [`RELEASE_AFTER`]: `timer` starts at the first empty read while a
/// read-ahead is held, and is not restarted by the data that comes after,
/// so a stream that pauses often gives its read-ahead back at most that
/// often.
fn poll_release(
    timer: &mut Option<Pin<Box<tokio::time::Sleep>>>,
    socket: &mut Socket,
    cx: &mut Context<'_>,
) {
    if !socket.holds_read_ahead() {
        *timer = None;
        return;
    }
    let sleep = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(RELEASE_AFTER)));
    if sleep.as_mut().poll(cx).is_ready() {
        socket.release();
        *timer = None;
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
    // Larger messages still work: tungstenite's buffer grows for them.
    let config = WebSocketConfig::default()
        .read_buffer_size(WS_READ_BUFFER)
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
            Stream::Tls(Box::new(tls_connect(settings, target.host, tcp).await?))
        } else {
            Stream::Plain(tcp)
        };
        let (ws, _) =
            tokio_tungstenite::client_async_with_config(request, Socket::new(socket), Some(config))
                .await
                .map_err(failure)?;
        // tungstenite would keep its handshake's 4 KiB buffer as the
        // connection's read buffer, whatever `read_buffer_size` says. The
        // handshake was handed the response's head and nothing more, so a
        // WebSocket made anew over the same socket loses nothing, and
        // reads into a buffer of the size asked for.
        let mut socket = ws.into_inner();
        if !socket.head_read() {
            return Err(error(
                TransportErrorKind::Other,
                "websocket handshake: the response head did not end where it was parsed",
            ));
        }
        let ws = Ws::from_raw_socket(socket, Role::Client, Some(config)).await;
        Ok::<_, TransportError>(ws)
    };
    let ws = tokio::time::timeout(settings.connect_timeout, connecting)
        .await
        .map_err(|_| error(TransportErrorKind::Timeout, "websocket connect timeout"))??;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::task::Poll;
    use std::time::Duration;

    use omni_socket_core::client::TransportId;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;

    use super::{
        head_end, Input, Link, LinkEvent, ReadMode, State, HEAD_END, READ_AHEAD, RELEASE_AFTER,
    };
    use crate::transport::{default_tls, TransportSettings};

    #[test]
    fn the_head_ends_at_its_empty_line() {
        let mut at = 0;
        assert_eq!(head_end(&mut at, b"HTTP/1.1 101 OK\r\nA: b\r"), 22);
        assert_eq!(head_end(&mut at, b"\n\r"), 2);
        assert_eq!(head_end(&mut at, b"\n\x81\x02hi"), 1);
        assert_eq!(at, HEAD_END);
        assert_eq!(head_end(&mut at, b"\x81"), 0);
        // Bare line feeds, as httparse accepts them.
        let mut at = 0;
        assert_eq!(head_end(&mut at, b"HTTP/1.1 101 OK\nA: b\n\nrest"), 22);
        assert_eq!(at, HEAD_END);
        // A `\r` inside a line is no line end.
        let mut at = 0;
        assert_eq!(head_end(&mut at, b"A: b\r\r\n\r\n"), 9);
        assert_eq!(at, HEAD_END);
    }

    fn text_frame(text: &str, out: &mut Vec<u8>) {
        Frame::message(text.to_owned(), OpCode::Data(Data::Text), true)
            .format(out)
            .unwrap();
    }

    /// Frames the server sends in the same write as its handshake answer
    /// (as a Socket.IO server does with its open packet) reach the client,
    /// although the WebSocket is made anew after the handshake; frames
    /// larger than tungstenite's buffer and than the read-ahead arrive
    /// whole; and once the socket is empty the read-ahead is gone.
    #[tokio::test]
    async fn frames_with_the_handshake_answer_arrive_and_no_read_ahead_is_kept() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let large = "x".repeat(READ_AHEAD * 3 + 17);
        let mut texts = vec!["0{\"sid\":\"a\"}".to_owned(), large.clone()];
        texts.extend((0..200).map(|i| format!("42[\"tick\",{i}]")));
        let sent = texts.clone();
        let server = tokio::spawn(async move {
            let (mut tcp, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            while !request.ends_with(b"\r\n\r\n") {
                request.push(tcp.read_u8().await.unwrap());
            }
            let request = String::from_utf8(request).unwrap();
            let key = request
                .lines()
                .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
                .or_else(|| {
                    request
                        .lines()
                        .find_map(|l| l.strip_prefix("sec-websocket-key: "))
                })
                .unwrap();
            let mut out = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                derive_accept_key(key.trim().as_bytes())
            )
            .into_bytes();
            for t in &sent {
                text_frame(t, &mut out);
            }
            tcp.write_all(&out).await.unwrap();
            // Open until the client is done.
            let _ = tcp.read_u8().await;
        });
        let settings = TransportSettings {
            tls: default_tls(),
            extra_headers: Vec::new(),
            max_message: 16 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            batch_bytes: usize::MAX,
        };
        let url = format!("ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");
        let mut link = Link::open(TransportId(1), url, settings);
        async fn next(link: &mut Link) -> LinkEvent {
            let read = poll_fn(|cx| link.poll_read(cx));
            tokio::time::timeout(Duration::from_secs(10), read)
                .await
                .expect("no frame within 10 s")
        }
        assert!(matches!(next(&mut link).await, LinkEvent::Opened));
        for want in &texts {
            match next(&mut link).await {
                LinkEvent::Frame(Input::Text(t)) => assert_eq!(t.as_str(), want),
                other => panic!("{other:?}"),
            }
        }
        // Everything was read: the next read finds the socket empty. The
        // stream's read-ahead stays for a while, then goes: the link wakes
        // the driver for it.
        let pending = poll_fn(|cx| Poll::Ready(link.poll_read(cx).is_pending())).await;
        assert!(pending);
        let socket = |link: &Link| match &link.state {
            State::Open(ws) => (ws.get_ref().ahead.capacity(), ws.get_ref().mode),
            _ => panic!("not open"),
        };
        let (held, mode) = socket(&link);
        assert!(held > 0 && mode == ReadMode::Ahead, "{held} {mode:?}");
        let released = poll_fn(|cx| match link.poll_read(cx) {
            Poll::Ready(event) => panic!("nothing more was sent: {event:?}"),
            Poll::Pending if socket(&link) == (0, ReadMode::Direct) => Poll::Ready(()),
            Poll::Pending => Poll::Pending,
        });
        tokio::time::timeout(RELEASE_AFTER * 40, released)
            .await
            .expect("the read-ahead is released");
        drop(link);
        server.await.unwrap();
    }
}
