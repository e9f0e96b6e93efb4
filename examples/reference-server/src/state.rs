//! State shared by every namespace and the HTTP admin API, and the per-socket session.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use omni_socket_core::models::{omni as m, Event};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};
use tokio::sync::Notify;

use crate::auth::{Claims, Jwt, Role};
use crate::config::Args;
use crate::net::Caps;
use crate::rate::{Budget, RateLimited, RateLimiter};
use crate::store::Store;
use crate::time::now_ms;

/// Everything handlers share. Cloned cheaply through the `Arc`.
pub type Shared = Arc<AppState>;

/// Server-wide state.
pub struct AppState {
    /// Token signer/verifier.
    pub jwt: Jwt,
    store: Mutex<Store>,
    /// Start time, epoch milliseconds.
    pub started_ms: i64,
    /// Events handled since start (for `real_time_stats`).
    pub events_total: AtomicU64,
    /// Event budgets of every user.
    pub limiter: RateLimiter,
    /// Open sockets per subject, capped.
    sockets: Arc<SocketCounts>,
    /// Engine.IO sessions held (the cap of `--max-sessions`).
    pub sessions: Arc<Caps>,
    /// TCP connections held (the cap of `--max-connections`).
    pub connections: Arc<Caps>,
}

impl AppState {
    /// Creates the state with the demo data set and the limits of `args`.
    pub fn new(jwt: Jwt, args: &Args, sessions: Arc<Caps>, connections: Arc<Caps>) -> Shared {
        let app = Arc::new(Self {
            jwt,
            store: Mutex::new(Store::demo(
                usize::try_from(args.max_notifications).unwrap_or(usize::MAX),
            )),
            started_ms: now_ms(),
            events_total: AtomicU64::new(0),
            limiter: RateLimiter::new(args.rate_limits_on()),
            sockets: Arc::new(SocketCounts {
                max: usize::try_from(args.max_sockets_per_user).unwrap_or(usize::MAX),
                open: Mutex::default(),
            }),
            sessions,
            connections,
        });
        // Ended windows are dropped once a minute, so idle users cost nothing.
        let weak = Arc::downgrade(&app);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(
                crate::rate::WINDOW_MS as u64,
            ));
            loop {
                tick.tick().await;
                let Some(app) = weak.upgrade() else { return };
                app.limiter.sweep(now_ms());
            }
        });
        app
    }

    /// Takes one socket slot of `subject`; refused over `--max-sockets-per-user`.
    /// The slot is freed when the returned value (kept in the socket's
    /// extensions) is dropped with the socket.
    pub fn open_socket(&self, subject: &str) -> Result<SocketSlot, Refusal> {
        let mut open = self.sockets.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(subject.to_string()).or_insert(0);
        if *n >= self.sockets.max {
            return Err(Refusal::new(
                "TOO_MANY_SOCKETS",
                format!(
                    "At most {} sockets per user are open at once",
                    self.sockets.max
                ),
            ));
        }
        *n += 1;
        Ok(SocketSlot(Arc::new(SlotInner {
            counts: self.sockets.clone(),
            subject: subject.to_string(),
        })))
    }

    /// Locks the data store. Never held across an `.await`.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the maps half-updated
        // in a way that matters for a demo store, so poisoning is ignored.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one handled event.
    pub fn count_event(&self) {
        self.events_total.fetch_add(1, Ordering::Relaxed);
    }
}

/// Open sockets per subject.
#[derive(Debug)]
struct SocketCounts {
    max: usize,
    open: Mutex<HashMap<String, usize>>,
}

#[derive(Debug)]
struct SlotInner {
    counts: Arc<SocketCounts>,
    subject: String,
}

impl Drop for SlotInner {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.subject) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.subject);
            }
        }
    }
}

