//! The Engine.IO session: which transport carries it, the long-polling
//! request lifecycle, the upgrade to WebSocket, and the session's own
//! deadlines (handshake, ping, upgrade, closing).
//!
//! [`Session`] is the only place that knows URLs, sids, request kinds and
//! the upgrade steps. Drivers see its output as [`TransportAction`]s with
//! full URLs and bodies, and [`Transmit`]s of WebSocket frames; they feed
//! back what the sockets and HTTP requests did. The Socket.IO layer above
//! (the rest of [`Client`](super::Client)) sees only whole Engine.IO
//! messages, the handshake and the loss of the session.
//!
//! Long-polling, as engine.io-client does it:
//!
//! ```text
//! GET  ?EIO=4&transport=polling           -> 0{"sid":…}        (handshake)
//! GET  ?EIO=4&transport=polling&sid=…     -> held until the server has packets
//! POST ?EIO=4&transport=polling&sid=…     <- queued frames, \x1e between records
//! ```
//!
//! One GET and one POST in flight at most. A POST takes what is queued
//! when the driver polls for actions, within the server's `maxPayload`, and
//! a Socket.IO DISCONNECT never follows another record in the same body
//! (see [`polling_body`]). Upgrade: open a WebSocket with the sid, send
//! `2probe`, wait for `3probe`, pause polling (no new request; the GET and
//! POST in flight finish, the server flushes the GET with a noop), send
//! `5` and the frames queued meanwhile on the WebSocket, drop the polling
//! transport. A transport the session gave up never gets another request,
//! so no request ever carries a sid after its session ended.

use crate::prelude::*;
use alloc::collections::VecDeque;

use bytes::Bytes;

use super::config::{ClientConfig, TransportKind};
use super::events::{
    polling_body, DisconnectReason, Frame, HttpMethod, HttpRequest, Transmit, TransportAction,
    TransportError, TransportErrorKind, TransportId,
};
use super::timer::Instant;
use crate::engineio::{self, Handshake};

/// Polling transports still sending their last POSTs at most; an older one
/// is dropped when another starts closing.
const MAX_CLOSING: usize = 2;

/// How the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionState {
    /// No transport.
    Idle,
    /// A transport is opening or waiting for the handshake.
    Opening,
    /// The handshake arrived.
    Open,
}

/// What an Engine.IO packet means to the layer above.
#[derive(Debug)]
pub(crate) enum Up<'a> {
    /// Handled here (ping, noop, upgrade).
    Nothing,
    /// The handshake: the session is open.
    Opened,
    /// A Socket.IO packet as text.
    Message(alloc::borrow::Cow<'a, str>),
    /// A binary attachment.
    Binary(Bytes),
    /// The server closed the session.
    Lost(Lost),
    /// The packet is not valid here.
    Invalid(crate::Error),
}

/// Why the session ended, for the layer above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lost {
    /// What the application's `disconnect` says.
    pub(crate) reason: DisconnectReason,
    /// What failed, for `connect_error` while opening.
    pub(crate) error: TransportError,
}

impl Lost {
    fn new(reason: DisconnectReason, kind: TransportErrorKind, message: &str) -> Self {
        Self {
            reason,
            error: TransportError::new(kind, message),
        }
    }
}

/// Where input from a transport goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// The transport carrying the session.
    Active,
    /// The upgrade probe.
    Probe,
    /// A transport the session gave up, or never had.
    Stale,
}

/// What an HTTP response means.
#[derive(Debug)]
pub(crate) enum Response {
    /// A GET's body to decode as a payload; then call
    /// [`Session::polled`].
    Payload,
    /// Nothing for the layer above.
    Done,
    /// The upgrade completed with this response.
    Upgraded,
    /// The active transport failed.
    Failed(TransportError),
}

#[derive(Debug)]
struct Polling {
    id: TransportId,
    /// Request URL; it gains `&sid=` with the handshake.
    url: String,
    get: bool,
    post: bool,
    /// Frames for the next POSTs.
    queue: VecDeque<Frame>,
    /// Pausing for an upgrade: no new request.
    paused: bool,
}

impl Polling {
    fn idle(&self) -> bool {
        !self.get && !self.post
    }
}

