//! The connection driver: one task per client that owns the core state
//! machine and its WebSocket. Each turn it feeds one input (a command,
//! frames read from the WebSocket, an HTTP response of a polling
//! transport, or the timer) into the core, then drains the core's outputs
//! in the documented order — frames, transport actions, events — writes
//! the frames out, sends the HTTP requests, and re-arms its single timer
//! to the core's next deadline. It never polls in a loop: it sleeps until
//! something happens. It knows no packet type, URL rule, sid or upgrade
//! step: the core decides all of those.

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use omni_socket_core::client::{
    AckFailure, AuthFailureSource, Client as Core, ClientConfig, ConnectFailure, Event, HttpMethod,
    HttpRequest, Instant as CoreInstant, RequestId, TransportAction, TransportErrorKind,
    TransportId,
};
use omni_socket_core::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Sleep;
use tracing::{debug, info, trace, warn};

use crate::error::Error;
use crate::queue::{self, Batch, BoxedRx, BoxedTx, QueueTx, WeakBoxedTx};
use crate::shared::{
    json_tree, lock, parse_args, AckReply, AckRequest, Command, Delivery, Message, MessageSub,
    Shared, Typed,
};
use crate::transport::websocket::{Link, LinkEvent};
use crate::transport::{self, Input, TransportSettings};

/// Frames read from a WebSocket in one turn at most, so a flood of input
/// still lets the driver run its timers and commands in between.
const MAX_BATCH: usize = 64;

/// Reports from polling transports queue here; a full queue makes them
/// wait.
const INPUT_QUEUE: usize = 256;

/// A server event on its way to the subscriptions, its text lent from a
/// frame or owned by a queued core event.
struct Incoming<'a> {
    nsp: &'a str,
    event: &'a str,
    data: &'a str,
    attachments: Vec<bytes::Bytes>,
    ack: Option<u64>,
    /// The core checked the text (`false` for an event it lent
    /// unchecked: the driver checks it before feeding more input).
    checked: bool,
}

/// Maps tokio's monotonic clock to the core's millisecond instants. The
/// origin is the Unix epoch at start-up, so the Omni heartbeat's
/// `timestamp` is wall-clock time, while later readings stay monotonic.
struct Clock {
    origin: tokio::time::Instant,
    base_ms: u64,
}

impl Clock {
    fn new() -> Self {
        let base_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 2));
        Self {
            origin: tokio::time::Instant::now(),
            base_ms,
        }
    }

    fn now(&self) -> CoreInstant {
        let elapsed = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX / 4);
        CoreInstant::from_millis(self.base_ms.saturating_add(elapsed))
    }

    fn to_tokio(&self, at: CoreInstant) -> tokio::time::Instant {
        let offset = at.as_millis().saturating_sub(self.base_ms);
        // Far-future deadlines ("never") are capped so the addition cannot
        // overflow.
        self.origin + Duration::from_millis(offset.min(86_400_000 * 365))
    }
}

/// A long-polling transport's task, and its queues of GETs and POSTs.
struct TransportHandle {
    gets: BoxedTx<HttpRequest>,
    posts: BoxedTx<HttpRequest>,
    task: JoinHandle<()>,
}

/// What woke the driver.
enum Wake {
    Timer,
    Command(Option<Command>),
    /// A polling transport's report.
    Report(TransportId, Input),
    /// Frames read from a WebSocket went into the core.
    Read,
    /// The WebSocket `links[index]` opened or ended.
    Link(usize, LinkEvent),
}

/// What `connect()` waits for.
struct Waiter {
    nsp: String,
    tx: oneshot::Sender<Result<(), Error>>,
}