/// One open socket of a subject (see [`AppState::open_socket`]).
#[derive(Debug, Clone)]
pub struct SocketSlot(#[allow(dead_code)] Arc<SlotInner>);

/// Who a socket is, set by the namespace's connect middleware.
#[derive(Clone)]
pub struct Session {
    /// Token claims, when a token was given.
    pub claims: Option<Claims>,
    /// User id: the token's `sub`. A license key alone names no user.
    pub user_id: Option<String>,
    /// License key used to connect, if any.
    pub license_key: Option<String>,
    /// Licenses this session may act for.
    pub licenses: Vec<String>,
    /// Granted role (`user` for license-only sessions).
    pub role: Option<Role>,
    /// Whose event budget this socket spends: `user:<id>`, `license:<key>`,
    /// or `socket:<id>` for anonymous sockets.
    pub subject: String,
    /// Fired on disconnect to stop this socket's timers.
    pub closed: Arc<Notify>,
}

impl Session {
    /// A session with no identity.
    pub fn anonymous() -> Self {
        Self {
            claims: None,
            user_id: None,
            license_key: None,
            licenses: Vec::new(),
            role: None,
            subject: String::new(),
            closed: Arc::default(),
        }
    }

    /// A session for verified token claims.
    pub fn from_claims(claims: Claims) -> Self {
        Self {
            user_id: Some(claims.sub.clone()),
            licenses: claims.licenses.clone(),
            role: Some(claims.role),
            subject: format!("user:{}", claims.sub),
            claims: Some(claims),
            ..Self::anonymous()
        }
    }

    /// Authenticated by token or license.
    pub fn is_authenticated(&self) -> bool {
        self.user_id.is_some() || self.license_key.is_some()
    }

    /// Has the admin role.
    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }

    /// Display name, falling back to the user id.
    pub fn username(&self) -> String {
        self.claims
            .as_ref()
            .map(|c| c.username.clone())
            .or_else(|| self.user_id.clone())
            .unwrap_or_default()
    }

    /// Counts `event` in this subject's budget of `product`; the refusal when over `limit`.
    pub fn check(
        &self,
        app: &AppState,
        product: &'static str,
        event: &str,
        limit: u32,
    ) -> Result<(), RateLimited> {
        let budget = Budget {
            subject: self.subject.clone(),
            product,
            bucket: event.to_string(),
        };
        app.limiter.check(budget, limit, now_ms())
    }
}

/// Tells the client an event was over its rate limit: `error` and
/// `rate_limited` (seed 000 shows both; a client may listen to either), and
/// the ack `{success: false, code: "RATE_LIMITED", message, retry_after}`
/// when one was asked for — the README promises an answer to every ack.
pub fn refuse_rate<A: Adapter>(s: &SocketRef<A>, ack: AckSender<A>, r: RateLimited) {
    let message = format!("Too many '{}' events", r.event);
    answer(
        ack,
        &serde_json::json!({
            "success": false,
            "code": "RATE_LIMITED",
            "message": message,
            "retry_after": r.retry_after,
        }),
    );
    emit(
        s,
        &m::Error {
            code: "RATE_LIMITED".into(),
            message,
            retry_after: Some(r.retry_after.into()),
        },
    );
    emit(
        s,
        &m::RateLimited {
            event: r.event,
            limit: r.limit.into(),
            window: r.window.into(),
            retry_after: r.retry_after.into(),
        },
    );
}

/// The budget subject of a socket without credentials: the socket itself.
/// There is no user to key on, and an address is often shared by many
/// people (NAT), so it would be the wrong key; what an anonymous socket can
/// do is cheap (heartbeats and refusals), and how many of them one address
/// holds is bounded by `--max-sessions-per-ip`.
pub fn anonymous_subject<A: Adapter>(s: &SocketRef<A>) -> String {
    format!("socket:{}", s.id)
}

/// Reads the session stored by the connect middleware.
pub fn session<A: Adapter>(s: &SocketRef<A>) -> Session {
    s.extensions
        .get::<Session>()
        .unwrap_or_else(Session::anonymous)
}

/// Emits a typed payload under the event name the SDK's models give it. A
/// send fails when the socket is closing or its outgoing buffer
/// (`max_buffer_size` packets) is full because the client reads slower than
/// it asks; either way the packet is gone, so say so.
pub fn emit<T: Event, A: Adapter>(s: &SocketRef<A>, payload: &T) {
    if let Err(e) = s.emit(T::NAME, payload) {
        tracing::warn!(sid = %s.id, event = T::NAME, error = %e, "emit dropped");
    }
}

