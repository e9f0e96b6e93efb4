//! The public handles: [`Client`], [`Socket`], their builder and streams.

use std::hash::{BuildHasher, Hasher};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use omni_socket_core::client::{
    Auth, AuthApply, ClientConfig, EmitOutcome, Event, HeartbeatConfig, LatencyStats, Product,
    RateLimitConfig, RoomSpec, RoomState, TransportError, TransportKind,
};
use omni_socket_core::models;
use omni_socket_core::Value;
use serde::Serialize;
use tokio::sync::{oneshot, watch};

use crate::drive::Drive;
use crate::driver::Driver;
use crate::error::{Error, Result};
use crate::queue::{boxed, queue, BoxedTx, QueueRx};
use crate::shared::{
    decode_first, lock, no_argument, parse_args, Command, DecodeFn, Delivery, Message, MessageSub,
    Shared, Status, StatusCell, Typed,
};
use crate::transport::{default_tls, Target, TransportSettings};

/// Default capacity of each subscription's queue.
const DEFAULT_SUBSCRIPTION_QUEUE: usize = 1024;

/// Options for a [`Client`], with socket.io-client's names and defaults.
///
/// Created by [`Client::builder`]; finish with
/// [`connect`](Self::connect).
#[derive(Clone)]
pub struct ClientBuilder {
    url: String,
    config: ClientConfig,
    namespace: String,
    tls: Option<Arc<rustls::ClientConfig>>,
    extra_headers: Vec<(String, String)>,
    queue: usize,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &self.url)
            .field("namespace", &self.namespace)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            config: ClientConfig::default(),
            namespace: String::new(),
            tls: None,
            extra_headers: Vec::new(),
            queue: DEFAULT_SUBSCRIPTION_QUEUE,
        }
    }

    /// The main namespace (default: the URL's path, or `/`).
    pub fn namespace(mut self, nsp: impl Into<String>) -> Self {
        self.namespace = nsp.into();
        self
    }

    /// The auth object sent in every CONNECT (socket.io-client `auth`).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.config.auth = auth.to_object().map(serde_json::Value::Object);
        self
    }

    /// Transports in order of preference (`transports`); default polling
    /// then websocket, as socket.io-client.
    pub fn transports(mut self, transports: impl IntoIterator<Item = TransportKind>) -> Self {
        self.config.transports = transports.into_iter().collect();
        self
    }

    /// Whether to upgrade from polling to WebSocket (`upgrade`, default on).
    pub fn upgrade(mut self, upgrade: bool) -> Self {
        self.config.upgrade = upgrade;
        self
    }

    /// Engine.IO path (`path`, default `/socket.io/`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.config.path = path.into();
        self
    }

    /// Adds a query parameter to every transport request (`query`).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.query.insert(key.into(), value.into());
        self
    }

    /// Adds an HTTP header to transport requests (`extraHeaders`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self
    }

    /// Automatic reconnection (`reconnection`, default on).
    pub fn reconnection(mut self, on: bool) -> Self {
        self.config.reconnection = on;
        self
    }

    /// Attempts before giving up (`reconnectionAttempts`); `None` is
    /// unlimited (the default).
    pub fn reconnection_attempts(mut self, attempts: Option<u32>) -> Self {
        self.config.reconnection_attempts = attempts;
        self
    }

    /// First reconnection delay (`reconnectionDelay`, 1 s).
    pub fn reconnection_delay(mut self, d: Duration) -> Self {
        self.config.reconnection_delay = millis(d);
        self
    }

    /// Largest reconnection delay (`reconnectionDelayMax`, 5 s).
    pub fn reconnection_delay_max(mut self, d: Duration) -> Self {
        self.config.reconnection_delay_max = millis(d);
        self
    }

    /// Jitter share of the delay (`randomizationFactor`, 0.5).
    pub fn randomization_factor(mut self, f: f64) -> Self {
        self.config.randomization_factor = f;
        self
    }

    /// Handshake and namespace connect timeout (`timeout`, 20 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.config.timeout = millis(d);
        self
    }

    /// Default ack timeout (`ackTimeout`); none by default.
    pub fn ack_timeout(mut self, d: Duration) -> Self {
        self.config.ack_timeout = Some(millis(d));
        self
    }

    /// Resends of an unacknowledged ack emit (`retries`, 0).
    pub fn retries(mut self, n: u32) -> Self {
        self.config.retries = n;
        self
    }

    /// Reconnect after the server disconnected the socket (off, as
    /// socket.io-client).
    pub fn reconnect_after_server_disconnect(mut self, on: bool) -> Self {
        self.config.reconnect_after_server_disconnect = on;
        self
    }

    /// Application heartbeat for [`latency`](Socket::latency) (off by
    /// default). See [`HeartbeatConfig`].
    pub fn heartbeat(mut self, hb: HeartbeatConfig) -> Self {
        self.config.heartbeat = Some(hb);
        self
    }

    /// Client-side rate limits (default: nothing paced; a server's
    /// `rate_limited` still pauses its event). Sends over a budget are
    /// delayed, not lost. See [`product`](Self::product) for a product's
    /// table.
    pub fn rate_limit(mut self, limits: RateLimitConfig) -> Self {
        self.config.rate_limit = limits;
        self
    }

    /// Paces emits by the table `product`'s server enforces (for every
    /// namespace of this client; one budget for all of them, as that server
    /// counts). Without it nothing is paced. Rates set with
    /// [`rate_limit`](Self::rate_limit) afterwards replace it.
    pub fn product(mut self, product: Product) -> Self {
        let enabled = self.config.rate_limit.enabled;
        self.config.rate_limit = RateLimitConfig {
            enabled,
            ..RateLimitConfig::product(product)
        };
        self
    }

    /// Emits kept per namespace while offline (1000).
    pub fn max_buffered_emits(mut self, n: usize) -> Self {
        self.config.max_buffered_emits = n;
        self
    }

    /// Bytes of server data each subscription's queue holds at most
    /// (`maxQueuedEventBytes`, 16 MiB): an event's JSON text and binary
    /// attachments as received, or for [`events`](Socket::events) the text
    /// it carries. A subscriber that falls this far behind loses the new
    /// events, as with [`subscription_queue`](Self::subscription_queue):
    /// counted in the stream's `dropped()` and logged. An event larger
    /// than the whole bound still goes into an empty queue, alone. The
    /// core's own event queue, which the driver empties every turn, has
    /// the same bound.
    pub fn max_queued_event_bytes(mut self, n: usize) -> Self {
        self.config.max_queued_event_bytes = n;
        self
    }

    /// Every core option at once, for options without a builder method.
    /// The URL and main namespace set here are kept.
    pub fn config(mut self, f: impl FnOnce(&mut ClientConfig)) -> Self {
        f(&mut self.config);
        self
    }

    /// A custom TLS configuration (own roots, client certificates). The
    /// default trusts the Mozilla roots and verifies certificates.
    pub fn tls_config(mut self, tls: Arc<rustls::ClientConfig>) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Capacity of each subscription's queue in events (1024). A
    /// subscriber that falls this far behind loses the new events (counted
    /// in the stream's `dropped()` and logged) rather than stalling the
    /// connection. See also
    /// [`max_queued_event_bytes`](Self::max_queued_event_bytes).
    pub fn subscription_queue(mut self, n: usize) -> Self {
        self.queue = n.max(1);
        self
    }

    /// Starts the client and waits until the main namespace is connected.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`], [`Error::ConnectionRefused`],
    /// [`Error::Transport`], [`Error::Auth`], [`Error::Rejected`] or
    /// [`Error::ConnectTimeout`] for the first attempt. The client stops
    /// on error; reconnection only applies once connected.
    pub async fn connect(self) -> Result<Client> {
        let client = self.start(true)?;
        client.connect_outcome().await?;
        Ok(client)
    }

    /// Starts the client without waiting: it connects (and retries as
    /// configured) in the background. Watch [`Socket::state`] or
    /// [`Socket::events`] to see it connect.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`].
    pub fn connect_lazy(self) -> Result<Client> {
        self.start(true)
    }

    /// Starts the client without connecting it: subscriptions made now
    /// exist before any event can arrive, whatever thread the client's
    /// task runs on (with [`connect_lazy`](Self::connect_lazy) it may
    /// connect before the next line runs). Connect with
    /// [`Socket::reconnect`], then await [`Client::connect_outcome`].
    ///
    /// ```no_run
    /// # async fn run() -> omni_socket::Result<()> {
    /// use omni_socket::models::omni::Authenticated;
    /// let client = omni_socket::Client::builder("http://127.0.0.1:3001").build()?;
    /// let mut authenticated = client.subscribe::<Authenticated>();
    /// client.reconnect()?;
    /// client.connect_outcome().await?;
    /// let first = authenticated.next().await;
    /// # let _ = first; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidUrl`].
    pub fn build(self) -> Result<Client> {
        self.start(false)
    }

    fn start(mut self, connect: bool) -> Result<Client> {
        let (origin, path_nsp) = parse_url(&self.url)?;
        let nsp = normalize(if self.namespace.is_empty() {
            &path_nsp
        } else {
            &self.namespace
        });
        self.config.url = origin;
        self.config.namespaces = vec![nsp.clone()];
        // The driver takes events as the packet's JSON text: typed
        // subscriptions decode their model from it in one pass, and a tree
        // is built only for untyped ones.
        self.config.driver.raw_messages = true;
        let timeout_ms = self.config.timeout;
        let queue_bytes = self.config.max_queued_event_bytes;
        // The core's event queue is only a hand-off here: the driver
        // empties it after every batch, and each batch stops once it has
        // read `queue_bytes` (`TransportSettings::batch_bytes`). The bound applies
        // where an application can fall behind, its subscription queues,
        // which count what they drop; the core's own would drop events no
        // subscriber ever saw counted when two large ones met in a batch.
        self.config.max_queued_event_bytes = usize::MAX;
        let settings = TransportSettings {
            tls: self.tls.unwrap_or_else(default_tls),
            extra_headers: self.extra_headers,
            max_message: 16 * 1024 * 1024,
            connect_timeout: Duration::from_millis(timeout_ms.max(1)),
            batch_bytes: queue_bytes.max(1),
        };
        let shared = Arc::new(Shared {
            status: Mutex::new(StatusCell::new()),
            messages: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
            last_error: Mutex::new(None),
        });
        let (cmd_tx, cmd_rx) = boxed();
        let driver = Driver::new(
            self.config,
            os_seed(),
            shared.clone(),
            settings,
            cmd_rx,
            cmd_tx.downgrade(),
        );
        let handle = tokio::runtime::Handle::try_current().map_err(|_| Error::Closed)?;
        // Boxed: the future would otherwise hold the driver twice (as the
        // argument and as the running state), 4 KB instead of 2.
        let drive = Drive::spawn(&handle, Box::new(driver).run());
        if connect {
            cmd_tx
                .send(Command::Connect { nsp: nsp.clone() })
                .map_err(|_| Error::Closed)?;
        }
        let inner = Arc::new(Inner {
            commands: cmd_tx,
            drive,
            shared,
            queue: self.queue,
            queue_bytes,
        });
        Ok(Client {
            main: Socket { inner, nsp },
            timeout_ms,
        })
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn normalize(nsp: &str) -> String {
    if nsp.is_empty() || nsp == "/" {
        "/".to_owned()
    } else if nsp.starts_with('/') {
        nsp.to_owned()
    } else {
        format!("/{nsp}")
    }
}

/// Splits a user URL into the origin the core wants (`http(s)://host`)
/// and the namespace in its path, as socket.io-client does.
fn parse_url(url: &str) -> Result<(String, String)> {
    let invalid = |reason: String| Error::InvalidUrl {
        url: url.to_owned(),
        reason,
    };
    let target = Target::parse(url).map_err(invalid)?;
    let scheme = if target.tls { "https" } else { "http" };
    let path = target
        .path_and_query
        .split('?')
        .next()
        .unwrap_or("/")
        .to_owned();
    Ok((format!("{scheme}://{}", target.authority), path))
}

/// A jitter seed from the OS: `RandomState` is keyed from the OS RNG once
/// per process and varied per instance, which is all backoff needs.
fn os_seed() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    h.finish()
}

