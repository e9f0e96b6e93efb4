//! Typed clients of the five seed products, shaped like the helpers the
//! seeds show (`joinConversation`, `sendTyping`, `getStatus`,
//! `joinOrderChat`, `subscribeToDeployment`, …), over one [`Socket`] and
//! the models of [`omni_socket_core::models`].
//!
//! | module | seed | what |
//! |---|---|---|
//! | [`omni`] | 000 | rooms, `license_check`, notifications, usage, quota, rate limits, binary data, `/admin`, `/analytics` |
//! | [`deployments`] | 001 | `deployment:subscribe` by id with its status and logs, presence |
//! | [`doa`] | 002 | conversations, typing (throttled 500 ms), read receipts, status |
//! | [`fama`] | 003 | token raw or `Bearer`, `connected`, refresh on "Token expired" |
//! | [`marketplace`] | 004 | order and dispute chats, messages with attachments, typing, status updates, presence |
//!
//! Each product type wraps a [`Socket`] (`Doa::new(client.socket("/doa"))`)
//! or connects one itself (`Doa::connect(url, token)`), paced by the rate
//! table that product's server enforces ([`Product`]). The URL's path names
//! the namespace, as in socket.io-client: the reference server runs the
//! products on `/deployments`, `/doa`, `/fama` and `/marketplace`
//! ([`Product::namespace`]); a product's own server may use `/`.
//!
//! Joins wait for the server's verdict: a room the server refuses is an
//! [`Error::RoomRefused`] with its reason, and
//! every joined room is joined again after a reconnection. Requests the
//! server acknowledges return its answer, or
//! [`Error::Refused`].

/// `with_timeout` and `socket` of a product client: a struct with `socket:
/// Socket` and `timeout: Duration`. `$timeout_doc` says what the timeout
/// bounds.
macro_rules! socket_accessors {
    ($timeout_doc:literal) => {
        #[doc = $timeout_doc]
        #[must_use]
        pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.timeout = timeout;
            self
        }

        /// The socket underneath.
        pub fn socket(&self) -> &crate::Socket {
            &self.socket
        }
    };
}

/// `builder` and `connect` of a product whose server takes `auth: {token}`;
/// the client type has a `new(Socket)`.
macro_rules! token_constructors {
    ($product:expr, $whose:literal) => {
        #[doc = concat!(
                    "Options for a client of `url` with the JWT `token` (`auth: {token}`), ",
                    "paced by ",
                    $whose,
                    " rate table. Finish with `.connect()` and wrap the client with ",
                    "[`new`](Self::new)."
                )]
        pub fn builder(url: &str, token: &str) -> crate::ClientBuilder {
            super::builder(
                url,
                $product,
                omni_socket_core::client::Auth::Credentials(
                    omni_socket_core::client::Credentials::token(token),
                ),
            )
        }

        /// Connects to `url` (its path names the namespace) with `token`.
        ///
        /// # Errors
        /// As [`ClientBuilder::connect`](crate::ClientBuilder::connect).
        pub async fn connect(url: &str, token: &str) -> crate::Result<Self> {
            let client = Self::builder(url, token).connect().await?;
            Ok(Self::new(crate::Socket::clone(&client)))
        }
    };
}

pub mod deployments;
pub mod doa;
pub mod fama;
pub mod marketplace;
pub mod omni;

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use omni_socket_core::client::{Event, Product};
use omni_socket_core::models::DecodeError;
use omni_socket_core::Value;
use serde_json::value::RawValue;

use crate::client::{LifecycleStream, MessageStream, Socket};
use crate::error::{Error, Result};

/// How long a product helper waits for the server's answer by default.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a product's connection stands: seed 002's `getStatus()`
/// (`{isConnected, socketId, reconnectAttempts}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The product's namespace is connected.
    pub is_connected: bool,
    /// Its socket id while connected.
    pub socket_id: Option<String>,
    /// Reconnection attempts in the current streak (0 once connected).
    pub reconnect_attempts: u32,
}

impl Status {
    /// The status of `socket` now.
    pub fn of(socket: &Socket) -> Self {
        let state = socket.state();
        let s = state.borrow();
        let socket_id = s.namespaces.get(socket.namespace()).cloned();
        Self {
            is_connected: socket_id.is_some(),
            socket_id,
            reconnect_attempts: s.reconnect_attempts,
        }
    }
}

