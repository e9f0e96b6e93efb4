//! Client-side token buckets per event name, and server-imposed pauses.

use crate::prelude::*;
use serde::Serialize;

use super::vecmap::SortedMap;
use super::Instant;

/// A budget of `limit` sends per `window` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// A seed product whose server the client may pace its emits for.
///
/// Each product's server enforces its own table (the reference server's
/// README gives them): Omni (seed 000) the seed's table, shared by `/`,
/// `/admin` and `/analytics`; the other products 120 events a minute per
/// event name and 240 for typing indicators. A client told its product
/// paces by that table, so the server never has to refuse (and drop) an
/// event; a client told nothing paces nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Product {
    /// Seed 000, `useOmniSocket`.
    Omni,
    /// Seed 001, PaaS deployments.
    Deployments,
    /// Seed 002, DOA WhatsApp manager.
    Doa,
    /// Seed 003, FAMA.
    Fama,
    /// Seed 004, orders and disputes marketplace.
    Marketplace,
}

impl Product {
    /// Every product, in seed order.
    pub const ALL: [Product; 5] = [
        Product::Omni,
        Product::Deployments,
        Product::Doa,
        Product::Fama,
        Product::Marketplace,
    ];

    /// Its name in options (`rateLimit: {product: "doa"}`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Omni => "omni",
            Self::Deployments => "deployments",
            Self::Doa => "doa",
            Self::Fama => "fama",
            Self::Marketplace => "marketplace",
        }
    }

    /// The product called `name`.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The namespace the reference server (`omni-server`) runs it on. The
    /// products' own servers may use another one (seed 002's runs on `/`).
    pub const fn namespace(self) -> &'static str {
        match self {
            Self::Omni => "/",
            Self::Deployments => "/deployments",
            Self::Doa => "/doa",
            Self::Fama => "/fama",
            Self::Marketplace => "/marketplace",
        }
    }

    /// The rate table its server enforces, per user and event name.
    pub fn rate_table(self) -> RateTable {
        let (default, events): (u32, &[(&str, u32)]) = match self {
            // Seed 000's table.
            Self::Omni => (
                30,
                &[
                    ("heartbeat", 60),
                    ("license_check", 100),
                    ("join_room", 20),
                    ("notification_read", 200),
                ],
            ),
            Self::Doa => (120, &[("typing", 240)]),
            Self::Marketplace => (120, &[("order_typing", 240), ("dispute_typing", 240)]),
            Self::Deployments | Self::Fama => (120, &[]),
        };
        let mut table = RateTable {
            default: Some(Rate::per_minute(default)),
            events: SortedMap::new(),
            budget: self.name().to_owned(),
        };
        for (event, n) in events {
            table
                .events
                .insert((*event).to_owned(), Rate::per_minute(*n));
        }
        table
    }
}

/// The budgets of one namespace (or of every namespace without a table of
/// its own): a rate per event name, and one for the names not listed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RateTable {
    /// Budget of each event not listed in `events`; `None` leaves them
    /// unpaced.
    pub default: Option<Rate>,
    /// Budget per event name.
    #[cfg_attr(feature = "ts", ts(as = "std::collections::HashMap<String, Rate>"))]
    pub events: SortedMap<String, Rate>,
    /// Whose budgets these are: namespaces whose tables name the same
    /// budget spend the same buckets, as Omni's `/`, `/admin` and
    /// `/analytics` spend one per user on the server. Empty: the
    /// namespace's own.
    pub budget: String,
}

impl RateTable {
    /// Whether it paces nothing.
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.events.is_empty()
    }

    /// The budget namespace `nsp` spends when paced by this table.
    fn budget_for<'a>(&'a self, nsp: &'a str) -> &'a str {
        if self.budget.is_empty() {
            nsp
        } else {
            &self.budget
        }
    }

    fn rate(&self, event: &str) -> Option<Rate> {
        self.events.get(event).copied().or(self.default)
    }
}

/// Rate limit options: which table paces which namespace. By default
/// nothing is paced; [`RateLimitConfig::product`] paces every namespace by
/// a product's table, [`RateLimitConfig::with_namespace`] one namespace.
/// Whatever the tables, a server's `rate_limited {event, retry_after}`
/// pauses that event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitConfig {
    /// `false` turns client-side limiting off; server `rate_limited` pauses
    /// are still obeyed.
    pub enabled: bool,
    /// The table of every namespace not in `namespaces` (empty by default:
    /// nothing paced).
    #[serde(flatten)]
    pub table: RateTable,
    /// Tables of particular namespaces.
    #[cfg_attr(
        feature = "ts",
        ts(as = "std::collections::HashMap<String, RateTable>")
    )]
    pub namespaces: SortedMap<String, RateTable>,
    /// Longest pause honoured from a server `retry_after`, in milliseconds,
    /// so a hostile value cannot silence an event forever.
    pub max_pause: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            table: RateTable::default(),
            namespaces: SortedMap::new(),
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

    /// Every namespace paced by `product`'s table (one budget for all of
    /// them, as its server counts).
    pub fn product(product: Product) -> Self {
        Self {
            table: product.rate_table(),
            ..Self::default()
        }
    }

    /// Namespace `nsp` paced by `table`.
    #[must_use]
    pub fn with_namespace(mut self, nsp: impl Into<String>, table: RateTable) -> Self {
        self.namespaces.insert(nsp.into(), table);
        self
    }

    /// The table of namespace `nsp`.
    pub fn table_of(&self, nsp: &str) -> &RateTable {
        self.namespaces.get(nsp).unwrap_or(&self.table)
    }
}

