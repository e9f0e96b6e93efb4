//! Omni (seed 000): licence, user and admin rooms, `license_check`,
//! notifications, usage and quota, the server's rate limits, binary data,
//! and the `/admin` and `/analytics` namespaces.
//!
//! ```no_run
//! use omni_socket::products::omni::Omni;
//! use omni_socket::models::omni::OmniServerEvent;
//! use omni_socket::Credentials;
//!
//! # async fn run(jwt: &str) -> omni_socket::Result<()> {
//! let key = "OMNI-PREM-ABCD-1234-EFGH";
//! let omni = Omni::connect(
//!     "http://127.0.0.1:3001",
//!     Credentials::token(jwt).with_license_key(key),
//! )
//! .await?;
//! let mut events = omni.events();
//! omni.join_room(&format!("license_{key}")).await?;
//! omni.join_room("user_12345").await?;
//! let check = omni.license_check(key).await?;
//! println!("{key}: valid {}, {} days left", check.valid, check.days_remaining.unwrap_or(0));
//! while let Some(event) = events.next().await {
//!     match event {
//!         OmniServerEvent::Notification(n) => println!("{}: {}", n.title, n.message),
//!         OmniServerEvent::QuotaWarning(q) => println!("quota: {}", q.message),
//!         other => println!("{}", other.name()),
//!     }
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use omni_socket_core::client::{
    Auth, Credentials, HeartbeatConfig, HeartbeatMode, LatencyStats, Product, RoomSpec,
};
use omni_socket_core::models::omni::{
    self as m, LicenseCheck, LicenseCheckResult, Notification, NotificationRead, OmniServerEvent,
    QuotaWarning, RateLimited, RealTimeStats, UsageUpdate, UserLogin, UserLogout,
};
use omni_socket_core::Value;

use super::{answer, arg, ServerEvents, Status, ANSWER_TIMEOUT};
use crate::client::{ClientBuilder, EventStream, Socket};
use crate::error::{Error, Result};

/// An Omni client over one socket (`/` on Omni's server).
#[derive(Debug, Clone)]
pub struct Omni {
    socket: Socket,
    timeout: Duration,
}

impl Omni {
    /// Options for a client of `url` with `credentials` (`{token,
    /// license_key, role}`; a license key alone is a license-only session),
    /// paced by seed 000's rate table, with Omni's heartbeat every 30 s for
    /// [`latency`](Self::latency).
    pub fn builder(url: &str, credentials: Credentials) -> ClientBuilder {
        super::builder(url, Product::Omni, Auth::Credentials(credentials)).heartbeat(
            HeartbeatConfig {
                mode: HeartbeatMode::omni(env!("CARGO_PKG_VERSION"), "native"),
                ..HeartbeatConfig::default()
            },
        )
    }

    /// Connects to `url` with `credentials`.
    ///
    /// # Errors
    /// As [`ClientBuilder::connect`]: [`Error::Auth`] for a bad, expired or
    /// foreign token or license (`INVALID_TOKEN: …`, `TOKEN_EXPIRED: …`,
    /// `INVALID_LICENSE: …`).
    pub async fn connect(url: &str, credentials: Credentials) -> Result<Self> {
        let client = Self::builder(url, credentials).connect().await?;
        Ok(Self::new(Socket::clone(&client)))
    }

    /// Omni over `socket`.
    pub fn new(socket: Socket) -> Self {
        Self {
            socket,
            timeout: ANSWER_TIMEOUT,
        }
    }

    socket_accessors!("How long joins and requests wait for the server's answer (10 s).");

    /// Connection status.
    pub fn status(&self) -> Status {
        Status::of(&self.socket)
    }

    /// Heartbeat round trips (`heartbeat` → `heartbeat_response`).
    pub fn latency(&self) -> LatencyStats {
        self.socket.latency()
    }

    /// `join_room {room, type}` with the type the name implies (`user_*`,
    /// `license_*`, `admin_dashboard`), confirmed by `room_joined`; joined
    /// again after every reconnection.
    ///
    /// # Errors
    /// [`Error::RoomRefused`] with the server's `room_error` message
    /// (`FORBIDDEN`, `ROOM_NOT_FOUND`, `UNAUTHORIZED`); [`Error::Timeout`].
    pub async fn join_room(&self, room: &str) -> Result<()> {
        self.socket
            .join_confirmed(RoomSpec::omni_room(room), self.timeout)
            .await
    }

    /// The user's room `user_<id>` (ids look like `user_12345`, which is
    /// the room itself).
    ///
    /// # Errors
    /// As [`join_room`](Self::join_room).
    pub async fn join_user_room(&self, user_id: &str) -> Result<()> {
        self.join_room(&m::user_room(user_id)).await
    }

    /// The licence's room `license_<key>`.
    ///
    /// # Errors
    /// As [`join_room`](Self::join_room).
    pub async fn join_license_room(&self, license_key: &str) -> Result<()> {
        self.join_room(&m::license_room(license_key)).await
    }

    /// `admin_dashboard` (admins).
    ///
    /// # Errors
    /// As [`join_room`](Self::join_room).
    pub async fn join_admin_dashboard(&self) -> Result<()> {
        self.join_room(m::ADMIN_DASHBOARD_ROOM).await
    }

    /// `leave_room {room}` (answered by `room_left`).
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn leave_room(&self, room: &str) -> Result<()> {
        self.socket.leave(room)
    }

