//! Omni Ultimate Turbo Flow System (seed 000), the flagship product.
//!
//! Main namespace `/`, plus `/admin` and `/analytics`. Auth in CONNECT is
//! [`OmniAuth`] (`{token, license_key, role}`, every part optional). Field
//! names are `snake_case` on the wire.
//!
//! Rooms are named `license_<key>`, `user_<id>` and `admin_dashboard`
//! ([`license_room`], [`user_room`], [`ADMIN_DASHBOARD_ROOM`]); join with
//! [`JoinRoom`], leave with [`LeaveRoom`], and the server confirms with
//! [`RoomJoined`] / [`RoomLeft`] or refuses with [`RoomError`].
//!
//! The seed's `binary_data` / `binary_response` events carry an
//! `ArrayBuffer`. On the wire that is a BINARY_EVENT whose JSON holds a
//! placeholder; [`BinaryData`] and [`BinaryResponse`] keep that JSON, and
//! [`Packet::value`](crate::socketio::Packet::value) gives the bytes.

use crate::prelude::*;
use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// Name of the administrators' room.
pub const ADMIN_DASHBOARD_ROOM: &str = "admin_dashboard";

/// The `type` of an Omni room, which follows from its name: `user_*` is
/// `user`, `license_*` is `license`, `admin_dashboard` is `admin`, anything
/// else `public`. The server refuses a `join_room` whose type does not
/// match the name.
pub fn room_type(room: &str) -> &'static str {
    if room == ADMIN_DASHBOARD_ROOM {
        "admin"
    } else if room.starts_with("user_") {
        "user"
    } else if room.starts_with("license_") {
        "license"
    } else {
        "public"
    }
}

/// The room of a licence: `license_<key>`.
pub fn license_room(license_key: &str) -> String {
    format!("license_{license_key}")
}

/// The room of a user: `user_<id>`.
///
/// Omni user ids already look like `user_12345` (see `authenticated` and
/// `user_login` in the seed) while the seed also joins `user_12345` by hand,
/// so an id that already carries the prefix is used as it is rather than
/// becoming `user_user_12345`.
pub fn user_room(user_id: &str) -> String {
    if user_id.starts_with("user_") {
        user_id.to_owned()
    } else {
        format!("user_{user_id}")
    }
}

/// The auth object sent in CONNECT. The seed shows a token only, a licence
/// key only, both, and a token with `role: 'admin'`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniAuth", optional_fields))]
pub struct OmniAuth {
    /// JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Licence key, e.g. `OMNI-PREM-ABCD-1234-EFGH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_key: Option<String>,
    /// `admin` for the administrators' connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

// ---------------------------------------------------------------- client → server

/// `heartbeat`: the application-level ping; the server answers with
/// [`HeartbeatResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniHeartbeat", optional_fields)
)]
pub struct Heartbeat {
    /// Client clock in ms since the Unix epoch (`Date.now()`).
    pub timestamp: u64,
    /// Who is asking; the seed's load test leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_info: Option<ClientInfo>,
}

/// Client description inside [`Heartbeat`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniClientInfo"))]
pub struct ClientInfo {
    /// Client version, e.g. `1.0.0`.
    pub version: String,
    /// Client platform, e.g. `web`.
    pub platform: String,
}

/// `join_room`: ask to join a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniJoinRoom", optional_fields)
)]
pub struct JoinRoom {
    /// Room name, see [`license_room`], [`user_room`], [`ADMIN_DASHBOARD_ROOM`].
    pub room: String,
    /// Room kind: `license`, `user` or `admin`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl JoinRoom {
    /// Join the room of a licence.
    pub fn license(license_key: &str) -> Self {
        Self {
            room: license_room(license_key),
            kind: Some("license".to_owned()),
        }
    }

    /// Join the room of a user.
    pub fn user(user_id: &str) -> Self {
        Self {
            room: user_room(user_id),
            kind: Some("user".to_owned()),
        }
    }

