//! Per-socket, per-event fixed-window rate limiting (the seed 000 table).

use std::collections::HashMap;

use serde::Serialize;

/// Length of every window, in milliseconds (the table's "1 minuta").
pub const WINDOW_MS: i64 = 60_000;

/// Events allowed per window for an Omni event name (seed 000's table).
pub fn omni_limit(event: &str) -> u32 {
    match event {
        "heartbeat" => 60,
        "license_check" => 100,
        "join_room" => 20,
        "notification_read" => 200,
        _ => 30,
    }
}

/// Events allowed per window on the other products' namespaces. Their seeds
/// give no table, so this only stops floods; typing indicators are chatty.
pub fn product_limit(event: &str) -> u32 {
    if event.ends_with("typing") {
        240
    } else {
        120
    }
}

/// The `rate_limited` payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLimited {
    /// The event that was refused.
    pub event: String,
    /// Events allowed per window.
    pub limit: u32,
    /// Window length in seconds.
    pub window: u32,
    /// Seconds until the window resets (at least 1).
    pub retry_after: u32,
}

/// Counters for one socket. Event names are bounded by the caller (only
/// known events plus one bucket for everything else), so the map stays small.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<String, (i64, u32)>,
}

impl RateLimiter {
    /// Counts one `event` at `now_ms`; returns the refusal if over `limit`.
    pub fn check(&mut self, event: &str, limit: u32, now_ms: i64) -> Result<(), RateLimited> {
        let entry = self.windows.entry(event.to_string()).or_insert((now_ms, 0));
        if now_ms - entry.0 >= WINDOW_MS || now_ms < entry.0 {
            *entry = (now_ms, 0);
        }
        if entry.1 >= limit {
            let left_ms = (entry.0 + WINDOW_MS - now_ms).max(0);
            return Err(RateLimited {
                event: event.to_string(),
                limit,
                window: (WINDOW_MS / 1000) as u32,
                retry_after: u32::try_from((left_ms + 999) / 1000).unwrap_or(60).max(1),
            });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_seed() {
        assert_eq!(omni_limit("heartbeat"), 60);
        assert_eq!(omni_limit("license_check"), 100);
        assert_eq!(omni_limit("join_room"), 20);
        assert_eq!(omni_limit("notification_read"), 200);
        assert_eq!(omni_limit("leave_room"), 30);
    }

    #[test]
    fn refuses_over_limit_then_resets() {
        let mut r = RateLimiter::default();
        for _ in 0..20 {
            r.check("join_room", 20, 1_000).unwrap();
        }
        let e = r.check("join_room", 20, 31_000).unwrap_err();
        assert_eq!(e.retry_after, 30);
        assert_eq!(e.window, 60);
        assert!(r.check("heartbeat", 60, 31_000).is_ok());
        assert!(r.check("join_room", 20, 61_000).is_ok());
    }
}
