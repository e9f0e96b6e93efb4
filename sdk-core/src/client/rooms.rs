//! Room subscriptions: what the application wants joined, and where each
//! one stands on the server.

use super::buffer::{OutKind, Outgoing};
use super::Instant;
use crate::models::{deployments, doa, marketplace, omni};
use crate::prelude::*;
use crate::{Args, Value};

/// Recognises a server event that answers a join.
#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    /// Event name, e.g. `room_joined`.
    pub event: String,
    /// When set, the first argument must be an object whose `field` equals
    /// `value`; otherwise the event name alone matches.
    pub field: Option<(String, Value)>,
}

impl Matcher {
    /// Matches `event` whose first argument has `field == value`.
    pub fn field(event: impl Into<String>, field: impl Into<String>, value: Value) -> Self {
        Self {
            event: event.into(),
            field: Some((field.into(), value)),
        }
    }

    pub(crate) fn matches(&self, event: &str, args: &[Value]) -> bool {
        if self.event != event {
            return false;
        }
        let Some((field, want)) = &self.field else {
            return true;
        };
        match args.first() {
            Some(Value::Object(entries)) => entries.iter().any(|(k, v)| k == field && v == want),
            _ => false,
        }
    }
}

/// One room the application wants to be in.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomSpec {
    /// Identifies the subscription within its namespace.
    pub key: String,
    /// Namespace the join and leave events go to.
    pub namespace: String,
    /// Event that joins.
    pub join_event: String,
    /// Its arguments.
    pub join_args: Args,
    /// Event that leaves.
    pub leave_event: String,
    /// Its arguments.
    pub leave_args: Args,
    /// Server event that confirms the join; without one the room counts as
    /// joined once the join is sent.
    pub confirm: Option<Matcher>,
    /// Server event that refuses the join.
    pub failure: Option<Matcher>,
    /// The join asks for an acknowledgement, and the server's answer
    /// decides: `{success: false, code?, message?}` refuses the room (its
    /// reason is the `message`, else the `code`), any other answer confirms
    /// it. A refusal with code `RATE_LIMITED` is no verdict on the room: the
    /// join goes out again once the server's pause is over. The servers of
    /// seeds 001, 002 and 004 answer this way; they also emit `error
    /// {code}` on a refusal, which names no room, so only the ack can tell
    /// which join it refuses.
    pub ack: bool,
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn obj(fields: &[(&str, &str)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), s(v)))
            .collect(),
    )
}

impl RoomSpec {
    /// A subscription without confirmation on the main namespace.
    pub fn new(
        key: impl Into<String>,
        join_event: impl Into<String>,
        join_args: impl Into<Args>,
        leave_event: impl Into<String>,
        leave_args: impl Into<Args>,
    ) -> Self {
        Self {
            key: key.into(),
            namespace: "/".into(),
            join_event: join_event.into(),
            join_args: join_args.into(),
            leave_event: leave_event.into(),
            leave_args: leave_args.into(),
            confirm: None,
            failure: None,
            ack: false,
        }
    }

    /// Answered through the ack (see [`ack`](Self::ack)).
    pub fn answered_by_ack(mut self) -> Self {
        self.ack = true;
        self
    }

    /// Moves the subscription to namespace `nsp`.
    pub fn in_namespace(mut self, nsp: impl Into<String>) -> Self {
        self.namespace = nsp.into();
        self
    }

    /// Omni (seed 000): `join_room {room, type}` / `leave_room {room}`,
    /// confirmed by `room_joined` and refused by `room_error`, both matched
    /// on `room`.
    pub fn omni(room: &str, room_type: &str) -> Self {
        let mut spec = Self::new(
            room,
            "join_room",
            vec![obj(&[("room", room), ("type", room_type)])],
            "leave_room",
            vec![obj(&[("room", room)])],
        );
        spec.confirm = Some(Matcher::field("room_joined", "room", s(room)));
        spec.failure = Some(Matcher::field("room_error", "room", s(room)));
        spec
    }

    /// An Omni room whose type follows from its name
    /// ([`omni::room_type`]): `user_*`, `license_*`, `admin_dashboard`,
    /// else `public`.
    pub fn omni_room(room: &str) -> Self {
        Self::omni(room, omni::room_type(room))
    }

