// Generated from the Rust types in sdk-core/src/models by ts-rs.
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.

import type { TransportKind } from "./driver.js";

/**
 * What to do with an emit when the offline buffer is full.
 */
export type OverflowPolicy = "error" | "dropOldest";

/**
 * How the application heartbeat measures round trips.
 */
export type HeartbeatMode = { "type": "omni",
/**
 * Event sent, `heartbeat`.
 */
event: string,
/**
 * Event answered, `heartbeat_response`.
 */
responseEvent: string,
/**
 * `client_info.version`.
 */
version: string,
/**
 * `client_info.platform`, e.g. `web` or `native`.
 */
platform: string, } | { "type": "ack",
/**
 * Event sent, e.g. `ping`.
 */
event: string, };

/**
 * Application heartbeat options.
 */
export type HeartbeatConfig = {
/**
 * Milliseconds between heartbeats; the first goes out on connect.
 */
interval: number,
/**
 * How heartbeats are sent and matched.
 */
mode: HeartbeatMode,
/**
 * Samples kept for the statistics.
 */
window: number,
/**
 * Namespace the heartbeat runs on.
 */
namespace: string, };

/**
 * A budget of `limit` sends per `window` milliseconds.
 */
export type Rate = {
/**
 * Sends allowed per window (and the burst size).
 */
limit: number,
/**
 * Window length in milliseconds.
 */
window: number, };

/**
 * The budgets of one namespace (or of every namespace without a table of
 * its own): a rate per event name, and one for the names not listed.
 */
export type RateTable = {
/**
 * Budget of each event not listed in `events`; `None` leaves them
 * unpaced.
 */
default: Rate | null,
/**
 * Budget per event name.
 */
events: { [key in string]: Rate },
/**
 * Whose budgets these are: namespaces whose tables name the same
 * budget spend the same buckets, as Omni's `/`, `/admin` and
 * `/analytics` spend one per user on the server. Empty: the
 * namespace's own.
 */
budget: string, };

/**
 * Rate limit options: which table paces which namespace. By default
 * nothing is paced; [`RateLimitConfig::product`] paces every namespace by
 * a product's table, [`RateLimitConfig::with_namespace`] one namespace.
 * Whatever the tables, a server's `rate_limited {event, retry_after}`
 * pauses that event.
 */
export type RateLimitConfig = {
/**
 * `false` turns client-side limiting off; server `rate_limited` pauses
 * are still obeyed.
 */
enabled: boolean,
/**
 * Tables of particular namespaces.
 */
namespaces: { [key in string]: RateTable },
/**
 * Longest pause honoured from a server `retry_after`, in milliseconds,
 * so a hostile value cannot silence an event forever.
 */
maxPause: number,
/**
 * Budget of each event not listed in `events`; `None` leaves them
 * unpaced.
 */
default: Rate | null,
/**
 * Budget per event name.
 */
events: { [key in string]: Rate },
/**
 * Whose budgets these are: namespaces whose tables name the same
 * budget spend the same buckets, as Omni's `/`, `/admin` and
 * `/analytics` spend one per user on the server. Empty: the
 * namespace's own.
 */
budget: string, };

/**
 * Options of a [`Client`](super::Client).
 */
