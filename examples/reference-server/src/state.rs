//! State shared by every namespace and the HTTP admin API, and the per-socket session.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use omni_socket_core::models::{omni as m, Event};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};
use tokio::sync::Notify;

use crate::auth::{Claims, Jwt, Role};
use crate::rate::RateLimiter;
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
}

impl AppState {
    /// Creates the state with the demo data set.
    pub fn new(jwt: Jwt) -> Shared {
        Arc::new(Self {
            jwt,
            store: Mutex::new(Store::demo()),
            started_ms: now_ms(),
            events_total: AtomicU64::new(0),
        })
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

/// Who a socket is, set by the namespace's connect middleware.
#[derive(Clone)]
pub struct Session {
    /// Token claims, when a token was given.
    pub claims: Option<Claims>,
    /// User id: the token's `sub`, or the owner of the license used to connect.
    pub user_id: Option<String>,
    /// License key used to connect, if any.
    pub license_key: Option<String>,
    /// Licenses this session may act for.
    pub licenses: Vec<String>,
    /// Granted role (`user` for license-only sessions).
    pub role: Option<Role>,
    /// Per-event counters.
    pub limiter: Arc<Mutex<RateLimiter>>,
    /// Fired on disconnect to stop this socket's timers.
    pub closed: Arc<Notify>,
    /// Display name when there are no claims to take it from.
    pub display_name: Option<String>,
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
            limiter: Arc::default(),
            closed: Arc::default(),
            display_name: None,
        }
    }

    /// A session for verified token claims.
    pub fn from_claims(claims: Claims) -> Self {
        Self {
            user_id: Some(claims.sub.clone()),
            licenses: claims.licenses.clone(),
            role: Some(claims.role),
            claims: Some(claims),
            ..Self::anonymous()
        }
    }

    /// Authenticated by token or license.
    pub fn is_authenticated(&self) -> bool {
        self.user_id.is_some()
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
            .or_else(|| self.display_name.clone())
            .or_else(|| self.user_id.clone())
            .unwrap_or_default()
    }

    /// Counts `event` against `limit`; emits `rate_limited` and returns false when over.
    pub fn allow<A: Adapter>(&self, s: &SocketRef<A>, event: &str, limit: u32) -> bool {
        let verdict = self
            .limiter
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .check(event, limit, now_ms());
        match verdict {
            Ok(()) => true,
            Err(r) => {
                // Seed 000 shows both shapes: the dedicated event and a generic
                // `error` with `RATE_LIMITED`; a client may listen to either.
                emit(
                    s,
                    &m::Error {
                        code: "RATE_LIMITED".into(),
                        message: format!("Too many '{}' events", r.event),
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
                false
            }
        }
    }
}

/// Reads the session stored by the connect middleware.
pub fn session<A: Adapter>(s: &SocketRef<A>) -> Session {
    s.extensions
        .get::<Session>()
        .unwrap_or_else(Session::anonymous)
}

/// Emits a typed payload under the event name the SDK's models give it.
pub fn emit<T: Event, A: Adapter>(s: &SocketRef<A>, payload: &T) {
    // A send fails only when the socket is already closing; nothing to do then.
    let _ = s.emit(T::NAME, payload);
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
    let _ = ack.send(&serde_json::json!({ "success": false, "code": code, "message": message }));
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

/// Schedules `auth_error` + disconnect when the token of `session` expires.
pub fn expire_with_token<A: Adapter>(s: &SocketRef<A>, session: &Session) {
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
        emit(
            &s,
            &m::AuthError {
                code: "TOKEN_EXPIRED".into(),
                message: "Token expired".into(),
            },
        );
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