/// Answers an ack (a no-op when the client asked for none).
pub fn answer<A: Adapter, T: serde::Serialize + ?Sized>(ack: AckSender<A>, payload: &T) {
    if let Err(e) = ack.send(payload) {
        tracing::warn!(error = %e, "ack answer dropped");
    }
}

/// Emits `error {code, message}` (Omni's shape, used by every namespace but
/// FAMA) to one socket; the connection stays open.
pub fn emit_error<A: Adapter>(s: &SocketRef<A>, code: &'static str, message: impl Into<String>) {
    emit(
        s,
        &m::Error {
            code: code.to_string(),
            message: message.into(),
            retry_after: None,
        },
    );
}

/// Refuses a request: `error {code, message}`, plus the ack `{success: false,
/// code, message}` when the client asked for one.
pub fn refuse<A: Adapter>(
    s: &SocketRef<A>,
    ack: AckSender<A>,
    code: &'static str,
    message: impl Into<String>,
) {
    let message = message.into();
    answer(
        ack,
        &serde_json::json!({ "success": false, "code": code, "message": message }),
    );
    emit_error(s, code, message);
}

/// A refusal at CONNECT. socketioxide sends its `Display` text as the
/// `connect_error` message, formatted `CODE: explanation`.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// Machine-readable code, e.g. `TOKEN_EXPIRED`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl Refusal {
    /// Builds a refusal.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Reads a string field of the CONNECT auth object, bounded in length.
pub fn auth_str<'a>(auth: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    auth.get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Verifies the token from a CONNECT auth object (`auth.token`, raw or `Bearer `).
pub fn verify_auth_token(app: &AppState, auth: &serde_json::Value) -> Result<Claims, Refusal> {
    let token = auth_str(auth, "token").unwrap_or("");
    app.jwt
        .verify(token)
        .map_err(|e| Refusal::new(e.code(), e.message()))
}

/// How a namespace tells a client its token expired.
#[derive(Debug, Clone, Copy)]
pub enum ExpiryNotice {
    /// Omni and most products: `auth_error {code: "TOKEN_EXPIRED", message}`.
    AuthError,
    /// FAMA (seed 003): `error {message: "Token expired"}`.
    FamaError,
}

/// Schedules `auth_error` + disconnect when the token of `session` expires.
pub fn expire_with_token<A: Adapter>(s: &SocketRef<A>, session: &Session) {
    expire_with_token_as(s, session, ExpiryNotice::AuthError);
}

/// Schedules the `notice` + disconnect when the token of `session` expires.
pub fn expire_with_token_as<A: Adapter>(s: &SocketRef<A>, session: &Session, notice: ExpiryNotice) {
    let Some(exp) = session.claims.as_ref().map(|c| c.exp) else {
        return;
    };
    let deadline_ms = exp.saturating_mul(1000);
    let s = s.clone();
    let closed = session.closed.clone();
    tokio::spawn(async move {
        // Sleep in bounded steps: a far-future `exp` must not become one huge timer.
        const STEP_MS: i64 = 3_600_000;
        loop {
            let left = deadline_ms.saturating_sub(now_ms());
            if left <= 0 {
                break;
            }
            let step = std::time::Duration::from_millis(left.min(STEP_MS) as u64);
            tokio::select! {
                _ = tokio::time::sleep(step) => {}
                _ = closed.notified() => return,
            }
        }
        match notice {
            ExpiryNotice::AuthError => emit(
                &s,
                &m::AuthError {
                    code: "TOKEN_EXPIRED".into(),
                    message: "Token expired".into(),
                },
            ),
            ExpiryNotice::FamaError => emit(
                &s,
                &omni_socket_core::models::fama::Error {
                    message: "Token expired".into(),
                },
            ),
        }
        let _ = s.disconnect();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_text_is_code_then_message() {
        assert_eq!(
            Refusal::new("TOKEN_EXPIRED", "Token expired").to_string(),
            "TOKEN_EXPIRED: Token expired"
        );
    }
}
