//! Per-namespace state: connection, outbox, outstanding acks, rooms and
//! recovery data.

use std::collections::VecDeque;

use super::rooms::Room;
use super::vecmap::SortedMap;
use super::{Instant, RequestId};
use crate::Value;

/// What an outbox entry is, which decides what happens once it is sent.
#[derive(Debug, Clone)]
pub(super) enum OutKind {
    Plain,
    Ack {
        request: RequestId,
        timeout: Option<u64>,
        deadline: Option<Instant>,
        tries: u32,
        retry: bool,
    },
    Join(String),
    Leave(String),
    Heartbeat,
}

/// An emit that has not gone out yet. Packets are built only when sent,
/// so ack ids are assigned in wire order and per session.
#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    pub(super) event: String,
    pub(super) args: Vec<Value>,
    pub(super) kind: OutKind,
    pub(super) volatile: bool,
}

/// Who waits for an ack id.
#[derive(Debug)]
pub(super) enum PendingKind {
    Request {
        request: RequestId,
        resend: Option<Outgoing>,
    },
    Heartbeat {
        sent: Instant,
    },
}

/// An ack id in flight.
#[derive(Debug)]
pub(super) struct PendingAck {
    pub(super) kind: PendingKind,
    pub(super) deadline: Option<Instant>,
}

/// Connection state of one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NsState {
    Disconnected,
    Connecting {
        deadline: Instant,
        sent_pid: Option<String>,
        /// The CONNECT is not sent yet: it waits for the credentials asked
        /// for with [`Event::AuthRequested`](super::Event).
        asking_auth: bool,
    },
    Connected {
        sid: String,
    },
}

/// One namespace multiplexed over the Engine.IO session. `wanted` is the
/// application's intent; `state` is where the server stands.
#[derive(Debug)]
pub(super) struct Namespace {
    pub(super) name: String,
    pub(super) wanted: bool,
    pub(super) state: NsState,
    pub(super) outbox: VecDeque<Outgoing>,
    pub(super) acks: SortedMap<u64, PendingAck>,
    pub(super) next_ack_id: u64,
    pub(super) retry_in_flight: bool,
    pub(super) server_acks: VecDeque<u64>,
    pub(super) rooms: Vec<Room>,
    pub(super) pid: Option<String>,
    pub(super) offset: Option<String>,
    pub(super) retry_at: Option<Instant>,
    pub(super) attempts: u32,
    pub(super) auth_wait: bool,
    /// Credentials of this namespace alone, from
    /// [`Client::answer_auth`](super::Client::answer_auth); the client's
    /// when `None`.
    pub(super) auth: Option<super::Auth>,
}

impl Namespace {
    pub(super) fn new(name: String, wanted: bool) -> Self {
        Self {
            name,
            wanted,
            state: NsState::Disconnected,
            outbox: VecDeque::new(),
            acks: SortedMap::new(),
            next_ack_id: 0,
            retry_in_flight: false,
            server_acks: VecDeque::new(),
            rooms: Vec::new(),
            pid: None,
            offset: None,
            retry_at: None,
            attempts: 0,
            auth_wait: false,
            auth: None,
        }
    }

    pub(super) fn connected(&self) -> bool {
        matches!(self.state, NsState::Connected { .. })
    }

    pub(super) fn ack_load(&self) -> usize {
        self.acks.len()
            + self
                .outbox
                .iter()
                .filter(|o| matches!(o.kind, OutKind::Ack { .. }))
                .count()
    }
}
