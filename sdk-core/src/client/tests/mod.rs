//! Deterministic tests of the client state machine, one file per feature,
//! all over the [`util::Pair`] harness and a virtual clock.

mod acks;
mod auth;
mod backoff;
mod buffer;
mod fuzz;
mod heartbeat;
mod polling;
mod queue;
mod ratelimit;
mod raw;
mod recovery;
mod rooms;
mod session;
mod session_alone;
mod text;
mod util;