/// Buckets keep `level` in units of 1/window of a token, so refill is
/// `limit` units per millisecond and everything stays in integers. A
/// bucket without a rate only holds a server's pause.
#[derive(Debug, Clone)]
struct Bucket {
    rate: Option<Rate>,
    level: u128,
    updated: Instant,
    paused_until: Option<Instant>,
}

impl Bucket {
    fn new(rate: Option<Rate>, now: Instant) -> Self {
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
        self.rate
            .map_or(0, |r| u128::from(r.limit) * u128::from(r.window.max(1)))
    }

    fn cost(&self) -> u128 {
        self.rate.map_or(0, |r| u128::from(r.window.max(1)))
    }

    fn refill(&mut self, now: Instant) {
        let Some(rate) = self.rate else { return };
        let elapsed = u128::from(now.millis_since(self.updated));
        self.level = (self.level + elapsed * u128::from(rate.limit)).min(self.full());
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
        let Some(rate) = self.rate.filter(|_| limited) else {
            return now;
        };
        self.refill(now);
        if rate.limit == 0 {
            // A zero budget would block forever; treat it as one per window.
            return now.plus_millis(rate.window.max(1));
        }
        if self.level >= self.cost() {
            return now;
        }
        let missing = self.cost() - self.level;
        let wait = missing.div_ceil(u128::from(rate.limit));
        now.plus_millis(u64::try_from(wait).unwrap_or(u64::MAX))
    }
}

/// Most buckets kept; past this, new event names share one overflow
/// bucket per budget so memory stays bounded.
const MAX_BUCKETS: usize = 1024;
/// Most budgets kept: one per namespace at most, and namespaces are
/// bounded too.
const MAX_BUDGETS: usize = super::MAX_NAMESPACES + 1;
const OVERFLOW_KEY: &str = "\u{0}overflow";

/// Token buckets by budget (a table's [`RateTable::budget`], else its
/// namespace) and event name. The rates are read from the client's
/// [`RateLimitConfig`], passed to each call rather than copied in: the
/// table is per connection, and a second copy was a twentieth of an idle
/// native connection's memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimiter {
    budgets: SortedMap<String, SortedMap<String, Bucket>>,
    buckets: usize,
    /// When the earliest emit held back over its budget may go.
    pub(crate) wake: Option<Instant>,
}

impl RateLimiter {
    /// The bucket of `event` on `nsp`, made when missing.
    fn bucket(
        &mut self,
        config: &RateLimitConfig,
        nsp: &str,
        event: &str,
        now: Instant,
    ) -> &mut Bucket {
        let table = config.table_of(nsp);
        let mut budget = table.budget_for(nsp);
        if !self.budgets.contains_key(budget) && self.budgets.len() >= MAX_BUDGETS {
            budget = OVERFLOW_KEY;
        }
        let full = self.buckets >= MAX_BUCKETS;
        let buckets = self
            .budgets
            .get_or_insert_with(budget, str::to_owned, SortedMap::new);
        let key = if buckets.contains_key(event) || !full {
            event
        } else {
            OVERFLOW_KEY
        };
        if !buckets.contains_key(key) {
            self.buckets += 1;
        }
        let rate = table.rate(key);
        buckets.get_or_insert_with(key, str::to_owned, || Bucket::new(rate, now))
    }

    /// Whether `event` on `nsp` has a bucket (a rate or a pause).
    fn has_bucket(&self, config: &RateLimitConfig, nsp: &str, event: &str) -> bool {
        self.budgets
            .get(config.table_of(nsp).budget_for(nsp))
            .is_some_and(|b| b.contains_key(event))
    }

    /// Forgets every budget and pause. A new Engine.IO session brings new
    /// sockets, and carrying the old counts over would hold back the
    /// automatic room re-joins of a client that reconnects often.
    pub(crate) fn reset(&mut self) {
        self.budgets.clear();
        self.buckets = 0;
    }

    /// When `event` may next be sent on `nsp`.
    pub(crate) fn ready_at(
        &mut self,
        config: &RateLimitConfig,
        nsp: &str,
        event: &str,
        now: Instant,
    ) -> Instant {
        let paced = config.enabled && config.table_of(nsp).rate(event).is_some();
        if !paced && !self.has_bucket(config, nsp, event) {
            // Not paced, and no server pause for it: no bucket needed.
            return now;
        }
        self.bucket(config, nsp, event, now)
            .ready_at(now, config.enabled)
    }

    /// Takes a token for `event` on `nsp`; call only when
    /// [`ready_at`](Self::ready_at) said `now`.
    pub(crate) fn consume(
        &mut self,
        config: &RateLimitConfig,
        nsp: &str,
        event: &str,
        now: Instant,
    ) {
        if !config.enabled || config.table_of(nsp).rate(event).is_none() {
            return;
        }
        let b = self.bucket(config, nsp, event, now);
        b.refill(now);
        b.level = b.level.saturating_sub(b.cost());
    }

    /// Obeys a server `rate_limited {event, retry_after}` received on
    /// `nsp`. Returns the pause actually applied, in milliseconds.
    pub(crate) fn pause(
        &mut self,
        config: &RateLimitConfig,
        nsp: &str,
        event: &str,
        retry_after_ms: u64,
        now: Instant,
    ) -> u64 {
        let ms = retry_after_ms.min(config.max_pause);
        let b = self.bucket(config, nsp, event, now);
        b.paused_until = Some(now.plus_millis(ms));
        ms
    }
}
