// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

import type { JsonValue } from "./json.js";

/**
 * The auth object sent in CONNECT. The seed shows a token only, a licence
 * key only, both, and a token with `role: 'admin'`.
 */
export type OmniAuth = {
/**
 * JWT.
 */
token?: string,
/**
 * Licence key, e.g. `OMNI-PREM-ABCD-1234-EFGH`.
 */
license_key?: string,
/**
 * `admin` for the administrators' connection.
 */
role?: string, };

/**
 * `heartbeat`: the application-level ping; the server answers with
 * [`HeartbeatResponse`].
 */
export type OmniHeartbeat = {
/**
 * Client clock in ms since the Unix epoch (`Date.now()`).
 */
timestamp: number,
/**
 * Who is asking; the seed's load test leaves it out.
 */
client_info?: OmniClientInfo, };

/**
 * Client description inside [`Heartbeat`].
 */
export type OmniClientInfo = {
/**
 * Client version, e.g. `1.0.0`.
 */
version: string,
/**
 * Client platform, e.g. `web`.
 */
platform: string, };

/**
 * `join_room`: ask to join a room.
 */
export type OmniJoinRoom = {
/**
 * Room name, see [`license_room`], [`user_room`], [`ADMIN_DASHBOARD_ROOM`].
 */
room: string,
/**
 * Room kind: `license`, `user` or `admin`.
 */
type?: string, };

/**
 * `leave_room`: leave a room.
 */
export type OmniLeaveRoom = {
/**
 * Room name.
 */
room: string, };

/**
 * `license_check`: ask for a [`LicenseCheckResult`].
 */
export type OmniLicenseCheck = {
/**
 * The licence to check.
 */
license_key: string, };

/**
 * `notification_read`: mark a [`Notification`] as read.
 */
export type OmniNotificationRead = {
/**
 * [`Notification::id`].
 */
notification_id: string, };

/**
 * `binary_data`: binary upload. The JSON is the placeholder of a
 * BINARY_EVENT; build the packet with
 * [`Packet::event_with_values`](crate::socketio::Packet::event_with_values)
 * and a [`Value::Binary`](crate::Value::Binary) argument.
 */
export type OmniBinaryData = ArrayBuffer;

/**
 * `authenticated`: the server accepted the CONNECT auth.
 *
 * Every field is optional: a token-only login has no licence key, a
 * licence-only login may have no user, and the seed's admin example ignores
 * the payload altogether.
 */
export type OmniAuthenticated = {
/**
 * User id, e.g. `user_12345`.
 */
user_id?: string,
/**
 * Licence key the connection authenticated with.
 */
license_key?: string,
/**
 * Granted permissions, e.g. `read`, `write`.
 */
permissions?: Array<string>,
/**
 * When the authentication expires (RFC 3339).
 */
expires_at?: string, };

/**
 * `auth_error`: the server refused the auth. A trigger for the token-refresh
 * hook.
 */
export type OmniAuthError = {
/**
 * Machine-readable code, e.g. `INVALID_LICENSE`.
 */
code: string,
/**
 * Human-readable message.
 */
message: string, };

/**
 * `heartbeat_response`: the answer to [`Heartbeat`].
 */
export type OmniHeartbeatResponse = {
/**
 * Server clock in ms since the Unix epoch.
 */
server_timestamp: number,
/**
 * Latency the server measured, in ms.
 */
latency: number,
/**
 * Server health, e.g. `healthy`.
 */
status: string, };

/**
 * `room_joined`: confirmation of [`JoinRoom`].
 */
export type OmniRoomJoined = {
/**
 * Room name.
 */
room: string,
/**
 * Room kind, as sent in [`JoinRoom::kind`].
 */
type: string,
/**
 * Connections in the room.
 */
members_count: number, };

/**
 * `room_left`: confirmation of [`LeaveRoom`].
 */
export type OmniRoomLeft = {
/**
 * Room name.
 */
room: string, };

/**
 * `room_error`: the server refused [`JoinRoom`].
 */