    /// Join the administrators' room.
    pub fn admin() -> Self {
        Self {
            room: ADMIN_DASHBOARD_ROOM.to_owned(),
            kind: Some("admin".to_owned()),
        }
    }
}

/// `leave_room`: leave a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLeaveRoom"))]
pub struct LeaveRoom {
    /// Room name.
    pub room: String,
}

/// `license_check`: ask for a [`LicenseCheckResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLicenseCheck"))]
pub struct LicenseCheck {
    /// The licence to check.
    pub license_key: String,
}

/// `notification_read`: mark a [`Notification`] as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniNotificationRead"))]
pub struct NotificationRead {
    /// [`Notification::id`].
    pub notification_id: String,
}

/// `binary_data`: binary upload. The JSON is the placeholder of a
/// BINARY_EVENT; build the packet with
/// [`Packet::event_with_values`](crate::socketio::Packet::event_with_values)
/// and a [`Value::Binary`](crate::Value::Binary) argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniBinaryData"))]
pub struct BinaryData(#[cfg_attr(feature = "ts", ts(type = "ArrayBuffer"))] pub serde_json::Value);

events! {
    /// Events the client emits on the Omni main namespace.
    pub enum OmniClientEvent as "OmniClientEvents" {
        Heartbeat(Heartbeat) = "heartbeat",
        JoinRoom(JoinRoom) = "join_room",
        LeaveRoom(LeaveRoom) = "leave_room",
        LicenseCheck(LicenseCheck) = "license_check",
        NotificationRead(NotificationRead) = "notification_read",
        BinaryData(BinaryData) = "binary_data",
    }
}

// ---------------------------------------------------------------- server → client

/// `authenticated`: the server accepted the CONNECT auth.
///
/// Every field is optional: a token-only login has no licence key, a
/// licence-only login may have no user, and the seed's admin example ignores
/// the payload altogether.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniAuthenticated", optional_fields)
)]
pub struct Authenticated {
    /// User id, e.g. `user_12345`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Licence key the connection authenticated with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_key: Option<String>,
    /// Granted permissions, e.g. `read`, `write`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// When the authentication expires (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// `auth_error`: the server refused the auth. A trigger for the token-refresh
/// hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniAuthError"))]
pub struct AuthError {
    /// Machine-readable code, e.g. `INVALID_LICENSE`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

/// `heartbeat_response`: the answer to [`Heartbeat`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniHeartbeatResponse"))]
pub struct HeartbeatResponse {
    /// Server clock in ms since the Unix epoch.
    pub server_timestamp: u64,
    /// Latency the server measured, in ms.
    #[serde(with = "super::js_float")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub latency: f64,
    /// Server health, e.g. `healthy`.
    pub status: String,
}

/// `room_joined`: confirmation of [`JoinRoom`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniRoomJoined"))]
pub struct RoomJoined {
    /// Room name.
    pub room: String,
    /// Room kind, as sent in [`JoinRoom::kind`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Connections in the room.
    pub members_count: u64,
}

/// `room_left`: confirmation of [`LeaveRoom`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniRoomLeft"))]
pub struct RoomLeft {
    /// Room name.
    pub room: String,
}

/// `room_error`: the server refused [`JoinRoom`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniRoomError"))]
pub struct RoomError {
    /// Room name.
    pub room: String,
    /// Machine-readable code, e.g. `ROOM_NOT_FOUND`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

/// `license_created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLicenseCreated"))]
pub struct LicenseCreated {
    /// Licence key.
    pub license_key: String,
    /// Owning client.
    pub client_id: String,
    /// Plan, e.g. `premium`.
    pub plan: String,
    /// Status, e.g. `active`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `license_updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLicenseUpdated"))]
pub struct LicenseUpdated {
    /// Licence key.
    pub license_key: String,
    /// What changed.
    pub changes: LicenseChanges,
}

/// The `changes` of [`LicenseUpdated`]. The seed shows a status change and
/// the update time; other changed fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniLicenseChanges", optional_fields)
)]
pub struct LicenseChanges {
    /// Status before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Change>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// One changed value: `{old, new}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniChange"))]
pub struct Change {
    /// Value before.
    pub old: String,
    /// Value after.
    pub new: String,
}

/// `license_expired`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLicenseExpired"))]
pub struct LicenseExpired {
    /// Licence key.
    pub license_key: String,
    /// RFC 3339.
    pub expired_at: String,
    /// Days the licence keeps working after expiry.
    pub grace_period_days: u64,
}

/// `license_renewed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLicenseRenewed"))]
pub struct LicenseRenewed {
    /// Licence key.
    pub license_key: String,
    /// RFC 3339.
    pub old_expires_at: String,
    /// RFC 3339.
    pub new_expires_at: String,
    /// RFC 3339.
    pub renewed_at: String,
}

/// `license_deleted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniLicenseDeleted"))]
pub struct LicenseDeleted {
    /// Licence key.
    pub license_key: String,
    /// RFC 3339.
    pub deleted_at: String,
    /// Why, e.g. `User request`.
    pub reason: String,
}

/// `license_check_result`: the answer to [`LicenseCheck`].
///
/// Expiry fields are optional because an invalid licence (`valid: false`)
/// has none to report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniLicenseCheckResult", optional_fields)
)]
pub struct LicenseCheckResult {
    /// Licence key.
    pub license_key: String,
    /// Whether the licence may be used.
    pub valid: bool,
    /// Status, e.g. `active`.
    pub status: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Days until expiry; negative once expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_remaining: Option<i64>,
}

/// `user_login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniUserLogin"))]
pub struct UserLogin {
    /// User id, e.g. `user_12345`.
    pub user_id: String,
    /// Login name.
    pub username: String,
    /// RFC 3339.
    pub login_at: String,
    /// Client address.
    pub ip_address: String,
}

/// `user_logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniUserLogout"))]
pub struct UserLogout {
    /// User id.
    pub user_id: String,
    /// RFC 3339.
    pub logout_at: String,
    /// Session length in seconds.
    pub session_duration: u64,
}

/// `notification`: a notification for the user (Omni's shape; the
/// marketplace has its own [`marketplace::Notification`](super::marketplace::Notification)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniNotification", optional_fields)
)]
pub struct Notification {
    /// Id to pass to [`NotificationRead`].
    pub id: String,
    /// Kind, e.g. `license_expiry`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub message: String,
    /// Priority, e.g. `high`.
    pub priority: String,
    /// RFC 3339.
    pub created_at: String,
    /// Details that depend on the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// `system_status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniSystemStatus"))]
pub struct SystemStatus {
    /// Overall status, e.g. `healthy`.
    pub status: String,
    /// State per service, e.g. `mongodb: connected`.
    pub services: BTreeMap<String, String>,
    /// Current load.
    pub load: SystemLoad,
    /// RFC 3339.
    pub timestamp: String,
}

/// The `load` of [`SystemStatus`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniSystemLoad"))]
pub struct SystemLoad {
    /// CPU use in percent.
    #[serde(with = "super::js_float")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cpu: f64,
    /// Memory use in percent.
    #[serde(with = "super::js_float")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memory: f64,
    /// Open connections.
    pub connections: u64,
}

/// `maintenance_mode`. Only `enabled` is required: leaving maintenance
/// needs no message or duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(TS),
    ts(rename = "OmniMaintenanceMode", optional_fields)
)]
pub struct MaintenanceMode {
    /// Whether maintenance is on.
    pub enabled: bool,
    /// Message for users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Expected length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_duration: Option<u64>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
}