#[derive(Debug)]
enum Active {
    Websocket(TransportId),
    Polling(Polling),
}

impl Active {
    fn id(&self) -> TransportId {
        match self {
            Self::Websocket(id) => *id,
            Self::Polling(p) => p.id,
        }
    }

    fn kind(&self) -> TransportKind {
        match self {
            Self::Websocket(_) => TransportKind::Websocket,
            Self::Polling(_) => TransportKind::Polling,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Probe {
    id: TransportId,
    /// `3probe` arrived; waiting for polling to pause.
    answered: bool,
}

/// A polling transport the application closed: it sends what is queued,
/// then the close packet, then the driver closes it.
#[derive(Debug)]
struct Closing {
    polling: Polling,
    close_sent: bool,
}

/// The Engine.IO session of a [`Client`](super::Client).
#[derive(Debug)]
pub(crate) struct Session {
    /// `{url}{path}?EIO=4&transport=` for HTTP, and its `ws(s)://` twin.
    http_base: String,
    ws_base: String,
    /// `&k=v` of the query options, percent-encoded.
    query: String,
    /// The first configured transport, opened first.
    first: TransportKind,
    /// WebSocket is among the configured transports (an upgrade may go
    /// to it). These two instead of a copy of the list: a small
    /// allocation of every connection.
    websocket: bool,
    upgrade: bool,
    timeout: u64,
    max_frames: usize,
    state: SessionState,
    handshake: Option<Handshake>,
    active: Option<Active>,
    probe: Option<Probe>,
    closing: Vec<Closing>,
    closing_deadline: Option<Instant>,
    next_transport: u64,
    connect_deadline: Option<Instant>,
    ping_deadline: Option<Instant>,
    upgrade_deadline: Option<Instant>,
    transmits: VecDeque<Transmit>,
    actions: VecDeque<TransportAction>,
    dropped_frames: u64,
}

impl Session {
    pub(crate) fn new(config: &ClientConfig) -> Self {
        let url = config.url.trim_end_matches('/');
        let ws = if let Some(rest) = url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            url.to_owned()
        };
        let mut path = String::new();
        if !config.path.starts_with('/') {
            path.push('/');
        }
        path.push_str(&config.path);
        path.push_str("?EIO=4&transport=");
        let mut query = String::new();
        for (k, v) in &config.query {
            query.push('&');
            percent_encode(k, &mut query);
            query.push('=');
            percent_encode(v, &mut query);
        }
        Self {
            http_base: format!("{url}{path}"),
            ws_base: format!("{ws}{path}"),
            query,
            first: config
                .transports
                .first()
                .copied()
                .unwrap_or(TransportKind::Websocket),
            websocket: config.transports.contains(&TransportKind::Websocket),
            upgrade: config.upgrade,
            timeout: config.timeout,
            max_frames: config.max_queued_transmits.max(1),
            state: SessionState::Idle,
            handshake: None,
            active: None,
            probe: None,
            closing: Vec::new(),
            closing_deadline: None,
            next_transport: 0,
            connect_deadline: None,
            ping_deadline: None,
            upgrade_deadline: None,
            transmits: VecDeque::new(),
            actions: VecDeque::new(),
            dropped_frames: 0,
        }
    }

    // ----- getters -----

    pub(crate) fn state(&self) -> SessionState {
        self.state
    }

    pub(crate) fn is_open(&self) -> bool {
        self.state == SessionState::Open
    }

    pub(crate) fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }

    pub(crate) fn transport(&self) -> Option<(TransportId, TransportKind)> {
        self.active.as_ref().map(|a| (a.id(), a.kind()))
    }

    /// Whether any transport is still in use, closing ones included.
    pub(crate) fn has_transports(&self) -> bool {
        self.active.is_some() || self.probe.is_some() || !self.closing.is_empty()
    }

    /// Frames waiting to be sent: WebSocket transmits and the polling
    /// queue.
    pub(crate) fn queued_frames(&self) -> usize {
        let polling = match &self.active {
            Some(Active::Polling(p)) => p.queue.len(),
            _ => 0,
        };
        self.transmits.len() + polling
    }

    /// Room kept by the frame and action queues (tests: a drained
    /// session keeps none).
    #[cfg(test)]
    pub(crate) fn queue_capacities(&self) -> (usize, usize) {
        (self.transmits.capacity(), self.actions.capacity())
    }

    pub(crate) fn dropped_frames(&self) -> u64 {
        self.dropped_frames
    }

    /// The queues a driver drains: WebSocket frames and actions (frames
    /// waiting for a POST leave with the POST's action).
    pub(crate) fn queue_lengths(&self) -> (usize, usize) {
        (self.transmits.len(), self.actions.len())
    }

    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        [
            self.connect_deadline,
            self.ping_deadline,
            self.upgrade_deadline,
            self.closing_deadline,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Where input from transport `id` goes.
    pub(crate) fn route(&self, id: TransportId) -> Route {
        if self.probe.is_some_and(|p| p.id == id) {
            Route::Probe
        } else if self.state != SessionState::Idle
            && self.active.as_ref().is_some_and(|a| a.id() == id)
        {
            Route::Active
        } else {
            Route::Stale
        }
    }

    // ----- outputs -----

    /// The next WebSocket frame. An emptied queue gives its memory back,
    /// as the event queue does: an idle connection keeps none.
    pub(crate) fn poll_transmit(&mut self) -> Option<Transmit> {
        let t = self.transmits.pop_front();
        if t.is_none() && self.transmits.capacity() != 0 {
            self.transmits = VecDeque::new();
        }
        t
    }

    /// The next action. POSTs are built here, when the driver asks, so
    /// that everything queued while it handled one input goes in one
    /// body.
    pub(crate) fn poll_action(&mut self) -> Option<TransportAction> {
        if let Some(a) = self.actions.pop_front() {
            return Some(a);
        }
        if self.actions.capacity() != 0 {
            self.actions = VecDeque::new();
        }
        let max = self.max_payload();
        if let Some(Active::Polling(p)) = &mut self.active {
            if self.state == SessionState::Open && !p.paused && !p.post && !p.queue.is_empty() {
                return Some(post(p, max));
            }
        }
        for c in &mut self.closing {
            if c.polling.post {
                continue;
            }
            if c.polling.queue.is_empty() && !c.close_sent {
                // Everything is out: the close packet ends the session on
                // the server at once instead of after its ping timeout.
                c.polling.queue.push_back(Frame::Text("1".into()));
                c.close_sent = true;
            }
            if !c.polling.queue.is_empty() {
                return Some(post(&mut c.polling, max));
            }
        }
        None
    }

    // ----- commands -----

    /// Opens the first configured transport.
    pub(crate) fn open(&mut self, now: Instant) {
        let id = self.new_id();
        match self.first {
            TransportKind::Websocket => {
                let url = self.url(TransportKind::Websocket, None);
                self.actions
                    .push_back(TransportAction::OpenWebsocket { id, url });
                self.active = Some(Active::Websocket(id));
            }
            TransportKind::Polling => {
                let mut p = Polling {
                    id,
                    url: self.url(TransportKind::Polling, None),
                    get: false,
                    post: false,
                    queue: VecDeque::new(),
                    paused: false,
                };
                get(&mut p, &mut self.actions);
                self.active = Some(Active::Polling(p));
            }
        }
        self.state = SessionState::Opening;
        self.connect_deadline = Some(now.plus_millis(self.timeout));
    }

    /// Ends the session. With `graceful` (the application's choice) an
    /// open polling transport first sends what is queued and the close
    /// packet; a WebSocket sends the frames already polled, then closes.
    pub(crate) fn close(&mut self, graceful: bool, now: Instant) {
        if let Some(p) = self.probe.take() {
            self.close_transport(p.id);
        }
        match self.active.take() {
            Some(Active::Websocket(id)) => self.close_transport(id),
            Some(Active::Polling(mut p)) => {
                let opening = self.state == SessionState::Opening;
                if graceful && self.state == SessionState::Open {
                    p.paused = false;
                    if self.closing.len() >= MAX_CLOSING {
                        let old = self.closing.remove(0);
                        self.close_transport(old.polling.id);
                    }
                    self.closing.push(Closing {
                        polling: p,
                        close_sent: false,
                    });
                    self.closing_deadline = Some(now.plus_millis(self.timeout));
                } else {
                    self.close_transport_with(p.id, opening);
                }
            }
            None => {}
        }
        self.state = SessionState::Idle;
        self.handshake = None;
        self.connect_deadline = None;
        self.ping_deadline = None;
        self.upgrade_deadline = None;
    }

    /// Queues a frame on the active transport. Protocol frames may go past
    /// the bound the layer above keeps for emits, but not without limit: a
    /// peer that floods pings cannot grow the queue.
    pub(crate) fn send(&mut self, frame: Frame) {
        if self.queued_frames() >= self.max_frames.saturating_mul(2) {
            self.dropped_frames += 1;
            return;
        }
        match &mut self.active {
            Some(Active::Websocket(id)) => self.transmits.push_back(Transmit {
                transport: *id,
                frame,
            }),
            Some(Active::Polling(p)) => p.queue.push_back(frame),
            None => {}
        }
    }

    // ----- inputs -----

    /// A WebSocket opened.
    pub(crate) fn on_opened(&mut self, id: TransportId) {
        if self.probe.is_some_and(|p| p.id == id) {
            self.transmits.push_back(Transmit {
                transport: id,
                frame: Frame::Text("2probe".into()),
            });
        }
    }

    /// A text frame on the probe: `true` when it completed the upgrade.
    pub(crate) fn on_probe_text(&mut self, text: &str) -> bool {
        match &mut self.probe {
            Some(p) if text == "3probe" && self.state == SessionState::Open && !p.answered => {
                p.answered = true;
            }
            _ => return false,
        }
        if let Some(Active::Polling(p)) = &mut self.active {
            p.paused = true;
        }
        self.finish_upgrade()
    }

    /// An Engine.IO packet on the active transport.
    pub(crate) fn on_packet<'a>(&mut self, packet: engineio::Packet<'a>, now: Instant) -> Up<'a> {
        match packet {
            engineio::Packet::Open(h) => {
                if self.state == SessionState::Opening {
                    self.on_handshake(h, now);
                    Up::Opened
                } else {
                    Up::Invalid(
                        crate::ProtocolError::InvalidHandshake(
                            "open packet in an open session".into(),
                        )
                        .into(),
                    )
                }
            }
            engineio::Packet::Ping(d) => {
                if self.state == SessionState::Open {
                    self.send(Frame::Text(engineio::Packet::Pong(d).encode()));
                    self.arm_ping(now);
                }
                Up::Nothing
            }
            engineio::Packet::Close => Up::Lost(Lost::new(
                DisconnectReason::TransportClose,
                TransportErrorKind::Closed,
                "transport close",
            )),
            engineio::Packet::Message(text) if self.state == SessionState::Open => {
                Up::Message(text)
            }
            engineio::Packet::Binary(data) if self.state == SessionState::Open => Up::Binary(data),
            _ => Up::Nothing,
        }
    }

