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
        // Per-mille keeps the arithmetic integral and exact.
        let per_mille = (factor * 1000.0).round() as u128;
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
