//! Reconnection delays and the in-core pseudo-random generator for jitter.

/// SplitMix64: tiny, seedable and good enough for spreading retries. The
/// driver hands in the seed so runs are reproducible under test and spread
/// out in production.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a driver-supplied seed.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..=max`, without the modulo bias mattering at the sizes
    /// of millisecond delays.
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        // Multiply-shift maps 64 random bits onto 0..=max evenly enough.
        ((u128::from(self.next_u64()) * (u128::from(max) + 1)) >> 64) as u64
    }
}

/// Exponential backoff: `min(base · 2^(n-1), max)`, then jitter.
///
/// Unlike socket.io-client the jitter is applied after the cap, so clients
/// that have all reached the maximum still spread out instead of retrying
/// in lock-step, and the jitter only shortens the delay so
/// `reconnectionDelayMax` is a true upper bound. Shifts saturate, so attempt
/// 10,000 is as well-defined as attempt 2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// First delay in milliseconds (`reconnectionDelay`).
    pub base: u64,
    /// Largest delay in milliseconds (`reconnectionDelayMax`).
    pub max: u64,
    /// Share of the delay that jitter may remove, `0.0..=1.0`
    /// (`randomizationFactor`).
    pub factor: f64,
}

impl Backoff {
    /// The delay before attempt `attempt` (1-based; 0 is treated as 1).
    pub fn delay(&self, attempt: u32, rng: &mut Rng) -> u64 {
        let capped = self.capped(attempt);
        let factor = if self.factor.is_finite() {
            self.factor.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // Per-mille keeps the arithmetic integral and exact. Rounded by
        // hand (`f64::round` is `std`'s): `factor` is in 0..=1, so adding
        // a half and truncating rounds to the nearest.
        let per_mille = (factor * 1000.0 + 0.5) as u128;
        let range = (u128::from(capped) * per_mille / 1000) as u64;
        capped - rng.up_to(range)
    }

    /// The delay before jitter: `base · 2^(attempt-1)`, at most `max`
    /// (even below `base`, as socket.io-client caps it).
    pub fn capped(&self, attempt: u32) -> u64 {
        let max = self.max;
        let shift = attempt.saturating_sub(1);
        if shift >= 64 {
            return max;
        }
        let grown = u128::from(self.base) << shift;
        u64::try_from(grown).map_or(max, |g| g.min(max))
    }
}

/// What follows the loss of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Attempt `attempt` after `delay` ms.
    Retry { attempt: u32, delay: u64 },
    /// `reconnectionAttempts` are used up after this many.
    GiveUp { attempts: u32 },
}

/// Reconnection of the session: the streak of attempts, its backoff, and
/// whether an attempt is scheduled.
///
/// A session counts as a success only once it has stayed open for
/// [`stable_after`](Self::stable_after): one that breaks sooner (a server
/// that accepts the handshake and then fails, again and again) continues
/// the streak, so the delays keep growing instead of restarting at the
/// first step every time.
#[derive(Debug)]
pub(super) struct Reconnect {
    backoff: Backoff,
    rng: Rng,
    attempts: u32,
    /// The session being opened is a reconnection.
    reconnecting: bool,
    /// An attempt is scheduled.
    waiting: bool,
    /// When the session in use opened.
    opened_at: Option<super::Instant>,
}

impl Reconnect {
    pub(super) fn new(backoff: Backoff, seed: u64) -> Self {
        Self {
            backoff,
            rng: Rng::new(seed),
            attempts: 0,
            reconnecting: false,
            waiting: false,
            opened_at: None,
        }
    }

    /// Attempts in the current streak, 0 while a session is open.
    pub(super) fn attempts(&self) -> u32 {
        if self.opened_at.is_some() {
            0
        } else {
            self.attempts
        }
    }

    pub(super) fn waiting(&self) -> bool {
        self.waiting
    }

    /// How long a session must last to end the streak: as long as the
    /// longest delay, and at least a second.
    pub(super) fn stable_after(&self) -> u64 {
        self.backoff.max.max(1000)
    }

    /// Replaces the backoff (the reconnection options changed while running).
    pub(super) fn set_backoff(&mut self, backoff: Backoff) {
        self.backoff = backoff;
    }

    /// The scheduled attempt starts.
    pub(super) fn attempting(&mut self) {
        self.waiting = false;
    }

    /// A session opened at `now`; the attempt to report as `reconnect`
    /// when it was a reconnection.
    pub(super) fn opened(&mut self, now: super::Instant) -> Option<u32> {
        self.opened_at = Some(now);
        core::mem::replace(&mut self.reconnecting, false).then_some(self.attempts)
    }

    /// No reconnection: the application connected, disconnected, or the
    /// client gave up.
    pub(super) fn stop(&mut self) {
        self.attempts = 0;
        self.reconnecting = false;
        self.waiting = false;
        self.opened_at = None;
    }

    /// The session was lost at `now`: the next attempt, or giving up past
    /// `max` attempts.
    pub(super) fn next(&mut self, now: super::Instant, max: Option<u32>) -> Next {
        if let Some(opened) = self.opened_at.take() {
            if now.millis_since(opened) >= self.stable_after() {
                self.attempts = 0;
            }
        }
        self.attempts = self.attempts.saturating_add(1);
        self.reconnecting = true;
        if max.is_some_and(|m| self.attempts > m) {
            let attempts = self.attempts - 1;
            self.stop();
            return Next::GiveUp { attempts };
        }
        self.waiting = true;
        Next::Retry {
            attempt: self.attempts,
            delay: self.backoff.delay(self.attempts, &mut self.rng),
        }
    }

    /// The delay before retry `attempt` of something else on the same
    /// backoff (a namespace's CONNECT).
    pub(super) fn delay(&mut self, attempt: u32) -> u64 {
        self.backoff.delay(attempt, &mut self.rng)
    }
}
