//! Virtual time and the fixed table of connection-wide timers.

use core::fmt;

/// A point in time, in milliseconds since an origin the driver chooses.
///
/// The core never reads a clock: every input carries the driver's `now`.
/// A driver that picks the Unix epoch as origin gets wall-clock timestamps
/// in the Omni heartbeat for free; any monotonic origin works for
/// everything else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The instant `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `ms` milliseconds later, saturating instead of overflowing so a huge
    /// configured delay means "never" rather than a wrap into the past.
    pub const fn plus_millis(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self`, zero if `earlier` is later.
    pub const fn millis_since(self, earlier: Instant) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// Connection-wide timers. Per-namespace and per-ack deadlines live with
/// their owners; these are the ones of which there is only ever one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Next reconnection attempt.
    Reconnect,
    /// Next application heartbeat.
    Heartbeat,
    /// Waiting for the driver to refresh credentials.
    AuthWait,
}

impl Timer {
    const COUNT: usize = 3;
    const ALL: [Timer; Self::COUNT] = [Timer::Reconnect, Timer::Heartbeat, Timer::AuthWait];
}

/// One optional deadline per [`Timer`].
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerTable([Option<Instant>; Timer::COUNT]);

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        self.0[timer as usize] = Some(at);
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.0[timer as usize] = None;
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.0[timer as usize]
    }

    /// The earliest deadline of all.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }

    /// Takes (clears) the earliest timer that is due at `now`.
    pub(crate) fn take_expired(&mut self, now: Instant) -> Option<Timer> {
        let timer = Timer::ALL
            .iter()
            .filter(|t| self.get(**t).is_some_and(|at| at <= now))
            .min_by_key(|t| self.get(**t))
            .copied()?;
        self.stop(timer);
        Some(timer)
    }
}