    /// An HTTP response of transport `id`; `body_len` is checked against
    /// `max_body` before the body is decoded.
    pub(crate) fn on_response(
        &mut self,
        id: TransportId,
        method: HttpMethod,
        status: u16,
        body_len: usize,
        max_body: usize,
    ) -> Response {
        if let Some(pos) = self.closing.iter().position(|c| c.polling.id == id) {
            let c = &mut self.closing[pos];
            if method == HttpMethod::Post {
                c.polling.post = false;
            }
            let done = c.close_sent && !c.polling.post && c.polling.queue.is_empty();
            if done || !(200..300).contains(&status) {
                self.closing.remove(pos);
                self.close_transport(id);
            }
            return Response::Done;
        }
        if self.route(id) != Route::Active {
            return Response::Done;
        }
        let Some(Active::Polling(p)) = &mut self.active else {
            return Response::Done;
        };
        match method {
            HttpMethod::Get => p.get = false,
            HttpMethod::Post => p.post = false,
        }
        if !(200..300).contains(&status) {
            return Response::Failed(TransportError::new(
                TransportErrorKind::Status(status),
                &format!("xhr poll error: HTTP status {status}"),
            ));
        }
        match method {
            HttpMethod::Get if body_len > max_body => Response::Failed(TransportError::new(
                TransportErrorKind::TooLarge,
                &format!("polling response of {body_len} bytes is over the limit of {max_body}"),
            )),
            HttpMethod::Get => Response::Payload,
            HttpMethod::Post if self.finish_upgrade() => Response::Upgraded,
            HttpMethod::Post => Response::Done,
        }
    }