struct Inner {
    commands: BoxedTx<Command>,
    /// The driver, which a caller awaiting an emit or an ack may poll
    /// itself (one-thread runtimes).
    drive: Arc<Drive>,
    shared: Arc<Shared>,
    queue: usize,
    queue_bytes: usize,
}

/// A connection to a Socket.IO server.
///
/// Dereferences to the [`Socket`] of its main namespace, so
/// `client.emit(…)` works directly; [`socket`](Self::socket) opens more
/// namespaces over the same connection. Cloning is cheap; the connection
/// closes when the last clone (and every [`Socket`]) is dropped, or at
/// [`disconnect`](Socket::disconnect).
#[derive(Clone)]
pub struct Client {
    main: Socket,
    timeout_ms: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("main", &self.main).finish()
    }
}

impl Client {
    /// Options for a client of `url` (`http://`, `https://`, `ws://` or
    /// `wss://`; a path names the main namespace).
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// Connects with default options.
    ///
    /// # Errors
    /// As [`ClientBuilder::connect`].
    pub async fn connect(url: &str) -> Result<Self> {
        Self::builder(url).connect().await
    }

    /// Waits for the outcome of the current connection attempt of the main
    /// namespace: `Ok` once connected (at once if already connected), or
    /// the error of the attempt. Pairs with
    /// [`ClientBuilder::connect_lazy`] when subscriptions must exist
    /// before the first event can arrive.
    ///
    /// # Errors
    /// As [`ClientBuilder::connect`].
    pub async fn connect_outcome(&self) -> Result<()> {
        let (ready, rx) = oneshot::channel();
        self.send(Command::Wait {
            nsp: self.nsp.clone(),
            ready,
        })?;
        let timeout = Duration::from_millis(self.timeout_ms.saturating_add(2_000));
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::ConnectTimeout),
        }
    }

    /// The socket of namespace `nsp` over this connection, connecting it
    /// now. Emits made before it is connected are buffered.
    pub fn socket(&self, nsp: &str) -> Socket {
        self.main.socket(nsp)
    }
}

