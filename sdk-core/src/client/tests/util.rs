//! A `Pair` of a [`Client`] and a scripted server speaking the real codecs,
//! with a virtual clock that jumps from one wake-up to the next.

use crate::prelude::*;
use alloc::collections::{BTreeMap, VecDeque};

use bytes::Bytes;
use serde_json::{json, Value as Json};

use crate::client::*;
use crate::engineio::{self, Handshake};
use crate::socketio::{self, Decoded, PacketType};
use crate::{Limits, Value};

/// How the server answers a namespace CONNECT.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    Accept,
    Reject(String, Option<Json>),
    Ignore,
}

/// What the server received, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    Connect {
        nsp: String,
        auth: Option<Json>,
    },
    Disconnect {
        nsp: String,
    },
    Event {
        nsp: String,
        name: String,
        args: Vec<Json>,
        id: Option<u64>,
        binary: Vec<Bytes>,
    },
    Ack {
        nsp: String,
        id: u64,
        args: Vec<Json>,
    },
    /// An Engine.IO packet other than a message (pong, probe, upgrade).
    Engine(String),
}

#[derive(Debug)]
pub struct TransportInfo {
    pub open: bool,
    /// A long-polling transport (else a WebSocket).
    pub polling: bool,
    /// A polling GET waits for the server's packets.
    pub pending_get: bool,
    /// Requests the client sent on it, as `GET`/`POST <body>`.
    pub requests: Vec<String>,
    decoder: socketio::Decoder,
}

impl TransportInfo {
    fn new(polling: bool) -> Self {
        Self {
            open: true,
            polling,
            pending_get: false,
            requests: Vec::new(),
            decoder: socketio::Decoder::new(Limits::default()),
        }
    }
}

#[derive(Debug)]
pub struct Server {
    pub handshake: Handshake,
    /// Answer transport opens (main transports get the handshake).
    pub accept_transports: bool,
    /// Send the handshake when a main transport opens.
    pub send_handshake: bool,
    /// Answer `2probe` with `3probe`.
    pub answer_probe: bool,
    pub policy: BTreeMap<String, Policy>,
    /// Private session id to hand out on CONNECT (recovery), if any.
    pub pid: Option<String>,
    /// Events (as EVENT data) sent before the next CONNECT answer, as
    /// socket.io sends the missed packets of a restored session.
    pub missed: Vec<Json>,
    /// Server pings every pingInterval while a session is open.
    pub auto_ping: bool,
    /// Hold polling GETs (answer nothing) even when packets wait.
    pub hold_polls: bool,
    pub next_ping: Option<Instant>,
    pub transports: BTreeMap<TransportId, TransportInfo>,
    pub got: Vec<(TransportId, Got)>,
    outbox: VecDeque<(TransportId, String)>,
    next_sid: u64,
}

impl Server {
    fn new() -> Self {
        Self {
            handshake: Handshake {
                sid: "eio".into(),
                upgrades: vec![],
                ping_interval: 25_000,
                ping_timeout: 20_000,
                max_payload: 1_000_000,
            },
            accept_transports: true,
            send_handshake: true,
            answer_probe: true,
            policy: BTreeMap::new(),
            pid: None,
            missed: Vec::new(),
            auto_ping: true,
            hold_polls: false,
            next_ping: None,
            transports: BTreeMap::new(),
            got: Vec::new(),
            outbox: VecDeque::new(),
            next_sid: 0,
        }
    }

    /// Queues `text` for the client on transport `id` (a long-poll
    /// answers with everything queued).
    pub fn outbox_push(&mut self, id: TransportId, text: &str) {
        self.outbox.push_back((id, text.to_owned()));
    }

    /// Events the server received on `nsp`, as (name, args).
    pub fn events(&self, nsp: &str) -> Vec<(String, Vec<Json>)> {
        self.got
            .iter()
            .filter_map(|(_, g)| match g {
                Got::Event {
                    nsp: n, name, args, ..
                } if n == nsp => Some((name.clone(), args.clone())),
                _ => None,
            })
            .collect()
    }

    /// Names of events received on `nsp`.
    pub fn event_names(&self, nsp: &str) -> Vec<String> {
        self.events(nsp).into_iter().map(|(n, _)| n).collect()
    }

    /// CONNECT packets received, as (nsp, auth).
    pub fn connects(&self) -> Vec<(String, Option<Json>)> {
        self.got
            .iter()
            .filter_map(|(_, g)| match g {
                Got::Connect { nsp, auth } => Some((nsp.clone(), auth.clone())),
                _ => None,
            })
            .collect()
    }