export type OmniRoomError = {
/**
 * Room name.
 */
room: string,
/**
 * Machine-readable code, e.g. `ROOM_NOT_FOUND`.
 */
code: string,
/**
 * Human-readable message.
 */
message: string, };

/**
 * `license_created`.
 */
export type OmniLicenseCreated = {
/**
 * Licence key.
 */
license_key: string,
/**
 * Owning client.
 */
client_id: string,
/**
 * Plan, e.g. `premium`.
 */
plan: string,
/**
 * Status, e.g. `active`.
 */
status: string,
/**
 * RFC 3339.
 */
created_at: string, };

/**
 * `license_updated`.
 */
export type OmniLicenseUpdated = {
/**
 * Licence key.
 */
license_key: string,
/**
 * What changed.
 */
changes: OmniLicenseChanges, };

/**
 * The `changes` of [`LicenseUpdated`]. The seed shows a status change and
 * the update time; other changed fields are ignored.
 */
export type OmniLicenseChanges = {
/**
 * Status before and after.
 */
status?: OmniChange,
/**
 * RFC 3339.
 */
updated_at?: string, };

/**
 * One changed value: `{old, new}`.
 */
export type OmniChange = {
/**
 * Value before.
 */
old: string,
/**
 * Value after.
 */
new: string, };

/**
 * `license_expired`.
 */
export type OmniLicenseExpired = {
/**
 * Licence key.
 */
license_key: string,
/**
 * RFC 3339.
 */
expired_at: string,
/**
 * Days the licence keeps working after expiry.
 */
grace_period_days: number, };

/**
 * `license_renewed`.
 */
export type OmniLicenseRenewed = {
/**
 * Licence key.
 */
license_key: string,
/**
 * RFC 3339.
 */
old_expires_at: string,
/**
 * RFC 3339.
 */
new_expires_at: string,
/**
 * RFC 3339.
 */
renewed_at: string, };

/**
 * `license_deleted`.
 */
export type OmniLicenseDeleted = {
/**
 * Licence key.
 */
license_key: string,
/**
 * RFC 3339.
 */
deleted_at: string,
/**
 * Why, e.g. `User request`.
 */
reason: string, };

/**
 * `license_check_result`: the answer to [`LicenseCheck`].
 *
 * Expiry fields are optional because an invalid licence (`valid: false`)
 * has none to report.
 */
export type OmniLicenseCheckResult = {
/**
 * Licence key.
 */
license_key: string,
/**
 * Whether the licence may be used.
 */
valid: boolean,
/**
 * Status, e.g. `active`.
 */
status: string,
/**
 * RFC 3339.
 */
expires_at?: string,
/**
 * Days until expiry; negative once expired.
 */
days_remaining?: number, };

/**
 * `user_login`.
 */
export type OmniUserLogin = {
/**
 * User id, e.g. `user_12345`.
 */
user_id: string,
/**
 * Login name.
 */
username: string,
/**
 * RFC 3339.
 */
login_at: string,
/**
 * Client address.
 */
ip_address: string, };

/**
 * `user_logout`.
 */
export type OmniUserLogout = {
/**
 * User id.
 */
user_id: string,
/**
 * RFC 3339.
 */
logout_at: string,
/**
 * Session length in seconds.
 */
session_duration: number, };

/**
 * `notification`: a notification for the user (Omni's shape; the
 * marketplace has its own [`marketplace::Notification`](super::marketplace::Notification)).
 */
export type OmniNotification = {
/**
 * Id to pass to [`NotificationRead`].
 */
id: string,
/**
 * Kind, e.g. `license_expiry`.
 */
type: string,
/**
 * Title.
 */
title: string,
/**
 * Body.
 */
message: string,
/**
 * Priority, e.g. `high`.
 */
priority: string,
/**
 * RFC 3339.
 */
created_at: string,
/**
 * Details that depend on the kind.
 */
data?: JsonValue, };

/**
 * `system_status`.
 */
export type OmniSystemStatus = {
/**
 * Overall status, e.g. `healthy`.
 */
status: string,
/**
 * State per service, e.g. `mongodb: connected`.
 */
services: { [key in string]: string },
/**
 * Current load.
 */
load: OmniSystemLoad,
/**
 * RFC 3339.
 */
timestamp: string, };