impl std::ops::Deref for Client {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        &self.main
    }
}

/// One namespace of a [`Client`]'s connection.
#[derive(Clone)]
pub struct Socket {
    inner: Arc<Inner>,
    nsp: String,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket").field("nsp", &self.nsp).finish()
    }
}

impl Socket {
    /// The namespace, e.g. `/admin`.
    pub fn namespace(&self) -> &str {
        &self.nsp
    }

    /// The socket of namespace `nsp` over the same connection, connecting
    /// it now (as [`Client::socket`]).
    pub fn socket(&self, nsp: &str) -> Socket {
        let nsp = normalize(nsp);
        let _ = self
            .inner
            .commands
            .send(Command::OpenNamespace(nsp.clone()));
        Socket {
            inner: self.inner.clone(),
            nsp,
        }
    }

    /// The socket id while connected.
    pub fn id(&self) -> Option<String> {
        lock(&self.inner.shared.status)
            .now()
            .socket_id(&self.nsp)
            .map(str::to_owned)
    }

    /// Whether this namespace is connected.
    pub fn connected(&self) -> bool {
        lock(&self.inner.shared.status)
            .now()
            .socket_id(&self.nsp)
            .is_some()
    }

    /// Waits until this namespace is connected.
    ///
    /// # Errors
    /// [`Error::ConnectTimeout`] after `timeout`; [`Error::Closed`] when
    /// the client is gone.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<()> {
        let mut rx = self.state();
        let nsp = self.nsp.clone();
        let result =
            tokio::time::timeout(timeout, rx.wait_for(|s| s.namespaces.contains_key(&nsp))).await;
        match result {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::ConnectTimeout),
        }
    }

    /// The connection status as a watch: read it now with `borrow()` or
    /// await `changed()` / `wait_for()`.
    ///
    /// Drop the guard that `borrow()` and `wait_for()` return before the
    /// next `.await` (clone what you need): while it is held the driver
    /// cannot publish a new status and the connection stalls.
    pub fn state(&self) -> watch::Receiver<Status> {
        lock(&self.inner.shared.status).watch()
    }

    /// Heartbeat round-trip statistics (all zero until the first sample;
    /// enable with [`ClientBuilder::heartbeat`]).
    pub fn latency(&self) -> LatencyStats {
        lock(&self.inner.shared.status).now().latency()
    }

    /// The transport failure that last ended the connection or a
    /// connection attempt: its kind (e.g. [`TransportErrorKind::TooLarge`]
    /// for a message over the size limit) and a message for people. A
    /// [`Event::Disconnect`] with reason `transport error` names no cause;
    /// this is it, when read as that event arrives (it is set before the
    /// event is delivered, and replaced by the next failure).
    ///
    /// [`TransportErrorKind::TooLarge`]: omni_socket_core::client::TransportErrorKind::TooLarge
    pub fn last_transport_error(&self) -> Option<TransportError> {
        lock(&self.inner.shared.last_error).clone()
    }

    pub(crate) fn send(&self, cmd: Command) -> Result<()> {
        self.inner.commands.send(cmd).map_err(|_| Error::Closed)
    }

    /// Emits `event` with `args`. While offline it is buffered and sent in
    /// order once connected.
    ///
    /// # Errors
    /// [`Error::Emit`] when refused (buffer full, reserved name);
    /// [`Error::Closed`] when the client is gone.
    pub async fn emit(&self, event: &str, args: Vec<Value>) -> Result<()> {
        self.emit_inner(event, args, false).await.map(|_| ())
    }

    /// Emits a typed model under its event name.
    ///
    /// # Errors
    /// As [`emit`](Self::emit), plus [`Error::Payload`] if it does not
    /// serialize.
    pub async fn emit_typed<E: models::Event>(&self, payload: &E) -> Result<()> {
        self.emit(E::NAME, vec![to_value(payload)?]).await
    }

    /// Emits only if connected right now; otherwise drops it. Returns
    /// whether it was queued for sending.
    ///
    /// # Errors
    /// As [`emit`](Self::emit).
    pub async fn emit_volatile(&self, event: &str, args: Vec<Value>) -> Result<bool> {
        self.emit_inner(event, args, true)
            .await
            .map(|o| o == EmitOutcome::Queued)
    }

    async fn emit_inner(
        &self,
        event: &str,
        args: Vec<Value>,
        volatile: bool,
    ) -> Result<EmitOutcome> {
        let (reply, rx) = oneshot::channel();
        self.send(Command::Emit {
            nsp: self.nsp.clone(),
            event: event.to_owned(),
            args,
            volatile,
            reply,
        })?;
        // The outcome comes from the driver's next turn, which the caller
        // takes itself where it may (`Drive::answer`): an emit then costs
        // no scheduler turn.
        Ok(self
            .inner
            .drive
            .answer(rx)
            .await
            .map_err(|_| Error::Closed)??)
    }

    /// Emits `event` and waits for the server's acknowledgement, returning
    /// its arguments.
    ///
    /// # Errors
    /// [`Error::AckTimeout`] after `timeout`; [`Error::Disconnected`] if
    /// the namespace disconnected first; [`Error::Emit`] when refused.
    pub async fn emit_with_ack(
        &self,
        event: &str,
        args: Vec<Value>,
        timeout: Duration,
    ) -> Result<Vec<Value>> {
        let (reply, rx) = oneshot::channel();
        self.send(Command::EmitWithAck {
            nsp: self.nsp.clone(),
            event: event.to_owned(),
            args,
            timeout: Some(millis(timeout)),
            reply,
        })?;
        // The core enforces the timeout, and a driver that ends drops the
        // reply (`Closed`); a second timer here would cost every ack a
        // timer-wheel entry for nothing.
        self.inner
            .drive
            .answer(rx)
            .await
            .map_err(|_| Error::Closed)?
    }

    /// Subscribes to a room with a core [`RoomSpec`] (e.g.
    /// [`RoomSpec::omni`]). The room is re-joined after every reconnect;
    /// its state changes arrive as [`Event::RoomState`] on
    /// [`events`](Self::events). The spec's namespace is replaced by this
    /// socket's.
    ///
    /// # Errors
    /// [`Error::Emit`] past the room limit.
    pub async fn join(&self, spec: RoomSpec) -> Result<()> {
        self.join_state(spec).await.map(|_| ())
    }

    async fn join_state(&self, spec: RoomSpec) -> Result<RoomState> {
        let (reply, rx) = oneshot::channel();
        self.send(Command::Join {
            spec: Box::new(spec.in_namespace(self.nsp.clone())),
            reply,
        })?;
        Ok(rx.await.map_err(|_| Error::Closed)??)
    }

    /// [`join`](Self::join), then waits for the server's verdict: `Ok`
    /// once the room is joined (at once if it already was), the server's
    /// reason when it refuses. Presets with a confirmation or an ack
    /// ([`RoomSpec::confirm`], [`RoomSpec::ack`]) wait for it; others count
    /// as joined once the join is sent. Offline, the join goes out when
    /// the client connects.
    ///
    /// # Errors
    /// [`Error::RoomRefused`] with the server's reason (or the core's
    /// "join not confirmed within …" when the server never answered);
    /// [`Error::Timeout`] after `timeout`, the room still wanted; as
    /// [`join`](Self::join).
    pub async fn join_confirmed(&self, spec: RoomSpec, timeout: Duration) -> Result<()> {
        let key = spec.key.clone();
        // Subscribed before the join is sent, so its outcome cannot slip by.
        let mut events = self.events();
        let first = self.join_state(spec).await?;
        let nsp = self.nsp.clone();
        let verdict = async {
            let mut state = first;
            loop {
                match state {
                    RoomState::Joined => return Ok(()),
                    RoomState::Failed(reason) => {
                        return Err(Error::RoomRefused {
                            room: key.clone(),
                            reason,
                        })
                    }
                    // Joining, or a leave sent before this join: wait.
                    RoomState::Joining | RoomState::Unsubscribed => {}
                }
                state = loop {
                    match events.next().await {
                        None => return Err(Error::Closed),
                        Some(Event::RoomState {
                            nsp: n,
                            key: k,
                            state,
                        }) if n == nsp && k == key => break state,
                        Some(_) => {}
                    }
                };
            }
        };
        match tokio::time::timeout(timeout, verdict).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout(format!("room {key} not joined yet"))),
        }
    }

    /// Runs `refresh` whenever the server refuses the credentials (a
    /// `connect_error` about auth, `auth_error`, or an `error` saying
    /// "Token expired", as seeds 000 and 003 send), with the number of
    /// consecutive failures; the credentials it returns are used from the
    /// next CONNECT on, which follows at once. `None` keeps the old ones
    /// (retried after `auth_refresh_timeout`). Stops when the client is
    /// gone; abort the handle to stop earlier. It holds no handle of its
    /// own, so it never keeps the connection open.
    pub fn refresh_auth<F, Fut>(&self, mut refresh: F) -> tokio::task::JoinHandle<()>
    where
        F: FnMut(u32) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Option<Auth>> + Send + 'static,
    {
        let mut events = self.events();
        let inner = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            while let Some(e) = events.next().await {
                let Event::AuthRefreshNeeded { failures } = e else {
                    continue;
                };
                let Some(auth) = refresh(failures).await else {
                    continue;
                };
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                if inner
                    .commands
                    .send(Command::SetAuth(auth, AuthApply::NextConnect))
                    .is_err()
                {
                    return;
                }
            }
        })
    }

    /// Joins an Omni room (`join_room {room, type}`, confirmed by
    /// `room_joined`).
    ///
    /// # Errors
    /// As [`join`](Self::join).
    pub async fn join_room(&self, room: &str, room_type: &str) -> Result<()> {
        self.join(RoomSpec::omni(room, room_type)).await
    }

    /// Leaves the room subscription `key` (the spec's key; the room name
    /// for Omni rooms).
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn leave(&self, key: &str) -> Result<()> {
        self.send(Command::Leave {
            nsp: self.nsp.clone(),
            key: key.to_owned(),
        })
    }

    /// Replaces the credentials used for every CONNECT from now on;
    /// with [`AuthApply::Reconnect`] it reconnects at once.
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn set_auth(&self, auth: Auth, apply: AuthApply) -> Result<()> {
        self.send(Command::SetAuth(auth, apply))
    }

    /// Disconnects every namespace and stops reconnecting. Returns once
    /// what was already queued has been handed to the network (bounded to
    /// two seconds), so a program may exit right after. Buffered emits and
    /// room subscriptions are kept for a later
    /// [`reconnect`](Self::reconnect).
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is already gone.
    pub async fn disconnect(&self) -> Result<()> {
        let (done, rx) = oneshot::channel();
        self.send(Command::Disconnect { done })?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// Connects: after [`ClientBuilder::build`], after
    /// [`disconnect`](Self::disconnect) or after the client gave up,
    /// without waiting (see [`Client::connect_outcome`]).
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn reconnect(&self) -> Result<()> {
        self.send(Command::Connect {
            nsp: self.nsp.clone(),
        })
    }

    /// Leaves this namespace only (the connection stays for the others).
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn close(&self) -> Result<()> {
        self.send(Command::CloseNamespace(self.nsp.clone()))
    }

    fn subscribe_raw(&self, event: Option<&str>, decode: Option<DecodeFn>) -> QueueRx<Delivery> {
        let (tx, rx) = queue(self.inner.queue, self.inner.queue_bytes);
        lock(&self.inner.shared.messages).push(MessageSub {
            nsp: self.nsp.clone(),
            event: event.map(str::to_owned),
            decode,
            tx,
        });
        rx
    }

    /// Every server event on this namespace, untyped, with ack requests.
    pub fn on_any(&self) -> MessageStream {
        MessageStream {
            rx: self.subscribe_raw(None, None),
        }
    }

    /// Server events named `event` on this namespace, untyped.
    pub fn on_event(&self, event: &str) -> MessageStream {
        MessageStream {
            rx: self.subscribe_raw(Some(event), None),
        }
    }

    /// A stream of the typed event `E` (any model of
    /// [`omni_socket_core::models`]). Events whose payload does not match
    /// the model are logged and skipped.
    pub fn subscribe<E: models::Event + Send + 'static>(&self) -> EventStream<E> {
        EventStream {
            rx: self.subscribe_raw(Some(E::NAME), Some(decode_typed::<E>)),
            _marker: PhantomData,
        }
    }

    /// Calls `handler` for each typed event `E`, on a task of its own.
    /// Abort the returned handle to stop.
    pub fn on<E, F>(&self, mut handler: F) -> tokio::task::JoinHandle<()>
    where
        E: models::Event + Send + 'static,
        F: FnMut(E) + Send + 'static,
    {
        let mut stream = self.subscribe::<E>();
        tokio::spawn(async move {
            while let Some(e) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await
            {
                handler(e);
            }
        })
    }

    /// Connection lifecycle events of the whole client: connect,
    /// connect_error, disconnect, reconnect_*, room state, latency samples,
    /// auth failures, rate limits, protocol errors. Server events and ack
    /// answers are not included (see [`on_any`](Self::on_any)).
    pub fn events(&self) -> LifecycleStream {
        let (tx, rx) = queue(self.inner.queue, self.inner.queue_bytes);
        lock(&self.inner.shared.events).push(tx);
        LifecycleStream { rx }
    }
}

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v)
        .map(Value::from)
        .map_err(|e| Error::Payload(e.to_string()))
}

