// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

/**
 * A transport the client can open.
 */
export type TransportKind = "polling" | "websocket";

/**
 * Why a namespace was disconnected, with socket.io-client's strings.
 */
export type DisconnectReason = "io server disconnect" | "io client disconnect" | "ping timeout" | "transport close" | "transport error" | "parse error" | "forced close";

/**
 * Why an ack emit ended without an answer.
 */
export type AckFailure = "timeout" | "disconnected" | "dropped";

/**
 * Where an auth failure was reported.
 */
export type AuthFailureSource = "connect_error" | "auth_error" | "token_expired";

/**
 * Statistics over the sliding window of the most recent samples, in
 * milliseconds. Percentiles use the nearest-rank method.
 */
export type LatencyStats = {
/**
 * Samples in the window.
 */
count: number,
/**
 * Most recent sample.
 */
last: number,
/**
 * Smallest sample in the window.
 */
min: number,
/**
 * Largest sample in the window.
 */
max: number,
/**
 * Arithmetic mean, rounded down.
 */
mean: number,
/**
 * Median.
 */
p50: number,
/**
 * 95th percentile.
 */
p95: number,
/**
 * 99th percentile.
 */
p99: number, };

/**
 * The state of a room subscription, as one word.
 */
export type RoomStateName = "unsubscribed" | "joining" | "joined" | "failed";

/**
 * Why an emit was not sent, as one word.
 */
export type DropReasonName = "volatile" | "buffer_overflow" | "too_large";

/**
 * `state`: where the Engine.IO session stands, as one word.
 */
export type ConnectionStateName = "idle" | "connecting" | "open" | "reconnecting";

/**
 * `open`: the Engine.IO session opened.
 */
export type OpenRecord = {
/**
 * Engine.IO session id.
 */
sid: string, };

/**
 * `upgrade`: the session moved to another transport.
 */
export type UpgradeRecord = {
/**
 * The new transport.
 */
transport: TransportKind, };

/**
 * `connect`: a namespace connected.
 */
export type ConnectRecord = {
/**
 * Socket id in the namespace.
 */
sid: string,
/**
 * The server restored the previous session.
 */
recovered: boolean, };

/**
 * `connect_error`: connecting a namespace failed.
 */
export type ConnectErrorRecord = {
/**
 * The server's message, `timeout`, or the transport's error.
 */
message: string,
/**
 * The server's `data`, if any.
 */
data: unknown, };

/**
 * `disconnect`: a connected namespace is no longer connected.
 */
export type DisconnectRecord = {
/**
 * socket.io-client's reason.
 */
reason: DisconnectReason, };

/**
 * `ack`: the answer to an emit with an ack.
 */
export type AckRecord = {
/**
 * The request id the emit returned.
 */
request: number,
/**
 * The server's arguments; binary values as Socket.IO placeholders
 * into the attachments.
 */
args: unknown[], };

/**
 * `ack_failed`: an emit with an ack ended without an answer.
 */
export type AckFailedRecord = {
/**
 * The request id the emit returned.
 */
request: number,
/**
 * Why.
 */
reason: AckFailure, };

/**
 * `reconnect_attempt`: a reconnection attempt is scheduled.
 */
export type ReconnectAttemptRecord = {
/**
 * 1-based attempt number.
 */
attempt: number,
/**
 * Delay before it, in ms.
 */
delay: number, };

/**
 * `reconnecting`: a reconnection attempt starts, after its delay
 * (socket.io-client's `reconnect_attempt`).
 */
export type ReconnectingRecord = {
/**
 * 1-based attempt number.
 */
attempt: number, };

/**
 * `reconnect`: the session is open again.
 */
export type ReconnectRecord = {
/**
 * Attempts it took.
 */
attempt: number, };

/**
 * `reconnect_error`: a reconnection attempt failed.
 */
export type ReconnectErrorRecord = {
/**
 * The attempt.
 */
attempt: number,
/**
 * What happened.
 */
message: string, };

/**
 * `reconnect_failed`: the reconnection attempts are used up.
 */
export type ReconnectFailedRecord = {
/**
 * Attempts made.
 */
attempts: number, };

/**
 * `latency`: a heartbeat round trip.
 */
export type LatencyRecord = {
/**
 * Round trip in ms.
 */
rtt: number,
/**
 * Statistics including this sample.
 */
stats: LatencyStats,
/**
 * `latency` reported by the server.
 */
serverLatency: number | null,
/**
 * `status` reported by the server.
 */
serverStatus: string | null, };

/**
 * `room`: a room subscription and where it stands (also the entries of a
 * driver's room list).
 */
export type RoomStatus = {
/**
 * Subscription key.
 */
key: string,
/**
 * Where it stands.
 */
state: RoomStateName,
/**
 * Why it failed.
 */
reason: string | null, };

/**
 * `auth_failed`: the server refused the credentials.
 */
export type AuthFailedRecord = {
/**
 * Where the refusal came from.
 */
source: AuthFailureSource,
/**
 * The server's message.
 */
message: string, };

/**
 * `auth_requested`: the client waits for credentials before a CONNECT.
 */
export type AuthRequestedRecord = Record<symbol, never>;

/**
 * `auth_refresh_needed` and `auth_gave_up`: consecutive auth failures.
 */
export type AuthFailuresRecord = {
/**
 * Failures so far.
 */
failures: number, };

/**
 * `rate_limited`: the server said `rate_limited`; sends of `event`
 * pause.
 */
export type RateLimitedRecord = {
/**
 * The limited event.
 */
event: string,
/**
 * Pause applied, in ms.
 */
retryAfter: number, };

/**
 * `emit_dropped`: an emit was not sent.
 */
export type EmitDroppedRecord = {
/**
 * Event name.
 */
event: string,
/**
 * Why.
 */
reason: DropReasonName,
/**
 * With `too_large`: the emit's largest packet, in bytes.
 */
size?: number,
/**
 * With `too_large`: the server's `maxPayload`.
 */
max?: number, };

/**
 * `protocol_error`: the server sent invalid input; `disconnect` with
 * `parse error` follows.
 */
export type ProtocolErrorRecord = {
/**
 * What was wrong.
 */
message: string, };

/** Each event kind the driver reports (besides `message`) and its record. */
export interface DriverEvents {
  open: OpenRecord;
  upgrade: UpgradeRecord;
  connect: ConnectRecord;
  connect_error: ConnectErrorRecord;
  disconnect: DisconnectRecord;
  ack: AckRecord;
  ack_failed: AckFailedRecord;
  reconnect_attempt: ReconnectAttemptRecord;
  reconnecting: ReconnectingRecord;
  reconnect: ReconnectRecord;
  reconnect_error: ReconnectErrorRecord;
  reconnect_failed: ReconnectFailedRecord;
  latency: LatencyRecord;
  room: RoomStatus;
  auth_failed: AuthFailedRecord;
  auth_requested: AuthRequestedRecord;
  auth_refresh_needed: AuthFailuresRecord;
  auth_gave_up: AuthFailuresRecord;
  rate_limited: RateLimitedRecord;
  emit_dropped: EmitDroppedRecord;
  protocol_error: ProtocolErrorRecord;
  state: ConnectionStateName;
}
