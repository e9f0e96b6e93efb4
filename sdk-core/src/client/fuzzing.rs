//! Drives a [`Client`] through a script of arbitrary operations: server
//! frames, time jumps, transport events and application commands. Shared by
//! the property test (`cargo test`) and the cargo-fuzz target `client`, so
//! both explore the same operations and check the same bounds.
//!
//! Not part of the stable API: compiled for tests and with the `fuzzing`
//! feature only.

use crate::prelude::*;
use bytes::Bytes;

use super::*;

/// Frames a server could plausibly send, including hostile variants, so the
/// fuzzer reaches deep states without first having to guess a handshake.
pub const KNOWN_FRAMES: &[&str] = &[
    r#"0{"sid":"s","upgrades":["websocket"],"pingInterval":100,"pingTimeout":50}"#,
    r#"0{"sid":"s","upgrades":[],"pingInterval":0,"pingTimeout":0,"maxPayload":10}"#,
    "2",
    "3probe",
    "1",
    "6",
    "40{\"sid\":\"a\",\"pid\":\"p\"}",
    "40/admin,{\"sid\":\"b\"}",
    "41",
    "44{\"message\":\"Token expired\"}",
    "44/admin,{\"message\":\"nope\",\"data\":[1]}",
    "42[\"room_joined\",{\"room\":\"r1\"}]",
    "42[\"room_error\",{\"room\":\"r2\",\"message\":\"no\"}]",
    "42[\"heartbeat_response\",{\"latency\":3,\"status\":\"ok\"}]",
    "42[\"rate_limited\",{\"event\":\"chat\",\"retry_after\":1e308}]",
    "42[\"rate_limited\",{\"event\":\"chat\",\"retry_after\":-5}]",
    "42[\"error\",{\"message\":\"Token expired\"}]",
    "42[\"auth_error\",\"x\"]",
    "4299[\"ask\",1,\"off\"]",
    "42[\"tick\",{]",
    "42[\"tick\",1",
    "42/admin,[\"tick\"]]",
    "430[\"ok\"]",
    "431[]",
    "43/admin,0[1]",
    "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
    "461-0[{\"_placeholder\":true,\"num\":0}]",
];

/// One step of a script.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "fuzzing", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// A text frame on the active transport.
    Text(String),
    /// One of [`KNOWN_FRAMES`] (index taken modulo its length).
    Known(u8),
    /// A binary frame on the active transport.
    Binary(Vec<u8>),
    /// A long-polling response body.
    Payload(String),
    /// A POST of the active transport answered with this status.
    Posted(u16),
    /// Virtual time moves on by this many milliseconds.
    Advance(u64),
    /// The next transport reports it opened.
    Opened,
    /// The active transport closes.
    Closed,
    /// The active transport fails.
    Error,
    /// A frame arrives on a transport that is no longer active.
    Stale(String),
    /// `connect()`.
    Connect,
    /// `disconnect()`.
    Disconnect,
    /// `emit()` of this event name.
    Emit(String),
    /// `emit_with_ack()` with this timeout.
    EmitAck(u64),
    /// `emit_volatile()`.
    Volatile,
    /// `join()` of an Omni room.
    Join(String),
    /// `leave()` of an Omni room.
    Leave(String),
    /// `set_auth()`, applied with a reconnect when true.
    SetAuth(bool),
    /// `ack()` of a server request id.
    Ack(u64),
    /// `open_namespace("/x")`.
    OpenNsp,
}

/// A configuration with small bounds, varied by the bits of `variant`, so
/// scripts hit the limits quickly.
pub fn config(variant: u8) -> ClientConfig {
    let mut c = ClientConfig::new("http://h");
    c.max_buffered_emits = 8;
    c.max_pending_acks = 8;
    c.max_queued_events = 32;
    // A few events' worth, so scripts reach the byte bound too.
    c.max_queued_event_bytes = 512;
    c.max_queued_transmits = 16;
    c.buffer_overflow = if variant & 1 == 0 {
        OverflowPolicy::Error
    } else {
        OverflowPolicy::DropOldest
    };
    c.retries = u32::from(variant & 2);
    c.ack_timeout = (variant & 4 != 0).then_some(1_000);
    c.reconnection_attempts = (variant & 8 != 0).then_some(3);
    c.reconnect_after_server_disconnect = variant & 16 != 0;
    c.reconnect_after_refusal = variant & 16 == 0;
    c.heartbeat = (variant & 32 != 0).then(|| HeartbeatConfig {
        interval: 700,
        ..HeartbeatConfig::default()
    });
    // The browser driver's mode: events as text, and their JSON checked
    // by the driver (see `Script::step`).
    c.driver.raw_messages = variant & 64 != 0;
    c.driver.parses_events = variant & 128 != 0;
    // Asking for credentials before every CONNECT (an `auth` callback),
    // answered by the script as a driver would (see `take_event`). The
    // byte has no bit left, so it rides on a pair of others.
    c.ask_auth = variant & 3 == 3;
    c.namespaces = vec!["/".into(), "/admin".into()];
    c.timeout = 2_000;
    c
}