pub(crate) struct Driver {
    core: Core,
    clock: Clock,
    shared: Arc<Shared>,
    settings: TransportSettings,
    commands: BoxedRx<Command>,
    weak_commands: WeakBoxedTx<Command>,
    /// The polling transports' report queue, made when the first one opens
    /// (a WebSocket-only connection never needs it).
    input_tx: Option<transport::InputTx>,
    input_rx: Option<transport::InputRx>,
    /// Polling transports.
    transports: HashMap<TransportId, TransportHandle>,
    /// WebSocket transports, read and written by this task: one at most in
    /// practice (a closing one is handed to its own short task), kept in a
    /// list so nothing here depends on the core never opening a second.
    links: Vec<Link>,
    /// Rotates which source is polled first, so none can starve the
    /// others.
    turn: u8,
    acks: HashMap<RequestId, AckReply>,
    waiters: Vec<Waiter>,
    /// The last failed connect per namespace since its last success or
    /// connect command. Kept so a waiter registered after the failure (the
    /// transport may fail before `connect_outcome` is called) still learns
    /// it.
    failures: HashMap<String, Error>,
    /// Namespaces that connected in the batch being handled: a waiter of
    /// one that the server disconnected again in the same batch (FAMA
    /// accepts, then refuses a token with `error` and a disconnect) was
    /// still connected, not left waiting for a connection that never comes.
    connected_in_batch: Vec<String>,
    namespaces: Vec<String>,
    /// WebSockets sending their last frames.
    closing: Vec<JoinHandle<()>>,
    disconnect_done: Vec<oneshot::Sender<()>>,
    /// Every handle is gone: the driver ends once the core has closed its
    /// transports (long-polling sends its last requests first).
    exiting: bool,
    /// This turn's deliveries, one batch per subscription in
    /// `shared.messages` (same index), sent at the end of the turn; empty
    /// between turns.
    batches: Vec<Batch<Delivery>>,
    /// Matching subscriptions of the event being delivered (reused).
    typed: Vec<(usize, Option<Result<Typed, Error>>)>,
    untyped: Vec<usize>,
    /// A lent event's namespace and name, copied out of the core (reused).
    lent_nsp: String,
    lent_event: String,
}

impl Driver {
    pub(crate) fn new(
        config: ClientConfig,
        seed: u64,
        shared: Arc<Shared>,
        settings: TransportSettings,
        commands: BoxedRx<Command>,
        weak_commands: WeakBoxedTx<Command>,
    ) -> Self {
        Self {
            core: Core::new(config, seed),
            clock: Clock::new(),
            shared,
            settings,
            commands,
            weak_commands,
            input_tx: None,
            input_rx: None,
            transports: HashMap::new(),
            links: Vec::new(),
            turn: 0,
            acks: HashMap::new(),
            waiters: Vec::new(),
            failures: HashMap::new(),
            connected_in_batch: Vec::new(),
            namespaces: Vec::new(),
            closing: Vec::new(),
            disconnect_done: Vec::new(),
            exiting: false,
            batches: Vec::new(),
            typed: Vec::new(),
            untyped: Vec::new(),
            lent_nsp: String::new(),
            lent_event: String::new(),
        }
    }

    pub(crate) async fn run(mut self: Box<Self>) {
        let sleep = tokio::time::sleep(Duration::from_secs(3600));
        tokio::pin!(sleep);
        let mut armed: Option<CoreInstant> = None;
        loop {
            self.drain();
            if self.exiting && !self.core.has_transports() {
                break;
            }
            // The sleep is moved only to an earlier deadline. A later one
            // (an ack answered, its timeout gone) waits for the sleep to
            // fire, which costs one early `handle_timeout` that finds
            // nothing due; moving the timer twice per ack cost more (a
            // fiftieth of an ack's client work).
            if let Some(at) = self.core.poll_timeout() {
                if armed.is_none_or(|a| at < a) {
                    sleep.as_mut().reset(self.clock.to_tokio(at));
                    armed = Some(at);
                }
            }
            let timer = armed.is_some();
            match poll_fn(|cx| self.poll_wake(cx, sleep.as_mut(), timer)).await {
                Wake::Timer => {
                    armed = None;
                    self.core.handle_timeout(self.clock.now());
                }
                Wake::Command(Some(cmd)) => self.on_command(cmd),
                Wake::Command(None) => {
                    debug!("all handles dropped; closing");
                    self.exiting = true;
                    self.core.disconnect(self.clock.now());
                }
                Wake::Report(id, input) => self.on_input(id, input),
                Wake::Read => {}
                Wake::Link(index, event) => self.on_link(index, event),
            }
        }
        self.shutdown();
    }

