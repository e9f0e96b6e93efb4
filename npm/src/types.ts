// The package's public types: options, events, snapshots.

/** Any map of event names to payload types. */
export type EventsMap = Record<string, any>;

/** Heartbeat latency statistics over the recent window, in ms. */
export interface LatencyStats {
  count: number;
  last: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Where a room subscription stands. */
export interface RoomStatus {
  key: string;
  state: "unsubscribed" | "joining" | "joined" | "failed";
  reason: string | null;
}

/** `idle`, `connecting`, `open` (the Engine.IO session) or `reconnecting`. */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting";

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
  transport: "polling" | "websocket" | null;
}

/** A room to join: a seed preset or a custom pair of events. */
export type RoomDescription =
  | { preset: "omni"; room: string; type?: string }
  | { preset: "deployment"; id: string }
  | { preset: "conversation"; id: number | string }
  | { preset: "orderChat"; orderId: string }
  | { preset: "disputeChat"; disputeId: string }
  | {
      preset: "custom";
      key: string;
      join: { event: string; args?: unknown[] };
      leave: { event: string; args?: unknown[] };
      confirm?: { event: string; field?: string; value?: unknown };
      failure?: { event: string; field?: string; value?: unknown };
    };

/** Options, named as in socket.io-client where the option exists there. */
export interface SocketOptions {
  /** Engine.IO path, `/socket.io` (a `/` is added at the end unless `addTrailingSlash` is false). */
  path?: string;
  addTrailingSlash?: boolean;
  query?: Record<string, string | number | boolean>;
  transports?: Array<"polling" | "websocket">;
  upgrade?: boolean;
  /** Connect at once (default `true`). */
  autoConnect?: boolean;
  reconnection?: boolean;
  reconnectionAttempts?: number;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  randomizationFactor?: number;
  timeout?: number;
  /**
   * Sent in every CONNECT. A callback is asked before each one (every
   * connection and reconnection, as in socket.io-client), and the CONNECT
   * waits for its answer.
   */
  auth?: Record<string, unknown> | ((cb: (auth: Record<string, unknown>) => void) => void);
  ackTimeout?: number;
  retries?: number;
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
  /** Application heartbeat (Omni `heartbeat` / `heartbeat_response`); off by default. */
  heartbeat?: {
    interval?: number;
    window?: number;
    namespace?: string;
    mode?:
      | { type: "omni"; event?: string; responseEvent?: string; version?: string; platform?: string }
      | { type: "ack"; event: string };
  } | null;
  /** Client-side rate limits; default the Omni table (seed 000). */
  rateLimit?: {
    enabled?: boolean;
    default?: { limit: number; window: number };
    events?: Record<string, { limit: number; window: number }>;
  };
  maxBufferedEmits?: number;
  bufferOverflow?: "error" | "dropOldest";
  maxPendingAcks?: number;
  recovery?: boolean;
  reconnectAfterServerDisconnect?: boolean;
  /** Retry a namespace the server refused (not an auth failure), with backoff; off, as in socket.io-client. */
  reconnectAfterRefusal?: boolean;
  authRefreshTimeout?: number;
  maxAuthFailures?: number;
  /**
   * Fragments of a `connect_error` message that mark it as an auth failure
   * to retry with refreshed credentials (`refreshAuth`). None by default:
   * a refusal is final, as in socket.io-client.
   */
  authErrorPatterns?: string[];
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
  latency: (sample: { rtt: number; stats: LatencyStats; serverLatency: number | null; serverStatus: string | null }) => void;
}
