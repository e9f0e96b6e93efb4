//! # omni-socket-core
//!
//! The sans-IO heart of omni-socket: everything about Socket.IO v5 over
//! Engine.IO v4 that does not need a socket, a clock or a random number
//! generator.
//!
//! This crate performs no I/O and never reads the time or draws random
//! numbers on its own. Its functions take text and bytes that a driver
//! received and return text and bytes for the driver to send. Given the same
//! inputs it gives the same outputs, which is what lets the browser driver
//! (WebAssembly) and the native driver (tokio) behave identically, and lets
//! every rule be tested once with a virtual clock.
//!
//! What it has today:
//! - [`engineio`]: Engine.IO v4 packets, handshake, long-polling payloads.
//! - [`socketio`]: Socket.IO v5 packets, namespaces, ack ids, binary
//!   attachments with a reassembling [`socketio::Decoder`].
//! - [`Value`]: JSON with binary values anywhere, and the placeholder scheme.
//! - [`models`]: typed events of the five seed products, and (feature `ts`)
//!   the TypeScript declarations generated from them.
//! - [`client`]: the deterministic client state machine (session,
//!   reconnection, heartbeat, acks, offline buffer, rooms, auth, rate
//!   limits, recovery) that drivers feed with bytes and time.
//!
//! All input is treated as hostile: sizes, attachment counts and JSON depth
//! are bounded by [`Limits`], and malformed input is an [`Error`], never a
//! panic.
//!
//! # Example
//!
//! A WebSocket text frame decoded the way a driver does: the Engine.IO
//! layer first, then the Socket.IO packet it carries, then the payload
//! into a typed model.
//!
//! ```
//! use omni_socket_core::models::omni::OmniServerEvent;
//! use omni_socket_core::socketio::{Decoded, Decoder, PacketType};
//! use omni_socket_core::{engineio, Limits};
//!
//! let limits = Limits::default();
//! let frame = r#"42/admin,["room_joined",{"room":"user_7","type":"user","members_count":1}]"#;
//! let engineio::Packet::Message(message) = engineio::decode_text(frame, &limits)? else {
//!     unreachable!("a message packet")
//! };
//! let Decoded::Packet(packet) = Decoder::new(limits).decode_text(&message)? else {
//!     unreachable!("no binary attachments")
//! };
//! assert_eq!((packet.packet_type, &*packet.nsp), (PacketType::Event, "/admin"));
//! match OmniServerEvent::from_packet(&packet)? {
//!     OmniServerEvent::RoomJoined(joined) => assert_eq!(joined.room, "user_7"),
//!     other => unreachable!("{other:?}"),
//! }
//!
//! // Malformed input is an error, not a panic.
//! assert!(engineio::decode_text("4", &limits).is_ok());
//! assert!(Decoder::new(limits).decode_text(r#"2["unterminated"#).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// `alloc` and `core` only, so the browser build links no `std`: its driver
// then supplies a panic handler that formats nothing (see sdk-wasm's
// lib.rs). The `std` feature (on by default) only turns on the standard
// library in the dependencies; nothing here uses it, so the native build
// checks that too.
#![no_std]

extern crate alloc;
// The tests, the TypeScript generator (feature `ts`, a build tool that
// writes files) and `arbitrary`'s derive (feature `fuzzing`) use `std`.
#[cfg(any(test, feature = "ts", feature = "fuzzing"))]
extern crate std;

/// What the standard library's prelude would bring, for a `no_std` crate.
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec::Vec;
    pub(crate) use alloc::{format, vec};
}

mod b64;
pub mod client;
pub mod engineio;
mod error;
mod limits;
pub mod models;
pub mod socketio;
mod strict;
mod value;

pub use error::{CapacityError, Error, ProtocolError, Result};
pub use limits::Limits;
pub use value::{raw_field, raw_fields, raw_string, Args, Value, ValueDeserializer};

/// The README's Rust examples, compiled with the doc tests so the page
/// crates.io shows cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