export type CoreOptions = {
/**
 * Server origin, e.g. `https://api.example.com`. `http(s)` becomes
 * `ws(s)` for WebSocket URLs.
 */
url: string,
/**
 * Engine.IO path, `/socket.io/`.
 */
path: string,
/**
 * Extra query parameters sent with every transport request.
 */
query: { [key in string]: string },
/**
 * Transports in order of preference; the first is opened, later ones
 * are upgrades. Default `["polling", "websocket"]`.
 */
transports: Array<TransportKind>,
/**
 * Try to upgrade from polling to WebSocket after the handshake.
 */
upgrade: boolean,
/**
 * Reconnect automatically after the link is lost.
 */
reconnection: boolean,
/**
 * Attempts before giving up; `None` (JS `Infinity`) is unlimited.
 */
reconnectionAttempts: number | null,
/**
 * First reconnection delay in ms (1000).
 */
reconnectionDelay: number,
/**
 * Largest reconnection delay in ms (5000).
 */
reconnectionDelayMax: number,
/**
 * Jitter share of the delay (0.5).
 */
randomizationFactor: number,
/**
 * Milliseconds for the Engine.IO handshake and for each namespace's
 * CONNECT answer (20000).
 */
timeout: number,
/**
 * Auth object sent in every CONNECT; must be a JSON object.
 */
auth: Record<string, unknown> | null,
/**
 * Default ack timeout in ms for emits that ask for an ack.
 */
ackTimeout: number | null,
/**
 * Resends of an unacknowledged ack emit before it fails (0 = off).
 */
retries: number,
/**
 * Milliseconds a room join with a confirmation event waits for it
 * before the room is marked failed (10000), so a server that never
 * answers cannot leave a subscription joining forever.
 */
roomJoinTimeout: number,
/**
 * Namespaces to connect at start (`["/"]`).
 */
namespaces: Array<string>,
/**
 * Reconnect a namespace after `io server disconnect` (off, as in
 * socket.io-client).
 */
reconnectAfterServerDisconnect: boolean,
/**
 * Retry a namespace, with backoff, after the server refused it
 * (CONNECT_ERROR that is not an auth failure) (on). socket.io-client
 * takes a refusal as final; the npm package turns this off to match.
 */
reconnectAfterRefusal: boolean,
/**
 * Emits kept per namespace while offline or rate-limited (1000).
 */
maxBufferedEmits: number,
/**
 * What a full buffer does.
 */
bufferOverflow: OverflowPolicy,
/**
 * Outstanding acks per namespace (1000); more ack emits are refused.
 */
maxPendingAcks: number,
/**
 * Application heartbeat; `None` turns it off.
 */
heartbeat: HeartbeatConfig | null,
/**
 * Client-side rate limits.
 */
rateLimit: RateLimitConfig,
/**
 * Milliseconds to wait for new credentials after an auth failure
 * before retrying with the old ones (10000).
 */
authRefreshTimeout: number,
/**
 * Consecutive auth failures after which the client stops (3; 0 never
 * stops).
 */
maxAuthFailures: number,
/**
 * Fragments that mark a `connect_error` message as an auth failure,
 * compared without regard to ASCII case.
 */
authErrorPatterns: Array<string>,
/**
 * Connection state recovery: send `{pid, offset}` in CONNECT.
 */
recovery: boolean,
/**
 * Ask for credentials before every CONNECT ([`Event::AuthRequested`](super::Event))
 * and send it only once [`Client::set_auth`](super::Client::set_auth)
 * answers, as socket.io-client does with an `auth` callback (false).
 */
askAuth: boolean,
/**
 * Bound of the event queue in events (4096); when full the oldest
 * event is dropped and counted in
 * [`Client::dropped_events`](super::Client::dropped_events).
 */
maxQueuedEvents: number,
/**
 * Bound of the event queue in bytes of data (16 MiB), as
 * [`Event::data_size`](super::Event::data_size) counts them: the JSON
 * text and binary attachments of the server events waiting there,
 * and what the other events carry. An event that would take the
 * queue past it pushes out the oldest events until it fits (each
 * counted in [`Client::dropped_events`](super::Client::dropped_events),
 * as with `max_queued_events`); one larger than the whole bound is
 * still queued, alone (its size is bounded by the decoder's
 * [`Limits`](crate::Limits)). The native driver applies the same
 * bound to each subscription's queue.
 */
maxQueuedEventBytes: number,
/**
 * Bound of the outgoing frame queue; emits wait in the buffer when it
 * is full.
 */
maxQueuedTransmits: number, };