    /// The subscription of a [`Preset`] for `id`: the id as the preset's
    /// description field holds it, a string, or for a numeric preset a
    /// number or a string of ASCII digits.
    ///
    /// # Errors
    /// A message when the id does not fit the preset.
    pub fn from_preset(preset: &Preset, id: &PresetId<'_>) -> Result<Self, String> {
        let text = || match id {
            PresetId::Text(s) => Ok(*s),
            PresetId::Number(_) => Err(format!(
                "room preset `{}` needs a string `{}`",
                preset.name, preset.field
            )),
        };
        Ok(match preset.name {
            "omni" => Self::omni_room(text()?),
            "deployment" => Self::deployment(text()?),
            "conversation" => Self::conversation(preset.number(id)?),
            "orderChat" => Self::order_chat(text()?),
            "disputeChat" => Self::dispute_chat(text()?),
            other => return Err(format!("unknown room preset `{other}`")),
        })
    }

    /// Omni licence room `license_<key>` (type `license`).
    pub fn omni_license(license_key: &str) -> Self {
        Self::omni(&omni::license_room(license_key), "license")
    }

    /// Omni user room `user_<id>` (type `user`).
    pub fn omni_user(user_id: &str) -> Self {
        Self::omni(&omni::user_room(user_id), "user")
    }

    /// Omni `admin_dashboard` room (type `admin`).
    pub fn omni_admin_dashboard() -> Self {
        Self::omni(omni::ADMIN_DASHBOARD_ROOM, "admin")
    }

    /// Deployments (seed 001): `deployment:subscribe` /
    /// `deployment:unsubscribe` with the bare id, answered through the ack
    /// (`{success: false, code: "FORBIDDEN" | "NOT_FOUND", message}` for a
    /// deployment the user may not follow).
    pub fn deployment(id: &str) -> Self {
        Self::new(
            deployments::deployment_key(id),
            "deployment:subscribe",
            vec![s(id)],
            "deployment:unsubscribe",
            vec![s(id)],
        )
        .answered_by_ack()
    }

    /// DOA (seed 002): `join_conversation` / `leave_conversation` with the
    /// bare numeric conversation id, as the seed sends it; answered through
    /// the ack (refused for a conversation of another agent).
    pub fn conversation(id: u64) -> Self {
        let arg = Value::Number(id.into());
        Self::new(
            doa::conversation_room(id),
            "join_conversation",
            vec![arg.clone()],
            "leave_conversation",
            vec![arg],
        )
        .answered_by_ack()
    }

    /// Marketplace (seed 004): `join_order_chat` / `leave_order_chat`
    /// `{orderId}`, answered through the ack (`{success: false, code:
    /// "FORBIDDEN", message}` for someone else's order).
    pub fn order_chat(order_id: &str) -> Self {
        let a = obj(&[("orderId", order_id)]);
        Self::new(
            marketplace::order_chat_room(order_id),
            "join_order_chat",
            vec![a.clone()],
            "leave_order_chat",
            vec![a],
        )
        .answered_by_ack()
    }

    /// Marketplace (seed 004): `join_dispute_chat` / `leave_dispute_chat`
    /// `{disputeId}`, answered through the ack.
    pub fn dispute_chat(dispute_id: &str) -> Self {
        let a = obj(&[("disputeId", dispute_id)]);
        Self::new(
            marketplace::dispute_chat_room(dispute_id),
            "join_dispute_chat",
            vec![a.clone()],
            "leave_dispute_chat",
            vec![a],
        )
        .answered_by_ack()
    }
}

/// A room preset of a seed product: the field of a room description
/// (`{preset: "conversation", id: 7}`) that names the room, how the
/// subscription key is made from it, the events that join and leave, and
/// how the product's server answers a join. The npm package's declarations
/// carry the same table (`ROOM_PRESETS`, generated from [`PRESETS`]), so a
/// key computed in JavaScript before the WebAssembly is loaded is the one
/// the core gives the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// `preset` in a room description.
    pub name: &'static str,
    /// The description's field holding the id.
    pub field: &'static str,
    /// The key is this prefix followed by the id.
    pub key_prefix: &'static str,
    /// The id is a non-negative integer; a string of ASCII digits counts as
    /// one and is read without its leading zeros (`"007"` is 7).
    pub numeric: bool,
    /// The event that joins.
    pub join: &'static str,
    /// The event that leaves.
    pub leave: &'static str,
    /// How the server confirms or refuses a join.
    pub answer: PresetAnswer,
}