/// A product's server events as its model enum (e.g.
/// [`DoaServerEvent`](omni_socket_core::models::doa::DoaServerEvent)),
/// every event of the namespace in arrival order; names the model does not
/// know come as its `Unknown` variant. Events whose payload does not match
/// the model are logged and skipped.
#[derive(Debug)]
pub struct ServerEvents<E> {
    inner: MessageStream,
    decode: fn(&str, &[&RawValue]) -> std::result::Result<E, DecodeError>,
    _marker: PhantomData<fn() -> E>,
}

impl<E> ServerEvents<E> {
    pub(crate) fn new(
        socket: &Socket,
        decode: fn(&str, &[&RawValue]) -> std::result::Result<E, DecodeError>,
    ) -> Self {
        Self {
            inner: socket.on_any(),
            decode,
            _marker: PhantomData,
        }
    }

    /// The next event, `None` once the client is gone.
    pub async fn next(&mut self) -> Option<E> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<E> Unpin for ServerEvents<E> {}

impl<E> Stream for ServerEvents<E> {
    type Item = E;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<E>> {
        loop {
            let m = match Pin::new(&mut self.inner).poll_next(cx) {
                Poll::Ready(Some(m)) => m,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            };
            let raw: Vec<Box<RawValue>> = m
                .args
                .iter()
                .filter_map(|a| serde_json::value::to_raw_value(a).ok())
                .collect();
            let refs: Vec<&RawValue> = raw.iter().map(|r| &**r).collect();
            match (self.decode)(&m.event, &refs) {
                Ok(e) => return Poll::Ready(Some(e)),
                Err(err) => tracing::warn!(%err, "skipping event"),
            }
        }
    }
}

/// Reconnections of a client, as the number of attempts each took (seed
/// 002 reloads its data after each).
#[derive(Debug)]
pub struct Reconnects {
    events: LifecycleStream,
}

impl Reconnects {
    pub(crate) fn new(socket: &Socket) -> Self {
        Self {
            events: socket.events(),
        }
    }

    /// The next reconnection's attempt count, `None` once the client is
    /// gone.
    pub async fn next(&mut self) -> Option<u32> {
        loop {
            match self.events.next().await? {
                Event::Reconnect { attempt } => return Some(attempt),
                _ => continue,
            }
        }
    }
}

/// A builder for a product's client of `url`: its rate table, and `auth`.
pub(crate) fn builder(
    url: &str,
    product: Product,
    auth: omni_socket_core::client::Auth,
) -> crate::ClientBuilder {
    crate::Client::builder(url).product(product).auth(auth)
}

/// Reads an ack answer `{success, code?, message?, …}` of the seed
/// products' servers: the answer's object on success.
///
/// # Errors
/// [`Error::Refused`] for `{success: false}`; [`Error::Payload`] when the
/// answer is no object.
pub(crate) fn answer(args: &[Value]) -> Result<serde_json::Value> {
    let v = args
        .first()
        .map(crate::value::to_json)
        .unwrap_or(serde_json::Value::Null);
    if !v.is_object() {
        return Err(Error::Payload(format!(
            "expected an answer object, got {v}"
        )));
    }
    if v.get("success") == Some(&serde_json::Value::Bool(false)) {
        let text = |k: &str| v.get(k).and_then(|m| m.as_str()).map(str::to_owned);
        return Err(Error::Refused {
            code: text("code"),
            message: text("message").unwrap_or_else(|| "refused".into()),
        });
    }
    Ok(v)
}

/// A payload as an argument.
///
/// # Errors
/// [`Error::Payload`] if it does not serialize.
pub(crate) fn arg<T: serde::Serialize>(payload: &T) -> Result<Value> {
    serde_json::to_value(payload)
        .map(Value::from)
        .map_err(|e| Error::Payload(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_read_like_the_servers_write_them() {
        let ok = answer(&[Value::from(json!({"success": true, "id": "m1"}))]).unwrap();
        assert_eq!(ok["id"], "m1");
        let refused = answer(&[Value::from(
            json!({"success": false, "code": "FORBIDDEN", "message": "no"}),
        )])
        .unwrap_err();
        assert!(
            matches!(&refused, Error::Refused { code: Some(c), message } if c == "FORBIDDEN" && message == "no"),
            "{refused:?}"
        );
        assert!(matches!(answer(&[]), Err(Error::Payload(_))));
    }
}
