//! Typed event models for the five seed products.
//!
//! Each product has a module with one serde type per event payload, in both
//! directions, and two enums: `…ServerEvent` for what the server emits to the
//! client and `…ClientEvent` for what the client emits. An event name is tied
//! to its payload type by the [`Event`] trait, so a payload knows the name it
//! travels under.
//!
//! | module | seed | events |
//! |---|---|---|
//! | [`omni`] | 000 | licences, rooms, heartbeat, notifications, system and usage |
//! | [`deployments`] | 001 | `deployment:*` subscriptions and `user:*` presence |
//! | [`doa`] | 002 | WhatsApp messages, read receipts, typing |
//! | [`fama`] | 003 | `connected` and `error` |
//! | [`marketplace`] | 004 | order and dispute chats, status, presence |
//!
//! Decoding works on what [`Packet::event_name`] and [`Packet::args`] give:
//! the payload is deserialized once, straight from the raw JSON slice, into
//! its enum variant. An event name the product's seed does not describe is
//! not an error: it comes back as [`UnknownEvent`] with its raw arguments so
//! applications can handle events the SDK does not know yet.
//!
//! ```
//! use omni_socket_core::models::{omni, Event};
//! use omni_socket_core::socketio::Packet;
//!
//! let packet = Packet::event("/", None, r#"["room_left",{"room":"user_1"}]"#.into());
//! match omni::OmniServerEvent::from_packet(&packet).unwrap() {
//!     omni::OmniServerEvent::RoomLeft(left) => assert_eq!(left.room, "user_1"),
//!     other => panic!("unexpected {other:?}"),
//! }
//!
//! // And the other way: name and JSON data for `Packet::event`.
//! let data = omni::LeaveRoom { room: omni::user_room("1") }.to_event_data().unwrap();
//! assert_eq!(data, r#"["leave_room",{"room":"user_1"}]"#);
//! ```
//!
//! Conventions, chosen to match what the seeds show on the wire:
//! - Field names are the seed's (`snake_case` for Omni and FAMA,
//!   `camelCase` for the others); Rust fields are always `snake_case`.
//! - A field is optional (`Option`, omitted when `None`) when a seed shows
//!   the event without it or it cannot be there in every case; fields a seed
//!   shows in every example are required.
//! - Unknown fields are accepted and ignored, so a server adding a field does
//!   not break clients.
//! - Timestamps are kept as the RFC 3339 strings the seeds use; millisecond
//!   clocks (`Date.now()`) are `u64`.
//! - Open value sets (statuses, priorities, types) are `String`s: a new
//!   status on the server must not make an event undecodable.
//!
//! With the `ts` feature, every type also derives `ts_rs::TS` and
//! `typescript` renders the TypeScript declarations checked in under
//! `npm/src/generated/`.
//!
//! [`Packet::event_name`]: crate::socketio::Packet::event_name
//! [`Packet::args`]: crate::socketio::Packet::args

use crate::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::socketio::Packet;

#[macro_use]
mod macros;

pub mod deployments;
pub mod doa;
pub mod fama;
pub mod marketplace;
pub mod omni;
#[cfg(feature = "ts")]
pub mod typescript;

/// A payload type and the event name it travels under.
///
/// Implemented by every payload type of the product modules; the name is the
/// one the seed uses. Two payload types may share a name when they travel in
/// opposite directions (marketplace `order_message`) or belong to different
/// products (`notification`, `error`).
pub trait Event: Serialize + DeserializeOwned {
    /// The Socket.IO event name.
    const NAME: &'static str;

    /// Deserializes the payload from the event's arguments (what follows the
    /// name). Arguments after the first are ignored, as socket.io-client
    /// handlers with one parameter ignore them too.
    ///
    /// # Errors
    /// [`DecodeError::MissingPayload`] when there is no argument, and
    /// [`DecodeError::InvalidPayload`] when the first one has the wrong shape.
    fn from_args(args: &[&RawValue]) -> Result<Self, DecodeError> {
        let first = args.first().ok_or(DecodeError::MissingPayload {
            event: Self::NAME.to_owned(),
        })?;
        serde_json::from_str(first.get()).map_err(|e| DecodeError::InvalidPayload {
            event: Self::NAME.to_owned(),
            reason: e.to_string(),
        })
    }

    /// The arguments as a JSON array (`[payload]`), e.g. for an ack.
    ///
    /// # Errors
    /// Only if a `Serialize` impl fails, which the derived ones here do not.
    fn to_args_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&[self])
    }

    /// The data of an EVENT packet, `["name",payload]`, ready for
    /// [`Packet::event`](crate::socketio::Packet::event).
    ///
    /// # Errors
    /// Only if a `Serialize` impl fails, which the derived ones here do not.
    fn to_event_data(&self) -> serde_json::Result<String> {
        event_data(Self::NAME, self)
    }
}

fn event_data<T: Serialize + ?Sized>(name: &str, payload: &T) -> serde_json::Result<String> {
    serde_json::to_string(&(name, payload))
}

