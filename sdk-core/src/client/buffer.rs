//! The outbox of each namespace: offline buffer, rate-limited sends and
//! the pump that drains them in order.

use super::*;

impl Client {
    pub(super) fn emit_inner(
        &mut self,
        nsp: &str,
        event: &str,
        args: Vec<Value>,
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
                OverflowPolicy::DropOldest => self.drop_oldest(idx),
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

    pub(super) fn drop_oldest(&mut self, idx: usize) {
        let ns = &mut self.namespaces[idx];
        // Room joins are state, not messages: they are not dropped.
        let Some(pos) = ns
            .outbox
            .iter()
            .position(|o| !matches!(o.kind, OutKind::Join(_) | OutKind::Leave(_)))
        else {
            return;
        };
        let Some(item) = ns.outbox.remove(pos) else {
            return;
        };
        self.report_dropped(idx, item, DropReason::BufferOverflow);
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
    pub(super) fn pump(&mut self) {
        self.rate_wake = None;
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
            while i < self.namespaces[idx].outbox.len() {
                if self.session.queued_frames() >= self.config.max_queued_transmits {
                    return;
                }
                let ns = &self.namespaces[idx];
                let item = &ns.outbox[i];
                let is_retry = matches!(item.kind, OutKind::Ack { retry: true, .. });
                let room = match &item.kind {
                    OutKind::Join(k) | OutKind::Leave(k) => Some(k),
                    _ => None,
                };
                if blocked.contains(&item.event)
                    || room.is_some_and(|k| blocked_rooms.contains(k))
                    || (is_retry && ns.retry_in_flight)
                {
                    i += 1;
                    continue;
                }
                let ready = self
                    .limiter
                    .ready_at(&self.config.rate_limit, &item.event, now);
                if ready > now {
                    let ns = &mut self.namespaces[idx];
                    if ns.outbox[i].volatile {
                        if let Some(item) = ns.outbox.remove(i) {
                            let nsp = ns.name.clone();
                            self.push_event(Event::EmitDropped {
                                nsp,
                                event: item.event,
                                reason: DropReason::Volatile,
                            });
                        }
                        continue;
                    }
                    blocked.push(ns.outbox[i].event.clone());
                    if let OutKind::Join(k) | OutKind::Leave(k) = &ns.outbox[i].kind {
                        blocked_rooms.push(k.clone());
                    }
                    self.rate_wake = Some(self.rate_wake.map_or(ready, |w| w.min(ready)));
                    i += 1;
                    continue;
                }
                let Some(item) = self.namespaces[idx].outbox.remove(i) else {
                    break;
                };
                self.limiter
                    .consume(&self.config.rate_limit, &item.event, now);
                self.send_outgoing(idx, item);
            }
        }
    }

    pub(super) fn send_outgoing(&mut self, idx: usize, mut item: Outgoing) {
        let now = self.now;
        let ack_mode_heartbeat = matches!(item.kind, OutKind::Heartbeat)
            && matches!(
                self.config.heartbeat.as_ref().map(|h| &h.mode),
                Some(HeartbeatMode::Ack { .. })
            );
        let ns = &mut self.namespaces[idx];
        let id = if matches!(item.kind, OutKind::Ack { .. }) || ack_mode_heartbeat {
            let id = ns.next_ack_id;
            ns.next_ack_id = ns.next_ack_id.wrapping_add(1);
            Some(id)
        } else {
            None
        };
        let packet =
            socketio::Packet::event_with_values(ns.name.clone(), id, &item.event, &item.args);
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
                    ns.retry_in_flight = true;
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
            OutKind::Heartbeat => {
                if let Some(id) = id {
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
                } else {
                    self.heartbeat_sent = Some(now);
                }
            }
            OutKind::Join(key) => {
                let key = key.clone();
                let wait = self.config.room_join_timeout;
                if let Some(r) = ns.rooms.iter_mut().find(|r| r.spec.key == key) {
                    if r.state == RoomState::Joining {
                        if r.spec.confirm.is_some() {
                            r.confirm_deadline = Some(now.plus_millis(wait));
                        } else {
                            r.state = RoomState::Joined;
                            self.room_event(idx, &key, RoomState::Joined);
                        }
                    }
                }
            }
            OutKind::Plain | OutKind::Leave(_) => {}
        }
    }
}
