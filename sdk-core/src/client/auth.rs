//! Credentials, and the auth object built from them for each CONNECT.

use crate::prelude::*;
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
    /// A JSON object as text, sent as it is: a driver whose own JSON
    /// writer made it (the browser's `JSON.stringify`) spends no parse,
    /// and its numbers reach the server digit for digit. Build it with
    /// [`Auth::from_text`].
    Text(String),
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

    /// From the text of a JSON object, or `null` for [`Auth::None`];
    /// `None` for anything else. Only the braces are checked: the text
    /// must come from a JSON writer, since it is sent as it is.
    pub fn from_text(text: &str) -> Option<Self> {
        let t = text.trim();
        if t == "null" {
            Some(Self::None)
        } else if t.len() >= 2 && t.starts_with('{') && t.ends_with('}') {
            Some(Self::Text(t.to_owned()))
        } else {
            None
        }
    }

    /// The auth object as the server receives it (`None` for no auth):
    /// credentials become `{token, license_key, role, ...extra}`, with the
    /// `Bearer ` prefix added when asked for.
    pub fn to_object(&self) -> Option<Map<String, Json>> {
        match self {
            Self::None => None,
            Self::Json(m) => Some(m.clone()),
            // Through the core's own tree reader: serde_json's `Map`
            // reader would bring serde's typed error texts into the
            // browser build.
            Self::Text(t) => match crate::Value::parse_json_tree(t, &crate::Limits::default()) {
                Ok(Json::Object(m)) => Some(m),
                _ => None,
            },
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
        if let Self::Text(text) = self {
            return Some(with_recovery(text, pid, offset));
        }
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

/// `text`, a JSON object, with `pid` and `offset` added last, where they
/// win over fields of the same names as they do in [`Auth::build`]'s map.
fn with_recovery(text: &str, pid: Option<&str>, offset: Option<&str>) -> String {
    let Some(pid) = pid else {
        return text.to_owned();
    };
    let body = text[1..text.len() - 1].trim();
    let mut out = String::with_capacity(text.len() + 64);
    out.push('{');
    out.push_str(body);
    // Writing a string cannot fail.
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    for (k, v) in core::iter::once(("pid", pid)).chain(offset.map(|o| ("offset", o))) {
        if out.len() > 1 {
            out.push(',');
        }
        out.push('"');
        out.push_str(k);
        out.push_str("\":");
        out.push_str(&quoted(v));
    }
    out.push('}');
    out
}

/// Where an auth failure was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AuthFailureSource {
    /// The server refused CONNECT (CONNECT_ERROR).
    #[serde(rename = "connect_error")]
    ConnectError,
    /// An `auth_error` event (Omni).
    #[serde(rename = "auth_error")]
    AuthErrorEvent,
    /// An `error` event saying the token expired (seed 003).
    #[serde(rename = "token_expired")]
    TokenExpired,
}

/// The credentials in force and what their refusals left.
#[derive(Debug, Default)]
pub(super) struct AuthState {
    pub(super) auth: Auth,
    /// Consecutive auth failures.
    pub(super) failures: u32,
    /// Waiting for the driver to refresh the credentials after a failure.
    pub(super) waiting: bool,
    /// While [`set_auth`](super::Client::set_auth) runs: the credentials
    /// were just given, so a CONNECT sent now does not ask for them again.
    pub(super) fresh: bool,
}

/// What an auth failure leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterFailure {
    /// Wait for new credentials (or the refresh timeout).
    Refresh { failures: u32 },
    /// `max` consecutive failures: stop.
    GiveUp { failures: u32 },
}

impl AuthState {
    pub(super) fn new(auth: Auth) -> Self {
        Self {
            auth,
            ..Self::default()
        }
    }

    /// One more failure; `max` of them in a row (0: no limit) give up,
    /// since hammering a server with credentials it refuses helps nobody.
    pub(super) fn failed(&mut self, max: u32) -> AfterFailure {
        self.failures = self.failures.saturating_add(1);
        let failures = self.failures;
        if max > 0 && failures >= max {
            AfterFailure::GiveUp { failures }
        } else {
            self.waiting = true;
            AfterFailure::Refresh { failures }
        }
    }
}
