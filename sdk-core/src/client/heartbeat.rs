//! The application heartbeat (Omni's `heartbeat` / `heartbeat_response`,
//! or an emit that asks for an ack) and its round-trip statistics.

use super::buffer::{OutKind, Outgoing};
use super::config::{HeartbeatConfig, HeartbeatMode};
use super::events::LatencySample;
use super::latency::{LatencyStats, LatencyWindow};
use super::timer::Instant;
use crate::prelude::*;
use crate::Value;

/// Heartbeat state: the round-trip window, the Omni heartbeat awaiting its
/// answer, and the server's last reported status.
#[derive(Debug)]
pub(super) struct Heartbeat {
    /// Made at the first sample: a client without heartbeats keeps none
    /// (inline it was 128 bytes of every connection).
    window: Option<Box<LatencyWindow>>,
    /// The window's size in samples.
    window_size: usize,
    /// When the Omni heartbeat in flight went out.
    sent: Option<Instant>,
    server_status: Option<String>,
}

impl Heartbeat {
    pub(super) fn new(config: Option<&HeartbeatConfig>) -> Self {
        Self {
            window: None,
            window_size: config.map_or(100, |h| h.window),
            sent: None,
            server_status: None,
        }
    }

    pub(super) fn stats(&self) -> LatencyStats {
        self.window.as_ref().map(|w| w.stats()).unwrap_or_default()
    }

    pub(super) fn server_status(&self) -> Option<&str> {
        self.server_status.as_deref()
    }

    /// The session is gone: an answer to a heartbeat of it is not a round
    /// trip.
    pub(super) fn forget_sent(&mut self) {
        self.sent = None;
    }

    /// The heartbeat to queue at `now`, unless one still waits in
    /// `outbox` (over its rate budget): one at a time.
    pub(super) fn request(
        config: &HeartbeatConfig,
        outbox: &super::buffer::Outbox,
        now: Instant,
    ) -> Option<Outgoing> {
        if outbox.has_heartbeat() {
            return None;
        }
        let args = match &config.mode {
            HeartbeatMode::Omni {
                version, platform, ..
            } => vec![Value::Object(vec![
                ("timestamp".into(), Value::Number(now.as_millis().into())),
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
        Some(Outgoing {
            event: config.mode.event().to_owned(),
            args: args.into(),
            kind: OutKind::Heartbeat,
            volatile: false,
        })
    }

    /// The Omni heartbeat went out at `now`.
    pub(super) fn sent(&mut self, now: Instant) {
        self.sent = Some(now);
    }

    /// Whether `event` is the configured Omni heartbeat's answer.
    pub(super) fn is_response(config: Option<&HeartbeatConfig>, event: &str) -> bool {
        config.is_some_and(|hb| {
            matches!(&hb.mode, HeartbeatMode::Omni { response_event, .. } if response_event == event)
        })
    }

    /// A `heartbeat_response` at `now`: the sample, when a heartbeat was
    /// in flight.
    pub(super) fn answered(&mut self, args: &[Value], now: Instant) -> Option<LatencySample> {
        let sent = self.sent.take()?;
        let field = |k: &str| super::rooms::field(args.first(), k);
        let server_latency = match field("latency") {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        let server_status = match field("status") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        Some(self.record(sent, now, server_latency, server_status))
    }

    /// A round trip from `sent` to `now` (an Omni answer, or the ack of an
    /// ack-mode heartbeat).
    pub(super) fn record(
        &mut self,
        sent: Instant,
        now: Instant,
        server_latency: Option<u64>,
        status: Option<String>,
    ) -> LatencySample {
        let rtt = now.millis_since(sent);
        let size = self.window_size;
        let stats = self
            .window
            .get_or_insert_with(|| Box::new(LatencyWindow::new(size)))
            .record(rtt);
        if status.is_some() {
            self.server_status.clone_from(&status);
        }
        LatencySample {
            rtt,
            stats,
            server_latency,
            server_status: status.or_else(|| self.server_status.clone()),
        }
    }
}