/// How a product's server answers a join (see [`RoomSpec::confirm`],
/// [`RoomSpec::failure`] and [`RoomSpec::ack`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresetAnswer {
    /// Server events whose first argument names the room in `field`:
    /// `confirm` joins it, `failure` refuses it (Omni: `room_joined` /
    /// `room_error` on `room`).
    Events {
        /// The confirming event.
        confirm: &'static str,
        /// The refusing event.
        failure: &'static str,
        /// The field naming the room in both.
        field: &'static str,
    },
    /// The join's ack: `{success: false, code, message}` refuses it.
    Ack,
}

/// The room presets of the seed products.
pub const PRESETS: [Preset; 5] = [
    Preset {
        name: "omni",
        field: "room",
        key_prefix: "",
        numeric: false,
        join: "join_room",
        leave: "leave_room",
        answer: PresetAnswer::Events {
            confirm: "room_joined",
            failure: "room_error",
            field: "room",
        },
    },
    Preset {
        name: "deployment",
        field: "id",
        key_prefix: "deployment:",
        numeric: false,
        join: "deployment:subscribe",
        leave: "deployment:unsubscribe",
        answer: PresetAnswer::Ack,
    },
    Preset {
        name: "conversation",
        field: "id",
        key_prefix: "conversation:",
        numeric: true,
        join: "join_conversation",
        leave: "leave_conversation",
        answer: PresetAnswer::Ack,
    },
    Preset {
        name: "orderChat",
        field: "orderId",
        key_prefix: "order:",
        numeric: false,
        join: "join_order_chat",
        leave: "leave_order_chat",
        answer: PresetAnswer::Ack,
    },
    Preset {
        name: "disputeChat",
        field: "disputeId",
        key_prefix: "dispute:",
        numeric: false,
        join: "join_dispute_chat",
        leave: "leave_dispute_chat",
        answer: PresetAnswer::Ack,
    },
];

/// An id as a room description gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PresetId<'a> {
    /// A JSON string.
    Text(&'a str),
    /// A JSON number.
    Number(f64),
}

impl Preset {
    /// The preset called `name`.
    pub fn named(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }

