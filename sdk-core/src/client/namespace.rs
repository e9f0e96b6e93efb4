//! One namespace multiplexed over the Engine.IO session: where it stands
//! with the server, and the state of its own that each concern keeps
//! (outbox, acks, rooms, recovery, retries).

use super::ack::Acks;
use super::buffer::Outbox;
use super::events::RequestId;
use super::rooms::Rooms;
use super::timer::Instant;
use crate::prelude::*;

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

/// Connection state recovery: the server's private session id and the
/// offset of the last event seen, sent back in the next CONNECT.
#[derive(Debug, Default)]
pub(super) struct Recovery {
    pub(super) pid: Option<String>,
    pub(super) offset: Option<String>,
}

impl Recovery {
    pub(super) fn clear(&mut self) {
        self.pid = None;
        self.offset = None;
    }
}

/// Retries of this namespace's CONNECT within an open session.
#[derive(Debug, Default)]
pub(super) struct Retry {
    pub(super) at: Option<Instant>,
    pub(super) attempts: u32,
    /// New credentials came after an auth failure while the server had
    /// not yet disconnected the namespace (its DISCONNECT may come in a
    /// later poll): its disconnect is answered with a CONNECT at once.
    pub(super) refreshed: bool,
    /// Refused for its credentials: waits for new ones rather than a
    /// timer.
    pub(super) auth_wait: bool,
}

/// What ending a namespace's connection left to report.
#[derive(Debug)]
pub(super) struct Ended {
    /// It was connected (so the application sees a disconnect).
    pub(super) was_connected: bool,
    /// Rooms that were joined and are joining again.
    pub(super) demoted: Vec<String>,
    /// Ack requests that can no longer be answered.
    pub(super) failed: Vec<RequestId>,
}

/// One namespace. `wanted` is the application's intent; `state` is where
/// the server stands.
#[derive(Debug)]
pub(super) struct Namespace {
    pub(super) name: String,
    pub(super) wanted: bool,
    pub(super) state: NsState,
    pub(super) outbox: Outbox,
    pub(super) acks: Acks,
    pub(super) rooms: Rooms,
    pub(super) recovery: Recovery,
    pub(super) retry: Retry,
    /// Credentials of this namespace alone, from
    /// [`Client::answer_auth`](super::Client::answer_auth); the client's
    /// when `None`. Boxed: few namespaces have their own, and inline it
    /// took 104 of a namespace's bytes.
    pub(super) auth: Option<Box<super::Auth>>,
}

impl Namespace {
    pub(super) fn new(name: String, wanted: bool) -> Self {
        Self {
            name,
            wanted,
            state: NsState::Disconnected,
            outbox: Outbox::default(),
            acks: Acks::default(),
            rooms: Rooms::default(),
            recovery: Recovery::default(),
            retry: Retry::default(),
            auth: None,
        }
    }

    pub(super) fn connected(&self) -> bool {
        matches!(self.state, NsState::Connected { .. })
    }

    pub(super) fn sid(&self) -> Option<&str> {
        match &self.state {
            NsState::Connected { sid } => Some(sid),
            _ => None,
        }
    }

    /// Acks awaited, sent or not.
    pub(super) fn ack_load(&self) -> usize {
        self.acks.len() + self.outbox.acks()
    }

    /// The namespace's earliest deadline: its CONNECT, its retry, a room
    /// confirmation or an ack.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let connect = match self.state {
            NsState::Connecting { deadline, .. } => Some(deadline),
            _ => None,
        };
        [
            connect,
            self.retry.at,
            self.rooms.earliest_deadline(),
            self.acks.earliest_deadline(),
            self.outbox.earliest_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The connection of this namespace ended (its session went, or it was
    /// disconnected): joins and leaves belong to the session and go, joined
    /// rooms are joining again, acks fail or (retried emits) wait for the
    /// next session.
    pub(super) fn end(&mut self) -> Ended {
        let was_connected = self.connected();
        self.state = NsState::Disconnected;
        self.outbox.drop_room_changes();
        let demoted = self.rooms.demote();
        let failed = self.acks.lost(&mut self.outbox);
        Ended {
            was_connected,
            demoted,
            failed,
        }
    }
}
