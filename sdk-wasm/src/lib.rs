//! # omni-socket-wasm
//!
//! The WebAssembly (browser) driver of omni-socket will live here, driving
//! [`omni_socket_core`]. It has no bindings yet.
#![deny(missing_docs)]

pub use omni_socket_core as core;