/// Untyped server events; see [`Socket::on_any`].
#[derive(Debug)]
pub struct MessageStream {
    rx: QueueRx<Delivery>,
}

impl MessageStream {
    /// The next event, `None` once the client is gone.
    pub async fn next(&mut self) -> Option<Message> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Events this stream lost because its queue was full (see
    /// [`ClientBuilder::subscription_queue`] and
    /// [`ClientBuilder::max_queued_event_bytes`]).
    pub fn dropped(&self) -> u64 {
        self.rx.dropped()
    }
}

impl Stream for MessageStream {
    type Item = Message;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        loop {
            return match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Delivery::Parsed(m))) => Poll::Ready(Some(m)),
                // Untyped subscriptions are always sent parsed events.
                Poll::Ready(Some(Delivery::Typed(_))) => continue,
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}

/// Typed server events; see [`Socket::subscribe`].
#[derive(Debug)]
pub struct EventStream<E> {
    rx: QueueRx<Delivery>,
    _marker: PhantomData<fn() -> E>,
}

impl<E: models::Event + Send + 'static> EventStream<E> {
    /// The next event, `None` once the client is gone.
    pub async fn next(&mut self) -> Option<E> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Events this stream lost because its queue was full (see
    /// [`ClientBuilder::subscription_queue`] and
    /// [`ClientBuilder::max_queued_event_bytes`]).
    pub fn dropped(&self) -> u64 {
        self.rx.dropped()
    }
}

