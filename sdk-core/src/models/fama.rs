//! FAMA (seed 003).
//!
//! Token auth: `{token}` with the raw JWT or `Bearer <jwt>` ([`FamaAuth`]).
//! On success the server puts the socket in `user_<id>` ([`user_room`]) and
//! emits [`Connected`]; on failure it emits [`Error`] and disconnects. An
//! error whose message contains `Token expired` ([`Error::is_token_expired`])
//! means: refresh the token, then reconnect. Field names are `snake_case`.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// A user's private room: `user_<id>`.
pub fn user_room(user_id: u64) -> String {
    format!("user_{user_id}")
}

/// The auth object sent in CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "FamaAuth"))]
pub struct FamaAuth {
    /// The access token, raw or as `Bearer <token>`; the server takes both.
    pub token: String,
}

impl FamaAuth {
    /// Auth with `Bearer <access_token>`, the form the seed's example uses.
    pub fn bearer(access_token: &str) -> Self {
        Self {
            token: format!("Bearer {access_token}"),
        }
    }
}

/// `connected`: the server accepted the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "FamaConnected"))]
pub struct Connected {
    /// E.g. `Successfully connected`.
    pub message: String,
    /// Who the token belongs to.
    pub user: User,
}

/// The `user` of [`Connected`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "FamaUser"))]
pub struct User {
    /// Numeric user id.
    pub user_id: u64,
    /// Login name.
    pub username: String,
}

/// `error`: auth, validation or internal failure (FAMA's shape; Omni has its
/// own [`omni::Error`](super::omni::Error)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "FamaError"))]
pub struct Error {
    /// E.g. `Authentication failed: Token expired`.
    pub message: String,
}

impl Error {
    /// Whether the server rejected an expired token, the case in which the
    /// seed refreshes the token before reconnecting.
    pub fn is_token_expired(&self) -> bool {
        self.message.contains("Token expired")
    }
}

events! {
    /// Events the FAMA server emits.
    pub enum FamaServerEvent as "FamaServerEvents" {
        Connected(Connected) = "connected",
        Error(Error) = "error",
    }
}

events! {
    /// Events the client emits to the FAMA server. The seed shows none
    /// besides the connection itself, so every emit is `Unknown`.
    pub enum FamaClientEvent as "FamaClientEvents" {
    }
}

/// The TypeScript declarations of this module.
#[cfg(feature = "ts")]
pub(crate) fn typescript(cfg: &ts_rs::Config) -> String {
    ts_decls!(
        cfg;
        FamaAuth,
        Connected,
        User,
        Error;
        FamaServerEvent,
        FamaClientEvent
    )
}
