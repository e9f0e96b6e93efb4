//! Acks: answers, timeouts and retries of emits that asked for one.

use super::*;

impl Client {
    pub(super) fn ack_timeouts(&mut self, idx: usize) {
        let now = self.now;
        let retries = self.config.retries;
        let ns = &mut self.namespaces[idx];
        let expired: Vec<u64> = ns
            .acks
            .iter()
            .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
            .map(|(id, _)| *id)
            .collect();
        let mut failed = Vec::new();
        for id in expired {
            let Some(p) = ns.acks.remove(&id) else {
                continue;
            };
            match p.kind {
                PendingKind::Heartbeat { .. } => {}
                PendingKind::Request {
                    request,
                    resend: None,
                } => failed.push(request),
                PendingKind::Request {
                    request,
                    resend: Some(mut item),
                } => {
                    ns.retry_in_flight = false;
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
                        ns.outbox.push_front(item);
                    }
                }
            }
        }
        // Ack emits still waiting to go out expire too (their clock runs
        // from the emit, as in socket.io-client).
        let mut i = 0;
        while i < ns.outbox.len() {
            match ns.outbox[i].kind {
                OutKind::Ack {
                    request,
                    deadline: Some(d),
                    ..
                } if d <= now => {
                    ns.outbox.remove(i);
                    failed.push(request);
                }
                _ => i += 1,
            }
        }
        let nsp = ns.name.clone();
        for request in failed {
            self.push_event(Event::AckFailed {
                nsp: nsp.clone(),
                request,
                reason: AckFailure::Timeout,
            });
        }
    }

    pub(super) fn on_ack(
        &mut self,
        idx: usize,
        packet: &socketio::Packet<'_>,
        tree: Option<Value>,
    ) {
        let Some(id) = packet.id else {
            return;
        };
        let Some(p) = self.namespaces[idx].acks.remove(&id) else {
            // Late (already timed out) or never asked: nothing to do.
            return;
        };
        let args = match tree.map_or_else(|| packet.value(&self.limits), Ok) {
            Ok(Value::Array(items)) => items,
            Ok(_) => Vec::new(),
            Err(e) => {
                self.protocol_error(e);
                return;
            }
        };
        match p.kind {
            PendingKind::Heartbeat { sent } => self.record_latency(sent, None, None),
            PendingKind::Request { request, resend } => {
                if resend.is_some() {
                    self.namespaces[idx].retry_in_flight = false;
                }
                let nsp = self.namespaces[idx].name.clone();
                self.push_event(Event::Ack { nsp, request, args });
            }
        }
    }
}
