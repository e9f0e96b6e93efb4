//! Per-user fixed-window rate limiting (the seed 000 table), shared by every
//! socket of the user: reconnecting or opening more sockets does not give a
//! fresh budget.

use std::collections::HashMap;
use std::sync::Mutex;

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

/// Whose budget an event is counted in, and which one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Budget {
    /// `user:<id>`, `license:<key>` or `socket:<id>` (anonymous sockets).
    pub subject: String,
    /// The product whose table applies (`omni` for `/`, `/admin` and
    /// `/analytics`, which share one table; each other product its own).
    pub product: &'static str,
    /// The event, or `other` for names outside the product's table.
    pub bucket: String,
}

/// Counters for every budget. Subjects are users, licenses and anonymous
/// sockets, buckets are bounded by the callers (known events plus
/// `other`), and windows past their end are swept, so the map stays bounded.
#[derive(Debug)]
pub struct RateLimiter {
    enabled: bool,
    windows: Mutex<HashMap<Budget, (i64, u32)>>,
}

impl RateLimiter {
    /// A limiter; with `enabled` false every event is allowed.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            windows: Mutex::default(),
        }
    }

    /// Counts one event of `budget` at `now_ms`; returns the refusal if over `limit`.
    pub fn check(&self, budget: Budget, limit: u32, now_ms: i64) -> Result<(), RateLimited> {
        if !self.enabled {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let event = budget.bucket.clone();
        let entry = windows.entry(budget).or_insert((now_ms, 0));
        if now_ms - entry.0 >= WINDOW_MS || now_ms < entry.0 {
            *entry = (now_ms, 0);
        }
        if entry.1 >= limit {
            let left_ms = (entry.0 + WINDOW_MS - now_ms).max(0);
            return Err(RateLimited {
                event,
                limit,
                window: (WINDOW_MS / 1000) as u32,
                retry_after: u32::try_from((left_ms + 999) / 1000).unwrap_or(60).max(1),
            });
        }
        entry.1 += 1;
        Ok(())
    }

    /// Forgets windows that ended before `now_ms`.
    pub fn sweep(&self, now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.retain(|_, (start, _)| now_ms - *start < WINDOW_MS && now_ms >= *start);
    }

    /// Budgets currently tracked.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.windows.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(subject: &str, product: &'static str, bucket: &str) -> Budget {
        Budget {
            subject: subject.into(),
            product,
            bucket: bucket.into(),
        }
    }

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
        let r = RateLimiter::new(true);
        for _ in 0..20 {
            r.check(b("user:a", "omni", "join_room"), 20, 1_000)
                .unwrap();
        }
        let e = r
            .check(b("user:a", "omni", "join_room"), 20, 31_000)
            .unwrap_err();
        assert_eq!(e.retry_after, 30);
        assert_eq!(e.window, 60);
        assert!(r
            .check(b("user:a", "omni", "heartbeat"), 60, 31_000)
            .is_ok());
        assert!(r
            .check(b("user:b", "omni", "join_room"), 20, 31_000)
            .is_ok());
        assert!(r
            .check(b("user:a", "marketplace", "join_room"), 20, 31_000)
            .is_ok());
        assert!(r
            .check(b("user:a", "omni", "join_room"), 20, 61_000)
            .is_ok());
    }

    #[test]
    fn sweep_forgets_ended_windows_and_off_allows_all() {
        let r = RateLimiter::new(true);
        r.check(b("user:a", "omni", "x"), 1, 0).unwrap();
        r.check(b("user:b", "omni", "x"), 1, 50_000).unwrap();
        r.sweep(70_000);
        assert_eq!(r.len(), 1);
        let off = RateLimiter::new(false);
        for _ in 0..100 {
            off.check(b("user:a", "omni", "x"), 1, 0).unwrap();
        }
    }
}
