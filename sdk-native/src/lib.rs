//! # omni-socket
//!
//! A Socket.IO v5 / Engine.IO v4 client for tokio. The protocol lives in
//! the sans-IO core [`omni_socket_core`] (shared with the browser client);
//! this crate drives it with real sockets: WebSocket (tokio-tungstenite,
//! rustls with certificate verification), HTTP long-polling (hyper) and the
//! upgrade between them.
//!
//! ```no_run
//! use std::time::Duration;
//! use omni_socket::{Client, Credentials, Auth, Value};
//! use omni_socket::models::omni::Notification;
//!
//! # async fn demo() -> omni_socket::Result<()> {
//! let client = Client::builder("http://localhost:3001")
//!     .auth(Auth::Credentials(Credentials::token("jwt").with_license_key("OMNI-PREM-…")))
//!     .connect()
//!     .await?;
//! client.join_room("user_42", "user").await?;
//! let mut notifications = client.subscribe::<Notification>();
//! let answer = client
//!     .emit_with_ack("echo", vec![Value::String("hi".into())], Duration::from_secs(5))
//!     .await?;
//! while let Some(n) = notifications.next().await {
//!     println!("{n:?}");
//! }
//! # let _ = answer; Ok(()) }
//! ```
//!
//! [`ClientBuilder::connect`] returns once the main namespace is connected
//! or with the first attempt's [`Error`]. To subscribe before any event can
//! arrive, use [`ClientBuilder::connect_lazy`], subscribe, then await
//! [`Client::connect_outcome`].
//!
//! Client-side rate limits pace nothing by default. A client of one of the
//! seed products says so (`.product(Product::Omni)`, or a module of
//! [`products`]) and is paced by the table that product's server enforces
//! (Omni: seed 000's, e.g. 30 emits a minute for events it does not list);
//! sends over the budget are delayed, never dropped. A server's
//! `rate_limited {event, retry_after}` pauses that event in any case.
//!
//! # How it runs
//!
//! [`ClientBuilder::connect`] spawns one task per connection. The task owns
//! the core state machine and the WebSocket, and each time something
//! happens (a command from a handle, frames read from the socket, its
//! single timer) feeds it in and carries out what comes out: frames written
//! to the socket, transports opened and closed, events handed to
//! subscribers. Long-polling, which keeps HTTP requests in flight while the
//! client sends, runs as a second task that reports through a bounded
//! queue. Nothing busy-waits. On a one-thread runtime a caller awaiting an
//! emit's outcome or an ack's answer polls the connection too, so the
//! answer reaches it without a scheduler turn in between.
//!
//! Subscribers each have a bounded queue; one that falls behind loses
//! events (with a `warn` log) instead of stalling the connection.
//!
//! # Logging
//!
//! Everything is logged with [`tracing`]: `info` for connects and
//! disconnects, `debug` for transport activity, `trace` for every frame.
#![deny(missing_docs)]

mod client;
mod drive;
mod driver;
mod error;
pub mod products;
mod queue;
mod shared;
mod transport;
pub mod value;

pub use client::{Client, ClientBuilder, EventStream, LifecycleStream, MessageStream, Socket};
pub use error::{Error, Result};
pub use omni_socket_core as core;
pub use omni_socket_core::client::{
    Auth, AuthApply, ConnectionState, Credentials, DisconnectReason, Event, HeartbeatConfig,
    HeartbeatMode, LatencyStats, Product, RateLimitConfig, RateTable, RoomSpec, RoomState,
    TransportError, TransportErrorKind, TransportKind,
};
pub use omni_socket_core::models;
pub use omni_socket_core::Value;
pub use shared::{AckRequest, Message, Status};

/// The README's Rust examples, compiled with the doc tests so the page
/// crates.io shows cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
