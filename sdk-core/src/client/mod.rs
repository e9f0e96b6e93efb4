//! The deterministic client connection state machine.
//!
//! [`Client`] owns everything about a Socket.IO connection except the
//! sockets and the clock: the Engine.IO session and its upgrade, the
//! namespaces multiplexed over it, reconnection with backoff, dead-link
//! detection, the application heartbeat, acks and their retries, the
//! offline buffer, room subscriptions, auth and its refresh, client-side
//! rate limits and connection state recovery.
//!
//! # Driving it
//!
//! A driver owns the transports and a timer. Whenever something happens it
//! calls a `handle_*` method (or an application command), then drains the
//! outputs in this order:
//!
//! 1. [`poll_transmit`](Client::poll_transmit) until `None`: frames to send
//!    on the named transport;
//! 2. [`poll_action`](Client::poll_action) until `None`: WebSockets to
//!    open, HTTP requests of long-polling to send (URL and body complete),
//!    transports to close (a close comes after the frames polled before
//!    it);
//! 3. [`poll_event`](Client::poll_event) until `None`: what the application
//!    sees;
//! 4. [`poll_timeout`](Client::poll_timeout): when to call
//!    [`handle_timeout`](Client::handle_timeout) next.
//!
//! Time is an [`Instant`] passed into every call; jitter comes from a seed
//! passed to [`Client::new`]. The same inputs always give the same outputs.
//!
//! ```
//! use omni_socket_core::client::{Client, ClientConfig, Instant, TransportAction};
//!
//! let mut client = Client::new(ClientConfig::new("https://api.example.com"), 42);
//! client.connect(Instant::from_millis(0));
//! let Some(TransportAction::Request(get)) = client.poll_action() else { panic!() };
//! assert_eq!(get.url, "https://api.example.com/socket.io/?EIO=4&transport=polling");
//! // The driver sends it, then feeds the response:
//! // client.handle_http_response(get.transport, get.method, now, 200, "0{...}");
//! ```
//!
//! The driver moves bytes and keeps a timer, nothing else: the Engine.IO
//! session (handshake, long-polling requests, the WebSocket upgrade, dead
//! links) is the core's ([`TransportAction`], [`HttpRequest`],
//! [`TransportError`]).
//!
//! # Events ([`Event`])
//!
//! `Open`, `Upgraded`, `Connect {nsp, sid, recovered}`,
//! `ConnectError {nsp, message, data, cause}`, `Disconnect {nsp, reason}` (reasons
//! `io server disconnect`, `io client disconnect`, `ping timeout`,
//! `transport close`, `transport error`, `parse error`, `forced close`),
//! `Message {nsp, event, args, ack}`, `Ack`, `AckFailed`,
//! `ReconnectAttempt {attempt, delay}`, `Reconnecting {attempt}`, `Reconnect {attempt}`,
//! `ReconnectError`, `ReconnectFailed`, `Latency`, `RoomState`,
//! `AuthFailed`, `AuthRequested`, `AuthRefreshNeeded`, `AuthGaveUp`, `RateLimited`,
//! `EmitDropped`, `ProtocolError`.
//!
//! # Options ([`ClientConfig`], camelCase in serde)
//!
//! From socket.io-client, same defaults: `reconnection` (true),
//! `reconnectionAttempts` (unlimited), `reconnectionDelay` (1000),
//! `reconnectionDelayMax` (5000), `randomizationFactor` (0.5), `timeout`
//! (20000), `auth`, `transports` (polling, websocket), `upgrade`, `path`
//! (`/socket.io/`), `query`, `ackTimeout`, `retries` (0). Our own:
//! `namespaces`, `reconnectAfterServerDisconnect`, `reconnectAfterRefusal`, `maxBufferedEmits`,
//! `bufferOverflow`, `maxPendingAcks`, `heartbeat`, `rateLimit`,
//! `authRefreshTimeout`, `maxAuthFailures`, `authErrorPatterns`, `recovery`,
//! `askAuth`, `maxQueuedEvents`, `maxQueuedEventBytes`,
//! `maxQueuedTransmits`.
//!
//! `rateLimit` paces nothing unless given a table: `{product: "omni"}`
//! (the table that product's server enforces, see [`Product`]) or
//! `{default, events}` for every namespace, and `namespaces: {"/doa":
//! "doa", "/x": {default, events, budget}}` per namespace.
//!
//! # Where it differs from socket.io-client, on purpose
//!
//! - Backoff jitter is applied after the cap and only shortens the delay.
//! - A namespace CONNECT refused for a reason that is not auth, or not
//!   answered within `timeout`, is retried with the backoff instead of
//!   being left disconnected; an auth refusal waits for new credentials.
//! - `retries` applies to emits that ask for an ack; plain emits are not
//!   turned into acknowledged ones.
//!
//! - A session that breaks soon after it opened does not reset the
//!   backoff: the delays keep growing (see `Reconnect` in `backoff.rs`).
//!
//! # Inside
//!
//! Each concern keeps its own state, with a small API of its own, and
//! `Client` wires them: the Engine.IO session (`session.rs`), reconnection
//! (`backoff.rs`), the namespaces (`namespace.rs`) with their outbox
//! (`buffer.rs`), acks (`ack.rs`) and rooms (`rooms.rs`), the heartbeat
//! (`heartbeat.rs`), auth (`auth.rs`), rate limits (`ratelimit.rs`) and the
//! event queue (`queue.rs`).
//!
//! # The driver fast path
//!
//! [`DriverMode`] (`ClientConfig::driver`), [`Client::handle_text_event`]
//! and [`Client::reject_message`] let a driver take server events as their
//! JSON text, lent from the frame, and check that text with its own
//! parser. Drivers opt in; the results are the same.

use crate::prelude::*;
mod ack;
mod auth;
mod backoff;
mod buffer;
mod config;
mod events;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod heartbeat;
mod latency;
mod namespace;
mod options;
mod queue;
mod ratelimit;
pub mod records;
mod rooms;
mod session;
mod timer;
mod vecmap;

#[cfg(test)]
mod tests;

use alloc::borrow::Cow;

use bytes::Bytes;

pub use auth::{Auth, AuthFailureSource, Credentials};
pub use backoff::{Backoff, Rng};
pub use config::{
    ClientConfig, DriverMode, HeartbeatConfig, HeartbeatMode, OverflowPolicy, Reconnection,
    TransportKind,
};
pub use events::{
    polling_body, AckFailure, ConnectFailure, DisconnectReason, DropReason, EmitError, EmitOutcome,
    Event, Frame, HttpMethod, HttpRequest, LatencySample, RequestId, TextEvent, Transmit,
    TransportAction, TransportError, TransportErrorKind, TransportId,
};
pub use latency::LatencyStats;
pub use options::OptionsError;
pub use ratelimit::{Product, Rate, RateLimitConfig, RateTable};
pub use rooms::{Matcher, Preset, PresetAnswer, PresetId, RoomSpec, RoomState, PRESETS};
pub use timer::Instant;
pub use vecmap::SortedMap;

use crate::engineio::{self, Handshake};
use crate::socketio::{self, Decoded, PacketType};
use crate::{Args, Error, Limits, ProtocolError, Value};
use ack::{PendingAck, PendingKind};
use auth::{AfterFailure, AuthState};
use backoff::{Next, Reconnect};
use buffer::{OutKind, Outgoing};
use heartbeat::Heartbeat;
use namespace::{Namespace, NsState};
use queue::EventQueue;
use ratelimit::RateLimiter;
use rooms::{Change, JoinAnswer};
use session::{Lost, Response, Route, Session, SessionState, Up};
use timer::{Timer, TimerTable};

/// Most namespaces one client multiplexes.
pub const MAX_NAMESPACES: usize = 64;
/// Most room subscriptions per namespace.
pub const MAX_ROOMS: usize = 1024;
/// Timer expiries handled per `handle_timeout` call, so zero delays cannot
/// spin forever; the rest are due again at once.
const MAX_EXPIRIES_PER_CALL: usize = 64;

/// The `connect_error` message when a server answers CONNECT without a
/// session id, as Socket.IO v2 servers do.
const INCOMPATIBLE_SERVER: &str = "the server answered CONNECT without a session id, as \
Socket.IO v2 servers do: this client speaks Socket.IO v3 and later (protocol v5)";

const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];
/// Whether the Engine.IO session is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Not connected and not trying (initial, after `disconnect`, after
    /// giving up).
    Idle,
    /// A transport is opening or waiting for the handshake.
    Connecting,
    /// The Engine.IO session is open.
    Open,
    /// Waiting before reconnection attempt `attempt`.
    Reconnecting {
        /// The attempt that comes next.
        attempt: u32,
    },
}

/// How [`Client::set_auth`] applies new credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthApply {
    /// At the next CONNECT (a reconnection or a refresh retry).
    NextConnect,
    /// Now: disconnect and connect again (seed 000 "update the token during
    /// a session").
    Reconnect,
}

/// The sans-IO Socket.IO client.
///
/// Methods come in four groups: getters (`&self`), `handle_*` for input
/// from transports and the timer, commands from the application
/// (`connect`, `emit`, `join`, …), and `poll_*` for output (see the
/// [module documentation](self) for the order to poll in). Nothing here
/// panics on network input; every queue is bounded by the
/// [`ClientConfig`].
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    limits: Limits,
    /// The Engine.IO session.
    session: Session,
    /// Reconnection of the session.
    reconnect: Reconnect,
    namespaces: Vec<Namespace>,
    decoder: socketio::Decoder,
    auth: AuthState,
    heartbeat: Heartbeat,
    limiter: RateLimiter,
    /// The connection-wide timers: reconnection, heartbeat, auth refresh.
    timers: TimerTable,
    events: EventQueue,
    now: Instant,
    next_request: u64,
    /// Set by [`open_session`](Client::open_session): the application wants
    /// the Engine.IO session even while no namespace is wanted, so it
    /// reconnects. Cleared when the session is closed on purpose.
    session_wanted: bool,
}

