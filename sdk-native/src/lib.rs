//! # omni-socket
//!
//! The native (tokio) client of omni-socket will live here, driving
//! [`omni_socket_core`]. This crate has no public API yet; until it does, use
//! the codecs in `omni_socket_core` directly.
#![deny(missing_docs)]

pub use omni_socket_core as core;
