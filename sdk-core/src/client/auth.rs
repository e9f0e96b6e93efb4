//! Credentials, and the auth object built from them for each CONNECT.

use serde_json::{Map, Value as Json};

/// What the client sends as the CONNECT auth object.
///
/// It is rebuilt for every CONNECT, so new credentials set with
/// [`Client::set_auth`](super::Client::set_auth) apply to the next attempt
/// without any other step.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Auth {
    /// No auth object (unless recovery adds `{pid, offset}`).
    #[default]
    None,
    /// Token-style credentials (Omni, FAMA, deployments, DOA, marketplace).
    Credentials(Credentials),
    /// Any JSON object, sent as it is.
    Json(Map<String, Json>),
}

/// Token, license key and role, as the seed products use them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Credentials {
    /// The token, sent as `token`.
    pub token: Option<String>,
    /// Send the token as `Bearer <token>` (seed 003 accepts both forms).
    pub bearer: bool,
    /// Omni `license_key`.
    pub license_key: Option<String>,
    /// Omni `role`.
    pub role: Option<String>,
    /// More fields merged into the object.
    pub extra: Map<String, Json>,
}

impl Credentials {
    /// A raw token.
    pub fn token(token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..Self::default()
        }
    }

    /// A token sent with the `Bearer ` prefix.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self {
            bearer: true,
            ..Self::token(token)
        }
    }

    /// Adds the Omni license key.
    pub fn with_license_key(mut self, key: impl Into<String>) -> Self {
        self.license_key = Some(key.into());
        self
    }

    /// Adds the Omni role.
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }
}

impl Auth {
    /// From a JSON value: an object becomes [`Auth::Json`], anything else
    /// (Socket.IO only accepts objects) is `None`.
    pub fn from_json(v: Json) -> Option<Self> {
        match v {
            Json::Object(m) => Some(Self::Json(m)),
            Json::Null => Some(Self::None),
            _ => None,
        }
    }

    /// The auth object as the server receives it (`None` for no auth):
    /// credentials become `{token, license_key, role, ...extra}`, with the
    /// `Bearer ` prefix added when asked for.
    pub fn to_object(&self) -> Option<Map<String, Json>> {
        match self {
            Self::None => None,
            Self::Json(m) => Some(m.clone()),
            Self::Credentials(c) => {
                let mut m = c.extra.clone();
                if let Some(t) = &c.token {
                    let t = if c.bearer && !t.starts_with("Bearer ") {
                        format!("Bearer {t}")
                    } else {
                        t.clone()
                    };
                    m.insert("token".into(), Json::String(t));
                }
                if let Some(k) = &c.license_key {
                    m.insert("license_key".into(), Json::String(k.clone()));
                }
                if let Some(r) = &c.role {
                    m.insert("role".into(), Json::String(r.clone()));
                }
                Some(m)
            }
        }
    }

    /// The object for one CONNECT, with the recovery fields when given.
    pub(crate) fn build(&self, pid: Option<&str>, offset: Option<&str>) -> Option<String> {
        let mut obj = self.to_object().unwrap_or_default();
        if let Some(pid) = pid {
            obj.insert("pid".into(), Json::String(pid.to_owned()));
            if let Some(o) = offset {
                obj.insert("offset".into(), Json::String(o.to_owned()));
            }
        }
        if obj.is_empty() && matches!(self, Self::None) {
            return None;
        }
        serde_json::to_string(&obj).ok()
    }
}

/// Where an auth failure was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailureSource {
    /// The server refused CONNECT (CONNECT_ERROR).
    ConnectError,
    /// An `auth_error` event (Omni).
    AuthErrorEvent,
    /// An `error` event saying the token expired (seed 003).
    TokenExpired,
}

/// Auth failure handling of the client.
mod client_impl {
    use super::super::*;

    impl Client {
        pub(in crate::client) fn auth_failure(
            &mut self,
            idx: usize,
            source: AuthFailureSource,
            message: String,
        ) {
            self.auth_failures = self.auth_failures.saturating_add(1);
            let nsp = self.namespaces[idx].name.clone();
            self.push_event(Event::AuthFailed {
                nsp,
                source,
                message,
            });
            let failures = self.auth_failures;
            let max = self.config.max_auth_failures;
            if max > 0 && failures >= max {
                // Hammering a server with credentials it refuses helps nobody.
                self.push_event(Event::AuthGaveUp { failures });
                self.disconnect(self.now);
                self.auth_failures = failures;
                return;
            }
            self.namespaces[idx].auth_wait = true;
            self.auth_waiting = true;
            self.timers.set(
                Timer::AuthWait,
                self.now.plus_millis(self.config.auth_refresh_timeout),
            );
            self.push_event(Event::AuthRefreshNeeded { failures });
        }

        pub(in crate::client) fn resume_after_auth(&mut self) {
            self.auth_waiting = false;
            self.timers.stop(Timer::AuthWait);
            for idx in 0..self.namespaces.len() {
                let ns = &mut self.namespaces[idx];
                if !ns.auth_wait {
                    continue;
                }
                ns.auth_wait = false;
                if self.session.is_open() && ns.wanted && ns.state == NsState::Disconnected {
                    self.send_connect(idx);
                }
            }
            if self.waiting {
                self.timers.set(Timer::Reconnect, self.now);
                self.on_timer_reconnect_now();
            }
        }

        pub(in crate::client) fn on_timer_reconnect_now(&mut self) {
            if self
                .timers
                .get(Timer::Reconnect)
                .is_some_and(|at| at <= self.now)
            {
                self.timers.stop(Timer::Reconnect);
                self.open_transport();
            }
        }
    }
}