/// A client under a script, with its virtual clock.
#[derive(Debug)]
pub struct Script {
    /// The client being driven.
    pub client: Client,
    config: ClientConfig,
    now: Instant,
    drain: bool,
    lending: bool,
    /// What a draining script took from the client, in order, one list
    /// per queue: frames, actions, events (see
    /// [`set_logging`](Self::set_logging)).
    pub log: [Vec<String>; 3],
    logging: bool,
}

impl Script {
    /// A connecting client; `drain` says whether to empty the output queues
    /// after every step as a driver would (false leaves them to fill up).
    pub fn new(seed: u64, variant: u8, drain: bool) -> Self {
        let config = config(variant);
        let mut client = Client::new(config.clone(), seed);
        let now = Instant::from_millis(0);
        client.connect(now);
        Self {
            client,
            config,
            now,
            drain,
            lending: false,
            log: Default::default(),
            logging: false,
        }
    }

    /// Feeds text frames through [`Client::handle_text_event`], taking the
    /// events it lends as a driver would: after the queued ones.
    pub fn set_lending(&mut self, on: bool) {
        self.lending = on;
    }

    /// Records every event, frame and action drained, for comparing two
    /// scripts.
    pub fn set_logging(&mut self, on: bool) {
        self.logging = on;
    }

    /// Applies one step, then checks the bounds.
    ///
    /// # Errors
    /// A description of the first queue found over its bound.
    pub fn step(&mut self, op: Op) -> Result<(), String> {
        let c = &mut self.client;
        let now = self.now;
        let active = c.transport().map_or(TransportId(0), |t| t.0);
        let lending = self.lending;
        let mut lent = None;
        match op {
            Op::Text(t) => lent = text(c, lending, active, now, &t),
            Op::Known(i) => {
                let t = KNOWN_FRAMES[usize::from(i) % KNOWN_FRAMES.len()];
                lent = text(c, lending, active, now, t);
            }
            Op::Binary(b) => c.handle_binary(active, now, Bytes::from(b)),
            Op::Payload(p) => c.handle_http_response(active, HttpMethod::Get, now, 200, &p),
            Op::Posted(status) => {
                c.handle_http_response(active, HttpMethod::Post, now, status, "ok");
            }
            Op::Advance(ms) => {
                self.now = now.plus_millis(ms % 1_000_000);
                c.handle_timeout(self.now);
            }
            Op::Opened => c.handle_transport_opened(TransportId(active.0.wrapping_add(1)), now),
            Op::Closed => c.handle_transport_closed(active, now),
            Op::Error => c.handle_transport_error(active, now, "boom"),
            Op::Stale(t) => {
                let stale = TransportId(active.0.wrapping_sub(1));
                lent = text(c, lending, stale, now, &t);
            }
            Op::Connect => c.connect(now),
            Op::Disconnect => c.disconnect(now),
            Op::Emit(e) => {
                let _ = c.emit("/", &e, vec![Value::Null], now);
            }
            Op::EmitAck(t) => {
                let _ = c.emit_with_ack("/admin", "q", vec![], Some(t % 10_000), now);
            }
            Op::Volatile => {
                let _ = c.emit_volatile("/", "typing", vec![], now);
            }
            Op::Join(r) => {
                let _ = c.join(RoomSpec::omni(&r, "user"), now);
            }
            Op::Leave(r) => c.leave("/", &r, now),
            Op::SetAuth(reconnect) => c.set_auth(
                Auth::Credentials(Credentials::bearer("t")),
                if reconnect {
                    AuthApply::Reconnect
                } else {
                    AuthApply::NextConnect
                },
                now,
            ),
            Op::Ack(id) => {
                let _ = c.ack("/", id, vec![], now);
            }
            Op::OpenNsp => {
                let _ = c.open_namespace("/x", now);
            }
        }
        self.check_bounds()?;
        if self.drain {
            // The lent event comes after the queued ones.
            self.drain_queues()?;
            if let Some(e) = lent {
                self.take_event(e)?;
            }
            // Rejecting an event queues more.
            while self.client.queue_lengths() != (0, 0, 0) {
                self.drain_queues()?;
            }
        }
        Ok(())
    }