    /// After a GET's payload was handled: the next GET, unless the session
    /// ended meanwhile or polling pauses for an upgrade. `true` when that
    /// completed the upgrade.
    pub(crate) fn polled(&mut self, id: TransportId) -> bool {
        if self.route(id) != Route::Active {
            return false;
        }
        if let Some(Active::Polling(p)) = &mut self.active {
            if !p.paused && !p.get {
                get(p, &mut self.actions);
            }
        }
        self.finish_upgrade()
    }

    /// Transport `id` closed or failed: the loss of the session when it
    /// was the active one.
    pub(crate) fn on_down(&mut self, id: TransportId, error: TransportError) -> Option<Lost> {
        if self.probe.is_some_and(|p| p.id == id) {
            self.abandon_probe();
            return None;
        }
        if let Some(pos) = self.closing.iter().position(|c| c.polling.id == id) {
            self.closing.remove(pos);
            self.close_transport(id);
            return None;
        }
        if self.route(id) != Route::Active {
            return None;
        }
        let reason = if error.kind == TransportErrorKind::Closed {
            DisconnectReason::TransportClose
        } else {
            DisconnectReason::TransportError
        };
        Some(Lost { reason, error })
    }

    /// Sets the ping deadline of an open session (engine.io-client's
    /// `_pingTimeoutTime`); each ping moves it again.
    pub(crate) fn set_ping_deadline(&mut self, at: Instant) {
        if self.state == SessionState::Open {
            self.ping_deadline = Some(at);
        }
    }