    /// Waits for the next thing to do. Frames the last turn queued are
    /// written first; then the timer, since dead-link detection must not
    /// wait behind a flood; then commands, WebSocket input and polling
    /// reports, starting with a different one each turn so a flood of one
    /// cannot starve the others.
    fn poll_wake(
        &mut self,
        cx: &mut Context<'_>,
        sleep: Pin<&mut Sleep>,
        timer: bool,
    ) -> Poll<Wake> {
        for link in &mut self.links {
            link.poll_flush(cx);
        }
        if timer && sleep.poll(cx).is_ready() {
            return Poll::Ready(Wake::Timer);
        }
        self.turn = (self.turn + 1) % 3;
        for k in 0..3 {
            let wake = match (self.turn + k) % 3 {
                // Once every handle is gone the queue stays empty for good.
                0 if self.exiting => Poll::Pending,
                0 => self.commands.poll_recv(cx).map(Wake::Command),
                1 => self.poll_links(cx),
                _ => match self.input_rx.as_mut().map(|rx| rx.poll_recv(cx)) {
                    Some(Poll::Ready(Some((id, input)))) => Poll::Ready(Wake::Report(id, input)),
                    // The driver holds a sender, so the queue never ends.
                    _ => Poll::Pending,
                },
            };
            if wake.is_ready() {
                return wake;
            }
        }
        Poll::Pending
    }

    /// Feeds the frames the WebSockets hold now to the core, up to
    /// [`MAX_BATCH`], straight from the socket: the turn's outputs are then
    /// drained once for all of them (one delivery per subscriber), without
    /// a buffer in between.
    fn poll_links(&mut self, cx: &mut Context<'_>) -> Poll<Wake> {
        for index in 0..self.links.len() {
            let mut read = 0;
            let mut now = None;
            let mut bytes = 0usize;
            while read < MAX_BATCH && bytes < self.settings.batch_bytes {
                match self.links[index].poll_read(cx) {
                    Poll::Ready(LinkEvent::Frame(input)) => {
                        // One clock reading per batch: a reading per frame
                        // was a fiftieth of the receive time.
                        let now = *now.get_or_insert_with(|| self.clock.now());
                        bytes += match &input {
                            Input::Text(t) => t.len(),
                            Input::Binary(b) => b.len(),
                            _ => 0,
                        };
                        self.on_input_at(self.links[index].id, input, now);
                        read += 1;
                    }
                    // Frames before it are in the core already.
                    Poll::Ready(event) => return Poll::Ready(Wake::Link(index, event)),
                    Poll::Pending => break,
                }
            }
            if read > 0 {
                return Poll::Ready(Wake::Read);
            }
        }
        Poll::Pending
    }

    /// Feeds a WebSocket's opening or end to the core.
    fn on_link(&mut self, index: usize, event: LinkEvent) {
        let id = self.links[index].id;
        let now = self.clock.now();
        match event {
            LinkEvent::Opened => self.on_input_at(id, Input::Opened, now),
            LinkEvent::Frame(input) => self.on_input_at(id, input, now),
            LinkEvent::End(end) => {
                debug!(?id, ?end, "websocket transport ended");
                self.links.retain(|l| l.id != id);
                let input = match end {
                    Ok(()) => Input::Closed,
                    Err(f) => Input::Failed(f),
                };
                self.on_input_at(id, input, now);
            }
        }
    }

