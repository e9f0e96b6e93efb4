//! HTTP long-polling transport: one keep-alive HTTP/1.1 connection for the
//! GET loop and one for POSTs, because a GET is held open by the server
//! while the client may need to send.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use omni_socket_core::client::{Frame, TransportId};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{debug, trace};

use super::{Failure, Input, InputTx, Out, OutRx, Target, TransportSettings};

/// A POST connection idle longer than this is replaced rather than reused:
/// Node's HTTP server drops idle keep-alive connections after 5 s, and a
/// request racing that close would fail.
const MAX_IDLE: Duration = Duration::from_secs(3);

struct Conn {
    sender: SendRequest<Full<Bytes>>,
    last_used: Instant,
}

async fn open_conn(target: &Target, settings: &TransportSettings) -> Result<Conn, Failure> {
    let tcp = tokio::time::timeout(
        settings.connect_timeout,
        TcpStream::connect((target.host.as_str(), target.port)),
    )
    .await
    .map_err(|_| Failure::other("connect timeout"))?
    .map_err(|e| Failure::io(&e))?;
    tcp.set_nodelay(true).map_err(|e| Failure::io(&e))?;
    let sender = if target.tls {
        let name = rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|e| Failure::other(format!("invalid TLS server name: {e}")))?;
        let tls = tokio_rustls::TlsConnector::from(settings.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| Failure::other(format!("TLS: {e}")))?;
        handshake(TokioIo::new(tls)).await?
    } else {
        handshake(TokioIo::new(tcp)).await?
    };
    Ok(Conn {
        sender,
        last_used: Instant::now(),
    })
}

async fn handshake<T>(io: T) -> Result<SendRequest<Full<Bytes>>, Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| Failure::other(format!("HTTP: {e}")))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            trace!("polling connection ended: {e}");
        }
    });
    Ok(sender)
}

impl Conn {
    async fn request(
        &mut self,
        target: &Target,
        settings: &TransportSettings,
        path: &str,
        body: Option<String>,
    ) -> Result<String, Failure> {
        self.sender
            .ready()
            .await
            .map_err(|e| Failure::other(format!("HTTP: {e}")))?;
        let mut builder = http::Request::builder()
            .uri(path)
            .header(http::header::HOST, &target.authority);
        for (k, v) in &settings.extra_headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = match body {
            Some(b) => builder
                .method(http::Method::POST)
                .header(http::header::CONTENT_TYPE, "text/plain;charset=UTF-8")
                .body(Full::new(Bytes::from(b))),
            None => builder
                .method(http::Method::GET)
                .body(Full::new(Bytes::new())),
        }
        .map_err(|e| Failure::other(format!("HTTP request: {e}")))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| Failure::other(format!("HTTP: {e}")))?;
        let status = response.status();
        // Bounded: a hostile server cannot make us buffer without limit.
        let body = Limited::new(response.into_body(), settings.max_message)
            .collect()
            .await
            .map_err(|e| Failure::other(format!("HTTP body: {e}")))?
            .to_bytes();
        self.last_used = Instant::now();
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            return Err(Failure::other(format!(
                "HTTP status {status}: {}",
                text.chars().take(200).collect::<String>()
            )));
        }
        String::from_utf8(body.into()).map_err(|_| Failure::other("polling response is not UTF-8"))
    }
}

/// The session of an open packet (`0{"sid":…}`) at the start of a body.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Session {
    sid: String,
    /// Longest request body the server accepts; a POST stays within it.
    #[serde(rename = "maxPayload", default = "default_max_payload")]
    max_payload: u64,
}

/// Engine.IO's default `maxPayload` (the core's default packet bound), for
/// a server that does not say.
fn default_max_payload() -> u64 {
    omni_socket_core::Limits::DEFAULT_MAX_PACKET_SIZE as u64
}

fn open_session(body: &str) -> Option<Session> {
    let first = body.split('\u{1e}').next()?;
    let json = first.strip_prefix('0')?;
    serde_json::from_str(json).ok()
}