impl Client {
    /// A client in [`ConnectionState::Idle`]; call
    /// [`connect`](Self::connect) to start. `seed` feeds the backoff
    /// jitter: give each client a different one (e.g. from the platform's
    /// RNG) so a fleet does not retry in step.
    pub fn new(config: ClientConfig, seed: u64) -> Self {
        let auth = config
            .auth
            .clone()
            .and_then(Auth::from_json)
            .unwrap_or_default();
        let backoff = Backoff {
            base: config.reconnection_delay,
            max: config.reconnection_delay_max,
            factor: config.randomization_factor,
        };
        // Sized to the wanted namespaces: a Namespace is a few hundred
        // bytes, and the first push would otherwise reserve four.
        let mut namespaces: Vec<Namespace> =
            Vec::with_capacity(config.namespaces.len().min(MAX_NAMESPACES));
        for n in &config.namespaces {
            let n = normalize_nsp(n);
            if namespaces.len() < MAX_NAMESPACES && !namespaces.iter().any(|x| x.name == n) {
                namespaces.push(Namespace::new(n, true));
            }
        }
        let mut decoder = socketio::Decoder::new(Limits::default());
        decoder.defer_event_data(config.driver.raw_messages && config.driver.parses_events);
        Self {
            limits: Limits::default(),
            session: Session::new(&config),
            reconnect: Reconnect::new(backoff, seed),
            namespaces,
            decoder,
            auth: AuthState::new(auth),
            heartbeat: Heartbeat::new(config.heartbeat.as_ref()),
            limiter: RateLimiter::default(),
            timers: TimerTable::default(),
            events: EventQueue::new(config.max_queued_events, config.max_queued_event_bytes),
            now: Instant::default(),
            next_request: 0,
            session_wanted: false,
            config,
        }
    }

    // ----- getters -----

    /// The options in force.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// State of the Engine.IO session.
    pub fn state(&self) -> ConnectionState {
        match self.session.state() {
            SessionState::Idle if self.reconnect.waiting() => ConnectionState::Reconnecting {
                attempt: self.reconnect.attempts(),
            },
            SessionState::Idle => ConnectionState::Idle,
            SessionState::Opening => ConnectionState::Connecting,
            SessionState::Open => ConnectionState::Open,
        }
    }