    /// Runs the session's deadlines; the loss of the session if one was
    /// the handshake's or the ping's.
    pub(crate) fn handle_timeout(&mut self, now: Instant) -> Option<Lost> {
        if self.upgrade_deadline.is_some_and(|d| d <= now) {
            self.upgrade_deadline = None;
            self.abandon_probe();
        }
        if self.closing_deadline.is_some_and(|d| d <= now) {
            self.closing_deadline = None;
            for c in core::mem::take(&mut self.closing) {
                self.close_transport(c.polling.id);
            }
        }
        if self.connect_deadline.is_some_and(|d| d <= now) {
            self.connect_deadline = None;
            if self.state == SessionState::Opening {
                return Some(Lost::new(
                    DisconnectReason::TransportClose,
                    TransportErrorKind::Timeout,
                    "timeout",
                ));
            }
        }
        if self.ping_deadline.is_some_and(|d| d <= now) {
            self.ping_deadline = None;
            if self.state == SessionState::Open {
                return Some(Lost::new(
                    DisconnectReason::PingTimeout,
                    TransportErrorKind::Timeout,
                    "ping timeout",
                ));
            }
        }
        None
    }

    // ----- internals -----

    fn new_id(&mut self) -> TransportId {
        let id = TransportId(self.next_transport);
        self.next_transport += 1;
        id
    }

    fn max_payload(&self) -> u64 {
        self.handshake
            .as_ref()
            .map_or(crate::Limits::DEFAULT_MAX_PACKET_SIZE as u64, |h| {
                h.max_payload
            })
    }

    fn url(&self, kind: TransportKind, sid: Option<&str>) -> String {
        let base = match kind {
            TransportKind::Polling => &self.http_base,
            TransportKind::Websocket => &self.ws_base,
        };
        let mut url = String::with_capacity(base.len() + 48 + self.query.len());
        url.push_str(base);
        url.push_str(kind.as_str());
        if let Some(sid) = sid {
            url.push_str("&sid=");
            percent_encode(sid, &mut url);
        }
        url.push_str(&self.query);
        url
    }

    fn arm_ping(&mut self, now: Instant) {
        if let Some(h) = &self.handshake {
            let ms = h.ping_interval.saturating_add(h.ping_timeout);
            self.ping_deadline = Some(now.plus_millis(ms));
        }
    }

