//! Transports move Engine.IO frames between a socket and the connection
//! driver. A WebSocket is read and written by the driver task itself
//! ([`websocket::Link`]); long-polling, with its concurrent HTTP requests,
//! is a task of its own that reports through a bounded queue. Neither holds
//! protocol state beyond what HTTP needs (the polling session id); the core
//! decides everything else.

pub(crate) mod polling;
pub(crate) mod websocket;

use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use omni_socket_core::client::{Frame, TransportId};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::queue::{BoxedRx, BoxedTx, Gone};

/// What a transport reports to the driver.
#[derive(Debug)]
pub(crate) enum Input {
    Opened,
    Text(Utf8Bytes),
    Binary(Bytes),
    /// A long-polling response body.
    Payload(String),
    Closed,
    Failed(Failure),
    /// A polling transport finished its in-flight requests after
    /// [`Out::Pause`] and will start no more.
    Paused,
}

/// Why a transport failed, classified so `connect()` can tell a refused
/// connection from other trouble.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) refused: bool,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn io(e: &std::io::Error) -> Self {
        Self {
            refused: e.kind() == std::io::ErrorKind::ConnectionRefused,
            message: e.to_string(),
        }
    }

    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self {
            refused: false,
            message: message.into(),
        }
    }
}

/// What the driver tells a polling transport.
#[derive(Debug)]
pub(crate) enum Out {
    Frame(Frame),
    /// Send what is queued, then close.
    Close,
    /// Polling only: finish the GET in flight and the queued POSTs, start
    /// no new GET, then report [`Input::Paused`]. Engine.IO requires this
    /// before an upgrade completes, or packets the server already put in
    /// the last poll response would be lost.
    Pause,
    /// Polling only: undo [`Out::Pause`] (the upgrade was abandoned).
    Resume,
}

/// Settings shared by every transport of one client.
#[derive(Clone)]
pub(crate) struct TransportSettings {
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) extra_headers: Vec<(String, String)>,
    pub(crate) max_message: usize,
    pub(crate) connect_timeout: Duration,
}

/// The polling transport's side of the driver's report queue. Reports
/// travel boxed, as do the driver's messages to a transport ([`OutTx`]):
/// tokio's channels allocate a first block of 32 slots up front, and slots
/// the size of these enums would make those blocks kilobytes per
/// connection. (Bounded, so not [`crate::queue::boxed`].)
#[derive(Clone)]
pub(crate) struct InputTx(mpsc::Sender<Box<(TransportId, Input)>>);

/// The driver's side of the report queue.
pub(crate) struct InputRx(mpsc::Receiver<Box<(TransportId, Input)>>);

/// A bounded report queue: a full queue makes transports wait for the
/// driver instead of growing memory.
pub(crate) fn input_queue(capacity: usize) -> (InputTx, InputRx) {
    let (tx, rx) = mpsc::channel(capacity);
    (InputTx(tx), InputRx(rx))
}

impl InputTx {
    /// Reports `input` from transport `id`; `Err` once the driver is gone.
    pub(crate) async fn send(&self, id: TransportId, input: Input) -> Result<(), Gone> {
        self.0.send(Box::new((id, input))).await.map_err(|_| Gone)
    }
}

impl InputRx {
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<(TransportId, Input)>> {
        self.0.poll_recv(cx).map(|b| b.map(|b| *b))
    }
}

/// The driver's messages to one polling transport (boxed; see [`InputTx`]).
pub(crate) type OutTx = BoxedTx<Out>;

/// A transport's side of [`OutTx`].
pub(crate) type OutRx = BoxedRx<Out>;

/// The default TLS configuration: the Mozilla roots from `webpki-roots`,
/// certificate verification on, TLS 1.2 and 1.3 with the ring provider.
pub(crate) fn default_tls() -> Arc<rustls::ClientConfig> {
    static TLS: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    TLS.get_or_init(|| {
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            // Cannot fail: ring implements every default protocol version.
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        // Both transports speak HTTP/1.1 (WebSocket upgrades need it).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    })
    .clone()
}

/// Where an HTTP(S) or WS(S) URL points.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) tls: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `host[:port]` for the Host header.
    pub(crate) authority: String,
    pub(crate) path_and_query: String,
}

impl Target {
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("{e}"))?;
        let tls = match uri.scheme_str() {
            Some("https" | "wss") => true,
            Some("http" | "ws") => false,
            Some(other) => return Err(format!("unsupported scheme {other:?}")),
            None => return Err("missing scheme (http://, https://, ws:// or wss://)".into()),
        };
        let authority = uri.authority().ok_or("missing host")?;
        let host = authority.host();
        if host.is_empty() {
            return Err("missing host".into());
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
        Ok(Self {
            tls,
            host,
            port,
            authority: authority.as_str().to_owned(),
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn targets() {
        let t = Target::parse("https://example.com/socket.io/?EIO=4").unwrap();
        assert!(t.tls);
        assert_eq!((t.host.as_str(), t.port), ("example.com", 443));
        assert_eq!(t.path_and_query, "/socket.io/?EIO=4");
        let t = Target::parse("ws://[::1]:8080").unwrap();
        assert!(!t.tls);
        assert_eq!(
            (t.host.as_str(), t.port, t.authority.as_str()),
            ("::1", 8080, "[::1]:8080")
        );
        assert_eq!(t.path_and_query, "/");
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("localhost:3001").is_err());
        assert!(Target::parse("http://").is_err());
    }
}