/**
 * The `load` of [`SystemStatus`].
 */
export type OmniSystemLoad = {
/**
 * CPU use in percent.
 */
cpu: number,
/**
 * Memory use in percent.
 */
memory: number,
/**
 * Open connections.
 */
connections: number, };

/**
 * `maintenance_mode`. Only `enabled` is required: leaving maintenance
 * needs no message or duration.
 */
export type OmniMaintenanceMode = {
/**
 * Whether maintenance is on.
 */
enabled: boolean,
/**
 * Message for users.
 */
message?: string,
/**
 * Expected length in seconds.
 */
estimated_duration?: number,
/**
 * RFC 3339.
 */
started_at?: string, };

/**
 * `usage_update`.
 */
export type OmniUsageUpdate = {
/**
 * Licence key.
 */
license_key: string,
/**
 * API calls in the current period.
 */
api_calls: number,
/**
 * Storage in GB.
 */
storage_used_gb: number,
/**
 * Active users.
 */
active_users: number,
/**
 * RFC 3339.
 */
timestamp: string, };

/**
 * `quota_warning`.
 */
export type OmniQuotaWarning = {
/**
 * Licence key.
 */
license_key: string,
/**
 * Quota, e.g. `api_calls`.
 */
type: string,
/**
 * Current use.
 */
current: number,
/**
 * The quota.
 */
limit: number,
/**
 * `current` as a percentage of `limit`.
 */
percentage: number,
/**
 * Human-readable message.
 */
message: string, };

/**
 * `error`: a general server error (Omni's shape; FAMA has its own
 * [`fama::Error`](super::fama::Error)).
 */
export type OmniError = {
/**
 * Machine-readable code, e.g. `RATE_LIMITED`.
 */
code: string,
/**
 * Human-readable message.
 */
message: string,
/**
 * Seconds to wait before retrying, when the error is a rate limit.
 */
retry_after?: number, };

/**
 * `rate_limited`: an event was over the server's rate table; send it again
 * after `retry_after` seconds.
 */
export type OmniRateLimited = {
/**
 * The limited event, e.g. `license_check`.
 */
event: string,
/**
 * Events allowed per window.
 */
limit: number,
/**
 * Window in seconds.
 */
window: number,
/**
 * Seconds to wait.
 */
retry_after: number, };

/**
 * `binary_response`: binary download; see [`BinaryData`] for how the bytes
 * travel.
 */
export type OmniBinaryResponse = ArrayBuffer;

/**
 * `real_time_stats` on the `/analytics` namespace. The seed passes it to a
 * dashboard without showing its fields, so it stays a JSON value.
 */
export type OmniRealTimeStats = JsonValue;

export interface OmniServerEvents {
  "authenticated": OmniAuthenticated;
  "auth_error": OmniAuthError;
  "heartbeat_response": OmniHeartbeatResponse;
  "room_joined": OmniRoomJoined;
  "room_left": OmniRoomLeft;
  "room_error": OmniRoomError;
  "license_created": OmniLicenseCreated;
  "license_updated": OmniLicenseUpdated;
  "license_expired": OmniLicenseExpired;
  "license_renewed": OmniLicenseRenewed;
  "license_deleted": OmniLicenseDeleted;
  "license_check_result": OmniLicenseCheckResult;
  "user_login": OmniUserLogin;
  "user_logout": OmniUserLogout;
  "notification": OmniNotification;
  "system_status": OmniSystemStatus;
  "maintenance_mode": OmniMaintenanceMode;
  "usage_update": OmniUsageUpdate;
  "quota_warning": OmniQuotaWarning;
  "error": OmniError;
  "rate_limited": OmniRateLimited;
  "binary_response": OmniBinaryResponse;
  "real_time_stats": OmniRealTimeStats;
}

export interface OmniClientEvents {
  "heartbeat": OmniHeartbeat;
  "join_room": OmniJoinRoom;
  "leave_room": OmniLeaveRoom;
  "license_check": OmniLicenseCheck;
  "notification_read": OmniNotificationRead;
  "binary_data": OmniBinaryData;
}
