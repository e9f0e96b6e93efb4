//! Transports move bytes between sockets and the connection driver. A
//! WebSocket is read and written by the driver task itself
//! ([`websocket::Link`]); a long-polling transport is a task of its own
//! that sends the HTTP requests the core asks for and reports their
//! responses through a bounded queue. Neither knows a packet, a sid or an
//! upgrade step: the core builds every URL and body.

pub(crate) mod polling;
pub(crate) mod websocket;

use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use omni_socket_core::client::{HttpMethod, TransportError, TransportErrorKind, TransportId};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::queue::Gone;

/// What a transport reports to the driver.
#[derive(Debug)]
pub(crate) enum Input {
    /// A WebSocket's handshake completed.
    Opened,
    Text(Utf8Bytes),
    Binary(Bytes),
    /// An HTTP response of a polling request, whatever its status.
    Response {
        method: HttpMethod,
        status: u16,
        body: String,
    },
    /// The peer closed the WebSocket.
    Closed,
    Failed(TransportError),
}

/// A transport error of `kind`.
pub(crate) fn error(kind: TransportErrorKind, message: impl AsRef<str>) -> TransportError {
    TransportError::new(kind, message.as_ref())
}

/// An I/O error, classified by its kind.
pub(crate) fn io_error(e: &std::io::Error) -> TransportError {
    let kind = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Refused,
        std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Other,
    };
    error(kind, e.to_string())
}

/// Settings shared by every transport of one client.
#[derive(Clone)]
pub(crate) struct TransportSettings {
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) extra_headers: Vec<(String, String)>,
    pub(crate) max_message: usize,
    pub(crate) connect_timeout: Duration,
    /// Bytes of WebSocket frames the driver reads in one turn at most (the
    /// subscriptions' byte bound): the core's event queue, emptied after
    /// each turn, then holds about that much, plus the one binary event a
    /// turn's last frame may complete.
    pub(crate) batch_bytes: usize,
}

/// The polling transport's side of the driver's report queue. Reports
/// travel boxed: tokio's channels allocate a first block of 32 slots up
/// front, and slots the size of [`Input`] would make those blocks
/// kilobytes per connection.
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

/// TLS over `tcp` to `host`, verified by `settings.tls`; failures are
/// [`TransportErrorKind::Tls`].
pub(crate) async fn tls_connect(
    settings: &TransportSettings,
    host: String,
    tcp: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, TransportError> {
    let name = rustls::pki_types::ServerName::try_from(host).map_err(|e| {
        error(
            TransportErrorKind::Tls,
            format!("invalid TLS server name: {e}"),
        )
    })?;
    tokio_rustls::TlsConnector::from(settings.tls.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| error(TransportErrorKind::Tls, format!("TLS: {e}")))
}

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