    fn shutdown(&mut self) {
        // The core closed its transports before the loop ended (or gave
        // up on them after its timeout); end what is left, then every
        // stream so consumers see the end.
        for (_, h) in self.transports.drain() {
            h.task.abort();
        }
        for link in self.links.drain(..) {
            link.close();
        }
        for (_, tx) in self.acks.drain() {
            let _ = tx.send(Err(Error::Closed));
        }
        for w in self.waiters.drain(..) {
            let _ = w.tx.send(Err(Error::Closed));
        }
        lock(&self.shared.messages).clear();
        lock(&self.shared.events).clear();
    }

    fn on_input(&mut self, id: TransportId, input: Input) {
        let now = self.clock.now();
        self.on_input_at(id, input, now);
    }

    fn on_input_at(&mut self, id: TransportId, input: Input, now: CoreInstant) {
        match input {
            Input::Opened => self.core.handle_transport_opened(id, now),
            Input::Text(t) => {
                trace!(?id, text = t.as_str(), "recv");
                self.on_text(id, now, &t);
            }
            Input::Binary(b) => {
                trace!(?id, len = b.len(), "recv binary");
                self.core.handle_binary(id, now, b);
            }
            Input::Response {
                method,
                status,
                body,
            } => {
                trace!(?id, ?method, status, body, "http response");
                self.core
                    .handle_http_response(id, method, now, status, &body);
            }
            Input::Closed => {
                self.transports.remove(&id);
                self.core.handle_transport_closed(id, now);
            }
            Input::Failed(e) => {
                debug!(?id, message = e.message, kind = ?e.kind, "transport failed");
                self.transports.remove(&id);
                let before = self.core.state();
                self.core.handle_transport_error(id, now, e.clone());
                // Kept when it ended the session or the attempt (a failed
                // upgrade probe does not), before the events it causes
                // reach anyone.
                if self.core.state() != before {
                    *lock(&self.shared.last_error) = Some(e);
                }
            }
        }
    }

    /// A text frame. The usual event of a stream comes back lent from the
    /// frame with its text unchecked: it is delivered now, after the
    /// events the core queued before it, and checked before the next frame
    /// goes in, so malformed text closes the connection at the same point
    /// as when the core checks it.
    fn on_text(&mut self, id: TransportId, now: CoreInstant, text: &str) {
        let (start, len, ack) = match self.core.handle_text_event_unchecked(id, now, text) {
            Some(ev) => {
                self.lent_nsp.clear();
                self.lent_nsp.push_str(ev.nsp);
                self.lent_event.clear();
                self.lent_event.push_str(&ev.event());
                (ev.start, ev.data.len(), ev.ack)
            }
            None => return,
        };
        while let Some(e) = self.core.poll_event() {
            self.on_event(e);
        }
        let nsp = std::mem::take(&mut self.lent_nsp);
        let event = std::mem::take(&mut self.lent_event);
        self.deliver(
            Incoming {
                nsp: &nsp,
                event: &event,
                data: &text[start..start + len],
                attachments: Vec::new(),
                ack,
                checked: false,
            },
            now,
        );
        self.lent_nsp = nsp;
        self.lent_event = event;
    }

