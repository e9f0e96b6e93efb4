//! Round-trip samples of the application heartbeat and their statistics.

use crate::prelude::*;
use alloc::collections::VecDeque;

/// Statistics over the sliding window of the most recent samples, in
/// milliseconds. Percentiles use the nearest-rank method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// In arrival order, for eviction.
    samples: VecDeque<u64>,
    /// The same samples, kept in ascending order as they come and go: the
    /// percentiles need no sort per sample (and the browser build no sort
    /// code, about 4 KB of wasm).
    sorted: Vec<u64>,
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
            sorted: Vec::new(),
            cap,
            stats: LatencyStats::default(),
        }
    }

    pub(crate) fn stats(&self) -> LatencyStats {
        self.stats
    }

    pub(crate) fn record(&mut self, sample: u64) -> LatencyStats {
        if self.samples.len() >= self.cap {
            if let Some(old) = self.samples.pop_front() {
                if let Ok(i) = self.sorted.binary_search(&old) {
                    self.sorted.remove(i);
                }
            }
        }
        self.samples.push_back(sample);
        let at = self.sorted.partition_point(|&s| s < sample);
        self.sorted.insert(at, sample);
        let sorted = &self.sorted;
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The kept order gives what sorting the window each time gives.
        #[test]
        fn stats_match_a_sorted_window(
            cap in 1usize..12,
            samples in prop::collection::vec(0u64..50, 1..60),
        ) {
            let mut w = LatencyWindow::new(cap);
            for (i, &s) in samples.iter().enumerate() {
                let got = w.record(s);
                let mut window = samples[(i + 1).saturating_sub(cap)..=i].to_vec();
                window.sort_unstable();
                let n = window.len();
                let rank = |p: usize| window[(p * n).div_ceil(100).clamp(1, n) - 1];
                let sum: u64 = window.iter().sum();
                prop_assert_eq!(got, LatencyStats {
                    count: n,
                    last: s,
                    min: window[0],
                    max: window[n - 1],
                    mean: sum / n as u64,
                    p50: rank(50),
                    p95: rank(95),
                    p99: rank(99),
                });
            }
        }
    }
}