    fn on_frame(&mut self, t: Transmit, now: Instant) {
        let Some(info) = self.transports.get_mut(&t.transport) else {
            panic!("client sent on unknown transport {:?}", t.transport);
        };
        assert!(info.open, "client sent on a transport that is not open");
        let got = match t.frame {
            Frame::Binary(b) => match info.decoder.decode_binary(b).expect("client binary") {
                Decoded::Packet(p) => Some(p),
                Decoded::NeedsAttachments(_) => None,
            },
            Frame::Text(text) => match engineio::decode_text(&text, &Limits::default())
                .expect("client sent invalid Engine.IO")
            {
                engineio::Packet::Message(m) => {
                    match info
                        .decoder
                        .decode_text(&m)
                        .expect("client sent invalid Socket.IO")
                    {
                        Decoded::Packet(p) => Some(p.into_owned()),
                        Decoded::NeedsAttachments(_) => None,
                    }
                }
                other => {
                    let s = other.encode();
                    if s == "2probe" && self.answer_probe {
                        self.outbox.push_back((t.transport, "3probe".into()));
                        // As socket.io does: a noop ends the GET in flight,
                        // so the client can pause polling.
                        let polls: Vec<TransportId> = self
                            .transports
                            .iter()
                            .filter(|(_, i)| i.polling && i.open)
                            .map(|(id, _)| *id)
                            .collect();
                        for id in polls {
                            self.outbox.push_back((id, "6".into()));
                        }
                    }
                    if s == "5" {
                        // Upgraded: polling is over for this session.
                        for i in self.transports.values_mut() {
                            if i.polling {
                                i.open = false;
                            }
                        }
                    }
                    if s == "1" {
                        if let Some(i) = self.transports.get_mut(&t.transport) {
                            i.open = false;
                        }
                    }
                    self.got.push((t.transport, Got::Engine(s)));
                    None
                }
            },
        };
        let Some(p) = got else {
            return;
        };
        let nsp = p.nsp.to_string();
        let json_args = |p: &socketio::Packet<'_>| -> Vec<Json> {
            p.args()
                .expect("args")
                .into_iter()
                .map(|r| serde_json::from_str(r.get()).expect("json"))
                .collect()
        };
        match p.packet_type {
            PacketType::Connect => {
                let auth = p
                    .data
                    .as_deref()
                    .map(|d| serde_json::from_str(d).expect("auth"));
                self.got.push((
                    t.transport,
                    Got::Connect {
                        nsp: nsp.clone(),
                        auth,
                    },
                ));
                match self.policy.get(&nsp).cloned().unwrap_or(Policy::Accept) {
                    Policy::Accept => {
                        for data in core::mem::take(&mut self.missed) {
                            self.outbox
                                .push_back((t.transport, sio_text(&nsp, "2", &data.to_string())));
                        }
                        self.next_sid += 1;
                        let mut reply = json!({"sid": format!("sock{}", self.next_sid)});
                        if let Some(pid) = &self.pid {
                            reply["pid"] = json!(pid);
                        }
                        self.outbox
                            .push_back((t.transport, sio_text(&nsp, "0", &reply.to_string())));
                    }
                    Policy::Reject(message, data) => {
                        let mut reply = json!({"message": message});
                        if let Some(d) = data {
                            reply["data"] = d;
                        }
                        self.outbox
                            .push_back((t.transport, sio_text(&nsp, "4", &reply.to_string())));
                    }
                    Policy::Ignore => {}
                }
            }
            PacketType::Disconnect => self.got.push((t.transport, Got::Disconnect { nsp })),
            PacketType::Event | PacketType::BinaryEvent => {
                let name = p.event_name().expect("name").into_owned();
                let args = json_args(&p);
                self.got.push((
                    t.transport,
                    Got::Event {
                        nsp,
                        name,
                        args,
                        id: p.id,
                        binary: p.attachments.clone(),
                    },
                ));
            }
            PacketType::Ack | PacketType::BinaryAck => {
                let args = json_args(&p);
                let id = p.id.expect("ack id");
                self.got.push((t.transport, Got::Ack { nsp, id, args }));
            }
            PacketType::ConnectError => panic!("client sent CONNECT_ERROR"),
        }
        let _ = now;
    }
}

/// `4` + a Socket.IO packet of `ty` in `nsp` with `data`.
pub fn sio_text(nsp: &str, ty: &str, data: &str) -> String {
    if nsp == "/" {
        format!("4{ty}{data}")
    } else {
        format!("4{ty}{nsp},{data}")
    }
}

pub struct Pair {
    pub client: Client,
    pub server: Server,
    pub now: Instant,
    pub events: Vec<Event>,
    pub actions: Vec<TransportAction>,
}

impl Pair {
    pub fn new(config: ClientConfig) -> Self {
        Self::with_seed(config, 7)
    }