    /// The Engine.IO handshake of the open session.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.session.handshake()
    }

    /// The transport in use.
    pub fn transport(&self) -> Option<(TransportId, TransportKind)> {
        self.session.transport()
    }

    /// Whether a transport is still in use, including a long-polling one
    /// that sends its last requests after
    /// [`disconnect`](Self::disconnect). A driver that wants its closing
    /// requests to reach the server keeps running until this is `false`.
    pub fn has_transports(&self) -> bool {
        self.session.has_transports()
    }

    /// Whether `nsp` is connected.
    pub fn is_connected(&self, nsp: &str) -> bool {
        self.ns(nsp).is_some_and(Namespace::connected)
    }

    /// The socket id in `nsp`, when connected.
    pub fn socket_id(&self, nsp: &str) -> Option<&str> {
        self.ns(nsp)?.sid()
    }

    /// Whether the client is connected to `nsp` or will get there on its
    /// own: from [`connect`](Self::connect) or
    /// [`open_namespace`](Self::open_namespace) until the application
    /// disconnects, the server disconnects the namespace for good,
    /// reconnection gives up, or auth failures reach `maxAuthFailures`.
    /// socket.io-client's `socket.active`: in a `connect_error` handler,
    /// `false` means nothing more happens until the application acts.
    pub fn namespace_active(&self, nsp: &str) -> bool {
        self.running() && self.ns(nsp).is_some_and(|ns| ns.wanted)
    }

    /// Recovery state of `nsp`: the server's private session id and the
    /// last event offset seen.
    pub fn recovery_state(&self, nsp: &str) -> Option<(&str, Option<&str>)> {
        let r = &self.ns(nsp)?.recovery;
        Some((r.pid.as_deref()?, r.offset.as_deref()))
    }

    /// Reconnection attempts in the current streak (0 while a session is
    /// open).
    pub fn reconnect_attempts(&self) -> u32 {
        self.reconnect.attempts()
    }

    /// Heartbeat round-trip statistics.
    pub fn latency(&self) -> LatencyStats {
        self.heartbeat.stats()
    }

    /// The last `status` the server reported in a heartbeat answer.
    pub fn server_status(&self) -> Option<&str> {
        self.heartbeat.server_status()
    }

    /// State of the room subscription `key` in `nsp`.
    pub fn room_state(&self, nsp: &str, key: &str) -> RoomState {
        self.ns(nsp)
            .map_or(RoomState::Unsubscribed, |ns| ns.rooms.state(key))
    }

    /// All subscriptions of `nsp` with their states.
    pub fn rooms(&self, nsp: &str) -> Vec<(String, RoomState)> {
        self.ns(nsp).map_or_else(Vec::new, |ns| ns.rooms.list())
    }

    /// Emits waiting in `nsp` (offline or over the rate budget).
    pub fn buffered(&self, nsp: &str) -> usize {
        self.ns(nsp).map_or(0, |ns| ns.outbox.len())
    }

    /// Acks awaited in `nsp`, sent or not.
    pub fn pending_acks(&self, nsp: &str) -> usize {
        self.ns(nsp).map_or(0, Namespace::ack_load)
    }

    /// Consecutive auth failures.
    pub fn auth_failures(&self) -> u32 {
        self.auth.failures
    }

    /// Events dropped because the event queue was full.
    pub fn dropped_events(&self) -> u64 {
        self.events.dropped()
    }

    /// Protocol frames (pongs, acks) dropped because the transmit queue was
    /// full.
    pub fn dropped_frames(&self) -> u64 {
        self.session.dropped_frames()
    }

    /// Lengths of the transmit, action and event queues.
    pub fn queue_lengths(&self) -> (usize, usize, usize) {
        let (frames, actions) = self.session.queue_lengths();
        (frames, actions, self.events.len())
    }

    /// Bytes of data in the event queue, as [`Event::data_size`] counts
    /// them (the bound is `max_queued_event_bytes`).
    pub fn queued_event_bytes(&self) -> usize {
        self.events.bytes()
    }

    /// The credentials in force.
    pub fn auth(&self) -> &Auth {
        &self.auth.auth
    }

    // ----- outputs -----

    /// The next WebSocket frame to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let before = self.session.queued_frames();
        let t = self.session.poll_transmit();
        self.space_freed(before);
        t
    }

    /// The next thing to do with transports: open a WebSocket, send an
    /// HTTP request, close a transport.
    #[must_use]
    pub fn poll_action(&mut self) -> Option<TransportAction> {
        let before = self.session.queued_frames();
        let a = self.session.poll_action();
        self.space_freed(before);
        a
    }

    /// The next application event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next, `None`
    /// when nothing is scheduled.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.timers.next(),
            self.session.next_timeout(),
            self.limiter.wake,
        ]
        .into_iter()
        .chain(self.namespaces.iter().map(Namespace::next_deadline))
        .flatten()
        .min()
    }

    // ----- inputs from the driver -----

    /// Runs everything due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        if let Some(lost) = self.session.handle_timeout(self.now) {
            self.lose_link(lost);
        }
        for _ in 0..MAX_EXPIRIES_PER_CALL {
            let Some(timer) = self.timers.take_expired(self.now) else {
                break;
            };
            self.on_timer(timer);
        }
        for idx in 0..self.namespaces.len() {
            self.namespace_timeouts(idx);
        }
        self.pump();
    }

    /// The WebSocket `id` is open.
    pub fn handle_transport_opened(&mut self, id: TransportId, now: Instant) {
        self.advance(now);
        self.session.on_opened(id);
    }

    /// A WebSocket text frame: one Engine.IO packet.
    pub fn handle_text(&mut self, id: TransportId, now: Instant, text: &str) {
        self.advance(now);
        match self.session.route(id) {
            Route::Active => {}
            Route::Probe => {
                if self.session.on_probe_text(text) {
                    self.on_upgraded();
                }
                return;
            }
            Route::Stale => return,
        }
        match engineio::decode_text(text, &self.limits) {
            Ok(p) => self.on_engine_packet(p),
            Err(e) => self.protocol_error(e),
        }
        self.pump();
    }

    /// [`handle_text`](Self::handle_text) for a driver on the fast path
    /// that takes the frame's server event without a copy: when the frame
    /// carries an event the client would queue as [`Event::RawMessage`]
    /// (no attachments), and nothing was queued after it, the event comes
    /// back as a [`TextEvent`] lent from `text` instead, to be handled
    /// after the events already queued. Otherwise it is queued as usual
    /// and the result is `None`.
    ///
    /// That is the usual frame of an event stream: the event skips its
    /// three owned strings and the queue.
    pub fn handle_text_event<'a>(
        &'a mut self,
        id: TransportId,
        now: Instant,
        text: &'a str,
    ) -> Option<TextEvent<'a>> {
        self.lend_text(id, now, text, false)
    }

    /// [`handle_text_event`](Self::handle_text_event) for a driver that
    /// reads every lent event's text completely anyway: the event is lent
    /// with its text past the name unchecked, and the driver checks it
    /// before it feeds the client more input, either by decoding all of it
    /// as [`socketio::decode_first_arg`] does or with
    /// [`check_lent_event`](Self::check_lent_event), which closes the
    /// connection with the client's own protocol error when the text is
    /// malformed. Everything the client does not lend (the events it reads
    /// itself, an event put back in the queue, an event it drops) it still
    /// checks itself, with the same error as always. The native driver
    /// uses it so an event read into a typed model is parsed once, by that
    /// decode. Without `raw_messages`, or with `parses_events` (which
    /// leaves every event's text to the driver), it is `handle_text_event`.
    pub fn handle_text_event_unchecked<'a>(
        &'a mut self,
        id: TransportId,
        now: Instant,
        text: &'a str,
    ) -> Option<TextEvent<'a>> {
        let d = &self.config.driver;
        let unchecked = d.raw_messages && !d.parses_events;
        self.lend_text(id, now, text, unchecked)
    }

    fn lend_text<'a>(
        &'a mut self,
        id: TransportId,
        now: Instant,
        text: &'a str,
        unchecked: bool,
    ) -> Option<TextEvent<'a>> {
        // Only what is lent goes unchecked: the flag is up for this frame
        // alone, and what is not lent after all is checked below or in
        // `on_event`.
        if unchecked {
            self.decoder.defer_event_data(true);
        }
        self.events.start_lending(text);
        self.handle_text(id, now, text);
        if unchecked {
            self.decoder.defer_event_data(false);
        }
        let lent = self.events.end_lending()?;
        // Inside `text`: checked when it was lent.
        let start = lent.start;
        let data = &text[start..start + lent.len];
        let queued_after = lent.pos != self.events.len();
        // Events were queued after it: it takes its place among them,
        // checked first if it was lent unchecked.
        if queued_after && unchecked && !self.check_event_text(data) {
            return None;
        }
        let event = TextEvent {
            // Namespaces are never removed, so the index still holds.
            nsp: &self.namespaces[lent.ns].name,
            data,
            start,
            ack: lent.ack,
            // Inside `text` too: checked when it was lent.
            name: lent.name.map(|(at, len)| &text[at..at + len]),
        };
        if !queued_after {
            return Some(event);
        }
        let event = event.to_event();
        self.events.insert(lent.pos, event);
        None
    }

    /// Checks the text of an event
    /// [`handle_text_event_unchecked`](Self::handle_text_event_unchecked)
    /// lent, as the client checks the events it does not lend. Malformed
    /// text gets the same protocol error and close as when the client
    /// finds it itself, and `false`. Call it while handling that event,
    /// before feeding the client more input, so it applies to the session
    /// the event came in on; without an open session it only answers.
    pub fn check_lent_event(&mut self, now: Instant, data: &str) -> bool {
        match socketio::validate_event_data(data, self.decoder.limits()) {
            Ok(()) => true,
            Err(e) => {
                self.advance(now);
                if self.session.is_open() {
                    self.protocol_error(e);
                }
                false
            }
        }
    }

    /// A WebSocket binary frame: a binary Engine.IO message.
    pub fn handle_binary(&mut self, id: TransportId, now: Instant, data: Bytes) {
        self.advance(now);
        if self.session.route(id) != Route::Active {
            return;
        }
        match engineio::decode_binary(data, &self.limits) {
            Ok(p) => self.on_engine_packet(p),
            Err(e) => self.protocol_error(e),
        }
        self.pump();
    }

    /// The response to a [`TransportAction::Request`] of polling transport
    /// `id`, whatever its status: a GET's body is the server's payload.
    pub fn handle_http_response(
        &mut self,
        id: TransportId,
        method: HttpMethod,
        now: Instant,
        status: u16,
        body: &str,
    ) {
        self.advance(now);
        let max = self.limits.max_polling_body;
        match self
            .session
            .on_response(id, method, status, body.len(), max)
        {
            Response::Done => {}
            Response::Upgraded => self.on_upgraded(),
            Response::Failed(error) => self.lose_link(Lost {
                reason: DisconnectReason::TransportError,
                error,
            }),
            Response::Payload => {
                let opening = self.session.state() == SessionState::Opening;
                for item in engineio::decode_payload(body, &self.limits) {
                    match item {
                        Ok(p) => self.on_engine_packet(p),
                        Err(e) => {
                            self.protocol_error(e);
                            break;
                        }
                    }
                    if self.session.route(id) != Route::Active {
                        break;
                    }
                }
                if opening && self.session.state() == SessionState::Opening {
                    // Another GET without a sid would open another session.
                    self.protocol_error(
                        ProtocolError::InvalidHandshake(
                            "first polling response without an open packet".into(),
                        )
                        .into(),
                    );
                } else if self.session.polled(id) {
                    self.on_upgraded();
                }
            }
        }
        self.pump();
    }

    /// The transport closed (a WebSocket's close; for long-polling, a
    /// request that ended without a response counts as an error).
    pub fn handle_transport_closed(&mut self, id: TransportId, now: Instant) {
        self.advance(now);
        let error = TransportError::new(TransportErrorKind::Closed, "transport close");
        if let Some(lost) = self.session.on_down(id, error) {
            self.lose_link(lost);
        }
    }

    /// The transport failed: a WebSocket error, or a polling request
    /// without a response. The error's kind decides what the application
    /// is told (see [`ConnectFailure`]).
    pub fn handle_transport_error(
        &mut self,
        id: TransportId,
        now: Instant,
        error: impl Into<TransportError>,
    ) {
        self.advance(now);
        if let Some(lost) = self.session.on_down(id, error.into()) {
            self.lose_link(lost);
        }
    }

    /// On the driver fast path ([`DriverMode::parses_events`]): the driver
    /// could not parse the text of an [`Event::RawMessage`]. The same
    /// protocol error and close as when the client finds malformed input
    /// itself. Call it while handling that event, before feeding the
    /// client more input, so it applies to the session the event came in
    /// on; without an open session it does nothing.
    pub fn reject_message(&mut self, now: Instant, reason: &str) {
        self.advance(now);
        if self.session.is_open() {
            self.protocol_error(ProtocolError::InvalidJson(reason.to_owned()).into());
        }
    }

    // ----- application commands -----

    /// Starts connecting (no effect unless idle). Also the way to restart
    /// after [`disconnect`](Self::disconnect), `ReconnectFailed` or
    /// `AuthGaveUp`.
    pub fn connect(&mut self, now: Instant) {
        self.advance(now);
        if self.running() {
            return;
        }
        if !self.namespaces.iter().any(|n| n.wanted) {
            if let Some(main) = self.namespaces.iter_mut().find(|n| n.name == "/") {
                main.wanted = true;
            } else if self.namespaces.len() < MAX_NAMESPACES {
                self.namespaces.push(Namespace::new("/".into(), true));
            }
        }
        self.start_session();
    }

    /// Opens the Engine.IO session without connecting a namespace, as
    /// socket.io-client's `Manager.open()`; namespaces join it with
    /// [`open_namespace`](Self::open_namespace). It reconnects like any
    /// session until [`disconnect`](Self::disconnect) or until the last
    /// namespace is closed. No effect unless idle.
    pub fn open_session(&mut self, now: Instant) {
        self.advance(now);
        if self.running() {
            return;
        }
        self.session_wanted = true;
        self.start_session();
    }

    /// A new session from idle: attempts and auth failures count from zero.
    fn start_session(&mut self) {
        self.reconnect.stop();
        self.auth.failures = 0;
        self.open_transport();
    }

    /// Skips the rest of the backoff delay and tries to reconnect now, e.g.
    /// when the browser reports `online` or the page becomes visible. No
    /// effect unless waiting to reconnect (or while an auth refresh is
    /// awaited, which keeps its say).
    pub fn reconnect_now(&mut self, now: Instant) {
        self.advance(now);
        if self.reconnect.waiting() && !self.auth.waiting {
            self.open_transport();
        }
    }

    /// Disconnects every namespace (`io client disconnect`) and stops
    /// reconnecting. Buffered emits and room subscriptions are kept for the
    /// next [`connect`](Self::connect).
    pub fn disconnect(&mut self, now: Instant) {
        self.advance(now);
        if self.session.is_open() {
            for idx in 0..self.namespaces.len() {
                if self.namespaces[idx].connected() {
                    let name = self.namespaces[idx].name.clone();
                    // A DISCONNECT is a few bytes: never over the limit.
                    let _ = self.send_sio(&socketio::Packet::disconnect(name));
                }
            }
        }
        for idx in 0..self.namespaces.len() {
            self.ns_lost(idx, DisconnectReason::IoClientDisconnect);
            let ns = &mut self.namespaces[idx];
            // The server drops the session on a deliberate disconnect.
            ns.recovery.clear();
            ns.retry.at = None;
            ns.retry.auth_wait = false;
        }
        self.close_transports(true);
        self.stop_session();
    }

    /// Connects namespace `nsp` over the shared session (starting the
    /// session if idle). Returns `false` past [`MAX_NAMESPACES`].
    pub fn open_namespace(&mut self, nsp: &str, now: Instant) -> bool {
        self.advance(now);
        let Some(idx) = self.ns_index_or_create(nsp) else {
            return false;
        };
        self.namespaces[idx].wanted = true;
        if !self.running() {
            self.start_session();
        } else if self.session.is_open() && self.namespaces[idx].state == NsState::Disconnected {
            self.send_connect(idx);
        }
        true
    }

    /// Makes namespace `nsp` known without connecting it, so emits to it
    /// wait in its buffer until [`open_namespace`](Self::open_namespace)
    /// (a socket.io-client socket made with `autoConnect: false`). Returns
    /// `false` past [`MAX_NAMESPACES`].
    pub fn add_namespace(&mut self, nsp: &str) -> bool {
        self.ns_index_or_create(nsp).is_some()
    }

    /// Changes the reconnection options while running, as
    /// socket.io-client's Manager setters do: they apply from the next
    /// delay or attempt on. With reconnection turned off, a client waiting
    /// to reconnect stops there.
    pub fn set_reconnection(&mut self, r: Reconnection, now: Instant) {
        self.advance(now);
        let c = &mut self.config;
        c.reconnection = r.reconnection;
        c.reconnection_attempts = r.attempts;
        c.reconnection_delay = r.delay;
        c.reconnection_delay_max = r.delay_max;
        c.randomization_factor = r.factor;
        c.timeout = r.timeout;
        self.reconnect.set_backoff(Backoff {
            base: r.delay,
            max: r.delay_max,
            factor: r.factor,
        });
        if !r.reconnection && self.reconnect.waiting() {
            self.stop_session();
        }
    }

    /// Closes the link as a network failure would (socket.io-client's
    /// `engine.close()`, which applications and tests use to drop a
    /// connection): the namespaces see `forced close` and the client
    /// reconnects. No effect without a session.
    ///
    /// Without `reconnect` the session stays closed, a reconnection that
    /// was waiting is called off, and the namespaces stay wanted for the
    /// next [`open_namespace`](Self::open_namespace) or
    /// [`connect`](Self::connect) (socket.io-client's `Manager._close()`).
    pub fn drop_transport(&mut self, reconnect: bool, now: Instant) {
        self.advance(now);
        if self.session.state() != SessionState::Idle {
            // Reconnection off for this loss only.
            let on = self.config.reconnection;
            self.config.reconnection = on && reconnect;
            // Graceful: long-polling posts its close packet first, as
            // engine.io-client's close() does, so the server knows at once
            // (and can offer connection state recovery).
            self.end_link(
                Lost {
                    reason: DisconnectReason::ForcedClose,
                    error: TransportError::new(TransportErrorKind::Closed, "forced close"),
                },
                true,
            );
            self.config.reconnection = on;
        } else if self.reconnect.waiting() && !reconnect {
            self.stop_session();
        }
    }

    /// Sets the time by which the next ping must arrive
    /// (engine.io-client's `_pingTimeoutTime`); each ping moves it again.
    /// No effect without an open session.
    pub fn set_ping_deadline(&mut self, at: Instant, now: Instant) {
        self.advance(now);
        self.session.set_ping_deadline(at);
    }

    /// A link whose ping deadline has passed is dead even when the timer
    /// saying so has not fired (a background tab throttles timers): an
    /// emit then waits for the reconnection instead of going into it, as
    /// engine.io-client checks before writing. The session's other
    /// deadlines that passed run too.
    fn expire_dead_link(&mut self) {
        if let Some(lost) = self.session.handle_timeout(self.now) {
            self.lose_link(lost);
        }
    }

    /// Answers [`Event::AuthRequested`] for `nsp` alone: `auth` becomes
    /// the credentials of that namespace (each socket.io-client socket has
    /// its own `auth`), and its waiting CONNECT goes out with them. Other
    /// namespaces keep asking and answering for themselves.
    pub fn answer_auth(&mut self, nsp: &str, auth: Auth, now: Instant) {
        self.advance(now);
        let Some(idx) = self.ns_index(nsp) else {
            return;
        };
        self.namespaces[idx].auth = Some(Box::new(auth));
        let ns = &self.namespaces[idx];
        let asking = matches!(
            ns.state,
            NsState::Connecting {
                asking_auth: true,
                ..
            }
        );
        if asking && ns.wanted && self.session.is_open() {
            self.auth.fresh = true;
            self.send_connect(idx);
            self.auth.fresh = false;
        }
    }

    /// Leaves namespace `nsp` (`io client disconnect` for it); the session
    /// closes when no namespace is left.
    pub fn close_namespace(&mut self, nsp: &str, now: Instant) {
        self.advance(now);
        let Some(idx) = self.ns_index(nsp) else {
            return;
        };
        if self.session.is_open() && self.namespaces[idx].connected() {
            let name = self.namespaces[idx].name.clone();
            let _ = self.send_sio(&socketio::Packet::disconnect(name));
        }
        self.ns_lost(idx, DisconnectReason::IoClientDisconnect);
        let ns = &mut self.namespaces[idx];
        ns.wanted = false;
        ns.retry.at = None;
        ns.recovery.clear();
        self.close_if_unwanted();
    }

    /// Emits `event` with `args` to `nsp`. While not connected, or over the
    /// rate budget, it waits in the bounded buffer and goes out later in
    /// order.
    ///
    /// # Errors
    /// [`EmitError::BufferFull`] when the buffer is full under
    /// [`OverflowPolicy::Error`]; [`EmitError::Reserved`] for reserved
    /// names; [`EmitError::UnknownNamespace`] when `nsp` was never opened.
    pub fn emit(
        &mut self,
        nsp: &str,
        event: &str,
        args: impl Into<Args>,
        now: Instant,
    ) -> Result<EmitOutcome, EmitError> {
        self.advance(now);
        self.emit_inner(nsp, event, args.into(), OutKind::Plain, false)
    }

    /// A volatile emit: sent only if the namespace is writable and within
    /// budget right now, otherwise dropped.
    ///
    /// # Errors
    /// As [`emit`](Self::emit), except that a volatile emit is never
    /// buffered.
    pub fn emit_volatile(
        &mut self,
        nsp: &str,
        event: &str,
        args: impl Into<Args>,
        now: Instant,
    ) -> Result<EmitOutcome, EmitError> {
        self.advance(now);
        self.emit_inner(nsp, event, args.into(), OutKind::Plain, true)
    }

    /// Emits and asks for an ack. The answer arrives as [`Event::Ack`]; no
    /// answer within `timeout` (or `ackTimeout`) ms gives
    /// [`Event::AckFailed`]. With `retries` > 0, ack emits are sent one at
    /// a time, in order, and resent on timeout until acknowledged or out of
    /// retries, like socket.io-client.
    ///
    /// # Errors
    /// As [`emit`](Self::emit), plus [`EmitError::TooManyAcks`].
    pub fn emit_with_ack(
        &mut self,
        nsp: &str,
        event: &str,
        args: impl Into<Args>,
        timeout: Option<u64>,
        now: Instant,
    ) -> Result<RequestId, EmitError> {
        self.advance(now);
        let idx = self
            .ns_index(nsp)
            .ok_or_else(|| EmitError::UnknownNamespace(nsp.to_owned()))?;
        let max = self.config.max_pending_acks;
        if self.namespaces[idx].ack_load() >= max {
            return Err(EmitError::TooManyAcks { max });
        }
        let request = RequestId(self.next_request);
        let timeout = timeout.or(self.config.ack_timeout);
        let retry = self.config.retries > 0;
        let kind = OutKind::Ack {
            request,
            timeout,
            deadline: if retry {
                None
            } else {
                timeout.map(|t| now.plus_millis(t))
            },
            tries: 0,
            retry,
        };
        self.emit_inner(nsp, event, args.into(), kind, false)?;
        self.next_request += 1;
        Ok(request)
    }

    /// Answers the server's ack request `id` (from [`Event::Message`]).
    /// Returns `false` when there is no such request, the namespace is
    /// not connected, or the answer is over the server's `maxPayload` (the
    /// request stays answerable, e.g. with smaller arguments).
    pub fn ack(&mut self, nsp: &str, id: u64, args: impl Into<Args>, now: Instant) -> bool {
        self.advance(now);
        let Some(idx) = self.ns_index(nsp) else {
            return false;
        };
        let ns = &self.namespaces[idx];
        if !ns.acks.server_pending(id) || !ns.connected() || !self.session.is_open() {
            return false;
        }
        let name = ns.name.clone();
        if self
            .send_sio(&socketio::Packet::ack_with_args(name, id, &args.into()))
            .is_err()
        {
            return false;
        }
        self.namespaces[idx].acks.server_answered(id);
        true
    }

    /// Subscribes to a room. Joining an already joining or joined key does
    /// nothing (no duplicate join); a failed or left one is joined anew.
    ///
    /// # Errors
    /// [`EmitError::UnknownNamespace`] when the spec's namespace was never
    /// opened; [`EmitError::BufferFull`] past [`MAX_ROOMS`].
    pub fn join(&mut self, spec: RoomSpec, now: Instant) -> Result<(), EmitError> {
        self.advance(now);
        let idx = self
            .ns_index(&spec.namespace)
            .ok_or_else(|| EmitError::UnknownNamespace(spec.namespace.clone()))?;
        let key = spec.key.clone();
        let started = self.namespaces[idx]
            .rooms
            .want(spec)
            .map_err(|max| EmitError::BufferFull { max })?;
        if !started {
            return Ok(());
        }
        self.room_event(idx, (key.clone(), RoomState::Joining));
        if self.namespaces[idx].connected() {
            self.queue_join(idx, &key, false);
            self.pump();
        }
        Ok(())
    }

    /// Unsubscribes from room `key`. A join that has not gone out yet is
    /// simply withdrawn; otherwise the leave event is sent (or, offline,
    /// nothing is needed since the server forgets rooms with the session).
    pub fn leave(&mut self, nsp: &str, key: &str, now: Instant) {
        self.advance(now);
        let Some(idx) = self.ns_index(nsp) else {
            return;
        };
        let ns = &mut self.namespaces[idx];
        let Some(leave) = ns.rooms.forget(key) else {
            return;
        };
        if !ns.outbox.withdraw_join(key) && ns.connected() {
            if let Some(item) = leave {
                ns.outbox.push_back(item);
            }
        }
        self.room_event(idx, (key.to_owned(), RoomState::Unsubscribed));
        self.pump();
    }

    /// Replaces the credentials. They are used for every CONNECT from now
    /// on, in place of those a namespace was answered
    /// ([`answer_auth`](Self::answer_auth)) until it is asked again; with
    /// [`AuthApply::Reconnect`] the client reconnects at once. If
    /// the client is waiting after an auth failure
    /// ([`Event::AuthRefreshNeeded`]), it retries now.
    pub fn set_auth(&mut self, auth: Auth, apply: AuthApply, now: Instant) {
        self.advance(now);
        self.auth.auth = auth;
        // Client-wide credentials (a refresh hook's) replace what each
        // namespace was answered: those may be the very ones refused.
        for ns in &mut self.namespaces {
            ns.auth = None;
        }
        if apply == AuthApply::Reconnect && self.running() {
            let failures = self.auth.failures;
            self.disconnect(now);
            self.connect(now);
            self.auth.failures = failures;
            return;
        }
        self.auth.fresh = true;
        if self.auth.waiting {
            self.resume_after_auth();
        }
        // The answer to `AuthRequested`: the CONNECTs that waited for it.
        for idx in 0..self.namespaces.len() {
            let ns = &self.namespaces[idx];
            let asking = matches!(
                ns.state,
                NsState::Connecting {
                    asking_auth: true,
                    ..
                }
            );
            if asking && ns.wanted && self.session.is_open() {
                self.send_connect(idx);
            }
        }
        self.auth.fresh = false;
        self.pump();
    }

    // ----- internals: bookkeeping -----

    fn advance(&mut self, now: Instant) {
        // Time never goes backwards inside the core even if a driver's clock
        // does; deadlines stay consistent.
        self.now = self.now.max(now);
    }

    fn ns(&self, nsp: &str) -> Option<&Namespace> {
        // Drivers ask after every turn (socket ids for their status):
        // compare without building the normalized name.
        self.namespaces.iter().find(|n| same_nsp(&n.name, nsp))
    }

    fn ns_index(&self, nsp: &str) -> Option<usize> {
        // Runs for every received packet: compare without building the
        // normalized name.
        self.namespaces.iter().position(|n| same_nsp(&n.name, nsp))
    }

    fn ns_index_or_create(&mut self, nsp: &str) -> Option<usize> {
        if let Some(i) = self.ns_index(nsp) {
            return Some(i);
        }
        if self.namespaces.len() >= MAX_NAMESPACES {
            return None;
        }
        self.namespaces
            .push(Namespace::new(normalize_nsp(nsp), false));
        Some(self.namespaces.len() - 1)
    }

    /// Whether a session is open or opening, or a reconnection is
    /// scheduled.
    fn running(&self) -> bool {
        self.reconnect.waiting() || self.session.state() != SessionState::Idle
    }

    fn push_event(&mut self, e: Event) {
        self.events.push(e);
    }

    fn room_event(&mut self, idx: usize, (key, state): Change) {
        let nsp = self.namespaces[idx].name.clone();
        self.push_event(Event::RoomState { nsp, key, state });
    }

    // ----- internals: sending -----

    /// Queues the packet's frames on the active transport.
    ///
    /// # Errors
    /// [`DropReason::TooLarge`] when a frame is over the server's
    /// `maxPayload`; nothing is queued then.
    fn send_sio(&mut self, packet: &socketio::Packet<'_>) -> Result<(), DropReason> {
        let Some((_, kind)) = self.session.transport() else {
            return Ok(());
        };
        let mut text = String::with_capacity(64);
        text.push('4');
        packet.encode_into(&mut text);
        if let Some(max) = self.session.handshake().map(|h| h.max_payload) {
            // Over polling an attachment travels as `b` + base64, a third
            // longer than its bytes.
            let attachment_len = |b: &Bytes| match kind {
                TransportKind::Polling => events::binary_record_len(b.len()),
                TransportKind::Websocket => b.len(),
            };
            let size = packet
                .attachments
                .iter()
                .map(attachment_len)
                .fold(text.len(), usize::max);
            if u64::try_from(size).map_or(true, |s| s > max) {
                return Err(DropReason::TooLarge { size, max });
            }
        }
        self.session.send(Frame::Text(text));
        for a in &packet.attachments {
            self.session.send(Frame::Binary(a.clone()));
        }
        Ok(())
    }

    /// Pumps emits held back by a full frame queue once it has room again.
    fn space_freed(&mut self, before: usize) {
        let max = self.config.max_queued_transmits;
        if before >= max && self.session.queued_frames() < max {
            self.pump();
        }
    }

    fn emit_inner(
        &mut self,
        nsp: &str,
        event: &str,
        args: Args,
        kind: OutKind,
        volatile: bool,
    ) -> Result<EmitOutcome, EmitError> {
        if RESERVED_EVENTS.contains(&event) {
            return Err(EmitError::Reserved(event.to_owned()));
        }
        self.expire_dead_link();
        let idx = self
            .ns_index(nsp)
            .ok_or_else(|| EmitError::UnknownNamespace(nsp.to_owned()))?;
        let writable = self.session.is_open()
            && self.namespaces[idx].connected()
            && self.session.queued_frames() < self.config.max_queued_transmits;
        if volatile && !writable {
            return Ok(EmitOutcome::Dropped);
        }
        let max = self.config.max_buffered_emits.max(1);
        if self.namespaces[idx].outbox.len() >= max {
            match self.config.buffer_overflow {
                OverflowPolicy::Error => return Err(EmitError::BufferFull { max }),
                OverflowPolicy::DropOldest => {
                    if let Some(item) = self.namespaces[idx].outbox.drop_oldest() {
                        self.report_dropped(idx, item, DropReason::BufferOverflow);
                    }
                }
            }
        }
        self.namespaces[idx].outbox.push_back(Outgoing {
            event: event.to_owned(),
            args,
            kind,
            volatile,
        });
        self.pump();
        Ok(EmitOutcome::Queued)
    }

    /// Tells the application an emit will never be sent, failing its ack
    /// request if it had one.
    fn report_dropped(&mut self, idx: usize, item: Outgoing, reason: DropReason) {
        let nsp = self.namespaces[idx].name.clone();
        if let OutKind::Ack { request, .. } = item.kind {
            self.push_event(Event::AckFailed {
                nsp: nsp.clone(),
                request,
                reason: AckFailure::Dropped,
            });
        }
        self.push_event(Event::EmitDropped {
            nsp,
            event: item.event,
            reason,
        });
    }

    /// Sends what may be sent: per namespace in buffer order, each event
    /// within its rate budget, an event over budget holding back only its
    /// own later emits. A join or leave over budget also holds back later
    /// joins and leaves of the same room, even under another event name, so
    /// the server never sees a re-join before the leave it follows.
    fn pump(&mut self) {
        self.limiter.wake = None;
        if !self.session.is_open() {
            return;
        }
        let now = self.now;
        for idx in 0..self.namespaces.len() {
            if !self.namespaces[idx].connected() {
                continue;
            }
            let mut blocked: Vec<String> = Vec::new();
            let mut blocked_rooms: Vec<String> = Vec::new();
            let mut i = 0;
            while let Some(item) = self.namespaces[idx].outbox.get(i) {
                if self.session.queued_frames() >= self.config.max_queued_transmits {
                    return;
                }
                let is_retry = matches!(item.kind, OutKind::Ack { retry: true, .. });
                if blocked.contains(&item.event)
                    || item
                        .kind
                        .room()
                        .is_some_and(|k| blocked_rooms.iter().any(|b| b == k))
                    || (is_retry && self.namespaces[idx].acks.retry_in_flight)
                {
                    i += 1;
                    continue;
                }
                let ready = self.limiter.ready_at(
                    &self.config.rate_limit,
                    &self.namespaces[idx].name,
                    &item.event,
                    now,
                );
                if ready > now {
                    if item.volatile {
                        if let Some(item) = self.namespaces[idx].outbox.remove(i) {
                            let nsp = self.namespaces[idx].name.clone();
                            self.push_event(Event::EmitDropped {
                                nsp,
                                event: item.event,
                                reason: DropReason::Volatile,
                            });
                        }
                        continue;
                    }
                    blocked.push(item.event.clone());
                    if let Some(k) = item.kind.room() {
                        blocked_rooms.push(k.to_owned());
                    }
                    self.limiter.wake = Some(self.limiter.wake.map_or(ready, |w| w.min(ready)));
                    i += 1;
                    continue;
                }
                let Some(item) = self.namespaces[idx].outbox.remove(i) else {
                    break;
                };
                self.limiter.consume(
                    &self.config.rate_limit,
                    &self.namespaces[idx].name,
                    &item.event,
                    now,
                );
                self.send_outgoing(idx, item);
            }
        }
    }

    fn send_outgoing(&mut self, idx: usize, mut item: Outgoing) {
        let now = self.now;
        let ack_mode_heartbeat = matches!(item.kind, OutKind::Heartbeat)
            && matches!(
                self.config.heartbeat.as_ref().map(|h| &h.mode),
                Some(HeartbeatMode::Ack { .. })
            );
        let ns = &mut self.namespaces[idx];
        let join_ack = matches!(&item.kind, OutKind::Join(key) if ns.rooms.wants_ack(key));
        let id = (matches!(item.kind, OutKind::Ack { .. }) || ack_mode_heartbeat || join_ack)
            .then(|| ns.acks.next_id());
        let packet =
            socketio::Packet::event_with_args(ns.name.clone(), id, &item.event, &item.args);
        if let Err(reason) = self.send_sio(&packet) {
            self.report_dropped(idx, item, reason);
            return;
        }
        let ns = &mut self.namespaces[idx];
        match &mut item.kind {
            OutKind::Ack {
                request,
                timeout,
                deadline,
                retry,
                ..
            } => {
                let request = *request;
                let (deadline, resend) = if *retry {
                    ns.acks.retry_in_flight = true;
                    let d = timeout.map(|t| now.plus_millis(t));
                    *deadline = None;
                    (d, Some(item))
                } else {
                    (*deadline, None)
                };
                if let Some(id) = id {
                    ns.acks.insert(
                        id,
                        PendingAck {
                            kind: PendingKind::Request { request, resend },
                            deadline,
                        },
                    );
                }
            }
            OutKind::Heartbeat => match id {
                Some(id) => {
                    let interval = self
                        .config
                        .heartbeat
                        .as_ref()
                        .map_or(30_000, |h| h.interval);
                    ns.acks.insert(
                        id,
                        PendingAck {
                            kind: PendingKind::Heartbeat { sent: now },
                            deadline: Some(now.plus_millis(interval.max(1))),
                        },
                    );
                }
                None => self.heartbeat.sent(now),
            },
            OutKind::Join(key) => {
                let key = key.clone();
                let wait = self.config.room_join_timeout;
                match ns.rooms.join_sent(&key, now, wait) {
                    Ok(Some(change)) => self.room_event(idx, change),
                    Ok(None) => {}
                    Err(sent) => {
                        if let Some(id) = id {
                            // The room keeps the deadline; the ack none.
                            ns.acks.insert(
                                id,
                                PendingAck {
                                    kind: PendingKind::Join { key, sent },
                                    deadline: None,
                                },
                            );
                        }
                    }
                }
            }
            OutKind::Plain | OutKind::Leave(_) => {}
        }
    }

    fn queue_join(&mut self, idx: usize, key: &str, front: bool) {
        let ns = &mut self.namespaces[idx];
        if let Some(item) = ns.rooms.join_item(key) {
            if front {
                ns.outbox.push_front(item);
            } else {
                ns.outbox.push_back(item);
            }
        }
    }

    // ----- internals: session -----

    fn open_transport(&mut self) {
        let attempt = self.reconnect.attempts();
        if self.reconnect.waiting() && attempt > 0 {
            // socket.io-client's `reconnect_attempt`: when it starts.
            self.push_event(Event::Reconnecting { attempt });
        }
        self.session.open(self.now);
        self.reconnect.attempting();
        self.decoder.reset();
        self.timers.stop(Timer::Reconnect);
    }

    /// Ends the session; `graceful` when the application asked (long-polling
    /// then sends what is queued before it closes).
    fn close_transports(&mut self, graceful: bool) {
        self.session.close(graceful, self.now);
        self.decoder.reset();
        self.heartbeat.forget_sent();
        self.timers.stop(Timer::Heartbeat);
    }

    /// Idle with no reconnection pending.
    fn stop_session(&mut self) {
        self.session_wanted = false;
        self.reconnect.stop();
        self.auth.waiting = false;
        self.timers.stop(Timer::Reconnect);
        self.timers.stop(Timer::AuthWait);
    }

    fn close_if_unwanted(&mut self) {
        if !self.namespaces.iter().any(|n| n.wanted) && self.running() {
            self.close_transports(true);
            self.stop_session();
        }
    }

    fn on_upgraded(&mut self) {
        self.push_event(Event::Upgraded {
            transport: TransportKind::Websocket,
        });
        self.pump();
    }

    /// The session is gone for a reason other than the application's wish.
    fn lose_link(&mut self, lost: Lost) {
        self.end_link(lost, false);
    }

    /// [`lose_link`](Self::lose_link), closing the transports `graceful`ly
    /// or not.
    fn end_link(&mut self, lost: Lost, graceful: bool) {
        let was_opening = self.session.state() == SessionState::Opening;
        // A namespace whose CONNECT is unanswered when an open session is
        // lost failed that attempt as surely as one whose session never
        // opened: it hears why the same way, not from a connect timeout.
        let connecting: Vec<bool> = self
            .namespaces
            .iter()
            .map(|ns| matches!(ns.state, NsState::Connecting { .. }))
            .collect();
        self.close_transports(graceful);
        for idx in 0..self.namespaces.len() {
            self.ns_lost(idx, lost.reason);
        }
        // Like socket.io-client: every failed attempt is a `connect_error`
        // on each wanted namespace (applications log their connection
        // errors there), and a retry is also a `reconnect_error`.
        let cause = match lost.error.kind {
            TransportErrorKind::Timeout => ConnectFailure::Timeout,
            kind => ConnectFailure::Transport(kind),
        };
        for (idx, was_connecting) in connecting.into_iter().enumerate() {
            if self.namespaces[idx].wanted && (was_opening || was_connecting) {
                let nsp = self.namespaces[idx].name.clone();
                self.push_event(Event::ConnectError {
                    nsp,
                    message: lost.error.message.clone(),
                    data: None,
                    cause,
                });
            }
        }
        let attempt = self.reconnect.attempts();
        let failed_retry = was_opening && attempt > 0;
        self.schedule_reconnect();
        if failed_retry {
            // After what comes next (the next attempt scheduled, or
            // `ReconnectFailed`), as socket.io-client orders them.
            self.push_event(Event::ReconnectError {
                attempt,
                message: lost.error.message,
            });
        }
    }

    fn schedule_reconnect(&mut self) {
        let wanted = self.session_wanted || self.namespaces.iter().any(|n| n.wanted);
        if !self.config.reconnection || !wanted {
            self.stop_session();
            return;
        }
        match self
            .reconnect
            .next(self.now, self.config.reconnection_attempts)
        {
            Next::GiveUp { attempts } => {
                self.stop_session();
                self.push_event(Event::ReconnectFailed { attempts });
            }
            Next::Retry { attempt, delay } => {
                self.timers
                    .set(Timer::Reconnect, self.now.plus_millis(delay));
                self.push_event(Event::ReconnectAttempt { attempt, delay });
            }
        }
    }

    fn protocol_error(&mut self, e: Error) {
        let message = e.to_string();
        self.push_event(Event::ProtocolError(e));
        self.lose_link(Lost {
            reason: DisconnectReason::ParseError,
            error: TransportError::new(TransportErrorKind::Protocol, &message),
        });
    }

    fn on_timer(&mut self, timer: Timer) {
        match timer {
            Timer::Reconnect => {
                if !self.reconnect.waiting() {
                    return;
                }
                if let Some(at) = self.timers.get(Timer::AuthWait) {
                    if at > self.now {
                        // Give the driver its chance to refresh the token
                        // first.
                        self.timers.set(Timer::Reconnect, at);
                        return;
                    }
                }
                self.open_transport();
            }
            Timer::Heartbeat => self.heartbeat_due(),
            Timer::AuthWait => self.resume_after_auth(),
        }
    }

    fn on_engine_packet(&mut self, packet: engineio::Packet<'_>) {
        match self.session.on_packet(packet, self.now) {
            Up::Nothing => {}
            Up::Opened => self.on_session_open(),
            Up::Lost(lost) => self.lose_link(lost),
            Up::Invalid(e) => self.protocol_error(e),
            Up::Message(text) => {
                // With `raw_messages` an event's text goes to the driver
                // as it is, so a tree would mostly be built for nothing.
                let decoded = if self.config.driver.raw_messages {
                    self.decoder.decode_text(&text).map(|d| (d, None))
                } else {
                    self.decoder.decode_text_parsed(&text)
                };
                match decoded {
                    Ok((Decoded::Packet(p), tree)) => self.on_sio(p, tree),
                    Ok((Decoded::NeedsAttachments(_), _)) => {}
                    Err(e) => self.protocol_error(e),
                }
            }
            Up::Binary(data) => match self.decoder.decode_binary(data) {
                Ok(Decoded::Packet(p)) => self.on_sio(p, None),
                Ok(Decoded::NeedsAttachments(_)) => {}
                Err(e) => self.protocol_error(e),
            },
        }
    }

    /// The handshake arrived: every wanted namespace connects.
    fn on_session_open(&mut self) {
        self.limiter.reset();
        let sid = self
            .session
            .handshake()
            .map(|h| h.sid.clone())
            .unwrap_or_default();
        // `Open` first, then `Reconnect`, as socket.io-client tells them.
        let reconnected = self.reconnect.opened(self.now);
        self.push_event(Event::Open { sid });
        if let Some(attempt) = reconnected {
            self.push_event(Event::Reconnect { attempt });
        }
        for idx in 0..self.namespaces.len() {
            let ns = &self.namespaces[idx];
            if ns.wanted && !ns.retry.auth_wait {
                self.send_connect(idx);
            }
        }
    }

    // ----- internals: namespaces -----

    /// Namespace `idx` is no longer connected; `reason` is reported if it
    /// was.
    fn ns_lost(&mut self, idx: usize, reason: DisconnectReason) {
        if self.is_heartbeat_ns(idx) {
            self.heartbeat.forget_sent();
            self.timers.stop(Timer::Heartbeat);
        }
        let ended = self.namespaces[idx].end();
        let nsp = self.namespaces[idx].name.clone();
        if ended.was_connected {
            self.push_event(Event::Disconnect {
                nsp: nsp.clone(),
                reason,
            });
        }
        for key in ended.demoted {
            self.room_event(idx, (key, RoomState::Joining));
        }
        for request in ended.failed {
            self.push_event(Event::AckFailed {
                nsp: nsp.clone(),
                request,
                reason: AckFailure::Disconnected,
            });
        }
    }

    fn namespace_timeouts(&mut self, idx: usize) {
        let now = self.now;
        let ns = &mut self.namespaces[idx];
        if let NsState::Connecting { deadline, .. } = ns.state {
            if deadline <= now {
                ns.state = NsState::Disconnected;
                let nsp = ns.name.clone();
                self.push_event(Event::ConnectError {
                    nsp,
                    message: "timeout".into(),
                    data: None,
                    cause: ConnectFailure::Timeout,
                });
                self.schedule_ns_retry(idx);
            }
        }
        let ns = &mut self.namespaces[idx];
        if ns.retry.at.is_some_and(|at| at <= now) {
            ns.retry.at = None;
            if self.session.is_open()
                && ns.wanted
                && !ns.retry.auth_wait
                && ns.state == NsState::Disconnected
            {
                self.send_connect(idx);
            }
        }
        let ns = &mut self.namespaces[idx];
        let mut failed = ns.acks.expire(now, self.config.retries, &mut ns.outbox);
        failed.extend(ns.outbox.expire_acks(now));
        let nsp = ns.name.clone();
        for request in failed {
            self.push_event(Event::AckFailed {
                nsp: nsp.clone(),
                request,
                reason: AckFailure::Timeout,
            });
        }
        let wait = self.config.room_join_timeout;
        for change in self.namespaces[idx].rooms.expire(now, wait) {
            self.room_event(idx, change);
        }
    }

    fn schedule_ns_retry(&mut self, idx: usize) {
        if !self.config.reconnection {
            self.namespaces[idx].wanted = false;
            self.close_if_unwanted();
            return;
        }
        let ns = &mut self.namespaces[idx];
        ns.retry.attempts = ns.retry.attempts.saturating_add(1);
        if self
            .config
            .reconnection_attempts
            .is_some_and(|max| ns.retry.attempts > max)
        {
            ns.wanted = false;
            let attempts = ns.retry.attempts - 1;
            self.push_event(Event::ReconnectFailed { attempts });
            self.close_if_unwanted();
            return;
        }
        let delay = self.reconnect.delay(ns.retry.attempts);
        ns.retry.at = Some(self.now.plus_millis(delay));
    }

    fn send_connect(&mut self, idx: usize) {
        let deadline = self.now.plus_millis(self.config.timeout);
        let ns = &mut self.namespaces[idx];
        if self.config.ask_auth && !self.auth.fresh {
            // Marked connecting, so the connect timeout covers an answer
            // that never comes.
            ns.state = NsState::Connecting {
                deadline,
                sent_pid: None,
                asking_auth: true,
            };
            let nsp = ns.name.clone();
            self.push_event(Event::AuthRequested { nsp });
            return;
        }
        let (pid, offset) = if self.config.recovery {
            (ns.recovery.pid.clone(), ns.recovery.offset.clone())
        } else {
            (None, None)
        };
        let auth = ns
            .auth
            .as_deref()
            .unwrap_or(&self.auth.auth)
            .build(pid.as_deref(), offset.as_deref());
        let name = ns.name.clone();
        if let Err(DropReason::TooLarge { size, max }) = self.send_sio(&socketio::Packet::connect(
            name.clone(),
            auth.map(Cow::Owned),
        )) {
            // Still marked connecting below, so the connect timeout retries
            // with backoff (credentials may shrink) instead of spinning.
            self.push_event(Event::ConnectError {
                nsp: name,
                message: format!("auth of {size} bytes is over the server's maxPayload of {max}"),
                data: None,
                cause: ConnectFailure::TooLarge,
            });
        }
        self.namespaces[idx].state = NsState::Connecting {
            deadline,
            sent_pid: pid,
            asking_auth: false,
        };
    }

    // ----- internals: auth -----

    fn auth_failure(&mut self, idx: usize, source: AuthFailureSource, message: String) {
        let nsp = self.namespaces[idx].name.clone();
        let after = self.auth.failed(self.config.max_auth_failures);
        self.push_event(Event::AuthFailed {
            nsp,
            source,
            message,
        });
        match after {
            AfterFailure::GiveUp { failures } => {
                self.push_event(Event::AuthGaveUp { failures });
                self.disconnect(self.now);
                self.auth.failures = failures;
            }
            AfterFailure::Refresh { failures } => {
                self.namespaces[idx].retry.auth_wait = true;
                self.timers.set(
                    Timer::AuthWait,
                    self.now.plus_millis(self.config.auth_refresh_timeout),
                );
                self.push_event(Event::AuthRefreshNeeded { failures });
            }
        }
    }

    /// New credentials came, or the wait for them ran out: the namespaces
    /// refused for their credentials connect again.
    fn resume_after_auth(&mut self) {
        self.auth.waiting = false;
        self.timers.stop(Timer::AuthWait);
        for idx in 0..self.namespaces.len() {
            let ns = &mut self.namespaces[idx];
            if !ns.retry.auth_wait {
                continue;
            }
            ns.retry.auth_wait = false;
            if ns.connected() {
                // The server's disconnect is still on its way.
                ns.retry.refreshed = true;
            } else if self.session.is_open() && ns.wanted && ns.state == NsState::Disconnected {
                self.send_connect(idx);
            }
        }
        if self.reconnect.waiting() {
            // The reconnection waited for the refresh: it goes now.
            self.timers.stop(Timer::Reconnect);
            self.open_transport();
        }
    }

    // ----- internals: heartbeat -----

    fn is_heartbeat_ns(&self, idx: usize) -> bool {
        self.config
            .heartbeat
            .as_ref()
            .is_some_and(|h| same_nsp(&self.namespaces[idx].name, &h.namespace))
    }

    fn heartbeat_due(&mut self) {
        let Some(hb) = self.config.heartbeat.as_ref() else {
            return;
        };
        let Some(idx) = self.ns_index(&hb.namespace) else {
            return;
        };
        if !self.session.is_open() || !self.namespaces[idx].connected() {
            return;
        }
        self.timers
            .set(Timer::Heartbeat, self.now.plus_millis(hb.interval.max(1)));
        if let Some(item) = Heartbeat::request(hb, &self.namespaces[idx].outbox, self.now) {
            self.namespaces[idx].outbox.push_back(item);
        }
    }

    // ----- internals: Socket.IO packets -----

    /// `tree`: the packet's data, when the decoder already built it.
    fn on_sio(&mut self, packet: socketio::Packet<'_>, tree: Option<Value>) {
        let Some(idx) = self.ns_index(&packet.nsp) else {
            // Malformed text still closes the connection, as when the
            // decoder checked it.
            if self.left_unchecked(&packet) {
                self.check_unlent(&packet);
            }
            return;
        };
        match packet.packet_type {
            PacketType::Connect => self.on_connect(idx, packet.data.as_deref()),
            PacketType::ConnectError => self.on_connect_error(idx, packet.data.as_deref()),
            PacketType::Disconnect => self.on_server_disconnect(idx),
            PacketType::Event | PacketType::BinaryEvent => self.on_event(idx, &packet, tree),
            PacketType::Ack | PacketType::BinaryAck => self.on_ack(idx, &packet, tree),
        }
    }

    fn on_connect(&mut self, idx: usize, data: Option<&str>) {
        let NsState::Connecting { sent_pid, .. } = &self.namespaces[idx].state else {
            return;
        };
        let sent_pid = sent_pid.clone();
        let parsed = data.and_then(|d| Value::parse_json_tree(d, &self.limits).ok());
        let field = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let Some(sid) = field("sid") else {
            // Socket.IO v2 servers answer CONNECT without a payload. No
            // retry can make that server speak protocol v5, so it is a
            // refusal, with words that say what is wrong, not a parse
            // error reconnecting forever (socket.io-client tells it apart
            // the same way).
            self.refused(idx, INCOMPATIBLE_SERVER.to_owned(), None, false);
            return;
        };
        let pid = field("pid");
        let recovered = sent_pid.is_some() && pid == sent_pid;
        let recovery = self.config.recovery;
        let ns = &mut self.namespaces[idx];
        ns.state = NsState::Connected { sid: sid.clone() };
        ns.retry = namespace::Retry::default();
        if !recovered {
            ns.recovery.offset = None;
        }
        ns.recovery.pid = if recovery { pid } else { None };
        let nsp = ns.name.clone();
        self.auth.failures = 0;
        self.push_event(Event::Connect {
            nsp,
            sid,
            recovered,
        });
        // A recovered session kept its rooms on the server; everything else
        // is re-joined before anything buffered, so emits that depend on a
        // room reach it.
        let (rejoin, kept) = self.namespaces[idx].rooms.reconnected(recovered);
        for key in rejoin {
            self.queue_join(idx, &key, true);
        }
        for key in kept {
            self.room_event(idx, (key, RoomState::Joined));
        }
        if self.is_heartbeat_ns(idx) {
            // The first sample comes at once, so latency is known early.
            self.heartbeat_due();
        }
    }

    fn on_connect_error(&mut self, idx: usize, data: Option<&str>) {
        if !matches!(self.namespaces[idx].state, NsState::Connecting { .. }) {
            return;
        }
        let (message, data) = data.map(refusal).unwrap_or_default();
        self.refused(idx, message, data, true);
    }

    /// Namespace `idx` was refused: `message` and `data` go to the
    /// application, then it is retried or given up as configured.
    /// `from_server` says the message is the server's own, which
    /// `auth_error_patterns` may mark as an auth failure.
    fn refused(&mut self, idx: usize, message: String, data: Option<String>, from_server: bool) {
        self.namespaces[idx].state = NsState::Disconnected;
        let nsp = self.namespaces[idx].name.clone();
        self.push_event(Event::ConnectError {
            nsp,
            message: message.clone(),
            data,
            cause: ConnectFailure::Server,
        });
        if from_server
            && self
                .config
                .auth_error_patterns
                .iter()
                .any(|p| !p.is_empty() && contains_ignore_ascii_case(&message, p))
        {
            self.auth_failure(idx, AuthFailureSource::ConnectError, message);
        } else if self.config.reconnect_after_refusal {
            self.schedule_ns_retry(idx);
        } else {
            // Final, as in socket.io-client: the namespace is no longer wanted.
            self.namespaces[idx].wanted = false;
            self.close_if_unwanted();
        }
    }

    fn on_server_disconnect(&mut self, idx: usize) {
        self.ns_lost(idx, DisconnectReason::IoServerDisconnect);
        let ns = &mut self.namespaces[idx];
        if core::mem::take(&mut ns.retry.refreshed) {
            // Refused, and the new credentials are here already.
            if self.session.is_open() && ns.wanted {
                self.send_connect(idx);
            }
        } else if ns.retry.auth_wait {
            // Waiting for fresh credentials: the refresh reconnects it.
        } else if self.config.reconnect_after_server_disconnect {
            self.schedule_ns_retry(idx);
        } else {
            ns.wanted = false;
        }
        self.close_if_unwanted();
    }

    fn on_ack(&mut self, idx: usize, packet: &socketio::Packet<'_>, tree: Option<Value>) {
        let Some(id) = packet.id else {
            return;
        };
        let Some(p) = self.namespaces[idx].acks.answered(id) else {
            // Late (already timed out) or never asked: nothing to do.
            return;
        };
        if let (PendingKind::Request { request, .. }, true) =
            (&p.kind, self.config.driver.raw_messages)
        {
            // The application's answer: its text goes to the driver's
            // parser as it came, as a server event's does.
            let nsp = self.namespaces[idx].name.clone();
            self.push_event(Event::RawAck {
                nsp,
                request: *request,
                data: packet.data.as_deref().unwrap_or("[]").to_owned(),
                attachments: packet.attachments.clone(),
            });
            return;
        }
        let args = match tree.map_or_else(|| packet.value(&self.limits), Ok) {
            Ok(Value::Array(items)) => items,
            Ok(_) => Vec::new(),
            Err(e) => {
                self.protocol_error(e);
                return;
            }
        };
        match p.kind {
            PendingKind::Heartbeat { sent } => {
                let sample = self.heartbeat.record(sent, self.now, None, None);
                self.push_event(Event::Latency(sample));
            }
            PendingKind::Request { request, .. } => {
                let nsp = self.namespaces[idx].name.clone();
                self.push_event(Event::Ack { nsp, request, args });
            }
            PendingKind::Join { key, sent } => {
                match self.namespaces[idx].rooms.acked(&key, sent, &args) {
                    Some(JoinAnswer::Changed(change)) => self.room_event(idx, change),
                    Some(JoinAnswer::RateLimited {
                        event,
                        retry_after_ms,
                    }) => {
                        let nsp = self.namespaces[idx].name.clone();
                        self.limiter.pause(
                            &self.config.rate_limit,
                            &nsp,
                            &event,
                            retry_after_ms,
                            self.now,
                        );
                        self.queue_join(idx, &key, true);
                        self.pump();
                    }
                    None => {}
                }
            }
        }
    }

    fn on_event(&mut self, idx: usize, packet: &socketio::Packet<'_>, tree: Option<Value>) {
        // With `raw_messages` the decoder only validated the text: the name
        // is read from its start, and the arguments are parsed only when
        // the client reads them itself.
        let raw = self.config.driver.raw_messages;
        // Lent unchecked if it is lent; checked here on every other way.
        let unchecked = self.left_unchecked(packet);
        let (name, args, for_client) = if raw && tree.is_none() {
            let Some(name) = packet.event_name() else {
                // The validator's error first, as when it ran up front.
                let e = match packet.data.as_deref() {
                    Some(d) if unchecked => socketio::validate_event_data(d, self.decoder.limits())
                        .err()
                        .unwrap_or_else(missing_event_name),
                    _ => missing_event_name(),
                };
                self.protocol_error(e);
                return;
            };
            let for_client = self.reads_args(idx, &name);
            if for_client || self.config.recovery && self.namespaces[idx].recovery.pid.is_some() {
                if unchecked && !self.check_unlent(packet) {
                    return;
                }
                match self.event_tree(packet, None) {
                    Some((name, args)) => (Cow::Owned(name), Some(args), for_client),
                    None => return,
                }
            } else {
                (name, None, false)
            }
        } else {
            match self.event_tree(packet, tree) {
                Some((name, args)) => {
                    let for_client = self.reads_args(idx, &name);
                    (Cow::Owned(name), Some(args), for_client)
                }
                None => return,
            }
        };
        let ns = &self.namespaces[idx];
        // socket.io writes some events ahead of its CONNECT answer: a
        // restored session's missed events, and emits of the server's
        // middleware. socket.io-client delivers them just before `connect`,
        // and so do we. Once the namespace is disconnected, an event means
        // nothing.
        if !ns.connected() && !matches!(ns.state, NsState::Connecting { .. }) {
            // Malformed text still closes the connection, as when the
            // decoder checked it.
            if unchecked && args.is_none() {
                self.check_unlent(packet);
            }
            return;
        }
        // A raw event the client does not read may be lent, uncopied; one
        // that is not lent after all is checked now if it was not before.
        let borrowed = match &name {
            Cow::Borrowed(n) => Some(*n),
            Cow::Owned(_) => None,
        };
        let lent = args.is_none() && raw && self.events.lend(idx, packet, borrowed);
        if !lent && unchecked && args.is_none() && !self.check_unlent(packet) {
            return;
        }
        let ns = &mut self.namespaces[idx];
        if self.config.recovery && ns.recovery.pid.is_some() {
            if let Some(Value::String(offset)) = args.as_ref().and_then(|a| a.last()) {
                ns.recovery.offset = Some(offset.clone());
            }
        }
        if let Some(id) = packet.id {
            ns.acks.server_asked(id);
        }
        if lent {
            return;
        }
        let args = match args {
            Some(args) if for_client => args,
            // Most events mean nothing to the client itself: they move to
            // the application without a copy of their arguments.
            args => {
                let nsp = self.namespaces[idx].name.clone();
                let name = name.into_owned();
                self.push_event(message_event(raw, nsp, name, args, packet));
                return;
            }
        };
        let name = name.into_owned();
        let nsp = self.namespaces[idx].name.clone();
        self.push_event(message_event(
            raw,
            nsp.clone(),
            name.clone(),
            (!raw).then(|| args.clone()),
            packet,
        ));
        if Heartbeat::is_response(self.config.heartbeat.as_ref(), &name)
            && self.is_heartbeat_ns(idx)
        {
            if let Some(sample) = self.heartbeat.answered(&args, self.now) {
                self.push_event(Event::Latency(sample));
            }
        }
        for change in self.namespaces[idx].rooms.answers(&name, &args) {
            self.room_event(idx, change);
        }
        match name.as_str() {
            "rate_limited" => {
                let field = |k: &str| rooms::field(args.first(), k);
                if let Some(Value::String(event)) = field("event") {
                    let ms = rooms::seconds_to_ms(field("retry_after"));
                    let event = event.clone();
                    let applied =
                        self.limiter
                            .pause(&self.config.rate_limit, &nsp, &event, ms, self.now);
                    for key in self.namespaces[idx].rooms.rate_limited(&event) {
                        self.queue_join(idx, &key, true);
                    }
                    self.push_event(Event::RateLimited {
                        nsp,
                        event,
                        retry_after: applied,
                    });
                    self.pump();
                }
            }
            "auth_error" => {
                let message = message_of(&args);
                self.auth_failure(idx, AuthFailureSource::AuthErrorEvent, message);
            }
            "error" => {
                let message = message_of(&args);
                if contains_ignore_ascii_case(&message, "token expired") {
                    self.auth_failure(idx, AuthFailureSource::TokenExpired, message);
                }
            }
            _ => {}
        }
    }

    /// Whether the client reads the arguments of event `name` on namespace
    /// `idx` itself (besides the recovery offset): every use of `args` in
    /// `on_event` must be covered here.
    fn reads_args(&self, idx: usize, name: &str) -> bool {
        matches!(name, "rate_limited" | "auth_error" | "error")
            || Heartbeat::is_response(self.config.heartbeat.as_ref(), name)
            || self.namespaces[idx].rooms.awaits(name)
    }

    /// Whether the decoder left `packet`'s text unchecked for lending
    /// ([`handle_text_event_unchecked`](Self::handle_text_event_unchecked)); the browser driver's
    /// `parses_events` checks everything it is handed itself.
    fn left_unchecked(&self, packet: &socketio::Packet<'_>) -> bool {
        self.decoder.defers_event_data()
            && !self.config.driver.parses_events
            && packet.packet_type == PacketType::Event
    }

    /// Checks the text of an event the decoder left unchecked for lending
    /// that is not lent; malformed text is the protocol error the decoder
    /// would have reported. `false` when it was.
    fn check_unlent(&mut self, packet: &socketio::Packet<'_>) -> bool {
        self.check_event_text(packet.data.as_deref().unwrap_or(""))
    }

    /// Checks event text the decoder did not, as it would have: malformed
    /// text is its protocol error, which closes the link, and `false`.
    fn check_event_text(&mut self, data: &str) -> bool {
        match socketio::validate_event_data(data, self.decoder.limits()) {
            Ok(()) => true,
            Err(e) => {
                self.protocol_error(e);
                false
            }
        }
    }

    /// An event's name and arguments from the decoder's tree, or parsed
    /// now; `None` after reporting a protocol error.
    fn event_tree(
        &mut self,
        packet: &socketio::Packet<'_>,
        tree: Option<Value>,
    ) -> Option<(String, Vec<Value>)> {
        // One parse gives the name and the arguments.
        match tree.map_or_else(|| packet.value(&self.limits), Ok) {
            Ok(Value::Array(mut items)) if matches!(items.first(), Some(Value::String(_))) => {
                let Value::String(name) = items.remove(0) else {
                    unreachable!("checked above")
                };
                Some((name, items))
            }
            Ok(_) => {
                self.protocol_error(missing_event_name());
                None
            }
            Err(e) => {
                self.protocol_error(e);
                None
            }
        }
    }
}

