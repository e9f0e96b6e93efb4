//! The application heartbeat and its round-trip samples.

use super::*;

impl Client {
    pub(super) fn heartbeat_due(&mut self) {
        let Some(hb) = self.config.heartbeat.clone() else {
            return;
        };
        let Some(idx) = self.ns_index(&hb.namespace) else {
            return;
        };
        if !self.session.is_open() || !self.namespaces[idx].connected() {
            return;
        }
        self.timers
            .set(Timer::Heartbeat, self.now.plus_millis(hb.interval.max(1)));
        let ns = &mut self.namespaces[idx];
        // One heartbeat at a time: a queued one that has not gone out yet
        // (rate limit) is not doubled.
        if ns
            .outbox
            .iter()
            .any(|o| matches!(o.kind, OutKind::Heartbeat))
        {
            return;
        }
        let args = match &hb.mode {
            HeartbeatMode::Omni {
                version, platform, ..
            } => vec![Value::Object(vec![
                (
                    "timestamp".into(),
                    Value::Number(self.now.as_millis().into()),
                ),
                (
                    "client_info".into(),
                    Value::Object(vec![
                        ("version".into(), Value::String(version.clone())),
                        ("platform".into(), Value::String(platform.clone())),
                    ]),
                ),
            ])],
            HeartbeatMode::Ack { .. } => Vec::new(),
        };
        ns.outbox.push_back(Outgoing {
            event: hb.mode.event().to_owned(),
            args,
            kind: OutKind::Heartbeat,
            volatile: false,
        });
    }

    /// Whether `event` is the configured heartbeat's answer.
    pub(super) fn is_heartbeat_response(&self, event: &str) -> bool {
        self.config.heartbeat.as_ref().is_some_and(|hb| {
            matches!(&hb.mode, HeartbeatMode::Omni { response_event, .. } if response_event == event)
        })
    }

    pub(super) fn heartbeat_response(&mut self, nsp: &str, event: &str, args: &[Value]) {
        let Some(hb) = &self.config.heartbeat else {
            return;
        };
        if !self.is_heartbeat_response(event) || normalize_nsp(&hb.namespace) != nsp {
            return;
        }
        let Some(sent) = self.heartbeat_sent.take() else {
            return;
        };
        let field = |k: &str| match args.first() {
            Some(Value::Object(o)) => o.iter().find(|(n, _)| n == k).map(|(_, v)| v),
            _ => None,
        };
        let server_latency = match field("latency") {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        let server_status = match field("status") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        self.record_latency(sent, server_latency, server_status);
    }

    pub(super) fn record_latency(
        &mut self,
        sent: Instant,
        server_latency: Option<u64>,
        status: Option<String>,
    ) {
        let rtt = self.now.millis_since(sent);
        let stats = self.latency.record(rtt);
        if status.is_some() {
            self.server_status.clone_from(&status);
        }
        self.push_event(Event::Latency(LatencySample {
            rtt,
            stats,
            server_latency,
            server_status: status.or_else(|| self.server_status.clone()),
        }));
    }
}