    fn on_command(&mut self, cmd: Command) {
        let now = self.clock.now();
        match cmd {
            Command::Wait { nsp, ready } => {
                if self.core.is_connected(&nsp) {
                    let _ = ready.send(Ok(()));
                } else if let Some(err) = self.failures.remove(&nsp) {
                    let _ = ready.send(Err(err));
                } else {
                    self.waiters.retain(|w| !w.tx.is_closed());
                    self.waiters.push(Waiter { nsp, tx: ready });
                }
            }
            Command::Connect { nsp } => {
                self.failures.remove(&nsp);
                self.core.connect(now);
                self.core.open_namespace(&nsp, now);
                self.know(nsp);
            }
            Command::Disconnect { done } => {
                self.core.disconnect(now);
                self.disconnect_done.push(done);
            }
            Command::OpenNamespace(nsp) => {
                self.core.open_namespace(&nsp, now);
                self.know(nsp);
            }
            Command::CloseNamespace(nsp) => self.core.close_namespace(&nsp, now),
            Command::Emit {
                nsp,
                event,
                args,
                volatile,
                reply,
            } => {
                let r = if volatile {
                    self.core.emit_volatile(&nsp, &event, args, now)
                } else {
                    self.core.emit(&nsp, &event, args, now)
                };
                let _ = reply.send(r);
            }
            Command::EmitWithAck {
                nsp,
                event,
                args,
                timeout,
                reply,
            } => match self.core.emit_with_ack(&nsp, &event, args, timeout, now) {
                Ok(request) => {
                    self.acks.insert(request, reply);
                }
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                }
            },
            Command::Ack { nsp, id, args } => {
                if !self.core.ack(&nsp, id, args, now) {
                    debug!(nsp, id, "ack not sent: unknown request or disconnected");
                }
            }
            Command::Join { spec, reply } => {
                let (nsp, key) = (spec.namespace.clone(), spec.key.clone());
                let r = self.core.join(*spec, now);
                let _ = reply.send(r.map(|()| self.core.room_state(&nsp, &key)));
            }
            Command::Leave { nsp, key } => self.core.leave(&nsp, &key, now),
            Command::SetAuth(auth, apply) => self.core.set_auth(auth, apply, now),
        }
    }

    /// Drains the core's outputs in the documented order.
    fn drain(&mut self) {
        while let Some(t) = self.core.poll_transmit() {
            trace!(transport = ?t.transport, frame = ?t.frame, "send");
            match self.links.iter_mut().find(|l| l.id == t.transport) {
                Some(link) => link.send(t.frame),
                None => trace!(transport = ?t.transport, "frame for a closed transport"),
            }
        }
        while let Some(a) = self.core.poll_action() {
            match a {
                TransportAction::OpenWebsocket { id, url } => {
                    // Exact: a first push would make room for four links,
                    // and there is one at a time in practice.
                    self.links.reserve_exact(1);
                    self.links.push(Link::open(id, url, self.settings.clone()));
                }
                TransportAction::Request(r) => self.request(r),
                TransportAction::Close { id } => {
                    if let Some(i) = self.links.iter().position(|l| l.id == id) {
                        if let Some(task) = self.links.remove(i).close() {
                            self.closing.retain(|t| !t.is_finished());
                            self.closing.push(task);
                        }
                    } else if let Some(h) = self.transports.remove(&id) {
                        // Whatever is still in flight belongs to a
                        // transport the core has given up.
                        h.task.abort();
                    }
                }
            }
        }
        if !self.disconnect_done.is_empty() && !self.core.has_transports() {
            // `disconnect()` returns once the closing transports have sent
            // what was queued (DISCONNECT packets, last emits, and over
            // long-polling the close packet), so a program may exit right
            // after it.
            let done = std::mem::take(&mut self.disconnect_done);
            let tasks = std::mem::take(&mut self.closing);
            tokio::spawn(async move {
                let all = async {
                    for t in tasks {
                        let _ = t.await;
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(2), all).await;
                for d in done {
                    let _ = d.send(());
                }
            });
        }
        while let Some(e) = self.core.poll_event() {
            self.on_event(e);
        }
        self.send_batches();
        self.publish_status();
        // Resolved after the whole batch: an `AuthFailed` follows its
        // CONNECT_ERROR and refines the error; and after the status, so
        // `connect().await` is followed by a socket id and state that
        // say connected.
        if !self.waiters.is_empty() {
            let mut reported = Vec::new();
            for w in std::mem::take(&mut self.waiters) {
                match self.failures.get(&w.nsp) {
                    Some(err) => {
                        let _ = w.tx.send(Err(err.clone()));
                        reported.push(w.nsp);
                    }
                    None if self.core.is_connected(&w.nsp)
                        || self.connected_in_batch.contains(&w.nsp) =>
                    {
                        let _ = w.tx.send(Ok(()));
                    }
                    None => self.waiters.push(w),
                }
            }
            // Dropped rather than cleared: it is needed only while a
            // connect is awaited, and an idle connection keeps no room.
            self.connected_in_batch = Vec::new();
            // Reported failures are not reported again to later waiters.
            for nsp in reported {
                self.failures.remove(&nsp);
            }
        }
    }

    /// Sends an HTTP request of a polling transport, starting the
    /// transport's task with its first request.
    fn request(&mut self, r: HttpRequest) {
        let id = r.transport;
        if !self.transports.contains_key(&id) {
            let input = match &self.input_tx {
                Some(tx) => tx.clone(),
                None => {
                    let (tx, rx) = transport::input_queue(INPUT_QUEUE);
                    self.input_rx = Some(rx);
                    self.input_tx.insert(tx).clone()
                }
            };
            let (gets, get_rx) = queue::boxed();
            let (posts, post_rx) = queue::boxed();
            let settings = self.settings.clone();
            let task = tokio::spawn(transport::polling::run(
                id, settings, get_rx, post_rx, input,
            ));
            self.transports
                .insert(id, TransportHandle { gets, posts, task });
        }
        let Some(h) = self.transports.get(&id) else {
            return;
        };
        let queue = match r.method {
            HttpMethod::Get => &h.gets,
            HttpMethod::Post => &h.posts,
        };
        // The task ends only after the core was told it failed, which
        // ends the transport in the core too: nothing is lost here.
        let _ = queue.send(r);
    }

    fn on_event(&mut self, e: Event) {
        let e = match e {
            Event::RawMessage {
                nsp,
                event,
                data,
                attachments,
                ack,
            } => {
                let now = self.clock.now();
                self.deliver(
                    Incoming {
                        nsp: &nsp,
                        event: &event,
                        data: &data,
                        attachments,
                        ack,
                        checked: true,
                    },
                    now,
                );
                return;
            }
            Event::Ack { request, args, .. } => {
                if let Some(tx) = self.acks.remove(&request) {
                    let _ = tx.send(Ok(args));
                }
                return;
            }
            // With `raw_messages` an answer comes as its text (the decoder
            // checked it and its placeholders); the caller gets a tree.
            Event::RawAck {
                request,
                data,
                attachments,
                ..
            } => {
                if let Some(tx) = self.acks.remove(&request) {
                    let _ = tx.send(match json_tree(&data, &attachments) {
                        Ok(Value::Array(args)) => Ok(args),
                        Ok(_) => Ok(Vec::new()),
                        Err(e) => Err(Error::Payload(e.to_string())),
                    });
                }
                return;
            }
            other => other,
        };
        match &e {
            Event::AckFailed {
                request, reason, ..
            } => {
                if let Some(tx) = self.acks.remove(request) {
                    let _ = tx.send(Err(match reason {
                        AckFailure::Timeout => Error::AckTimeout,
                        AckFailure::Disconnected => Error::Disconnected,
                        AckFailure::Dropped => Error::Dropped,
                    }));
                }
                return;
            }
            Event::Connect {
                nsp,
                sid,
                recovered,
            } => {
                info!(nsp, sid, recovered, "connected");
                self.failures.remove(nsp);
                if !self.waiters.is_empty() {
                    self.connected_in_batch.push(nsp.clone());
                }
            }
            Event::ConnectError {
                nsp,
                message,
                data,
                cause,
            } => {
                warn!(nsp, message, ?cause, "connect error");
                let data = data.as_deref().and_then(|d| serde_json::from_str(d).ok());
                let err = self.connect_error(*cause, message, data);
                self.failures.insert(nsp.clone(), err);
            }
            Event::AuthFailed {
                nsp,
                message,
                source,
            } => {
                warn!(nsp, message, ?source, "auth failed");
                if *source == AuthFailureSource::ConnectError {
                    let data = match self.failures.remove(nsp) {
                        Some(Error::Rejected { data, .. } | Error::Auth { data, .. }) => data,
                        _ => None,
                    };
                    self.failures.insert(
                        nsp.clone(),
                        Error::Auth {
                            message: message.clone(),
                            data,
                        },
                    );
                }
            }
            Event::Disconnect { nsp, reason } => info!(nsp, %reason, "disconnected"),
            Event::ReconnectAttempt { attempt, delay } => {
                debug!(attempt, delay, "reconnect scheduled");
            }
            Event::ReconnectFailed { attempts } => {
                warn!(attempts, "gave up reconnecting");
            }
            Event::ProtocolError(err) => warn!(%err, "protocol error from the server"),
            other => debug!(event = ?other, "event"),
        }
        self.dispatch_event(e);
    }

    /// A failed connect, as the error `connect()` returns.
    fn connect_error(
        &self,
        cause: ConnectFailure,
        message: &str,
        data: Option<serde_json::Value>,
    ) -> Error {
        match cause {
            ConnectFailure::Server | ConnectFailure::TooLarge => Error::Rejected {
                message: message.to_owned(),
                data,
            },
            ConnectFailure::Timeout => Error::ConnectTimeout,
            ConnectFailure::Transport(TransportErrorKind::Refused) => Error::ConnectionRefused {
                url: self.core.config().url.clone(),
                message: message.to_owned(),
            },
            ConnectFailure::Transport(TransportErrorKind::Timeout) => Error::ConnectTimeout,
            ConnectFailure::Transport(_) => Error::Transport(message.to_owned()),
        }
    }

    /// Queues a server event for its subscriptions in this turn's batches.
    /// Typed subscriptions get their model, decoded here; untyped ones
    /// arguments parsed once, moved to the last of them and cloned only
    /// for the others. An event the core lent unchecked is checked first
    /// when an untyped subscription or nobody reads it; when only typed
    /// ones do, their decode is the check, and the core's validator runs
    /// only if a decode fails, to tell malformed text (a protocol error,
    /// nothing delivered) from a model that does not match (skipped for
    /// that subscription, as always). A subscription whose queue is full
    /// (in events or bytes) loses the event.
    fn deliver(&mut self, ev: Incoming<'_>, now: CoreInstant) {
        let mut subs = lock(&self.shared.messages);
        if self.batches.is_empty() {
            subs.retain(|s| !s.tx.is_closed());
        }
        // Subscriptions made during the turn are appended.
        for s in &subs[self.batches.len()..] {
            self.batches.push(s.tx.batch());
        }
        self.typed.clear();
        self.untyped.clear();
        for (i, s) in subs.iter().enumerate() {
            if s.nsp == ev.nsp && s.event.as_deref().is_none_or(|e| e == ev.event) {
                match s.decode {
                    Some(_) => self.typed.push((i, None)),
                    None => self.untyped.push(i),
                }
            }
        }
        let mut checked = ev.checked;
        if !checked && (self.typed.is_empty() || !self.untyped.is_empty()) {
            // As the core would have: the text is checked whoever reads it.
            if !self.core.check_lent_event(now, ev.data) {
                return;
            }
            checked = true;
        }
        if self.typed.is_empty() && self.untyped.is_empty() {
            trace!(nsp = ev.nsp, event = ev.event, "event without subscriber");
            return;
        }
        let size = ev
            .attachments
            .iter()
            .fold(ev.data.len(), |n, a| n + a.len());
        let mut failed = false;
        for (i, slot) in &mut self.typed {
            if let Some(decode) = subs[*i].decode {
                let r = decode(ev.data, &ev.attachments);
                failed |= r.is_err();
                *slot = Some(r);
            }
        }
        if failed && !checked && !self.core.check_lent_event(now, ev.data) {
            // Malformed: the core reported it and closes the connection.
            return;
        }
        for (i, slot) in self.typed.drain(..) {
            let s = &subs[i];
            match slot {
                Some(Ok(model)) if self.batches[i].fits(&s.tx, size) => {
                    self.batches[i].push(Delivery::Typed(model), size);
                }
                Some(Ok(_)) => full(&s.tx, &s.nsp, size),
                Some(Err(err)) => warn!(%err, "skipping event"),
                None => {}
            }
        }
        if self.untyped.is_empty() {
            return;
        }
        self.untyped.retain(|&i| {
            let fits = self.batches[i].fits(&subs[i].tx, size);
            if !fits {
                full(&subs[i].tx, &subs[i].nsp, size);
            }
            fits
        });
        if self.untyped.is_empty() {
            return;
        }
        match parse_args(ev.data, &ev.attachments) {
            Ok(args) => deliver_parsed(
                &self.weak_commands,
                &mut self.batches,
                &self.untyped,
                &subs,
                &ev,
                args,
                size,
            ),
            // The text was checked; this would be a bug.
            Err(e) => warn!(event = ev.event, %e, "event arguments unreadable"),
        }
    }

    /// Sends this turn's batches, one per subscription.
    fn send_batches(&mut self) {
        if self.batches.is_empty() {
            return;
        }
        let subs = lock(&self.shared.messages);
        for (s, batch) in subs.iter().zip(self.batches.drain(..)) {
            s.tx.send(batch);
        }
    }

    fn dispatch_event(&mut self, e: Event) {
        let mut subs = lock(&self.shared.events);
        subs.retain(|s| !s.is_closed());
        // Most carry a few short strings, some the server's (a refusal's
        // data, a `rate_limited` event name), each up to a packet's size.
        let size = e.data_size();
        for s in subs.iter() {
            let mut batch = s.batch();
            if batch.fits(s, size) {
                batch.push(e.clone(), size);
                s.send(batch);
            } else {
                full(s, "events()", size);
            }
        }
    }

    fn know(&mut self, nsp: String) {
        if !self.namespaces.contains(&nsp) {
            // Exact: most clients use one namespace, and a first push
            // would make room for four.
            self.namespaces.reserve_exact(1);
            self.namespaces.push(nsp);
        }
    }

    fn publish_status(&mut self) {
        lock(&self.shared.status).publish(&self.core, &self.namespaces);
    }
}