/// Whether `needle` occurs in `hay`, ASCII letters compared without case.
/// Not `to_lowercase`: full Unicode case mapping brings its tables (about
/// 15 KB) into the browser build, for patterns that are English words.
fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn missing_event_name() -> Error {
    ProtocolError::InvalidPayload {
        packet: "EVENT",
        reason: "missing event name",
    }
    .into()
}

/// The application's view of a server event: its JSON text with
/// `raw_messages` (`args` are then ignored), otherwise the arguments.
fn message_event(
    raw: bool,
    nsp: String,
    event: String,
    args: Option<Vec<Value>>,
    packet: &socketio::Packet<'_>,
) -> Event {
    if raw {
        Event::RawMessage {
            nsp,
            event,
            data: packet.data.as_deref().unwrap_or("[]").to_owned(),
            attachments: packet.attachments.clone(),
            ack: packet.id,
        }
    } else {
        Event::Message {
            nsp,
            event,
            args: args.unwrap_or_default(),
            ack: packet.id,
        }
    }
}

/// A CONNECT_ERROR's payload, `"message"` or `{message, data?}`: the
/// message, and `data` as the JSON text the server sent (nothing is
/// parsed into a tree, so the driver gets its numbers digit for digit).
/// A payload of another shape leaves both empty.
fn refusal(payload: &str) -> (String, Option<String>) {
    if let Some(message) = socketio::json_string(payload) {
        return (message.into_owned(), None);
    }
    let Some(fields) = crate::raw_fields(payload) else {
        return (String::new(), None);
    };
    (
        crate::raw_field(&fields, "message")
            .and_then(crate::raw_string)
            .unwrap_or_default(),
        crate::raw_field(&fields, "data").map(str::to_owned),
    )
}

/// Whether `nsp` names the normalized namespace `name`, as
/// `normalize_nsp(nsp) == name` would say.
fn same_nsp(name: &str, nsp: &str) -> bool {
    match nsp {
        "" => name == "/",
        _ if nsp.starts_with('/') => name == nsp,
        _ => name.strip_prefix('/') == Some(nsp),
    }
}

fn normalize_nsp(nsp: &str) -> String {
    if nsp.is_empty() {
        "/".into()
    } else if nsp.starts_with('/') {
        nsp.to_owned()
    } else {
        format!("/{nsp}")
    }
}

fn message_of(args: &[Value]) -> String {
    match args.first() {
        Some(Value::String(s)) => s.clone(),
        first => match rooms::field(first, "message") {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        },
    }
}