impl<E: models::Event + Send + 'static> Stream for EventStream<E> {
    type Item = E;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<E>> {
        loop {
            let decoded = match self.rx.poll_recv(cx) {
                // The driver decoded it with `decode_typed::<E>`, and
                // skipped (and logged) what did not match.
                Poll::Ready(Some(Delivery::Typed(t))) => match t.downcast::<E>() {
                    Ok(e) => Ok(*e),
                    Err(_) => Err(Error::Payload(format!("not a {}", E::NAME))),
                },
                Poll::Ready(Some(Delivery::Parsed(m))) => m.decode::<E>(),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            };
            match decoded {
                Ok(e) => return Poll::Ready(Some(e)),
                Err(err) => tracing::warn!(%err, "skipping event"),
            }
        }
    }
}

impl<E> Unpin for EventStream<E> {}

/// Decodes the first argument of an event into `E` straight from the
/// packet's JSON text, in one pass that also checks the text as the core's
/// decoder does (so it is the only JSON pass of an event the core lent
/// unchecked); events with binary attachments go through the tree that
/// puts the bytes back in place.
fn decode_typed<E: models::Event + Send + 'static>(
    data: &str,
    attachments: &[bytes::Bytes],
) -> Result<Typed> {
    let e: E = if attachments.is_empty() {
        omni_socket_core::socketio::decode_first_arg::<E>(
            data,
            &omni_socket_core::Limits::default(),
        )
        .map_err(|e| Error::Payload(format!("{}: {e}", E::NAME)))?
        .ok_or_else(|| no_argument(E::NAME))?
    } else {
        let args = parse_args(data, attachments).map_err(|e| Error::Payload(e.to_string()))?;
        decode_first(E::NAME, &args)?
    };
    Ok(Box::new(e))
}

