//! What the public handles and the driver task share: the public
//! [`Message`], [`AckRequest`] and [`Status`] types, the commands handles
//! send to the driver, and the subscriptions the driver delivers to. The
//! handles (`client.rs`) and the driver (`driver.rs`) both build on this
//! module and never on each other's internals, so neither depends on the
//! other in a cycle.

use std::collections::BTreeMap;
use std::sync::Mutex;

use omni_socket_core::client::{
    Auth, AuthApply, Client as Core, ConnectionState, EmitError, EmitOutcome, Event, LatencyStats,
    RoomSpec, RoomState, TransportError, TransportKind,
};
use omni_socket_core::{models, Value};
use tokio::sync::{oneshot, watch};

use crate::error::{Error, Result};
use crate::queue::{QueueTx, WeakBoxedTx};

/// A server event as received, with binary values in place.
#[derive(Debug, Clone)]
pub struct Message {
    /// Namespace it arrived on.
    pub namespace: String,
    /// Event name.
    pub event: String,
    /// Arguments after the name.
    pub args: Vec<Value>,
    /// Set when the server asked for an acknowledgement.
    pub ack: Option<AckRequest>,
}

impl Message {
    /// The first argument as plain JSON (binary values become arrays of
    /// byte numbers), `Null` when there is none.
    pub fn first_json(&self) -> serde_json::Value {
        self.args
            .first()
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// Decodes the first argument into the typed model `E`.
    ///
    /// # Errors
    /// [`Error::Payload`] when the event is not `E::NAME`, has no argument,
    /// or the argument does not match the model.
    pub fn decode<E: models::Event>(&self) -> Result<E> {
        decode_first(&self.event, &self.args)
    }
}

/// [`Error::Payload`] unless `event` is `E`'s name.
pub(crate) fn expect_name<E: models::Event>(event: &str) -> Result<()> {
    if event == E::NAME {
        Ok(())
    } else {
        Err(Error::Payload(format!(
            "event {event:?} is not {:?}",
            E::NAME
        )))
    }
}

pub(crate) fn no_argument(event: &str) -> Error {
    Error::Payload(format!("event {event:?} has no argument"))
}

/// The first of an event's parsed arguments as the model `E`.
pub(crate) fn decode_first<E: models::Event>(event: &str, args: &[Value]) -> Result<E> {
    expect_name::<E>(event)?;
    args.first()
        .ok_or_else(|| no_argument(event))?
        .deserialize_into()
        .map_err(|e| Error::Payload(format!("{}: {e}", E::NAME)))
}

/// The server's request for an acknowledgement of one event.
///
/// Answer it once with [`send`](Self::send). When several subscribers
/// receive the same event only the first answer goes out.
#[derive(Debug, Clone)]
pub struct AckRequest {
    pub(crate) nsp: String,
    pub(crate) id: u64,
    pub(crate) commands: WeakBoxedTx<Command>,
}

impl AckRequest {
    /// The server's ack id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sends the acknowledgement with `args`.
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone. An answer for a namespace
    /// that has since disconnected is dropped silently, as the server
    /// would ignore it.
    pub fn send(self, args: Vec<Value>) -> Result<()> {
        let tx = self.commands.upgrade().ok_or(Error::Closed)?;
        tx.send(Command::Ack {
            nsp: self.nsp,
            id: self.id,
            args,
        })
        .map_err(|_| Error::Closed)
    }
}

/// A snapshot of the connection, published through
/// [`Socket::state`](crate::Socket::state).
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The Engine.IO session.
    pub connection: ConnectionState,
    /// The transport in use.
    pub transport: Option<TransportKind>,
    /// Connected namespaces and their socket ids.
    pub namespaces: BTreeMap<String, String>,
    /// Heartbeat round-trip statistics.
    pub latency: LatencyStats,
    /// Reconnection attempts in the current streak, 0 once connected (seed
    /// 002's `reconnectAttempts`).
    pub reconnect_attempts: u32,
}