fn with_sid(base: &str, sid: &str) -> String {
    let mut s = base.to_owned();
    s.push_str(if s.contains('?') { "&sid=" } else { "?sid=" });
    for b in sid.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Runs one polling transport until it fails or is told to close.
pub(crate) async fn run(
    id: TransportId,
    url: String,
    settings: TransportSettings,
    mut out: OutRx,
    input: InputTx,
) {
    let target = match Target::parse(&url) {
        Ok(t) => t,
        Err(e) => {
            let _ = input.send(id, Input::Failed(Failure::other(e))).await;
            return;
        }
    };
    let base = target.path_and_query.clone();
    let (sid_tx, sid_rx) = watch::channel(None::<Session>);
    let (pause_tx, pause_rx) = watch::channel(false);
    let (idle_tx, idle_rx) = watch::channel(false);
    let polls = get_loop(
        id, &target, &settings, &base, sid_tx, pause_rx, idle_tx, &input,
    );
    let pausing = Pausing {
        id,
        pause: pause_tx,
        idle: idle_rx,
        input: input.clone(),
    };
    let posts = post_loop(&target, &settings, &base, sid_rx, &mut out, pausing);
    let result = tokio::select! {
        r = polls => r,
        r = posts => r,
    };
    if let Err(f) = result {
        debug!(?id, message = %f.message, "polling transport failed");
        let _ = input.send(id, Input::Failed(f)).await;
    }
}

struct Pausing {
    id: TransportId,
    pause: watch::Sender<bool>,
    idle: watch::Receiver<bool>,
    input: InputTx,
}

#[allow(clippy::too_many_arguments)]
async fn get_loop(
    id: TransportId,
    target: &Target,
    settings: &TransportSettings,
    base: &str,
    sid_tx: watch::Sender<Option<Session>>,
    mut pause: watch::Receiver<bool>,
    idle: watch::Sender<bool>,
    input: &InputTx,
) -> Result<(), Failure> {
    let mut conn = open_conn(target, settings).await?;
    if input.send(id, Input::Opened).await.is_err() {
        return Ok(());
    }
    let mut path = base.to_owned();
    loop {
        if *pause.borrow_and_update() {
            let _ = idle.send(true);
            // Paused for an upgrade: usually the driver closes this
            // transport next; if the upgrade is abandoned, polling resumes.
            if pause.wait_for(|p| !*p).await.is_err() {
                return Ok(());
            }
            let _ = idle.send(false);
        }
        if conn.sender.is_closed() {
            conn = open_conn(target, settings).await?;
        }
        let body = conn.request(target, settings, &path, None).await?;
        if sid_tx.borrow().is_none() {
            let session = open_session(&body)
                .ok_or_else(|| Failure::other("polling handshake without a session id"))?;
            path = with_sid(base, &session.sid);
            let _ = sid_tx.send(Some(session));
        }
        if input.send(id, Input::Payload(body)).await.is_err() {
            return Ok(());
        }
    }
}

async fn post_loop(
    target: &Target,
    settings: &TransportSettings,
    base: &str,
    mut sid_rx: watch::Receiver<Option<Session>>,
    out: &mut OutRx,
    mut pausing: Pausing,
) -> Result<(), Failure> {
    let mut conn: Option<Conn> = None;
    let mut path: Option<String> = None;
    let mut max_payload = u64::MAX;
    let mut carry: Option<Out> = None;
    loop {
        let first = match carry.take() {
            Some(o) => o,
            None => match out.recv().await {
                Some(o) => o,
                None => return Ok(()),
            },
        };
        let mut body = String::new();
        let mut closing = false;
        let mut pause = false;
        let mut next = Some(first);
        // One POST carries everything queued that fits in the server's
        // maxPayload (it refuses overlapping POSTs, and batching saves round
        // trips); the rest goes in the next.
        while let Some(o) = next.take() {
            match o {
                // A Socket.IO DISCONNECT travels in a POST of its own: the
                // Node server handles one POST's packets in one tick and
                // drops events of a socket that disconnects in that tick,
                // so `emit` then `disconnect` would lose the emit.
                Out::Frame(Frame::Text(t)) if t.starts_with("41") && !body.is_empty() => {
                    carry = Some(Out::Frame(Frame::Text(t)));
                    break;
                }
                Out::Frame(f) => {
                    if path.is_none() {
                        // Frames only exist after the handshake, so this
                        // wait is short; it orders the first POST after the
                        // sid is known.
                        let (sid, max) = sid_rx
                            .wait_for(Option::is_some)
                            .await
                            .map_err(|_| Failure::other("polling closed before the handshake"))?
                            .as_ref()
                            .map(|s| (s.sid.clone(), s.max_payload))
                            .unwrap_or_default();
                        path = Some(with_sid(base, &sid));
                        max_payload = max;
                    }
                    if !body.is_empty() && (body.len() + 1 + f.polling_len()) as u64 > max_payload {
                        carry = Some(Out::Frame(f));
                        break;
                    }
                    f.push_polling_record(&mut body);
                }
                Out::Close => {
                    closing = true;
                    break;
                }
                Out::Pause => {
                    pause = true;
                    break;
                }
                Out::Resume => {
                    let _ = pausing.pause.send(false);
                }
            }
            next = out.try_recv();
        }
        if !body.is_empty() {
            let stale = conn
                .as_ref()
                .is_none_or(|c| c.sender.is_closed() || c.last_used.elapsed() > MAX_IDLE);
            if stale {
                conn = Some(open_conn(target, settings).await?);
            }
            if let (Some(c), Some(p)) = (conn.as_mut(), path.as_deref()) {
                let reply = c.request(target, settings, p, Some(body)).await?;
                trace!(reply, "polling POST answered");
            }
        }
        if closing {
            return Ok(());
        }
        if pause {
            let _ = pausing.pause.send(true);
            let _ = pausing.idle.wait_for(|idle| *idle).await;
            let _ = pausing.input.send(pausing.id, Input::Paused).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sid_from_open_packet() {
        let body =
            "0{\"sid\":\"a/b+c\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000}\u{1e}40";
        assert_eq!(
            open_session(body),
            Some(Session {
                sid: "a/b+c".into(),
                max_payload: 1_000_000
            })
        );
        let body = "0{\"sid\":\"s\",\"maxPayload\":100000}";
        assert_eq!(open_session(body).map(|s| s.max_payload), Some(100_000));
        assert_eq!(open_session("40"), None);
        assert_eq!(open_session("0{not json"), None);
        assert_eq!(
            with_sid("/socket.io/?EIO=4", "a/b+c"),
            "/socket.io/?EIO=4&sid=a%2Fb%2Bc"
        );
    }
}