    pub fn with_seed(config: ClientConfig, seed: u64) -> Self {
        Self {
            client: Client::new(config, seed),
            server: Server::new(),
            now: Instant::from_millis(1_000),
            events: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// Defaults for tests: websocket only, no rate limits.
    pub fn config() -> ClientConfig {
        ClientConfig {
            url: "http://localhost:3000".into(),
            transports: vec![TransportKind::Websocket],
            rate_limit: RateLimitConfig::disabled(),
            ..ClientConfig::default()
        }
    }

    /// A pair connected on `/` with the test defaults.
    pub fn connected() -> Self {
        Self::connected_with(Self::config())
    }

    pub fn connected_with(config: ClientConfig) -> Self {
        let mut p = Self::new(config);
        p.client.connect(p.now);
        p.drive();
        assert!(
            p.client.is_connected("/"),
            "did not connect: {:?}",
            p.events
        );
        p
    }

    /// The transport the client uses now.
    pub fn active(&self) -> TransportId {
        self.client.transport().expect("no transport").0
    }

    /// Moves frames, actions and events until nothing moves.
    pub fn drive(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            while let Some(t) = self.client.poll_transmit() {
                moved = true;
                self.server.on_frame(t, self.now);
            }
            while let Some(a) = self.client.poll_action() {
                moved = true;
                self.actions.push(a.clone());
                match a {
                    TransportAction::OpenWebsocket { id, url } => {
                        if !self.server.accept_transports {
                            self.client.handle_transport_error(id, self.now, "refused");
                            continue;
                        }
                        let upgrade = url.contains("&sid=");
                        self.server.transports.insert(id, TransportInfo::new(false));
                        self.client.handle_transport_opened(id, self.now);
                        if !upgrade && self.server.send_handshake {
                            self.server_handshake(id);
                        }
                    }
                    TransportAction::Request(r) => self.on_request(r),
                    TransportAction::Close { id } => {
                        if let Some(t) = self.server.transports.get_mut(&id) {
                            t.open = false;
                            t.pending_get = false;
                        }
                    }
                }
            }
            while let Some(e) = self.client.poll_event() {
                moved = true;
                self.events.push(e);
            }
            if let Some(pos) = self.deliverable() {
                moved = true;
                let (id, text) = self.server.outbox.remove(pos).expect("queued");
                let info = &self.server.transports[&id];
                if !info.polling {
                    if info.open {
                        self.client.handle_text(id, self.now, &text);
                    }
                } else {
                    // A long-poll answers with everything queued for it.
                    let mut body = text;
                    let mut i = 0;
                    while i < self.server.outbox.len() {
                        if self.server.outbox[i].0 == id {
                            let (_, t) = self.server.outbox.remove(i).expect("queued");
                            body.push('\u{1e}');
                            body.push_str(&t);
                        } else {
                            i += 1;
                        }
                    }
                    if let Some(info) = self.server.transports.get_mut(&id) {
                        info.pending_get = false;
                    }
                    self.client
                        .handle_http_response(id, HttpMethod::Get, self.now, 200, &body);
                }
            }
            if !moved {
                return;
            }
        }
        panic!("drive did not settle");
    }

    /// The server's handshake on transport `id`.
    fn server_handshake(&mut self, id: TransportId) {
        let h = serde_json::to_string(&self.server.handshake).unwrap();
        self.server.outbox.push_back((id, format!("0{h}")));
        let h = &self.server.handshake;
        self.server.next_ping = Some(self.now.plus_millis(h.ping_interval));
    }

    /// The first queued server packet that can be delivered now: on a
    /// WebSocket (or a closed transport, to drop it), or on a polling
    /// transport with a GET waiting.
    fn deliverable(&self) -> Option<usize> {
        self.server
            .outbox
            .iter()
            .position(|(id, _)| match self.server.transports.get(id) {
                Some(t) if t.polling && t.open => t.pending_get && !self.server.hold_polls,
                _ => true,
            })
    }

    /// A long-polling request, as socket.io would answer it. Requests on a
    /// transport the client closed, or one the session left (upgraded,
    /// closed), fail the test: a stale sid must never be sent.
    fn on_request(&mut self, r: HttpRequest) {
        let id = r.transport;
        let handshake = !r.url.contains("&sid=");
        if handshake {
            assert_eq!(r.method, HttpMethod::Get, "first request must be a GET");
            assert!(
                !self.server.transports.contains_key(&id),
                "second handshake on {id:?}"
            );
            if !self.server.accept_transports {
                self.client.handle_transport_error(id, self.now, "refused");
                return;
            }
            self.server.transports.insert(id, TransportInfo::new(true));
            if self.server.send_handshake {
                self.server_handshake(id);
            }
        }
        let info = self
            .server
            .transports
            .get_mut(&id)
            .unwrap_or_else(|| panic!("request on unknown transport {id:?}: {}", r.url));
        assert!(info.polling, "HTTP request on a WebSocket transport");
        assert!(info.open, "request on a closed transport: {r:?}");
        match r.method {
            HttpMethod::Get => {
                assert!(!info.pending_get, "two GETs in flight");
                info.requests.push("GET".into());
                info.pending_get = true;
            }
            HttpMethod::Post => {
                let body = r.body.unwrap_or_default();
                info.requests.push(format!("POST {body}"));
                let records: Vec<_> = engineio::decode_payload(&body, &Limits::default())
                    .collect::<Result<_, _>>()
                    .expect("client POSTed an invalid payload");
                for p in records {
                    let frame = match p {
                        engineio::Packet::Binary(b) => Frame::Binary(b),
                        other => Frame::Text(other.encode()),
                    };
                    self.server.on_frame(
                        Transmit {
                            transport: id,
                            frame,
                        },
                        self.now,
                    );
                }
                self.client
                    .handle_http_response(id, HttpMethod::Post, self.now, 200, "ok");
            }
        }
    }

    /// Requests the client sent on polling transport `id`.
    pub fn requests(&self, id: TransportId) -> Vec<String> {
        self.server.transports[&id].requests.clone()
    }

    /// Sends raw Engine.IO text from the server on the active transport.
    pub fn server_send(&mut self, text: &str) {
        let id = self.active();
        self.server.outbox.push_back((id, text.to_owned()));
        self.drive();
    }

    /// Server emits `event` with `args` (a JSON array) on `nsp`.
    pub fn server_emit(&mut self, nsp: &str, event: &str, args: Json) {
        let mut all = vec![json!(event)];
        all.extend(args.as_array().cloned().unwrap_or_default());
        self.server_send(&sio_text(nsp, "2", &Json::Array(all).to_string()));
    }

    /// Server acks the client's ack id `id` on `nsp`.
    pub fn server_ack(&mut self, nsp: &str, id: u64, args: Json) {
        let text = if nsp == "/" {
            format!("43{id}{args}")
        } else {
            format!("43{nsp},{id}{args}")
        };
        self.server_send(&text);
    }

    /// The transport closes under the client.
    pub fn kill_transport(&mut self) {
        let id = self.active();
        if let Some(t) = self.server.transports.get_mut(&id) {
            t.open = false;
        }
        self.client.handle_transport_closed(id, self.now);
        self.drive();
    }

    /// Runs the clock forward by `ms`, waking the client (and the server's
    /// pinger) at every deadline on the way.
    pub fn advance(&mut self, ms: u64) {
        let target = self.now.plus_millis(ms);
        for _ in 0..1_000_000 {
            let client_wake = self.client.poll_timeout();
            let ping_wake = if self.server.auto_ping {
                self.server.next_ping
            } else {
                None
            };
            let next = [client_wake, ping_wake].into_iter().flatten().min();
            match next {
                Some(at) if at <= target => {
                    self.now = self.now.max(at);
                    if ping_wake.is_some_and(|p| p <= self.now) {
                        self.server.next_ping =
                            Some(self.now.plus_millis(self.server.handshake.ping_interval));
                        if self.client.state() == ConnectionState::Open {
                            let id = self.active();
                            self.server.outbox.push_back((id, "2".into()));
                        }
                    }
                    if client_wake.is_some_and(|c| c <= self.now) {
                        self.client.handle_timeout(self.now);
                    }
                    self.drive();
                }
                _ => {
                    self.now = target;
                    self.client.handle_timeout(self.now);
                    self.drive();
                    return;
                }
            }
        }
        panic!("advance did not settle");
    }

    /// Advances to the client's next deadline.
    pub fn advance_to_next_timeout(&mut self) {
        let at = self.client.poll_timeout().expect("no timeout scheduled");
        let ms = at.millis_since(self.now);
        self.advance(ms);
    }

    /// Takes the events seen so far.
    pub fn take_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.events)
    }

    /// Whether an event matching `f` was seen (and not taken).
    pub fn saw(&self, f: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(f)
    }

    pub fn emit(&mut self, nsp: &str, event: &str, args: Vec<Value>) -> EmitOutcome {
        let r = self.client.emit(nsp, event, args, self.now).expect("emit");
        self.drive();
        r
    }
}

/// A JSON value as a core [`Value`].
pub fn v(j: Json) -> Value {
    Value::from_json(j)
}

/// The ack id the server saw on the last event named `name`.
pub fn last_ack_id(server: &Server, name: &str) -> Option<u64> {
    server.got.iter().rev().find_map(|(_, g)| match g {
        Got::Event { name: n, id, .. } if n == name => *id,
        _ => None,
    })
}