/// Lifecycle events; see [`Socket::events`].
#[derive(Debug)]
pub struct LifecycleStream {
    rx: QueueRx<Event>,
}

impl LifecycleStream {
    /// The next event, `None` once the client is gone.
    pub async fn next(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Events this stream lost because its queue was full (see
    /// [`ClientBuilder::subscription_queue`] and
    /// [`ClientBuilder::max_queued_event_bytes`]).
    pub fn dropped(&self) -> u64 {
        self.rx.dropped()
    }
}

impl Stream for LifecycleStream {
    type Item = Event;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx)
    }
}

/// Wraps a handle so that `set_auth` with default apply is one call.
impl Socket {
    /// Shorthand for [`set_auth`](Self::set_auth) applying at the next
    /// CONNECT.
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn update_auth(&self, auth: Auth) -> Result<()> {
        self.set_auth(auth, AuthApply::NextConnect)
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, parse_url};

    #[test]
    fn url_path_names_the_namespace() {
        assert_eq!(
            parse_url("wss://h.example:9/admin?x=1").unwrap(),
            ("https://h.example:9".to_owned(), "/admin".to_owned())
        );
        assert_eq!(
            parse_url("http://127.0.0.1:3001").unwrap(),
            ("http://127.0.0.1:3001".to_owned(), "/".to_owned())
        );
        assert!(parse_url("mailto:x@y").is_err());
        assert_eq!(normalize(""), "/");
        assert_eq!(normalize("admin"), "/admin");
        assert_eq!(normalize("/admin"), "/admin");
    }

