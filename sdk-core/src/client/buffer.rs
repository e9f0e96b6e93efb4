//! The outbox of one namespace: emits, room joins and leaves, and
//! heartbeats that have not gone out yet (offline, over their rate
//! budget, or behind a full frame queue), in the order they go out.

use crate::prelude::*;
use alloc::collections::VecDeque;

use super::events::RequestId;
use super::timer::Instant;
use crate::Args;

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

impl OutKind {
    /// The room a join or leave is about.
    pub(super) fn room(&self) -> Option<&str> {
        match self {
            Self::Join(k) | Self::Leave(k) => Some(k),
            _ => None,
        }
    }
}

/// An emit that has not gone out yet. Packets are built only when sent,
/// so ack ids are assigned in wire order and per session.
#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    pub(super) event: String,
    pub(super) args: Args,
    pub(super) kind: OutKind,
    pub(super) volatile: bool,
}

/// The outbox, oldest first.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    items: VecDeque<Outgoing>,
}

impl Outbox {
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn get(&self, i: usize) -> Option<&Outgoing> {
        self.items.get(i)
    }

    pub(super) fn remove(&mut self, i: usize) -> Option<Outgoing> {
        self.items.remove(i)
    }

    pub(super) fn push_back(&mut self, item: Outgoing) {
        self.items.push_back(item);
    }

    pub(super) fn push_front(&mut self, item: Outgoing) {
        self.items.push_front(item);
    }

    /// Emits that asked for an ack and still wait.
    pub(super) fn acks(&self) -> usize {
        self.items
            .iter()
            .filter(|o| matches!(o.kind, OutKind::Ack { .. }))
            .count()
    }

    pub(super) fn has_heartbeat(&self) -> bool {
        self.items
            .iter()
            .any(|o| matches!(o.kind, OutKind::Heartbeat))
    }

    /// Removes the oldest message to make room (`DropOldest`). Room joins
    /// and leaves are state, not messages: they are never dropped.
    pub(super) fn drop_oldest(&mut self) -> Option<Outgoing> {
        let pos = self.items.iter().position(|o| o.kind.room().is_none())?;
        self.items.remove(pos)
    }

    /// Withdraws a join of `key` that has not gone out; `true` if there was
    /// one.
    pub(super) fn withdraw_join(&mut self, key: &str) -> bool {
        let pos = self
            .items
            .iter()
            .position(|o| matches!(&o.kind, OutKind::Join(k) if k == key));
        pos.and_then(|p| self.items.remove(p)).is_some()
    }

    /// Drops the joins and leaves: they belong to a session, and the next
    /// one re-joins from the subscription table, once per room.
    pub(super) fn drop_room_changes(&mut self) {
        self.items.retain(|o| o.kind.room().is_none());
    }

    /// Ack emits still waiting to go out expire too (their clock runs from
    /// the emit, as in socket.io-client): their requests, removed.
    pub(super) fn expire_acks(&mut self, now: Instant) -> Vec<RequestId> {
        let mut failed = Vec::new();
        self.items.retain(|o| match o.kind {
            OutKind::Ack {
                request,
                deadline: Some(d),
                ..
            } if d <= now => {
                failed.push(request);
                false
            }
            _ => true,
        });
        failed
    }

    pub(super) fn earliest_deadline(&self) -> Option<Instant> {
        self.items
            .iter()
            .filter_map(|o| match o.kind {
                OutKind::Ack { deadline, .. } => deadline,
                _ => None,
            })
            .min()
    }
}