/// `usage_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniUsageUpdate"))]
pub struct UsageUpdate {
    /// Licence key.
    pub license_key: String,
    /// API calls in the current period.
    pub api_calls: u64,
    /// Storage in GB.
    #[serde(with = "super::js_float")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub storage_used_gb: f64,
    /// Active users.
    pub active_users: u64,
    /// RFC 3339.
    pub timestamp: String,
}

/// `quota_warning`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniQuotaWarning"))]
pub struct QuotaWarning {
    /// Licence key.
    pub license_key: String,
    /// Quota, e.g. `api_calls`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Current use.
    pub current: u64,
    /// The quota.
    pub limit: u64,
    /// `current` as a percentage of `limit`.
    #[serde(with = "super::js_float")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub percentage: f64,
    /// Human-readable message.
    pub message: String,
}

/// `error`: a general server error (Omni's shape; FAMA has its own
/// [`fama::Error`](super::fama::Error)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniError", optional_fields))]
pub struct Error {
    /// Machine-readable code, e.g. `RATE_LIMITED`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Seconds to wait before retrying, when the error is a rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// `rate_limited`: an event was over the server's rate table; send it again
/// after `retry_after` seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniRateLimited"))]
pub struct RateLimited {
    /// The limited event, e.g. `license_check`.
    pub event: String,
    /// Events allowed per window.
    pub limit: u64,
    /// Window in seconds.
    pub window: u64,
    /// Seconds to wait.
    pub retry_after: u64,
}

/// `binary_response`: binary download; see [`BinaryData`] for how the bytes
/// travel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniBinaryResponse"))]
pub struct BinaryResponse(
    #[cfg_attr(feature = "ts", ts(type = "ArrayBuffer"))] pub serde_json::Value,
);

/// `real_time_stats` on the `/analytics` namespace. The seed passes it to a
/// dashboard without showing its fields, so it stays a JSON value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(rename = "OmniRealTimeStats"))]
pub struct RealTimeStats(pub serde_json::Value);

events! {
    /// Events the Omni server emits (main namespace and `/analytics`).
    pub enum OmniServerEvent as "OmniServerEvents" {
        Authenticated(Authenticated) = "authenticated",
        AuthError(AuthError) = "auth_error",
        HeartbeatResponse(HeartbeatResponse) = "heartbeat_response",
        RoomJoined(RoomJoined) = "room_joined",
        RoomLeft(RoomLeft) = "room_left",
        RoomError(RoomError) = "room_error",
        LicenseCreated(LicenseCreated) = "license_created",
        LicenseUpdated(LicenseUpdated) = "license_updated",
        LicenseExpired(LicenseExpired) = "license_expired",
        LicenseRenewed(LicenseRenewed) = "license_renewed",
        LicenseDeleted(LicenseDeleted) = "license_deleted",
        LicenseCheckResult(LicenseCheckResult) = "license_check_result",
        UserLogin(UserLogin) = "user_login",
        UserLogout(UserLogout) = "user_logout",
        Notification(Notification) = "notification",
        SystemStatus(SystemStatus) = "system_status",
        MaintenanceMode(MaintenanceMode) = "maintenance_mode",
        UsageUpdate(UsageUpdate) = "usage_update",
        QuotaWarning(QuotaWarning) = "quota_warning",
        Error(Error) = "error",
        RateLimited(RateLimited) = "rate_limited",
        BinaryResponse(BinaryResponse) = "binary_response",
        RealTimeStats(RealTimeStats) = "real_time_stats",
    }
}

/// The TypeScript declarations of this module.
#[cfg(feature = "ts")]
pub(crate) fn typescript(cfg: &ts_rs::Config) -> String {
    ts_decls!(
        cfg;
        OmniAuth,
        Heartbeat,
        ClientInfo,
        JoinRoom,
        LeaveRoom,
        LicenseCheck,
        NotificationRead,
        BinaryData,
        Authenticated,
        AuthError,
        HeartbeatResponse,
        RoomJoined,
        RoomLeft,
        RoomError,
        LicenseCreated,
        LicenseUpdated,
        LicenseChanges,
        Change,
        LicenseExpired,
        LicenseRenewed,
        LicenseDeleted,
        LicenseCheckResult,
        UserLogin,
        UserLogout,
        Notification,
        SystemStatus,
        SystemLoad,
        MaintenanceMode,
        UsageUpdate,
        QuotaWarning,
        Error,
        RateLimited,
        BinaryResponse,
        RealTimeStats;
        OmniServerEvent,
        OmniClientEvent
    )
}
