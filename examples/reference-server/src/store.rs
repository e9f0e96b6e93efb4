//! The demo data set loaded at start, kept in memory behind one lock.
//!
//! A real deployment would back this with a database; the reference server only
//! needs enough state to enforce the seeds' authorization rules.

use std::collections::{HashMap, VecDeque};

use crate::auth::Role;
use crate::time::now_ms;

const DAY_MS: i64 = 86_400_000;

/// A user of the demo data set.
#[derive(Debug, Clone)]
pub struct User {
    /// License keys held.
    pub licenses: Vec<String>,
}

/// An Omni license.
#[derive(Debug, Clone)]
pub struct License {
    /// The key, e.g. `OMNI-PREM-ABCD-1234-EFGH`.
    pub key: String,
    /// Holder's user id.
    pub owner: String,
    /// Plan name.
    pub plan: String,
    /// `active`, `suspended`, `expired` or `deleted`.
    pub status: String,
    /// Expiry in epoch milliseconds.
    pub expires_at_ms: i64,
}

impl License {
    /// Usable for authentication right now.
    pub fn is_valid(&self, now: i64) -> bool {
        self.status == "active" && self.expires_at_ms > now
    }

    /// Whole days left, never negative.
    pub fn days_remaining(&self, now: i64) -> i64 {
        ((self.expires_at_ms - now) / DAY_MS).max(0)
    }

    /// Permissions granted by the plan.
    pub fn permissions(&self) -> Vec<&'static str> {
        match self.plan.as_str() {
            "premium" | "enterprise" => vec!["read", "write"],
            _ => vec!["read"],
        }
    }
}

/// A PaaS deployment (seed 001).
#[derive(Debug, Clone)]
pub struct Deployment {
    /// Owner's user id.
    pub owner: String,
    /// Current status.
    pub status: String,
}

/// A DOA WhatsApp conversation (seed 002).
#[derive(Debug, Clone)]
pub struct Conversation {
    /// The agent who handles it (DOA user ids are numeric).
    pub agent: u64,
}

/// A DOA message that can be marked read.
#[derive(Debug, Clone)]
pub struct DoaMessage {
    /// Conversation the message belongs to.
    pub conversation_id: u64,
    /// Read flag.
    pub is_read: bool,
}

/// A marketplace order (seed 004).
#[derive(Debug, Clone)]
pub struct Order {
    /// The buying user.
    pub client: String,
    /// The user doing the work.
    pub performer: String,
    /// Current status.
    pub status: String,
}

/// A marketplace dispute about one order.
#[derive(Debug, Clone)]
pub struct Dispute {
    /// The disputed order.
    pub order_id: String,
    /// Current status.
    pub status: String,
}

/// A stored Omni notification.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Recipient.
    pub user_id: String,
    /// Read flag.
    pub read: bool,
}

/// Every entity of the demo data set.
#[derive(Debug)]
pub struct Store {
    /// Users by id.
    pub users: HashMap<String, User>,
    /// Licenses by key.
    pub licenses: HashMap<String, License>,
    /// Deployments by id.
    pub deployments: HashMap<String, Deployment>,
    /// Conversations by id.
    pub conversations: HashMap<u64, Conversation>,
    /// DOA messages by id, the oldest forgotten past the cap.
    pub doa_messages: Bounded<DoaMessage>,
    /// Orders by id.
    pub orders: HashMap<String, Order>,
    /// Disputes by id.
    pub disputes: HashMap<String, Dispute>,
    /// Notifications by id, the oldest forgotten past the cap.
    pub notifications: Bounded<Notification>,
}

/// Most licenses the admin API may create. Past it creation is refused
/// rather than evicting: forgetting a license would revoke it.
pub const MAX_LICENSES: usize = 10_000;

/// A map that keeps at most `max` entries: inserting past it forgets the
/// oldest one (first inserted), so the admin API can always add more.
#[derive(Debug)]
pub struct Bounded<V> {
    max: usize,
    map: HashMap<String, V>,
    order: VecDeque<String>,
}