    fn on_handshake(&mut self, h: Handshake, now: Instant) {
        self.connect_deadline = None;
        let sid_url = self.url(TransportKind::Polling, Some(&h.sid));
        let polling = match &mut self.active {
            Some(Active::Polling(p)) => {
                p.url = sid_url;
                true
            }
            _ => false,
        };
        let upgrade = self.upgrade
            && polling
            && h.upgrades.iter().any(|u| u == "websocket")
            && self.websocket;
        if upgrade {
            let id = self.new_id();
            let url = self.url(TransportKind::Websocket, Some(&h.sid));
            self.actions
                .push_back(TransportAction::OpenWebsocket { id, url });
            self.probe = Some(Probe {
                id,
                answered: false,
            });
            self.upgrade_deadline = Some(now.plus_millis(self.timeout));
        }
        self.handshake = Some(h);
        self.state = SessionState::Open;
        self.arm_ping(now);
    }

    /// Completes the upgrade once the probe answered and polling has no
    /// request in flight: `5` and the frames polling did not send go out
    /// on the WebSocket, in order, and polling is dropped.
    fn finish_upgrade(&mut self) -> bool {
        let Some(probe) = self.probe else {
            return false;
        };
        let ready = probe.answered && matches!(&self.active, Some(Active::Polling(p)) if p.idle());
        if !ready {
            return false;
        }
        let Some(Active::Polling(old)) = self.active.take() else {
            return false;
        };
        self.probe = None;
        self.upgrade_deadline = None;
        self.transmits.push_back(Transmit {
            transport: probe.id,
            frame: Frame::Text("5".into()),
        });
        for frame in old.queue {
            self.transmits.push_back(Transmit {
                transport: probe.id,
                frame,
            });
        }
        self.actions
            .push_back(TransportAction::Close { id: old.id });
        self.active = Some(Active::Websocket(probe.id));
        true
    }

    /// The upgrade failed or timed out: polling goes on.
    fn abandon_probe(&mut self) {
        let Some(probe) = self.probe.take() else {
            return;
        };
        self.upgrade_deadline = None;
        self.close_transport(probe.id);
        if let Some(Active::Polling(p)) = &mut self.active {
            if p.paused {
                p.paused = false;
                if !p.get {
                    get(p, &mut self.actions);
                }
            }
        }
    }

    /// Asks the driver to close `id`, or withdraws what was asked of it
    /// when the driver has not seen the transport yet, so a driver that is
    /// slow to poll cannot make the action queue grow. The driver has not
    /// seen it while its opening action is still queued: a WebSocket's
    /// open, or, with `first_get`, polling's handshake GET.
    fn close_transport(&mut self, id: TransportId) {
        self.close_transport_with(id, false);
    }

    fn close_transport_with(&mut self, id: TransportId, first_get: bool) {
        let unseen = self.actions.iter().any(|a| match a {
            TransportAction::OpenWebsocket { id: i, .. } => *i == id,
            TransportAction::Request(r) => first_get && r.transport == id,
            TransportAction::Close { .. } => false,
        });
        if unseen {
            self.actions.retain(|a| a.transport() != id);
            self.transmits.retain(|t| t.transport != id);
        } else {
            // Requests not yet polled would carry a sid the session no
            // longer has; frames already queued still go out first.
            self.actions
                .retain(|a| !matches!(a, TransportAction::Request(r) if r.transport == id));
            self.actions.push_back(TransportAction::Close { id });
        }
    }
}

/// Starts a GET on `p`.
fn get(p: &mut Polling, actions: &mut VecDeque<TransportAction>) {
    p.get = true;
    actions.push_back(TransportAction::Request(HttpRequest {
        transport: p.id,
        method: HttpMethod::Get,
        url: p.url.clone(),
        body: None,
    }));
}

/// Starts a POST on `p` with what fits of its queue.
fn post(p: &mut Polling, max_payload: u64) -> TransportAction {
    p.post = true;
    let frames = p.queue.make_contiguous();
    let (body, taken) = polling_body(frames, max_payload);
    p.queue.drain(..taken);
    TransportAction::Request(HttpRequest {
        transport: p.id,
        method: HttpMethod::Post,
        url: p.url.clone(),
        body: Some(body),
    })
}

/// Appends `s` percent-encoded for a URL query (RFC 3986 unreserved
/// characters stay as they are).
pub(crate) fn percent_encode(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}