    /// `license_check {license_key}`, answered by `license_check_result`
    /// (`valid: false, status: "not_found"` for a key this user does not
    /// hold).
    ///
    /// # Errors
    /// [`Error::Refused`] when the server answers `error` instead
    /// (`UNAUTHORIZED` for an anonymous session, `INVALID_PAYLOAD`,
    /// `RATE_LIMITED`); [`Error::Timeout`].
    pub async fn license_check(&self, license_key: &str) -> Result<LicenseCheckResult> {
        // Listening before the request, so the answer cannot slip by.
        let mut events = self.events();
        self.socket
            .emit_typed(&LicenseCheck {
                license_key: license_key.to_owned(),
            })
            .await?;
        let answer = async {
            while let Some(e) = events.next().await {
                match e {
                    OmniServerEvent::LicenseCheckResult(r) if r.license_key == license_key => {
                        return Ok(r)
                    }
                    OmniServerEvent::Error(e)
                        if matches!(
                            e.code.as_str(),
                            "UNAUTHORIZED" | "INVALID_PAYLOAD" | "RATE_LIMITED"
                        ) =>
                    {
                        return Err(Error::Refused {
                            code: Some(e.code),
                            message: e.message,
                        })
                    }
                    _ => {}
                }
            }
            Err(Error::Closed)
        };
        tokio::time::timeout(self.timeout, answer)
            .await
            .unwrap_or_else(|_| Err(Error::Timeout("no license_check_result".into())))
    }

    /// `notification_read {notification_id}`, acknowledged by the server.
    ///
    /// # Errors
    /// [`Error::Refused`] (`NOT_FOUND`, `UNAUTHORIZED` for a license-only
    /// session); [`Error::AckTimeout`].
    pub async fn mark_notification_read(&self, notification_id: &str) -> Result<()> {
        let payload = NotificationRead {
            notification_id: notification_id.to_owned(),
        };
        let args = self
            .socket
            .emit_with_ack("notification_read", vec![arg(&payload)?], self.timeout)
            .await?;
        answer(&args).map(|_| ())
    }

    /// `binary_data` with `data` as a binary attachment; returns the
    /// server's `binary_response` (the reference server echoes the bytes).
    ///
    /// # Errors
    /// [`Error::Timeout`]; [`Error::Payload`] when the answer is not binary.
    pub async fn send_binary(&self, data: Bytes) -> Result<Bytes> {
        let mut answers = self.socket.on_event("binary_response");
        self.socket
            .emit("binary_data", vec![Value::Binary(data)])
            .await?;
        let m = tokio::time::timeout(self.timeout, answers.next())
            .await
            .map_err(|_| Error::Timeout("no binary_response".into()))?
            .ok_or(Error::Closed)?;
        match m.args.into_iter().next() {
            Some(Value::Binary(b)) => Ok(b),
            other => Err(Error::Payload(format!(
                "binary_response without bytes: {other:?}"
            ))),
        }
    }

    /// `notification`s of joined user rooms.
    pub fn notifications(&self) -> EventStream<Notification> {
        self.socket.subscribe()
    }

    /// `usage_update` of joined licence rooms.
    pub fn usage(&self) -> EventStream<UsageUpdate> {
        self.socket.subscribe()
    }

    /// `quota_warning` of joined licence rooms.
    pub fn quota_warnings(&self) -> EventStream<QuotaWarning> {
        self.socket.subscribe()
    }

    /// The server's `rate_limited {event, limit, window, retry_after}`;
    /// the client already pauses that event for `retry_after`.
    pub fn rate_limits(&self) -> EventStream<RateLimited> {
        self.socket.subscribe()
    }

    /// Every server event as [`OmniServerEvent`]: licence lifecycle, user
    /// login and logout, system status, maintenance, errors, …
    pub fn events(&self) -> ServerEvents<OmniServerEvent> {
        ServerEvents::new(&self.socket, OmniServerEvent::decode)
    }

    /// The `/admin` namespace over the same connection (admin tokens only;
    /// others get a `connect_error` `FORBIDDEN: …` on its socket).
    pub fn admin(&self) -> Admin {
        Admin {
            socket: self.socket.socket("/admin"),
            timeout: self.timeout,
        }
    }

    /// The `/analytics` namespace over the same connection.
    pub fn analytics(&self) -> Analytics {
        Analytics {
            socket: self.socket.socket("/analytics"),
        }
    }
}

/// Omni's `/admin` namespace: logins and logouts, and the server's stats.
#[derive(Debug, Clone)]
pub struct Admin {
    socket: Socket,
    timeout: Duration,
}

impl Admin {
    /// `/admin` over `socket`.
    pub fn new(socket: Socket) -> Self {
        Self {
            socket,
            timeout: ANSWER_TIMEOUT,
        }
    }

    /// The socket underneath.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// `get_stats`, acknowledged with the server's connection counts.
    ///
    /// # Errors
    /// [`Error::Refused`]; [`Error::AckTimeout`].
    pub async fn get_stats(&self) -> Result<serde_json::Value> {
        let args = self
            .socket
            .emit_with_ack("get_stats", Vec::new(), self.timeout)
            .await?;
        answer(&args)
    }

    /// `user_login`.
    pub fn logins(&self) -> EventStream<UserLogin> {
        self.socket.subscribe()
    }

    /// `user_logout`.
    pub fn logouts(&self) -> EventStream<UserLogout> {
        self.socket.subscribe()
    }
}

/// Omni's `/analytics` namespace.
#[derive(Debug, Clone)]
pub struct Analytics {
    socket: Socket,
}

impl Analytics {
    /// `/analytics` over `socket`.
    pub fn new(socket: Socket) -> Self {
        Self { socket }
    }

    /// The socket underneath.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// The periodic `real_time_stats`.
    pub fn stats(&self) -> EventStream<RealTimeStats> {
        self.socket.subscribe()
    }
}
