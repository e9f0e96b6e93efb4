//! Round-trip samples of the application heartbeat and their statistics.

use std::collections::VecDeque;

/// Statistics over the sliding window of the most recent samples, in
/// milliseconds. Percentiles use the nearest-rank method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LatencyStats {
    /// Samples in the window.
    pub count: usize,
    /// Most recent sample.
    pub last: u64,
    /// Smallest sample in the window.
    pub min: u64,
    /// Largest sample in the window.
    pub max: u64,
    /// Arithmetic mean, rounded down.
    pub mean: u64,
    /// Median.
    pub p50: u64,
    /// 95th percentile.
    pub p95: u64,
    /// 99th percentile.
    pub p99: u64,
}

/// A bounded window of samples.
#[derive(Debug, Clone)]
pub(crate) struct LatencyWindow {
    samples: VecDeque<u64>,
    cap: usize,
    stats: LatencyStats,
}

impl LatencyWindow {
    pub(crate) fn new(cap: usize) -> Self {
        let cap = cap.max(1);
        Self {
            // Grown as samples arrive: a client without heartbeats (or
            // with few) keeps nothing allocated for them.
            samples: VecDeque::new(),
            cap,
            stats: LatencyStats::default(),
        }
    }

    pub(crate) fn stats(&self) -> LatencyStats {
        self.stats
    }

    pub(crate) fn record(&mut self, sample: u64) -> LatencyStats {
        if self.samples.len() >= self.cap {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
        let mut sorted: Vec<u64> = self.samples.iter().copied().collect();
        sorted.sort_unstable();
        let n = sorted.len();
        let rank = |p: usize| sorted[(p * n).div_ceil(100).clamp(1, n) - 1];
        let sum: u128 = sorted.iter().map(|&s| u128::from(s)).sum();
        self.stats = LatencyStats {
            count: n,
            last: sample,
            min: sorted[0],
            max: sorted[n - 1],
            mean: (sum / n as u128) as u64,
            p50: rank(50),
            p95: rank(95),
            p99: rank(99),
        };
        self.stats
    }
}
