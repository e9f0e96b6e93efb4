//! The HTTP side of a long-polling transport: it sends the requests the
//! core asks for ([`HttpRequest`], URL and body complete) and reports each
//! response. GETs and POSTs each have a keep-alive HTTP/1.1 connection of
//! their own, because the server holds a GET open while the client may
//! need to send. The core keeps at most one of each in flight.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use omni_socket_core::client::TransportId;
use omni_socket_core::client::{HttpMethod, HttpRequest, TransportError, TransportErrorKind};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tracing::trace;

use super::{error, io_error, Input, InputTx, Target, TransportSettings};
use crate::queue::BoxedRx;

/// A connection idle longer than this is replaced rather than reused:
/// Node's HTTP server drops idle keep-alive connections after 5 s, and a
/// request racing that close would fail.
const MAX_IDLE: Duration = Duration::from_secs(3);

struct Conn {
    sender: SendRequest<Full<Bytes>>,
    last_used: Instant,
}

async fn open_conn(target: &Target, settings: &TransportSettings) -> Result<Conn, TransportError> {
    let tcp = tokio::time::timeout(
        settings.connect_timeout,
        TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| error(TransportErrorKind::Timeout, "connect timeout"))?
    .map_err(|e| io_error(&e))?;
    tcp.set_nodelay(true).map_err(|e| io_error(&e))?;
    let sender = if target.tls {
        let tls = super::tls_connect(settings, target.host.clone(), tcp).await?;
        handshake(TokioIo::new(tls)).await?
    } else {
        handshake(TokioIo::new(tcp)).await?
    };
    Ok(Conn {
        sender,
        last_used: Instant::now(),
    })
}

async fn handshake<T>(io: T) -> Result<SendRequest<Full<Bytes>>, TransportError>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| error(TransportErrorKind::Other, format!("HTTP: {e}")))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            trace!("polling connection ended: {e}");
        }
    });
    Ok(sender)
}

fn http_error(e: &hyper::Error) -> TransportError {
    error(TransportErrorKind::Other, format!("HTTP: {e}"))
}

/// Sends `req` on `conn` (opened or replaced as needed) and reads the
/// whole response, bounded by the settings' message size.
async fn send(
    conn: &mut Option<Conn>,
    req: HttpRequest,
    settings: &TransportSettings,
) -> Result<Input, TransportError> {
    let target = Target::parse(&req.url).map_err(|e| error(TransportErrorKind::Other, e))?;
    let stale = conn
        .as_ref()
        .is_none_or(|c| c.sender.is_closed() || c.last_used.elapsed() > MAX_IDLE);
    if stale {
        *conn = Some(open_conn(&target, settings).await?);
    }
    let Some(c) = conn.as_mut() else {
        return Err(error(TransportErrorKind::Other, "no connection"));
    };
    c.sender.ready().await.map_err(|e| http_error(&e))?;
    let mut builder = http::Request::builder()
        .uri(target.path_and_query.as_str())
        .header(http::header::HOST, &target.authority);
    for (k, v) in &settings.extra_headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let request = match (req.method, req.body) {
        (HttpMethod::Post, body) => builder
            .method(http::Method::POST)
            .header(http::header::CONTENT_TYPE, "text/plain;charset=UTF-8")
            .body(Full::new(Bytes::from(body.unwrap_or_default()))),
        (HttpMethod::Get, _) => builder
            .method(http::Method::GET)
            .body(Full::new(Bytes::new())),
    }
    .map_err(|e| error(TransportErrorKind::Other, format!("HTTP request: {e}")))?;
    let response = c
        .sender
        .send_request(request)
        .await
        .map_err(|e| http_error(&e))?;
    let status = response.status().as_u16();
    // Bounded: a hostile server cannot make us buffer without limit.
    let body = Limited::new(response.into_body(), settings.max_message)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                error(
                    TransportErrorKind::TooLarge,
                    format!(
                        "the server sent a polling response over the limit of {} bytes",
                        settings.max_message
                    ),
                )
            } else {
                error(TransportErrorKind::Other, format!("HTTP body: {e}"))
            }
        })?
        .to_bytes();
    c.last_used = Instant::now();
    let body = String::from_utf8(body.into())
        .map_err(|_| error(TransportErrorKind::Other, "polling response is not UTF-8"))?;
    Ok(Input::Response {
        method: req.method,
        status,
        body,
    })
}

/// Sends the requests of one method, one at a time, on its own
/// connection, until the driver drops the queue or a request fails.
async fn requests(
    id: TransportId,
    mut queue: BoxedRx<HttpRequest>,
    settings: &TransportSettings,
    input: &InputTx,
) -> Result<(), TransportError> {
    let mut conn = None;
    while let Some(req) = queue.recv().await {
        trace!(?id, method = ?req.method, url = req.url, "polling request");
        let response = send(&mut conn, req, settings).await?;
        if input.send(id, response).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// Runs one polling transport's requests until the driver closes it (by
/// dropping the queues and aborting the task) or a request fails, which
/// is reported as the transport's failure.
pub(crate) async fn run(
    id: TransportId,
    settings: TransportSettings,
    gets: BoxedRx<HttpRequest>,
    posts: BoxedRx<HttpRequest>,
    input: InputTx,
) {
    let result = tokio::select! {
        r = requests(id, gets, &settings, &input) => r,
        r = requests(id, posts, &settings, &input) => r,
    };
    if let Err(e) = result {
        trace!(?id, message = e.message, "polling transport failed");
        let _ = input.send(id, Input::Failed(e)).await;
    }
}