    fn number(&self, id: &PresetId<'_>) -> Result<u64, String> {
        let n = match id {
            PresetId::Number(n)
                if *n >= 0.0 && *n <= 9_007_199_254_740_991.0 && (*n as u64) as f64 == *n =>
            {
                Some(*n as u64)
            }
            PresetId::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        n.ok_or_else(|| {
            format!(
                "room preset `{}` needs a numeric `{}`",
                self.name, self.field
            )
        })
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomState {
    /// Not wanted (after a leave).
    Unsubscribed,
    /// Wanted; the join is queued, sent, or waits for a connection.
    Joining,
    /// The server confirmed (or the join was sent, without a confirmation).
    Joined,
    /// The server refused, with its reason. Not retried until joined again.
    Failed(String),
}

#[derive(Debug, Clone)]
struct Room {
    spec: RoomSpec,
    state: RoomState,
    /// Was joined when the session was lost: a recovered session still has
    /// it on the server, so no join is needed.
    was_joined: bool,
    /// When the join went out and a confirmation is awaited: the moment the
    /// room is given up as failed.
    confirm_deadline: Option<Instant>,
    /// Joins sent so far; an ack answers only the join it was asked for.
    sent: u64,
}

/// What the ack of a join said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum JoinAnswer {
    /// The room is joined or refused.
    Changed(Change),
    /// Refused for the rate limit: send the join again after
    /// `retry_after_ms` (0 when the server gave no delay).
    RateLimited {
        /// The join event, whose budget the server paused.
        event: String,
        /// The server's `retry_after`, in milliseconds.
        retry_after_ms: u64,
    },
}

/// The refusal's reason: its `message`, else `code`, else `fallback`.
fn failure_reason(fallback: &str, args: &[Value]) -> String {
    ["message", "code"]
        .into_iter()
        .find_map(|key| match field(args.first(), key) {
            Some(Value::String(m)) => Some(m.clone()),
            _ => None,
        })
        .unwrap_or_else(|| fallback.to_owned())
}

/// Field `key` of an object argument.
pub(super) fn field<'a>(arg: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    match arg {
        Some(Value::Object(entries)) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// Seconds as a server's `retry_after` gives them, in milliseconds; junk
/// and negative values are 0.
pub(super) fn seconds_to_ms(v: Option<&Value>) -> u64 {
    let secs = match v {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    };
    if secs.is_finite() && secs > 0.0 {
        (secs * 1000.0).min(u64::MAX as f64) as u64
    } else {
        0
    }
}

/// A state change of a subscription, for [`Event::RoomState`](super::Event).
pub(super) type Change = (String, RoomState);

/// The room subscriptions of one namespace.
#[derive(Debug, Default)]
pub(super) struct Rooms {
    list: Vec<Room>,
}

impl Rooms {
    fn find(&self, key: &str) -> Option<&Room> {
        self.list.iter().find(|r| r.spec.key == key)
    }

    fn find_mut(&mut self, key: &str) -> Option<&mut Room> {
        self.list.iter_mut().find(|r| r.spec.key == key)
    }

    pub(super) fn state(&self, key: &str) -> RoomState {
        self.find(key)
            .map_or(RoomState::Unsubscribed, |r| r.state.clone())
    }

    pub(super) fn list(&self) -> Vec<Change> {
        self.list
            .iter()
            .map(|r| (r.spec.key.clone(), r.state.clone()))
            .collect()
    }

    /// Wants `spec` joined: `Ok(true)` when it starts joining, `Ok(false)`
    /// when it is joining or joined already (no duplicate join); a failed
    /// or left room is joined anew.
    ///
    /// # Errors
    /// The bound, when [`MAX_ROOMS`](super::MAX_ROOMS) rooms are wanted.
    pub(super) fn want(&mut self, spec: RoomSpec) -> Result<bool, usize> {
        let full = self.list.len() >= super::MAX_ROOMS;
        match self.find_mut(&spec.key) {
            Some(r) if matches!(r.state, RoomState::Joining | RoomState::Joined) => Ok(false),
            Some(r) => {
                r.spec = spec;
                r.state = RoomState::Joining;
                r.was_joined = false;
                r.confirm_deadline = None;
                Ok(true)
            }
            None if full => Err(super::MAX_ROOMS),
            None => {
                self.list.push(Room {
                    spec,
                    state: RoomState::Joining,
                    was_joined: false,
                    confirm_deadline: None,
                    sent: 0,
                });
                Ok(true)
            }
        }
    }

    /// No longer wants room `key`: the leave to send, when the server may
    /// have it (it is joining or joined).
    pub(super) fn forget(&mut self, key: &str) -> Option<Option<Outgoing>> {
        let pos = self.list.iter().position(|r| r.spec.key == key)?;
        let room = self.list.remove(pos);
        let on_server = matches!(room.state, RoomState::Joining | RoomState::Joined);
        Some(on_server.then(|| Outgoing {
            event: room.spec.leave_event,
            args: room.spec.leave_args,
            kind: OutKind::Leave(key.to_owned()),
            volatile: false,
        }))
    }

    /// The join of room `key`, to send.
    pub(super) fn join_item(&self, key: &str) -> Option<Outgoing> {
        let room = self.find(key)?;
        Some(Outgoing {
            event: room.spec.join_event.clone(),
            args: room.spec.join_args.clone(),
            kind: OutKind::Join(key.to_owned()),
            volatile: false,
        })
    }

    /// Whether the join of `key` asks for an ack that answers it.
    pub(super) fn wants_ack(&self, key: &str) -> bool {
        self.find(key).is_some_and(|r| r.spec.ack)
    }

    /// The join of `key` went out at `now`: the room is joined unless it
    /// waits for a confirmation (at most `wait` ms). `Err` carries the
    /// number of this join, which its ack must name.
    pub(super) fn join_sent(
        &mut self,
        key: &str,
        now: Instant,
        wait: u64,
    ) -> Result<Option<Change>, u64> {
        let Some(r) = self.find_mut(key) else {
            return Ok(None);
        };
        if r.state != RoomState::Joining {
            return Ok(None);
        }
        r.sent = r.sent.wrapping_add(1);
        if r.spec.confirm.is_some() || r.spec.ack {
            r.confirm_deadline = Some(now.plus_millis(wait));
            return Err(r.sent);
        }
        r.state = RoomState::Joined;
        Ok(Some((key.to_owned(), RoomState::Joined)))
    }

    /// The ack of join number `sent` of room `key` (see
    /// [`RoomSpec::ack`]); `None` when it answers nothing any more (the
    /// room was left, answered otherwise, or joined again since).
    pub(super) fn acked(&mut self, key: &str, sent: u64, args: &[Value]) -> Option<JoinAnswer> {
        let r = self.find_mut(key)?;
        if r.state != RoomState::Joining || r.sent != sent || r.confirm_deadline.is_none() {
            return None;
        }
        r.confirm_deadline = None;
        let first = args.first();
        if field(first, "success") != Some(&Value::Bool(false)) {
            r.state = RoomState::Joined;
            return Some(JoinAnswer::Changed((key.to_owned(), RoomState::Joined)));
        }
        if field(first, "code") == Some(&Value::String("RATE_LIMITED".into())) {
            return Some(JoinAnswer::RateLimited {
                event: r.spec.join_event.clone(),
                retry_after_ms: seconds_to_ms(field(first, "retry_after")),
            });
        }
        r.state = RoomState::Failed(failure_reason("join refused", args));
        Some(JoinAnswer::Changed((key.to_owned(), r.state.clone())))
    }

    /// Whether a joining room waits for server event `event` (so the
    /// client must read its arguments).
    pub(super) fn awaits(&self, event: &str) -> bool {
        self.list.iter().any(|r| {
            r.state == RoomState::Joining
                && [&r.spec.confirm, &r.spec.failure]
                    .into_iter()
                    .flatten()
                    .any(|m| m.event == event)
        })
    }

    /// A server event: the joins it confirms or refuses.
    pub(super) fn answers(&mut self, event: &str, args: &[Value]) -> Vec<Change> {
        let mut changes = Vec::new();
        for r in &mut self.list {
            if r.state != RoomState::Joining {
                continue;
            }
            if r.spec
                .confirm
                .as_ref()
                .is_some_and(|m| m.matches(event, args))
            {
                r.state = RoomState::Joined;
            } else if r
                .spec
                .failure
                .as_ref()
                .is_some_and(|m| m.matches(event, args))
            {
                r.state = RoomState::Failed(failure_reason(event, args));
            } else {
                continue;
            }
            r.confirm_deadline = None;
            changes.push((r.spec.key.clone(), r.state.clone()));
        }
        changes
    }

    /// The server refused `event` for its rate limit (`rate_limited`):
    /// joins of that event still waiting for a confirmation event were
    /// probably refused too, and the server's refusal names no room. They
    /// are joining again, their joins to be sent once more (returned) after
    /// the pause; a duplicate join of a room the server did accept is
    /// harmless, a room reported failed that would work is not.
    pub(super) fn rate_limited(&mut self, event: &str) -> Vec<String> {
        let mut again = Vec::new();
        for r in &mut self.list {
            if r.state == RoomState::Joining
                && !r.spec.ack
                && r.confirm_deadline.is_some()
                && r.spec.join_event == event
            {
                r.confirm_deadline = None;
                again.push(r.spec.key.clone());
            }
        }
        again
    }

    /// Joins whose confirmation did not come by `now` fail, with a reason
    /// that says so; they are not retried until joined again.
    pub(super) fn expire(&mut self, now: Instant, wait: u64) -> Vec<Change> {
        let mut expired = Vec::new();
        for r in &mut self.list {
            if r.state == RoomState::Joining && r.confirm_deadline.is_some_and(|d| d <= now) {
                r.confirm_deadline = None;
                r.state = RoomState::Failed(format!("join not confirmed within {wait} ms"));
                expired.push((r.spec.key.clone(), r.state.clone()));
            }
        }
        expired
    }

    pub(super) fn earliest_deadline(&self) -> Option<Instant> {
        self.list.iter().filter_map(|r| r.confirm_deadline).min()
    }

    /// The session is gone: joined rooms are joining again (remembered as
    /// joined, for a recovered session), and no confirmation is awaited.
    pub(super) fn demote(&mut self) -> Vec<String> {
        let mut demoted = Vec::new();
        for r in &mut self.list {
            r.confirm_deadline = None;
            if r.state == RoomState::Joined {
                r.state = RoomState::Joining;
                r.was_joined = true;
                demoted.push(r.spec.key.clone());
            }
        }
        demoted
    }

    /// The namespace connected: the rooms to join again, and (on a
    /// recovered session) those the server kept, which are joined now.
    pub(super) fn reconnected(&mut self, recovered: bool) -> (Vec<String>, Vec<String>) {
        let mut kept = Vec::new();
        let mut rejoin = Vec::new();
        for r in self.list.iter_mut().rev() {
            if r.state != RoomState::Joining {
                continue;
            }
            if recovered && r.was_joined {
                r.state = RoomState::Joined;
                kept.push(r.spec.key.clone());
            } else {
                rejoin.push(r.spec.key.clone());
            }
            r.was_joined = false;
        }
        kept.reverse();
        (rejoin, kept)
    }
}
