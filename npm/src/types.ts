// The package's public types: options, events, snapshots. What the Rust
// core also names (its options, records, room descriptions) comes from the
// declarations generated from it (src/generated/), so the two cannot drift;
// only what JavaScript alone has is written here.

import type { ConnectionStateName, LatencyRecord, LatencyStats, RoomStatus, TransportKind } from "./generated/driver.js";
import type { CoreOptions, HeartbeatConfig, HeartbeatMode, Product, Rate, RateLimitConfig, RateTable } from "./generated/options.js";
import type { RoomDescription } from "./generated/rooms.js";

/** Any map of event names to payload types. */
export type EventsMap = Record<string, any>;

export type { LatencyStats, RoomStatus, RoomDescription, Product, Rate, RateTable };

/** `idle`, `connecting`, `open` (the Engine.IO session) or `reconnecting`. */
export type ConnectionState = ConnectionStateName;

/** Seed 002's status object. */
export interface SocketStatus {
  isConnected: boolean;
  socketId: string | null;
  reconnectAttempts: number;
}

/** Everything a framework renders, as one immutable value. */
export interface Snapshot {
  state: ConnectionState;
  connected: boolean;
  id: string | undefined;
  reconnectAttempts: number;
  latency: LatencyStats | null;
  rooms: Readonly<Record<string, RoomStatus>>;
  transport: TransportKind | null;
}

/**
 * A rate table as options give it: a product's table (`"doa"`), or an
 * object whose `product` starts from that product's table and whose
 * `default`, `events` (added to the product's) and `budget` refine it.
 */
export type RateTableOptions = Product | (Partial<RateTable> & { product?: Product });

/**
 * Client-side rate limits (the core's `RateLimitConfig` as it reads
 * them). Nothing is paced by default; `{product: "omni"}` paces every
 * namespace by that product's table, `{default, events, budget}` by a
 * table of your own, and `namespaces: {"/doa": "doa"}` one namespace.
 * A server's `rate_limited {retry_after}` pauses the event either way.
 */
export type RateLimitOptions = Exclude<RateTableOptions, string> &
  Partial<Pick<RateLimitConfig, "enabled" | "maxPause">> & {
    /** Tables of particular namespaces, by namespace. */
    namespaces?: Record<string, RateTableOptions>;
  };

/** How the heartbeat measures round trips; the Omni mode's fields default to seed 000's. */
export type HeartbeatModeOptions =
  | ({ type: "omni" } & Partial<Omit<Extract<HeartbeatMode, { type: "omni" }>, "type">>)
  | Extract<HeartbeatMode, { type: "ack" }>;

/** The application heartbeat; missing fields keep the core's defaults (Omni's, every 30 s). */
export type HeartbeatOptions = Partial<Omit<HeartbeatConfig, "mode">> & { mode?: HeartbeatModeOptions };

/**
 * The core's options a socket passes through as they are: all but those
 * the Manager sets itself (`url`, `namespaces`, `askAuth`) and those whose
 * JavaScript form differs (below).
 */
type CoreSocketOptions = Omit<CoreOptions, "url" | "namespaces" | "askAuth" | "query" | "auth" | "heartbeat" | "rateLimit">;

/**
 * Options, named as in socket.io-client where the option exists there:
 * the core's (`CoreOptions`, documented there), each optional, and those
 * only JavaScript has.
 */
export interface SocketOptions extends Partial<CoreSocketOptions> {
  /** Engine.IO path, `/socket.io` (a `/` is added at the end unless `addTrailingSlash` is false). */
  path?: string;
  addTrailingSlash?: boolean;
  query?: Record<string, string | number | boolean>;
  /** Connect at once (default `true`). */
  autoConnect?: boolean;
  /**
   * Sent in every CONNECT. A callback is asked before each one (every
   * connection and reconnection, as in socket.io-client), and the CONNECT
   * waits for its answer.
   */
  auth?: Record<string, unknown> | ((cb: (auth: Record<string, unknown>) => void) => void);
  withCredentials?: boolean;
  /** A new connection even when `io()` has one to this server already (default `false`). */
  forceNew?: boolean;
  /** Share one connection per server between `io()` calls (default `true`; `false` is `forceNew`). */
  multiplex?: boolean;
  /**
   * Node: let the process exit while the connection is open (its timers
   * and sockets are unref'ed), as engine.io-client's option.
   */
  autoUnref?: boolean;
  /** Use the timer functions as they were when the package loaded, not those installed later (fake timers). */
  useNativeTimers?: boolean;
  /** Application heartbeat (Omni `heartbeat` / `heartbeat_response`); off by default, `null` off. */
  heartbeat?: HeartbeatOptions | null;
  /**
   * Client-side rate limits; nothing is paced by default (the React hook
   * and the Vue plugin pace by Omni's table, `{product: "omni"}`).
   */
  rateLimit?: RateLimitOptions;
  /**
   * Fragments of a `connect_error` message that mark it as an auth failure
   * to retry with refreshed credentials (`refreshAuth`). None by default:
   * a refusal is final, as in socket.io-client.
   */
  authErrorPatterns?: string[];
  /** Retry a namespace the server refused (not an auth failure), with backoff; off, as in socket.io-client. */
  reconnectAfterRefusal?: boolean;
  /**
   * Asked for new credentials after the server refused the current ones;
   * what it returns (or resolves to) is used for the next attempt.
   */
  refreshAuth?: (failures: number) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/**
 * Arguments of `emit(event, ...)`: anything for an untyped socket; for a
 * typed one the event's payload first, then anything (e.g. an ack callback).
 */
export type EmitArgs<C extends EventsMap, E extends keyof C> = string extends keyof C
  ? unknown[]
  : [payload: C[E], ...rest: unknown[]];

/** Options of a Manager: the same object as a socket's (socket.io-client's `ManagerOptions`). */
export type ManagerOptions = SocketOptions;

/** Events the socket emits itself, as in socket.io-client. */
export interface ReservedEvents {
  connect: () => void;
  connect_error: (err: Error & { data?: unknown }) => void;
  disconnect: (reason: string) => void;
  reconnect: (attempt: number) => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect_error: (err: Error) => void;
  reconnect_failed: () => void;
  latency: (sample: LatencyRecord) => void;
}