impl<V> Bounded<V> {
    /// An empty map holding at most `max` (at least 1) entries.
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Inserts `value` under a new `key`, forgetting the oldest entries over the cap.
    pub fn insert(&mut self, key: String, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.max {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }

    /// The entry under `key`, if still kept.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }

    /// The entry under `key`, mutably, if still kept.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// Ids of the demo users, used by `--print-demo-tokens` and the tests.
pub const DEMO_USERS: &[(&str, &str, Role, &[&str])] = &[
    (
        "user_12345",
        "john_doe",
        Role::User,
        &["OMNI-PREM-ABCD-1234-EFGH"],
    ),
    ("user_67890", "jane_admin", Role::Admin, &[]),
    ("user_24680", "mary_moderator", Role::Moderator, &[]),
    (
        "user_13579",
        "carol",
        Role::User,
        &["OMNI-BASIC-WXYZ-5678-IJKL"],
    ),
    ("42", "ahmet_agent", Role::User, &[]),
    ("5", "alice", Role::User, &[]),
    ("1", "doa_admin", Role::Admin, &[]),
];

impl Store {
    /// The demo data set, relative to the current time so licenses are not
    /// already expired; notifications and DOA messages keep at most `max_kept` each.
    pub fn demo(max_kept: usize) -> Self {
        let now = now_ms();
        let mut s = Store {
            users: HashMap::new(),
            licenses: HashMap::new(),
            deployments: HashMap::new(),
            conversations: HashMap::new(),
            doa_messages: Bounded::new(max_kept),
            orders: HashMap::new(),
            disputes: HashMap::new(),
            notifications: Bounded::new(max_kept),
        };
        for (id, _name, _role, licenses) in DEMO_USERS {
            s.users.insert(
                (*id).to_string(),
                User {
                    licenses: licenses.iter().map(|l| l.to_string()).collect(),
                },
            );
        }
        let licenses = [
            (
                "OMNI-PREM-ABCD-1234-EFGH",
                "user_12345",
                "premium",
                "active",
                now + 365 * DAY_MS,
            ),
            (
                "OMNI-BASIC-WXYZ-5678-IJKL",
                "user_13579",
                "basic",
                "active",
                now + 30 * DAY_MS,
            ),
            (
                "OMNI-PREM-DEAD-0000-BEEF",
                "user_13579",
                "premium",
                "expired",
                now - DAY_MS,
            ),
            (
                "OMNI-ENT-SUSP-9999-ZZZZ",
                "user_13579",
                "enterprise",
                "suspended",
                now + DAY_MS,
            ),
        ];
        for (key, owner, plan, status, exp) in licenses {
            s.licenses.insert(
                key.to_string(),
                License {
                    key: key.to_string(),
                    owner: owner.to_string(),
                    plan: plan.to_string(),
                    status: status.to_string(),
                    expires_at_ms: exp,
                },
            );
        }
        for (id, owner, status) in [
            ("dep-100", "user_12345", "running"),
            ("dep-200", "user_13579", "building"),
        ] {
            s.deployments.insert(
                id.to_string(),
                Deployment {
                    owner: owner.to_string(),
                    status: status.to_string(),
                },
            );
        }
        s.conversations.insert(123, Conversation { agent: 42 });
        s.conversations.insert(456, Conversation { agent: 7 });
        s.doa_messages.insert(
            "msg_123".into(),
            DoaMessage {
                conversation_id: 123,
                is_read: false,
            },
        );
        s.orders.insert(
            "order-1".into(),
            Order {
                client: "user_12345".into(),
                performer: "user_13579".into(),
                status: "in_progress".into(),
            },
        );
        s.orders.insert(
            "order-2".into(),
            Order {
                client: "user_13579".into(),
                performer: "5".into(),
                status: "pending".into(),
            },
        );
        s.disputes.insert(
            "dispute-1".into(),
            Dispute {
                order_id: "order-1".into(),
                status: "open".into(),
            },
        );
        s
    }
}

/// Room and entity ids from the network end up in room names: keep them short and plain.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_consistent() {
        let s = Store::demo(100);
        let now = now_ms();
        assert!(s.licenses["OMNI-PREM-ABCD-1234-EFGH"].is_valid(now));
        assert!(!s.licenses["OMNI-PREM-DEAD-0000-BEEF"].is_valid(now));
        assert!(!s.licenses["OMNI-ENT-SUSP-9999-ZZZZ"].is_valid(now));
        for l in s.licenses.values() {
            assert!(s.users.contains_key(&l.owner));
        }
        for o in s.orders.values() {
            assert!(s.users.contains_key(&o.client) && s.users.contains_key(&o.performer));
        }
        for d in s.disputes.values() {
            assert!(s.orders.contains_key(&d.order_id));
        }
    }

    #[test]
    fn bounded_forgets_the_oldest() {
        let mut b = Bounded::new(3);
        for i in 0..5 {
            b.insert(format!("n{i}"), i);
        }
        assert_eq!(b.len(), 3);
        assert!(b.get("n0").is_none() && b.get("n1").is_none());
        assert_eq!(b.get("n4"), Some(&4));
        *b.get_mut("n2").unwrap() = 20;
        b.insert("n2".into(), 21);
        assert_eq!((b.len(), b.get("n2")), (3, Some(&21)));
    }

    #[test]
    fn ids_are_restricted() {
        assert!(valid_id("order-1"));
        assert!(!valid_id(""));
        assert!(!valid_id("a b"));
        assert!(!valid_id(&"x".repeat(129)));
    }
}