    fn drain_queues(&mut self) -> Result<(), String> {
        while let Some(t) = self.client.poll_transmit() {
            self.record(0, || format!("{t:?}"));
        }
        while let Some(a) = self.client.poll_action() {
            self.record(1, || format!("{a:?}"));
        }
        while let Some(e) = self.client.poll_event() {
            self.take_event(e)?;
        }
        Ok(())
    }

    fn take_event(&mut self, e: Event) -> Result<(), String> {
        self.record(2, || format!("{e:?}"));
        if matches!(e, Event::AuthRequested { .. }) {
            if !self.config.ask_auth {
                return Err("credentials asked for without askAuth".into());
            }
            let auth = self.client.auth().clone();
            self.client.set_auth(auth, AuthApply::NextConnect, self.now);
        }
        // A driver that parses events rejects what it cannot parse, before
        // it feeds the client anything else.
        if let Event::RawMessage { data, .. } = &e {
            let parsed = serde_json::from_str::<serde::de::IgnoredAny>(data);
            if parsed.is_err() {
                if !self.config.driver.parses_events {
                    return Err(format!("unchecked event text {data:?}"));
                }
                self.client.reject_message(self.now, "invalid JSON");
            }
        }
        Ok(())
    }

    fn record(&mut self, queue: usize, line: impl FnOnce() -> String) {
        if self.logging {
            self.log[queue].push(line());
        }
    }

    fn check_bounds(&self) -> Result<(), String> {
        let c = &self.client;
        let (tx, actions, events) = c.queue_lengths();
        if tx > self.config.max_queued_transmits * 2 {
            return Err(format!("transmit queue at {tx}"));
        }
        if events > self.config.max_queued_events {
            return Err(format!("event queue at {events}"));
        }
        let bytes = c.queued_event_bytes();
        if bytes > self.config.max_queued_event_bytes && events > 1 {
            return Err(format!("{events} events of {bytes} bytes queued"));
        }
        // What a driver that never polls can find queued: the closes of
        // the two polling transports still flushing (`MAX_CLOSING`) and of
        // a withdrawn probe, the active transport's opening request or
        // GET, and its probe. A script may also answer a request the
        // driver never polled, which leaves that request queued.
        if actions > 6 {
            return Err(format!("action queue at {actions}"));
        }
        for nsp in ["/", "/admin"] {
            // Re-joins of the room keys a script uses and one heartbeat may
            // sit on top of the buffered emits.
            let buffered = c.buffered(nsp);
            if buffered > self.config.max_buffered_emits + 5 {
                return Err(format!("{buffered} buffered emits in {nsp}"));
            }
            let acks = c.pending_acks(nsp);
            if acks > self.config.max_pending_acks + 1 {
                return Err(format!("{acks} pending acks in {nsp}"));
            }
        }
        Ok(())
    }
}

/// A text frame, through [`Client::handle_text_event`] when `lending`
/// (without `parses_events`, every other frame by length through
/// [`Client::handle_text_event_unchecked`], as the native driver lends);
/// the event it lends, owned.
fn text(c: &mut Client, lending: bool, id: TransportId, now: Instant, t: &str) -> Option<Event> {
    if lending {
        // The browser driver's `parses_events` rejects text itself (see
        // `take_event`).
        if t.len() % 2 == 0 || c.config.driver.parses_events {
            return c.handle_text_event(id, now, t).map(|e| e.to_event());
        }
        let lent = c
            .handle_text_event_unchecked(id, now, t)
            .map(|e| e.to_event());
        // That driver checks each lent event before it feeds the client
        // anything else.
        if let Some(Event::RawMessage { data, .. }) = &lent {
            if !c.check_lent_event(now, data) {
                return None;
            }
        }
        lent
    } else {
        c.handle_text(id, now, t);
        None
    }
}
