//! PaaS deployments (seed 001).
//!
//! Token auth (`{token}`, [`DeploymentsAuth`]). The client subscribes to one deployment's updates
//! by emitting its id as a bare string ([`DeploymentSubscribe`]); the server
//! then sends [`DeploymentStatus`] and [`DeploymentLog`] for it, and
//! broadcasts user presence ([`UserOnline`], [`UserOffline`]). Field names
//! are `camelCase` on the wire.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// The client-side subscription key of a deployment, `deployment:<id>`.
///
/// The seed names no server room: the subscription is the
/// `deployment:subscribe` emit itself. This key is what the room presets
/// use to track it, and it reads like the event names.
pub fn deployment_key(deployment_id: &str) -> String {
    format!("deployment:{deployment_id}")
}

/// A user id. The seed only interpolates it into text, so both JSON numbers
/// and strings are accepted and written back as they came.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsUserId"))]
pub enum UserId {
    /// A numeric id.
    Number(u64),
    /// A string id.
    String(String),
}

impl core::fmt::Display for UserId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => f.write_str(s),
        }
    }
}

/// The auth object sent in CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsAuth"))]
pub struct DeploymentsAuth {
    /// JWT.
    pub token: String,
}

// ---------------------------------------------------------------- client → server

/// `deployment:subscribe`: the payload is the bare deployment id string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsSubscribe"))]
pub struct DeploymentSubscribe(pub String);

/// `deployment:unsubscribe`: the payload is the bare deployment id string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsUnsubscribe"))]
pub struct DeploymentUnsubscribe(pub String);

events! {
    /// Events the client emits to the deployments server.
    pub enum DeploymentsClientEvent as "DeploymentsClientEvents" {
        Subscribe(DeploymentSubscribe) = "deployment:subscribe",
        Unsubscribe(DeploymentUnsubscribe) = "deployment:unsubscribe",
    }
}

// ---------------------------------------------------------------- server → client

/// `deployment:status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsStatus"))]
pub struct DeploymentStatus {
    /// The deployment.
    pub deployment_id: String,
    /// New status.
    pub status: String,
}

/// `deployment:log`: one log chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsLog"))]
pub struct DeploymentLog {
    /// The deployment.
    pub deployment_id: String,
    /// Log text.
    pub log: String,
}

/// `user:online`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsUserOnline"))]
pub struct UserOnline {
    /// The user.
    pub user_id: UserId,
    /// Presence, `online`.
    pub status: String,
}

/// `user:offline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsUserOffline"))]
pub struct UserOffline {
    /// The user.
    pub user_id: UserId,
    /// Presence, `offline`.
    pub status: String,
}

/// `error`: the seed listens for it without showing a payload, so it stays a
/// JSON value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "DeploymentsError"))]
pub struct Error(pub serde_json::Value);

events! {
    /// Events the deployments server emits.
    pub enum DeploymentsServerEvent as "DeploymentsServerEvents" {
        Status(DeploymentStatus) = "deployment:status",
        Log(DeploymentLog) = "deployment:log",
        UserOnline(UserOnline) = "user:online",
        UserOffline(UserOffline) = "user:offline",
        Error(Error) = "error",
    }
}

/// The TypeScript declarations of this module.
#[cfg(feature = "ts")]
pub(crate) fn typescript(cfg: &ts_rs::Config) -> String {
    ts_decls!(
        cfg;
        DeploymentsAuth,
        UserId,
        DeploymentSubscribe,
        DeploymentUnsubscribe,
        DeploymentStatus,
        DeploymentLog,
        UserOnline,
        UserOffline,
        Error;
        DeploymentsServerEvent,
        DeploymentsClientEvent
    )
}