impl Drop for Driver {
    /// However the task ends (its loop, a panic, the runtime's end), the
    /// status watch reports it closed.
    fn drop(&mut self) {
        lock(&self.shared.status).close();
    }
}

/// Queues a parsed event for the subscriptions `to`, which have room for
/// it.
fn deliver_parsed(
    commands: &WeakBoxedTx<Command>,
    batches: &mut [Batch<Delivery>],
    to: &[usize],
    subs: &[MessageSub],
    ev: &Incoming<'_>,
    args: Vec<Value>,
    size: usize,
) {
    let Some((&last, others)) = to.split_last() else {
        return;
    };
    debug_assert!(to.iter().all(|&i| i < subs.len()));
    let ack = ev.ack.map(|id| AckRequest {
        nsp: ev.nsp.to_owned(),
        id,
        commands: commands.clone(),
    });
    for &i in others {
        let msg = Message {
            namespace: ev.nsp.to_owned(),
            event: ev.event.to_owned(),
            args: args.clone(),
            ack: ack.clone(),
        };
        batches[i].push(Delivery::Parsed(msg), size);
    }
    let msg = Message {
        namespace: ev.nsp.to_owned(),
        event: ev.event.to_owned(),
        args,
        ack,
    };
    batches[last].push(Delivery::Parsed(msg), size);
}

/// A subscription's queue is full: the event is dropped for it and
/// counted (the stream's `dropped()`). The driver never waits for a slow
/// consumer: it would stall pongs and every other namespace. Logged at the
/// 1st, 2nd, 4th, 8th… drop, so a flood cannot flood the log too.
fn full<T>(tx: &QueueTx<T>, queue: &str, size: usize) {
    let dropped = tx.dropped_one();
    if dropped.is_power_of_two() {
        warn!(
            queue,
            size, dropped, "subscriber queue full (events or bytes); event dropped for it"
        );
    }
}
