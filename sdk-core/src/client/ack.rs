//! Acks of one namespace: the ids this client is waiting on (its emits
//! with an ack, and ack-mode heartbeats), and the server's requests it may
//! still answer.

use crate::prelude::*;
use alloc::collections::VecDeque;

use super::buffer::{OutKind, Outbox};
use super::events::RequestId;
use super::timer::Instant;
use super::vecmap::SortedMap;

/// Server ack requests remembered per namespace; older ones can no longer
/// be answered.
const MAX_SERVER_ACKS: usize = 256;

/// Who waits for an ack id.
#[derive(Debug)]
pub(super) enum PendingKind {
    /// An emit of the application; with `resend`, the emit to send again
    /// if no answer comes in time (`retries`).
    Request {
        request: RequestId,
        resend: Option<super::buffer::Outgoing>,
    },
    /// An ack-mode heartbeat sent at `sent`.
    Heartbeat { sent: Instant },
    /// Join number `sent` of room `key`, answered through its ack.
    Join { key: String, sent: u64 },
}

/// An ack id in flight.
#[derive(Debug)]
pub(super) struct PendingAck {
    pub(super) kind: PendingKind,
    pub(super) deadline: Option<Instant>,
}

/// What one namespace's acks stand at.
#[derive(Debug, Default)]
pub(super) struct Acks {
    pending: SortedMap<u64, PendingAck>,
    next_id: u64,
    /// An emit with retries is in flight: the next waits for its answer,
    /// so retried emits stay in order (as in socket.io-client).
    pub(super) retry_in_flight: bool,
    /// The server's ack requests, oldest first.
    server: VecDeque<u64>,
}

impl Acks {
    /// Ids waiting for an answer.
    pub(super) fn len(&self) -> usize {
        self.pending.len()
    }

    /// The id for the next packet that asks for an ack, in wire order.
    pub(super) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    pub(super) fn insert(&mut self, id: u64, ack: PendingAck) {
        self.pending.insert(id, ack);
    }

    /// The waiter of `id`, now answered; `None` when late or never asked.
    pub(super) fn answered(&mut self, id: u64) -> Option<PendingAck> {
        let p = self.pending.remove(&id)?;
        if matches!(
            p.kind,
            PendingKind::Request {
                resend: Some(_),
                ..
            }
        ) {
            self.retry_in_flight = false;
        }
        Some(p)
    }

    pub(super) fn earliest_deadline(&self) -> Option<Instant> {
        self.pending.values().filter_map(|a| a.deadline).min()
    }

    /// Ends the waits that ran out by `now`: requests whose tries are used
    /// up (returned), retried emits back to the front of `outbox`.
    pub(super) fn expire(
        &mut self,
        now: Instant,
        retries: u32,
        outbox: &mut Outbox,
    ) -> Vec<RequestId> {
        let expired: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
            .map(|(id, _)| *id)
            .collect();
        let mut failed = Vec::new();
        for id in expired {
            let Some(p) = self.pending.remove(&id) else {
                continue;
            };
            match p.kind {
                PendingKind::Heartbeat { .. } | PendingKind::Join { .. } => {}
                PendingKind::Request {
                    request,
                    resend: None,
                } => failed.push(request),
                PendingKind::Request {
                    request,
                    resend: Some(mut item),
                } => {
                    self.retry_in_flight = false;
                    let tries = match &mut item.kind {
                        OutKind::Ack { tries, .. } => {
                            *tries += 1;
                            *tries
                        }
                        _ => u32::MAX,
                    };
                    if tries > retries {
                        failed.push(request);
                    } else {
                        outbox.push_front(item);
                    }
                }
            }
        }
        failed
    }

    /// The namespace is gone: retried emits go back to the front of
    /// `outbox` for the next session; the other requests fail (returned in
    /// request order, as the application made them).
    pub(super) fn lost(&mut self, outbox: &mut Outbox) -> Vec<RequestId> {
        self.server.clear();
        self.retry_in_flight = false;
        let mut failed: Vec<u64> = Vec::new();
        for (_, p) in core::mem::take(&mut self.pending).into_iter().rev() {
            match p.kind {
                PendingKind::Request {
                    resend: Some(item), ..
                } => outbox.push_front(item),
                PendingKind::Request {
                    request,
                    resend: None,
                } => {
                    // Kept in request order as it is built: a few entries,
                    // and no sort code in the browser build.
                    let at = failed.partition_point(|&r| r < request.0);
                    failed.insert(at, request.0);
                }
                // The rooms themselves are joining again.
                PendingKind::Heartbeat { .. } | PendingKind::Join { .. } => {}
            }
        }
        failed.into_iter().map(RequestId).collect()
    }

    /// Remembers the server's ack request `id` (the oldest is forgotten
    /// past the bound).
    pub(super) fn server_asked(&mut self, id: u64) {
        if self.server.len() >= MAX_SERVER_ACKS {
            self.server.pop_front();
        }
        self.server.push_back(id);
    }

    /// Whether the server's request `id` can still be answered.
    pub(super) fn server_pending(&self, id: u64) -> bool {
        self.server.contains(&id)
    }

    /// The server's request `id` was answered.
    pub(super) fn server_answered(&mut self, id: u64) {
        if let Some(pos) = self.server.iter().position(|&a| a == id) {
            self.server.remove(pos);
        }
    }
}