/// Why an incoming event could not be turned into its typed model.
///
/// The packet itself was valid Socket.IO; only its payload does not match the
/// product's model. Report it and keep the connection: one odd event from a
/// server is no reason to reconnect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The packet is not an EVENT / BINARY_EVENT, or its data does not start
    /// with an event name.
    #[error("not an event packet")]
    NotAnEvent,
    /// The packet's data is not a JSON array (only for packets built by hand).
    #[error("invalid event data: {0}")]
    InvalidData(String),
    /// A known event arrived without the payload argument it needs.
    #[error("event {event:?} arrived without a payload")]
    MissingPayload {
        /// The event name.
        event: String,
    },
    /// A known event's payload does not have the documented shape.
    #[error("event {event:?} has an invalid payload: {reason}")]
    InvalidPayload {
        /// The event name.
        event: String,
        /// What serde found wrong with it.
        reason: String,
    },
}

/// An event the product model does not know, passed through as raw JSON.
#[derive(Debug, Clone)]
pub struct UnknownEvent {
    /// The event name.
    pub name: String,
    /// The arguments after the name, each exactly as received.
    pub args: Vec<Box<RawValue>>,
}

impl UnknownEvent {
    /// Copies a name and raw arguments.
    pub fn new(name: &str, args: &[&RawValue]) -> Self {
        Self {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// Parses argument `index` into any type; `None` when there is no such
    /// argument.
    ///
    /// # Errors
    /// When the argument does not deserialize into `T`.
    pub fn arg<T: DeserializeOwned>(&self, index: usize) -> Option<serde_json::Result<T>> {
        self.args.get(index).map(|a| serde_json::from_str(a.get()))
    }

    /// The data of an EVENT packet, `["name",...args]`.
    ///
    /// # Errors
    /// Never in practice: the arguments are already valid JSON.
    pub fn to_event_data(&self) -> serde_json::Result<String> {
        let mut all: Vec<&RawValue> = Vec::with_capacity(self.args.len() + 1);
        let name = serde_json::value::to_raw_value(&self.name)?;
        all.push(&name);
        all.extend(self.args.iter().map(|a| &**a));
        serde_json::to_string(&all)
    }
}

// RawValue has no PartialEq; compare the JSON text, which is what was received.
impl PartialEq for UnknownEvent {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.args.len() == other.args.len()
            && self
                .args
                .iter()
                .zip(&other.args)
                .all(|(a, b)| a.get() == b.get())
    }
}

/// Name and raw arguments of an event packet, shared by every product's
/// `from_packet`.
fn packet_parts<'p>(packet: &'p Packet<'_>) -> Result<(String, Vec<&'p RawValue>), DecodeError> {
    let name = packet.event_name().ok_or(DecodeError::NotAnEvent)?;
    let args = packet
        .args()
        .map_err(|e| DecodeError::InvalidData(e.to_string()))?;
    Ok((name.into_owned(), args))
}

/// Serializes `f64` the way JavaScript's `JSON.stringify` does: integral
/// values without a fraction (`45`, not `45.0`). A JS server cannot tell the
/// two apart, and writing them like JS keeps re-encoded payloads identical to
/// what was received.
pub(crate) mod js_float {
    use serde::{Deserialize, Deserializer, Serializer};

    // Integers beyond 2^53 are not exact in an f64 anyway; stay in the range
    // where the i64 conversion is lossless.
    const EXACT: f64 = 9_007_199_254_740_992.0;

    pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        // Integral by a round trip through i64 (`f64::fract` is `std`'s),
        // which is exact inside the range checked first.
        if (-EXACT..=EXACT).contains(v) && (*v as i64) as f64 == *v {
            // Lossless: integral and within the exact range checked above.
            #[allow(clippy::cast_possible_truncation)]
            s.serialize_i64(*v as i64)
        } else {
            s.serialize_f64(*v)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct F(#[serde(with = "js_float")] f64);

    #[test]
    fn js_float_writes_integral_values_without_fraction() {
        assert_eq!(serde_json::to_string(&F(45.0)).unwrap(), "45");
        assert_eq!(serde_json::to_string(&F(-3.0)).unwrap(), "-3");
        assert_eq!(serde_json::to_string(&F(45.2)).unwrap(), "45.2");
        assert_eq!(serde_json::to_string(&F(1e300)).unwrap(), "1e+300");
        assert_eq!(serde_json::from_str::<F>("12").unwrap().0, 12.0);
    }

    #[test]
    fn unknown_event_round_trips_its_raw_arguments() {
        let packet = Packet::event("/", None, r#"["x",{"a":1}, [2 ,3],"s"]"#.into());
        let (name, args) = packet_parts(&packet).unwrap();
        let unknown = UnknownEvent::new(&name, &args);
        assert_eq!(unknown.args.len(), 3);
        assert_eq!(unknown.args[1].get(), "[2 ,3]");
        assert_eq!(
            unknown.arg::<Vec<u8>>(1).unwrap().unwrap(),
            vec![2, 3],
            "arguments parse on demand"
        );
        assert!(unknown.arg::<u8>(5).is_none());
        assert_eq!(
            unknown.to_event_data().unwrap(),
            r#"["x",{"a":1},[2 ,3],"s"]"#
        );
    }

    #[test]
    fn packets_that_are_not_events_are_rejected() {
        let ack = Packet::ack("/", 1, "[1]".into());
        assert_eq!(packet_parts(&ack).unwrap_err(), DecodeError::NotAnEvent);
        let connect = Packet::connect("/", None);
        assert_eq!(packet_parts(&connect).unwrap_err(), DecodeError::NotAnEvent);
    }
}