    /// The driver's shortcut agrees with building the status, through a
    /// connection's life: connecting, open, namespaces connected (one
    /// known, one not), a latency sample, closed.
    #[test]
    fn status_shortcut_agrees_with_building_it() {
        use crate::shared::Snapshot as Status;
        use omni_socket_core::client::{
            Client as Core, ClientConfig, Instant, TransportAction, TransportKind,
        };

        let config = ClientConfig {
            url: "http://localhost".into(),
            transports: vec![TransportKind::Websocket],
            namespaces: vec!["/".into(), "/admin".into()],
            ..ClientConfig::default()
        };
        let mut core = Core::new(config, 7);
        let known = vec!["/".to_owned()];
        let mut status = Status::from_core(&core, &known);
        let mut now = Instant::from_millis(1_000);
        let mut check = |core: &Core, changed: bool| {
            assert_eq!(status.matches_core(core, &known), !changed);
            let built = Status::from_core(core, &known);
            assert_eq!(status == built, !changed);
            status = built;
            assert!(status.matches_core(core, &known));
        };
        check(&core, false);
        core.connect(now);
        check(&core, true);
        let id = match core.poll_action() {
            Some(TransportAction::OpenWebsocket { id, .. }) => id,
            other => panic!("expected an open, got {other:?}"),
        };
        core.handle_transport_opened(id, now);
        core.handle_text(
            id,
            now,
            r#"0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        );
        check(&core, true);
        core.handle_text(id, now, r#"40/admin,{"sid":"a1"}"#);
        // A namespace the driver does not track leaves the status alone.
        check(&core, false);
        core.handle_text(id, now, r#"40{"sid":"s1"}"#);
        check(&core, true);
        core.handle_text(id, now, "2");
        check(&core, false);
        core.disconnect(now);
        check(&core, true);
        now = now.plus_millis(1);
        core.handle_timeout(now);
        check(&core, false);
    }

    /// The status watch is made only when asked for, and behaves as if it
    /// had been made with the client: a change published before it was
    /// made is reported as not yet seen, later ones as they come, and the
    /// driver's end as the watch's end.
    #[test]
    fn a_status_watch_made_late_reports_what_changed_before() {
        use crate::shared::StatusCell;
        use omni_socket_core::client::{Client as Core, ClientConfig, ConnectionState, Instant};

        let config = ClientConfig {
            url: "http://localhost".into(),
            ..ClientConfig::default()
        };
        let mut core = Core::new(config, 7);
        let known = vec!["/".to_owned()];
        let now = Instant::from_millis(1_000);

        let mut cell = StatusCell::new();
        cell.publish(&core, &known);
        let rx = cell.watch();
        assert!(!rx.has_changed().unwrap(), "nothing changed yet");
        core.connect(now);
        cell.publish(&core, &known);
        assert!(rx.has_changed().unwrap());
        assert_eq!(rx.borrow().connection, core.state());

        let mut cell = StatusCell::new();
        cell.publish(&core, &known);
        let mut rx = cell.watch();
        assert!(
            rx.has_changed().unwrap(),
            "changed before the watch was made"
        );
        assert_eq!(rx.borrow_and_update().connection, core.state());
        assert_ne!(core.state(), ConnectionState::Idle);
        assert!(cell.watch().has_changed().unwrap(), "each new one too");
        cell.close();
        assert!(rx.has_changed().is_err(), "the driver ended");
        assert!(cell.watch().has_changed().is_err());

        let mut cell = StatusCell::new();
        cell.close();
        assert!(cell.watch().has_changed().is_err(), "made after the end");
    }

    /// However the driver's task ends (here with its runtime, while the
    /// application still holds the client), a status watch sees the end.
    #[test]
    fn the_status_watch_ends_with_the_driver() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = rt.block_on(async { super::Client::builder("http://127.0.0.1:9").build() });
        let client = client.unwrap();
        let rx = client.state();
        assert!(!rx.has_changed().unwrap());
        drop(rt);
        assert!(rx.has_changed().is_err());
        drop(client);
    }
}