/// What the driver last published of the connection's status: a
/// [`Status`] with its namespaces in a list. Kept apart from the watch
/// that [`Socket::state`](crate::Socket::state) hands out, which is made
/// only when someone asks for it: a `BTreeMap` with one entry allocates a
/// whole node (544 bytes for `String` pairs) and a watch channel 448, a
/// seventh of an idle connection that nobody watches.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Snapshot {
    connection: ConnectionState,
    transport: Option<TransportKind>,
    /// Connected namespaces and their socket ids, in the order known.
    namespaces: Vec<(String, String)>,
    latency: LatencyStats,
    reconnect_attempts: u32,
}

impl Snapshot {
    fn idle() -> Self {
        Self {
            connection: ConnectionState::Idle,
            transport: None,
            namespaces: Vec::new(),
            latency: LatencyStats::default(),
            reconnect_attempts: 0,
        }
    }

    pub(crate) fn from_core(core: &Core, known: &[String]) -> Self {
        let mut namespaces: Vec<(String, String)> = known
            .iter()
            .filter_map(|nsp| Some((nsp.clone(), core.socket_id(nsp)?.to_owned())))
            .collect();
        // Collected with room for four: most clients have one namespace.
        namespaces.shrink_to_fit();
        Self {
            connection: core.state(),
            transport: core.transport().map(|(_, k)| k),
            namespaces,
            latency: core.latency(),
            reconnect_attempts: core.reconnect_attempts(),
        }
    }

    /// Whether [`Snapshot::from_core`] would build a snapshot equal to
    /// this one. The driver asks after every turn; most turns change
    /// nothing, and this answers without copying names.
    pub(crate) fn matches_core(&self, core: &Core, known: &[String]) -> bool {
        if self.connection != core.state()
            || self.transport != core.transport().map(|(_, k)| k)
            || self.latency != core.latency()
            || self.reconnect_attempts != core.reconnect_attempts()
        {
            return false;
        }
        let mut mine = self.namespaces.iter();
        for nsp in known {
            if let Some(sid) = core.socket_id(nsp) {
                match mine.next() {
                    Some((n, s)) if n == nsp && s == sid => {}
                    _ => return false,
                }
            }
        }
        mine.next().is_none()
    }

    /// The socket id of namespace `nsp`, while it is connected.
    pub(crate) fn socket_id(&self, nsp: &str) -> Option<&str> {
        self.namespaces
            .iter()
            .find(|(n, _)| n == nsp)
            .map(|(_, sid)| sid.as_str())
    }

    pub(crate) fn latency(&self) -> LatencyStats {
        self.latency
    }

    pub(crate) fn to_status(&self) -> Status {
        Status {
            connection: self.connection,
            transport: self.transport,
            namespaces: self.namespaces.iter().cloned().collect(),
            latency: self.latency,
            reconnect_attempts: self.reconnect_attempts,
        }
    }
}

/// The status the driver publishes, and the watch of it once one was asked
/// for.
#[derive(Debug)]
pub(crate) struct StatusCell {
    now: Snapshot,
    /// It changed since the client started.
    changed: bool,
    /// The watch's sender, until the driver ends.
    tx: Option<watch::Sender<Status>>,
    /// A receiver that never marks a value seen: the ones handed out are
    /// its clones, so `changed()` on one reports whatever was published
    /// since the watch began, as when the watch was made with the client.
    rx: Option<watch::Receiver<Status>>,
    /// The driver has ended: a watch reports it closed.
    closed: bool,
}

impl StatusCell {
    pub(crate) fn new() -> Self {
        Self {
            now: Snapshot::idle(),
            changed: false,
            tx: None,
            rx: None,
            closed: false,
        }
    }

    pub(crate) fn now(&self) -> &Snapshot {
        &self.now
    }

    /// Publishes the core's status, unless it is the one published last.
    pub(crate) fn publish(&mut self, core: &Core, known: &[String]) {
        if self.now.matches_core(core, known) {
            return;
        }
        self.now = Snapshot::from_core(core, known);
        self.changed = true;
        if let Some(tx) = &self.tx {
            tx.send_replace(self.now.to_status());
        }
    }

    /// A receiver of the status watch, made now if it is the first. A
    /// watch made after a change reports it as not yet seen, as a watch
    /// made with the client would have.
    pub(crate) fn watch(&mut self) -> watch::Receiver<Status> {
        if let Some(rx) = &self.rx {
            return rx.clone();
        }
        let (tx, rx) = watch::channel(Snapshot::idle().to_status());
        if self.changed {
            tx.send_replace(self.now.to_status());
        }
        if !self.closed {
            self.tx = Some(tx);
        }
        self.rx = Some(rx.clone());
        rx
    }

