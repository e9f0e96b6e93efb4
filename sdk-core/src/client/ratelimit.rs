//! Client-side token buckets per event name, and server-imposed pauses.

use serde::Serialize;

use super::vecmap::SortedMap;
use super::Instant;

/// A budget of `limit` sends per `window` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rate {
    /// Sends allowed per window (and the burst size).
    pub limit: u32,
    /// Window length in milliseconds.
    pub window: u64,
}

impl Rate {
    /// `limit` sends per minute.
    pub const fn per_minute(limit: u32) -> Self {
        Self {
            limit,
            window: 60_000,
        }
    }
}

/// Rate limit options. Defaults are the Omni table (seed 000): `heartbeat`
/// 60/min, `license_check` 100/min, `join_room` 20/min,
/// `notification_read` 200/min, any other event 30/min, each event with
/// its own bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitConfig {
    /// `false` turns client-side limiting off; server `rate_limited` pauses
    /// are still obeyed.
    pub enabled: bool,
    /// Budget of events not listed in `events`.
    pub default: Rate,
    /// Budget per event name.
    pub events: SortedMap<String, Rate>,
    /// Longest pause honoured from a server `retry_after`, in milliseconds,
    /// so a hostile value cannot silence an event forever.
    pub max_pause: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        let mut events = SortedMap::new();
        for (e, n) in [
            ("heartbeat", 60),
            ("license_check", 100),
            ("join_room", 20),
            ("notification_read", 200),
        ] {
            events.insert(e.to_owned(), Rate::per_minute(n));
        }
        Self {
            enabled: true,
            default: Rate::per_minute(30),
            events,
            max_pause: 3_600_000,
        }
    }
}

impl RateLimitConfig {
    /// No client-side limits.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }
}

/// Buckets keep `level` in units of 1/window of a token, so refill is
/// `limit` units per millisecond and everything stays in integers.
#[derive(Debug, Clone)]
struct Bucket {
    rate: Rate,
    level: u128,
    updated: Instant,
    paused_until: Option<Instant>,
}

impl Bucket {
    fn new(rate: Rate, now: Instant) -> Self {
        let mut b = Self {
            rate,
            level: 0,
            updated: now,
            paused_until: None,
        };
        b.level = b.full();
        b
    }

    fn full(&self) -> u128 {
        u128::from(self.rate.limit) * u128::from(self.rate.window.max(1))
    }

    fn cost(&self) -> u128 {
        u128::from(self.rate.window.max(1))
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = u128::from(now.millis_since(self.updated));
        self.level = (self.level + elapsed * u128::from(self.rate.limit)).min(self.full());
        if now > self.updated {
            self.updated = now;
        }
    }

    /// When a token will be available (`now` if it is).
    fn ready_at(&mut self, now: Instant, limited: bool) -> Instant {
        if let Some(until) = self.paused_until {
            if until > now {
                return until;
            }
            self.paused_until = None;
        }
        if !limited {
            return now;
        }
        self.refill(now);
        if self.rate.limit == 0 {
            // A zero budget would block forever; treat it as one per window.
            return now.plus_millis(self.rate.window.max(1));
        }
        if self.level >= self.cost() {
            return now;
        }
        let missing = self.cost() - self.level;
        let wait = missing.div_ceil(u128::from(self.rate.limit));
        now.plus_millis(u64::try_from(wait).unwrap_or(u64::MAX))
    }
}

/// Most distinct event names with a bucket of their own; past this, new
/// names share one overflow bucket so memory stays bounded.
const MAX_BUCKETS: usize = 1024;
const OVERFLOW_KEY: &str = "\u{0}overflow";

/// Token buckets keyed by event name. The budgets are read from the
/// client's [`RateLimitConfig`], passed to each call rather than copied in:
/// the table is per connection, and a second copy was a twentieth of an
/// idle native connection's memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimiter {
    buckets: SortedMap<String, Bucket>,
    /// When the earliest emit held back over its budget may go.
    pub(crate) wake: Option<Instant>,
}

impl RateLimiter {
    fn bucket(&mut self, config: &RateLimitConfig, event: &str, now: Instant) -> &mut Bucket {
        let key = if self.buckets.contains_key(event) || self.buckets.len() < MAX_BUCKETS {
            event
        } else {
            OVERFLOW_KEY
        };
        let rate = config.events.get(key).copied().unwrap_or(config.default);
        self.buckets
            .get_or_insert_with(key, str::to_owned, || Bucket::new(rate, now))
    }

    /// When `event` may next be sent.
    /// Forgets every budget and pause. Servers count per socket, and a new
    /// Engine.IO session brings new sockets with fresh budgets; carrying the
    /// old counts over would hold back the automatic room re-joins of a
    /// client that reconnects often.
    pub(crate) fn reset(&mut self) {
        self.buckets.clear();
    }

    pub(crate) fn ready_at(
        &mut self,
        config: &RateLimitConfig,
        event: &str,
        now: Instant,
    ) -> Instant {
        if !config.enabled && !self.buckets.contains_key(event) {
            // Off, and no server pause for it: no bucket needed.
            return now;
        }
        self.bucket(config, event, now)
            .ready_at(now, config.enabled)
    }

    /// Takes a token for `event`; call only when [`ready_at`](Self::ready_at)
    /// said `now`.
    pub(crate) fn consume(&mut self, config: &RateLimitConfig, event: &str, now: Instant) {
        if !config.enabled {
            return;
        }
        let b = self.bucket(config, event, now);
        b.refill(now);
        b.level = b.level.saturating_sub(b.cost());
    }

    /// Obeys a server `rate_limited {event, retry_after}` (seconds).
    /// Returns the pause actually applied, in milliseconds.
    pub(crate) fn pause(
        &mut self,
        config: &RateLimitConfig,
        event: &str,
        retry_after_ms: u64,
        now: Instant,
    ) -> u64 {
        let ms = retry_after_ms.min(config.max_pause);
        let b = self.bucket(config, event, now);
        b.paused_until = Some(now.plus_millis(ms));
        ms
    }
}
