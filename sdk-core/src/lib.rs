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
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod client;
pub mod engineio;
mod error;
mod limits;
pub mod models;
pub mod socketio;
mod value;

pub use error::{CapacityError, Error, ProtocolError, Result};
pub use limits::Limits;
pub use value::{Value, ValueDeserializer};