    /// The driver has ended: the watch's `changed()` fails from now on,
    /// as when its sender went with the driver.
    pub(crate) fn close(&mut self) {
        self.closed = true;
        self.tx = None;
    }
}

/// A command from a handle to the driver.
pub(crate) enum Command {
    Connect {
        nsp: String,
    },
    /// Resolve `ready` at the next connect or connect error of `nsp`
    /// (at once if it is connected).
    Wait {
        nsp: String,
        ready: oneshot::Sender<Result<(), Error>>,
    },
    Disconnect {
        done: oneshot::Sender<()>,
    },
    OpenNamespace(String),
    CloseNamespace(String),
    Emit {
        nsp: String,
        event: String,
        args: Vec<Value>,
        volatile: bool,
        reply: oneshot::Sender<Result<EmitOutcome, EmitError>>,
    },
    EmitWithAck {
        nsp: String,
        event: String,
        args: Vec<Value>,
        timeout: Option<u64>,
        reply: oneshot::Sender<Result<Vec<Value>, Error>>,
    },
    Ack {
        nsp: String,
        id: u64,
        args: Vec<Value>,
    },
    /// Answered with the room's state right after the join.
    Join {
        spec: Box<RoomSpec>,
        reply: oneshot::Sender<Result<RoomState, EmitError>>,
    },
    Leave {
        nsp: String,
        key: String,
    },
    SetAuth(Auth, AuthApply),
}

pub(crate) type AckReply = oneshot::Sender<Result<Vec<Value>, Error>>;

/// Who receives incoming server events.
pub(crate) struct MessageSub {
    pub(crate) nsp: String,
    pub(crate) event: Option<String>,
    /// A typed subscription's decoder: the driver reads the model straight
    /// from the event's JSON text, and that read is the event's only JSON
    /// pass (see [`Client::handle_text_event_unchecked`]). `None` for untyped
    /// subscriptions, which get parsed arguments.
    ///
    /// [`Client::handle_text_event_unchecked`]: omni_socket_core::client::Client::handle_text_event_unchecked
    pub(crate) decode: Option<DecodeFn>,
    pub(crate) tx: QueueTx<Delivery>,
}

/// Decodes the model of a typed subscription from an event's JSON text
/// (`["name", arg, ...]`) and its binary attachments.
pub(crate) type DecodeFn = fn(&str, &[bytes::Bytes]) -> Result<Typed>;

/// A decoded model, to be taken back by its [`EventStream`](crate::EventStream).
pub(crate) type Typed = Box<dyn std::any::Any + Send>;

/// One server event as a subscription receives it.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Parsed arguments, for untyped subscriptions.
    Parsed(Message),
    /// The model a typed subscription asked for, decoded by the driver.
    Typed(Typed),
}

/// JSON text as a tree, binary values in place of the placeholders
/// numbering `attachments`.
pub(crate) fn json_tree(
    data: &str,
    attachments: &[bytes::Bytes],
) -> Result<Value, omni_socket_core::Error> {
    let limits = omni_socket_core::Limits::default();
    if attachments.is_empty() {
        Value::parse_json(data, &limits)
    } else {
        Value::reconstruct(data, attachments, &limits)
    }
}

/// The arguments after the name of an event's JSON text
/// (`["name", ...args]`) as a tree, binary values in place.
pub(crate) fn parse_args(
    data: &str,
    attachments: &[bytes::Bytes],
) -> Result<Vec<Value>, omni_socket_core::Error> {
    Ok(match json_tree(data, attachments)? {
        Value::Array(mut items) if !items.is_empty() => {
            items.remove(0);
            items
        }
        _ => Vec::new(),
    })
}

/// State shared between the handles and the driver.
pub(crate) struct Shared {
    pub(crate) status: Mutex<StatusCell>,
    pub(crate) messages: Mutex<Vec<MessageSub>>,
    pub(crate) events: Mutex<Vec<QueueTx<Event>>>,
    /// The transport failure that last ended a session or an attempt.
    pub(crate) last_error: Mutex<Option<TransportError>>,
}

/// Locks `m`, whatever a panicking holder left behind.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data; keep using it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
