// omni-socket: a Socket.IO v5 client whose protocol engine is the Rust core
// compiled to WebAssembly. This file is the thin JavaScript face over the
// wasm `Driver`: socket.io-client's API, plus rooms, latency, status and a
// subscribe/getSnapshot store for frameworks.

import initWasm, { Driver, initSync, type SyncInitInput } from "./wasm/omni_socket_wasm.js";
import type {
  DeploymentsClientEvents,
  DeploymentsServerEvents,
  DoaClientEvents,
  DoaServerEvents,
  FamaClientEvents,
  FamaServerEvents,
  MarketplaceClientEvents,
  MarketplaceServerEvents,
  OmniClientEvents,
  OmniServerEvents,
} from "./generated/index.js";
import { ROOM_PRESETS } from "./generated/rooms.js";

export type * from "./generated/index.js";

// ------------------------------------------------------------------ wasm

let ready: Promise<void> | undefined;
let loaded = false;

/**
 * Loads the WebAssembly module. `io()` calls it by itself; call it only to
 * start the download early or to pass the module from somewhere else
 * (a URL, a `Response`, bytes or a compiled `WebAssembly.Module`).
 */
export function init(input?: unknown): Promise<void> {
  if (!ready) {
    const arg = input === undefined ? undefined : { module_or_path: input };
    ready = initWasm(arg as Parameters<typeof initWasm>[0]).then(() => {
      loaded = true;
    });
    // A failed load may be retried by the next call.
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}

/**
 * Loads the WebAssembly module synchronously from bytes or a compiled
 * `WebAssembly.Module` (workers, tests; Node's entry does it by itself).
 * After it, sockets start without waiting.
 */
// Typed without the DOM library's names (BufferSource, WebAssembly), which
// a Node project need not have; a WebAssembly.Module is an opaque object.
export function initFromBytes(module: ArrayBuffer | ArrayBufferView | object): void {
  if (loaded) return;
  initSync({ module: module as SyncInitInput });
  loaded = true;
  ready = Promise.resolve();
}

// ----------------------------------------------------------------- types

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
  /** Engine.IO path, `/socket.io/`. */
  path?: string;
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
  authRefreshTimeout?: number;
  maxAuthFailures?: number;
  authErrorPatterns?: string[];
  /**
   * Asked for new credentials after the server refused the current ones;
   * what it returns (or resolves to) is used for the next attempt.
   */
  refreshAuth?: (failures: number) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

type Listener = (...args: any[]) => void;

/**
 * Arguments of `emit(event, ...)`: anything for an untyped socket; for a
 * typed one the event's payload first, then anything (e.g. an ack callback).
 */
export type EmitArgs<C extends EventsMap, E extends keyof C> = string extends keyof C
  ? unknown[]
  : [payload: C[E], ...rest: unknown[]];

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

// --------------------------------------------------------------- emitter

/** A minimal event emitter (the `socket.io` manager events live on one). */
export class Emitter {
  #listeners = new Map<string, Listener[]>();

  on(event: string, fn: Listener): this {
    const list = this.#listeners.get(event);
    if (list) list.push(fn);
    else this.#listeners.set(event, [fn]);
    return this;
  }

  once(event: string, fn: Listener): this {
    const wrapper = (...args: unknown[]) => {
      this.off(event, wrapper);
      fn(...args);
    };
    (wrapper as { fn?: Listener }).fn = fn;
    return this.on(event, wrapper);
  }

  off(event?: string, fn?: Listener): this {
    if (event === undefined) {
      this.#listeners.clear();
    } else if (fn === undefined) {
      this.#listeners.delete(event);
    } else {
      const list = this.#listeners.get(event);
      if (list) {
        const i = list.findIndex((l) => l === fn || (l as { fn?: Listener }).fn === fn);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.#listeners.delete(event);
      }
    }
    return this;
  }

  listeners(event: string): Listener[] {
    return [...(this.#listeners.get(event) ?? [])];
  }

  /** Calls the listeners of `event`; a throwing listener does not stop the others. */
  protected fire(event: string, args: unknown[]): void {
    const list = this.#listeners.get(event);
    if (list === undefined) return;
    if (list.length === 1) {
      // The usual case, once per received event: no copy of the list.
      call(list[0], args);
      return;
    }
    // A copy, so listeners added or removed by a listener apply next time.
    for (const fn of list.slice()) call(fn, args);
  }

  /** Emits `event` to local listeners only. */
  emitLocal(event: string, ...args: unknown[]): void {
    this.fire(event, args);
  }
}

/** A catch-all listener: the event name, then its arguments. */
export type AnyListener = (event: string, ...args: any[]) => void;

/** Catch-all listeners called with `(event, ...args)`: the `onAny` and `onAnyOutgoing` families. */
class AnyListeners {
  #list: AnyListener[] = [];

  add(fn: AnyListener): void {
    this.#list.push(fn);
  }

  prepend(fn: AnyListener): void {
    this.#list.unshift(fn);
  }

  /** Removes `fn`, or every listener without an argument. */
  remove(fn?: AnyListener): void {
    this.#list = fn ? this.#list.filter((f) => f !== fn) : [];
  }

  list(): AnyListener[] {
    return [...this.#list];
  }

  /** Calls each on a copy of the list; a throwing listener does not stop the others. */
  fire(event: string, args: unknown[]): void {
    if (this.#list.length === 0) return;
    const withName = [event, ...args];
    for (const fn of this.#list.slice()) call(fn, withName);
  }
}

/** The unit of `Driver.text`'s result: 2^32. */
const RETURN_UNIT = 4294967296;

function call(fn: Listener, args: unknown[]): void {
  try {
    fn(...args);
  } catch (e) {
    reportError(e);
  }
}

function reportError(e: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === "function") g.reportError(e);
  else setTimeout(() => {
    throw e;
  });
}

// ---------------------------------------------------------------- binary

function isBinary(v: unknown): v is ArrayBuffer | ArrayBufferView {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

/** Replaces binary values with Socket.IO placeholders, collecting the bytes. */
function deconstruct(args: unknown[]): [string, Uint8Array[]] {
  const bins: Uint8Array[] = [];
  const walk = (v: unknown): unknown => {
    if (isBinary(v)) {
      const bytes =
        v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      bins.push(bytes);
      return { _placeholder: true, num: bins.length - 1 };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  // Plain JSON.stringify, as socket.io-client encodes: `undefined` is null
  // in an array and left out of an object (a server checking for a
  // missing key must not find a null).
  const json = JSON.stringify(args.map(walk));
  return [json, bins];
}

/** Attachments of an event without binary data. */
const NO_BINS: Uint8Array[] = [];

/** Puts attachments back where their placeholders are, as `ArrayBuffer`s. */
function revive(v: unknown, bins: Uint8Array[]): unknown {
  if (bins.length === 0 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => revive(x, bins));
  const o = v as Record<string, unknown>;
  if (o._placeholder === true && typeof o.num === "number") {
    const b = bins[o.num];
    if (b) return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  }
  for (const k of Object.keys(o)) o[k] = revive(o[k], bins);
  return o;
}

// ---------------------------------------------------------------- socket

interface Flags {
  volatile?: boolean;
  timeout?: number;
}

interface PendingAck {
  fn: Listener;
  withErr: boolean;
}

const EMPTY_ROOMS: Readonly<Record<string, RoomStatus>> = Object.freeze({});

function toConfig(url: string, opts: SocketOptions, nsp: string): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v !== "function" && v !== undefined) out[k] = v;
  }
  out.url = url;
  out.namespaces = [nsp];
  // The core asks (`auth_requested`) before every CONNECT and waits.
  if (typeof opts.auth === "function") out.askAuth = true;
  if (opts.query) {
    out.query = Object.fromEntries(Object.entries(opts.query).map(([k, v]) => [k, String(v)]));
  }
  if (typeof WebSocket === "undefined") {
    out.transports = ["polling"];
  }
  // The heartbeat's defaults (Omni's events, interval, version, platform)
  // are the core's.
  return JSON.stringify(out);
}

/**
 * A Socket.IO client socket on one namespace, like socket.io-client's
 * `Socket`. `L` maps the events the server sends to their payloads, `C`
 * the events the client sends (see the generated maps, e.g.
 * `Socket<OmniServerEvents, OmniClientEvents>`).
 */
export class Socket<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap> {
  /** The namespace, e.g. `/` or `/admin`. */
  readonly nsp: string;
  /** Manager-level events: `open`, `reconnect*`, `upgrade`, `room`, `auth_failed`, `rate_limited`, … */
  readonly io = new Emitter();

  #events = new Emitter();
  #any = new AnyListeners();
  #anyOutgoing = new AnyListeners();
  #opened = false;
  #recovered = false;
  /** The `auth` option when it is a callback, until `setAuth` replaces it. */
  #authCallback: ((cb: (auth: Record<string, unknown>) => void) => void) | undefined;
  #driver: Driver | undefined;
  #queue: Array<(d: Driver) => void> = [];
  #config: string;
  #options: SocketOptions;
  #acks = new Map<number, PendingAck>();
  #auth: Record<string, unknown> | undefined;
  #disposed = false;
  #snapshot: Snapshot;
  #subscribers = new Set<() => void>();
  #latency: LatencyStats | null = null;
  #rooms: Readonly<Record<string, RoomStatus>> = EMPTY_ROOMS;
  #state: ConnectionState = "idle";
  #unlisten: (() => void) | undefined;

  constructor(url: string, options: SocketOptions = {}) {
    const base = typeof location !== "undefined" ? location.href : undefined;
    const parsed = new URL(url, base);
    this.nsp = parsed.pathname && parsed.pathname !== "" ? parsed.pathname : "/";
    this.#options = options;
    if (typeof options.auth === "object" && options.auth !== null) this.#auth = options.auth;
    if (typeof options.auth === "function") this.#authCallback = options.auth;
    this.#config = toConfig(parsed.origin, options, this.nsp);
    this.#snapshot = this.#makeSnapshot();
    if (loaded) this.#start();
    else
      init().then(
        () => this.#start(),
        (e: unknown) => {
          const err = new Error(`omni-socket: cannot load WebAssembly: ${String(e)}`);
          this.#events.emitLocal("connect_error", err);
        },
      );
    this.#watchPage();
    if (options.autoConnect !== false) this.connect();
  }

  #start(): void {
    if (this.#disposed || this.#driver) return;
    // The frame being handled by the driver: server events are slices of it.
    let frame = "";
    // Every event, from the sink or handed back by Driver.text. Its parse is
    // the check of a server event's text: the driver leaves that to it, and
    // closes the session as for any malformed packet. The driver must not
    // see an exception: listeners' are reported already, this is for the
    // wrapper's own.
    const receive = (text: string, kind: string, nsp: string, bins: Uint8Array[], ack: number): void => {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (e) {
        driver.rejectMessage(e instanceof Error ? e.message : String(e));
        return;
      }
      try {
        this.#onEvent(kind, nsp, data, bins, ack);
      } catch (e) {
        reportError(e);
      }
    };
    const driver = new Driver(
      this.#config,
      (kind: string, nsp: string, json: string | undefined, bins: Uint8Array[] | undefined, ack: number, offset: number) =>
        // A server event comes as the offset of its JSON in the WebSocket
        // frame it arrived in (the frame's string is not copied through wasm).
        receive(
          json === undefined ? frame.slice(offset) : offset > 0 ? json.slice(offset) : json,
          kind,
          nsp,
          bins ?? NO_BINS,
          ack,
        ),
      // Every WebSocket's message handler, bound to its transport id: one
      // call into wasm per frame.
      (id: number, e: MessageEvent) => {
        const data: unknown = e.data;
        if (typeof data === "string") {
          frame = data;
          let code: number;
          try {
            code = driver.text(id, data, e.timeStamp);
          } finally {
            frame = "";
          }
          // The frame's last server event, when the driver hands it back
          // (see Driver.text): `(ack + 1) * 2^32 + offset`.
          if (code >= 0) {
            const offset = code % RETURN_UNIT;
            receive(data.slice(offset), "message", this.nsp, NO_BINS, (code - offset) / RETURN_UNIT - 1);
          }
        } else if (data instanceof ArrayBuffer) {
          driver.binary(id, new Uint8Array(data), e.timeStamp);
        }
      },
    );
    this.#driver = driver;
    const queued = this.#queue;
    this.#queue = [];
    for (const op of queued) {
      try {
        op(driver);
      } catch (e) {
        reportError(e);
      }
    }
    this.#changed();
  }

  /** Runs `op` now, or once the wasm module is loaded. */
  #run(op: (d: Driver) => void): void {
    if (this.#disposed) return;
    if (this.#driver) op(this.#driver);
    else this.#queue.push(op);
  }

  #watchPage(): void {
    const g = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener; document?: Document };
    if (typeof g.addEventListener !== "function") return;
    // Background tabs throttle timers; coming back online or visible is the
    // moment to notice a dead link or skip the rest of a backoff delay.
    const check = () => {
      if (g.document && g.document.visibilityState === "hidden") return;
      this.#driver?.checkNow();
    };
    g.addEventListener("online", check);
    g.document?.addEventListener("visibilitychange", check);
    this.#unlisten = () => {
      g.removeEventListener?.("online", check);
      g.document?.removeEventListener("visibilitychange", check);
    };
  }

  // `data` is parsed JSON: the driver's own, shaped by `kind`, or a server
  // event's array.
  #onEvent(kind: string, nsp: string, data: any, bins: Uint8Array[], ack: number): void {
    if (nsp !== "" && nsp !== this.nsp) return;
    if (kind === "message") {
      this.#onMessage(data, bins, ack);
      return;
    }
    switch (kind) {
      case "ack": {
        const p = this.#acks.get(data.request);
        if (!p) break;
        this.#acks.delete(data.request);
        const args = revive(data.args, bins) as unknown[];
        if (p.withErr) p.fn(null, ...args);
        else p.fn(...args);
        break;
      }
      case "ack_failed": {
        const p = this.#acks.get(data.request);
        if (!p) break;
        this.#acks.delete(data.request);
        if (p.withErr) {
          const msg =
            data.reason === "timeout"
              ? "operation has timed out"
              : data.reason === "dropped"
                ? "emit dropped from a full buffer"
                : "socket has been disconnected";
          p.fn(new Error(msg));
        }
        break;
      }
      case "connect":
        this.#recovered = data.recovered === true;
        this.#changed();
        this.#events.emitLocal("connect");
        break;
      case "connect_error": {
        const err = Object.assign(new Error(data.message), { data: data.data ?? undefined });
        this.#events.emitLocal("connect_error", err);
        break;
      }
      case "disconnect":
        this.#changed();
        this.#events.emitLocal("disconnect", data.reason);
        break;
      case "state":
        this.#state = data;
        this.#changed();
        break;
      case "latency":
        this.#latency = data.stats;
        this.#changed();
        this.#events.emitLocal("latency", data);
        break;
      case "room": {
        const rooms = { ...this.#rooms };
        if (data.state === "unsubscribed") delete rooms[data.key];
        else rooms[data.key] = data;
        this.#rooms = Object.freeze(rooms);
        this.#changed();
        this.io.emitLocal("room", data);
        break;
      }
      case "reconnect":
        this.#changed();
        this.io.emitLocal("reconnect", data.attempt);
        this.#events.emitLocal("reconnect", data.attempt);
        break;
      case "reconnect_attempt":
        this.#changed();
        this.io.emitLocal("reconnect_attempt", data.attempt);
        this.#events.emitLocal("reconnect_attempt", data.attempt);
        break;
      case "reconnect_error": {
        const err = new Error(data.message);
        this.io.emitLocal("reconnect_error", err);
        this.#events.emitLocal("reconnect_error", err);
        break;
      }
      case "reconnect_failed":
        this.io.emitLocal("reconnect_failed");
        this.#events.emitLocal("reconnect_failed");
        break;
      case "auth_refresh_needed":
        this.io.emitLocal(kind, data);
        this.#refreshAuth(data.failures);
        break;
      case "auth_requested": {
        // The CONNECT waits for an answer: the callback's, or the
        // credentials that replaced it.
        const ask = this.#authCallback;
        if (ask) ask((auth) => this.#answerAuth(auth));
        else this.#answerAuth(this.#auth ?? null);
        break;
      }
      default:
        // open, upgrade, auth_failed, auth_gave_up, rate_limited,
        // emit_dropped, protocol_error
        this.io.emitLocal(kind, data);
        if (kind === "upgrade" || kind === "open") this.#changed();
    }
  }

  /** A server event: `data` is the packet's own array, `["name", ...args]`. */
  #onMessage(data: unknown[], bins: Uint8Array[], ack: number): void {
    const args = bins.length === 0 ? data : (revive(data, bins) as unknown[]);
    const event = args.shift() as string;
    if (ack >= 0) {
      const id = ack;
      let sent = false;
      args.push((...res: unknown[]) => {
        if (sent) return;
        sent = true;
        const [j, b] = deconstruct(res);
        this.#driver?.ack(this.nsp, id, j, b);
      });
    }
    this.#any.fire(event, args);
    this.#events.emitLocal(event, ...args);
  }

  #refreshAuth(failures: number): void {
    const refresh = this.#options.refreshAuth;
    const askCallback = this.#authCallback;
    if (refresh) {
      Promise.resolve()
        .then(() => refresh(failures))
        .then((auth) => this.#answerAuth(auth), reportError);
    } else if (askCallback) {
      askCallback((auth) => this.#answerAuth(auth));
    }
  }

  #makeSnapshot(): Snapshot {
    const d = this.#driver;
    return {
      state: this.#state,
      connected: d ? d.connected(this.nsp) : false,
      id: d?.socketId(this.nsp) ?? undefined,
      reconnectAttempts: d ? d.reconnectAttempts : 0,
      latency: this.#latency,
      rooms: this.#rooms,
      transport: (d?.transport ?? null) as Snapshot["transport"],
    };
  }

  #changed(): void {
    const next = this.#makeSnapshot();
    const prev = this.#snapshot;
    const same =
      prev.state === next.state &&
      prev.connected === next.connected &&
      prev.id === next.id &&
      prev.reconnectAttempts === next.reconnectAttempts &&
      prev.latency === next.latency &&
      prev.rooms === next.rooms &&
      prev.transport === next.transport;
    if (same) return;
    this.#snapshot = next;
    for (const fn of [...this.#subscribers]) {
      try {
        fn();
      } catch (e) {
        reportError(e);
      }
    }
  }

  // ---- connection

  /** Connects (or reconnects after `disconnect()`). */
  connect(): this {
    this.#opened = true;
    this.#run((d) => d.connect());
    return this;
  }

  /** Alias of {@link connect}. */
  open(): this {
    return this.connect();
  }

  /** Disconnects and stops reconnecting; rooms and buffered emits are kept for `connect()`. */
  disconnect(): this {
    this.#opened = false;
    this.#run((d) => d.disconnect());
    return this;
  }

  /** Alias of {@link disconnect}. */
  close(): this {
    return this.disconnect();
  }

  /** Disconnects and frees the WebAssembly state; the socket is unusable afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    const d = this.#driver;
    if (d) {
      d.destroy();
      this.#driver = undefined;
      // Freeing needs the driver unborrowed; dispose() may run inside one
      // of its own event callbacks, so wait until that call has returned.
      queueMicrotask(() => d.free());
    }
    this.#disposed = true;
    this.#opened = false;
    this.#queue = [];
    this.#unlisten?.();
    this.#acks.clear();
    this.#state = "idle";
    this.#changed();
  }

  /** Whether the namespace is connected. */
  get connected(): boolean {
    return this.#driver ? this.#driver.connected(this.nsp) : false;
  }

  /** Opposite of {@link connected}. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /**
   * Whether the socket is connected or will reconnect on its own, as in
   * socket.io-client: in a `connect_error` listener, `false` means nothing
   * more happens until the application acts (it disconnected, the server
   * disconnected the namespace, reconnection or auth retries gave up).
   */
  get active(): boolean {
    if (this.#disposed) return false;
    return this.#driver ? this.#driver.active(this.nsp) : this.#opened;
  }

  /** Whether the last connection restored the session (connection state recovery). */
  get recovered(): boolean {
    return this.#recovered;
  }

  /** The socket id while connected. */
  get id(): string | undefined {
    return this.#driver?.socketId(this.nsp) ?? undefined;
  }

  /** State of the Engine.IO session. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Heartbeat round-trip statistics, `null` before the first sample. */
  get latency(): LatencyStats | null {
    return this.#latency;
  }

  /** Room subscriptions by key. */
  get rooms(): Readonly<Record<string, RoomStatus>> {
    return this.#rooms;
  }

  /** Emits waiting for the connection (the offline buffer). */
  get buffered(): number {
    return this.#driver ? this.#driver.buffered(this.nsp) : 0;
  }

  /** Seed 002's status: `{isConnected, socketId, reconnectAttempts}`. */
  status(): SocketStatus {
    return {
      isConnected: this.connected,
      socketId: this.id ?? null,
      reconnectAttempts: this.#driver ? this.#driver.reconnectAttempts : 0,
    };
  }

  // ---- auth

  /** The auth object sent with every CONNECT. Setting it applies at the next connection. */
  get auth(): Record<string, unknown> | undefined {
    return this.#auth;
  }

  set auth(auth: Record<string, unknown> | undefined) {
    this.setAuth(auth ?? null);
  }

  /**
   * Replaces the credentials (and an `auth` callback, as assigning
   * `socket.auth` does in socket.io-client); with `reconnect` the socket
   * reconnects now to use them.
   */
  setAuth(auth: Record<string, unknown> | null, options: { reconnect?: boolean } = {}): this {
    this.#authCallback = undefined;
    this.#answerAuth(auth, options.reconnect === true);
    return this;
  }

  /** Hands credentials to the core without touching the callback. */
  #answerAuth(auth: Record<string, unknown> | null, reconnect = false): void {
    this.#auth = auth ?? undefined;
    const json = JSON.stringify(auth ?? null);
    this.#run((d) => d.setAuth(json, reconnect));
  }

  // ---- listeners

  on<E extends keyof ReservedEvents>(event: E, fn: ReservedEvents[E]): this;
  on<E extends keyof L & string>(event: E, fn: (payload: L[E], ...rest: any[]) => void): this;
  on(event: string, fn: Listener): this {
    this.#events.on(event, fn);
    return this;
  }

  once<E extends keyof ReservedEvents>(event: E, fn: ReservedEvents[E]): this;
  once<E extends keyof L & string>(event: E, fn: (payload: L[E], ...rest: any[]) => void): this;
  once(event: string, fn: Listener): this {
    this.#events.once(event, fn);
    return this;
  }

  /** Removes one listener, all listeners of `event`, or all listeners. */
  off(event?: string, fn?: Listener): this {
    this.#events.off(event, fn);
    return this;
  }

  /** Alias of {@link off}. */
  removeListener(event?: string, fn?: Listener): this {
    return this.off(event, fn);
  }

  listeners(event: string): Listener[] {
    return this.#events.listeners(event);
  }

  /** Called with `(event, ...args)` for every server event. */
  onAny(fn: AnyListener): this {
    this.#any.add(fn);
    return this;
  }

  /** Like {@link onAny}, but called before the listeners already added. */
  prependAny(fn: AnyListener): this {
    this.#any.prepend(fn);
    return this;
  }

  offAny(fn?: AnyListener): this {
    this.#any.remove(fn);
    return this;
  }

  listenersAny(): AnyListener[] {
    return this.#any.list();
  }

  /**
   * Called with `(event, ...args)` for every emit the SDK accepts (sent
   * now, or buffered until the connection is back), without the ack
   * callback. Not for volatile emits dropped while disconnected (those are
   * `emit_dropped` on `io`).
   */
  onAnyOutgoing(fn: AnyListener): this {
    this.#anyOutgoing.add(fn);
    return this;
  }

  /** Like {@link onAnyOutgoing}, but called before the listeners already added. */
  prependAnyOutgoing(fn: AnyListener): this {
    this.#anyOutgoing.prepend(fn);
    return this;
  }

  offAnyOutgoing(fn?: AnyListener): this {
    this.#anyOutgoing.remove(fn);
    return this;
  }

  listenersAnyOutgoing(): AnyListener[] {
    return this.#anyOutgoing.list();
  }

  // ---- emitting

  /**
   * Sends an event. A function as last argument receives the server's ack
   * (with `timeout(ms)` first an error argument, as in socket.io-client).
   * While disconnected, emits wait in a bounded buffer.
   */
  emit<E extends keyof C & string>(event: E, ...args: EmitArgs<C, E>): this;
  emit(event: string, ...args: unknown[]): this {
    this.#emit(event, args, {});
    return this;
  }

  /** Sends and resolves with the server's first ack argument; rejects on timeout. */
  emitWithAck<E extends keyof C & string>(event: E, ...args: EmitArgs<C, E>): Promise<any>;
  emitWithAck(event: string, ...args: unknown[]): Promise<any> {
    return this.#emitWithAck(event, args, {});
  }

  /** Emits that are dropped instead of buffered when not connected. */
  get volatile(): FlaggedEmitter<C> {
    return this.#flagged({ volatile: true });
  }

  /** Emits whose ack fails with an error after `ms`. */
  timeout(ms: number): FlaggedEmitter<C> {
    return this.#flagged({ timeout: ms });
  }

  #flagged(flags: Flags): FlaggedEmitter<C> {
    const emitter = {
      emit: (event: string, ...args: unknown[]) => {
        this.#emit(event, args, flags);
        return emitter;
      },
      emitWithAck: (event: string, ...args: unknown[]) => this.#emitWithAck(event, args, flags),
      timeout: (ms: number) => this.#flagged({ ...flags, timeout: ms }),
    } as unknown as FlaggedEmitter<C>;
    Object.defineProperty(emitter, "volatile", {
      get: () => this.#flagged({ ...flags, volatile: true }),
    });
    return emitter;
  }

  #emit(event: string, args: unknown[], flags: Flags): void {
    let pending: PendingAck | undefined;
    if (typeof args[args.length - 1] === "function") {
      const fn = args.pop() as Listener;
      pending = { fn, withErr: flags.timeout !== undefined || this.#options.ackTimeout !== undefined };
    }
    this.#send(event, args, flags, pending);
  }

  #emitWithAck(event: string, args: unknown[], flags: Flags): Promise<any> {
    return new Promise((resolve, reject) => {
      // Always ask for failures, so a timeout or a lost connection rejects
      // the promise instead of leaving it pending forever.
      const fn = (err: unknown, ...res: unknown[]) => (err ? reject(err) : resolve(res[0]));
      this.#send(event, args, flags, { fn, withErr: true });
    });
  }

  #send(event: string, args: unknown[], flags: Flags, pending: PendingAck | undefined): void {
    const [json, bins] = deconstruct(args);
    this.#run((d) => {
      try {
        if (pending) {
          const id = d.emitWithAck(this.nsp, event, json, bins, flags.timeout ?? -1);
          this.#acks.set(id, pending);
        } else {
          const queued = d.emit(this.nsp, event, json, bins, flags.volatile === true);
          if (!queued) {
            this.io.emitLocal("emit_dropped", { event, reason: "volatile" });
            return;
          }
        }
      } catch (e) {
        if (pending?.withErr) pending.fn(e);
        else throw e;
        return;
      }
      this.#anyOutgoing.fire(event, args);
    });
  }

  /** Sends raw: an alias of `emit("message", ...args)`. */
  send(...args: unknown[]): this {
    this.#emit("message", args, {});
    return this;
  }

  // ---- rooms

  /**
   * Subscribes to a room; it is re-joined after every reconnection. A
   * string is an Omni room (`join_room {room, type}`); other products use
   * a {@link RoomDescription}. Returns the subscription key.
   */
  join(room: string | RoomDescription, options: { type?: string } = {}): string {
    // Without a type the core takes an Omni room's type from its name.
    const desc: RoomDescription =
      typeof room === "string" ? { preset: "omni", room, ...(options.type ? { type: options.type } : {}) } : room;
    const key = roomKey(desc);
    const json = JSON.stringify(desc);
    this.#run((d) => {
      d.join(this.nsp, json);
    });
    return key;
  }

  /** Unsubscribes from a room by key (or by the same description given to `join`). */
  leave(room: string | RoomDescription): this {
    const key = typeof room === "string" ? room : roomKey(room);
    this.#run((d) => d.leave(this.nsp, key));
    return this;
  }

  // ---- store for frameworks

  /** Calls `listener` whenever {@link getSnapshot} changes; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.#subscribers.add(listener);
    return () => {
      this.#subscribers.delete(listener);
    };
  };

  /** The current state; the same object until something changes. */
  getSnapshot = (): Snapshot => this.#snapshot;
}

/**
 * The subscription key the core gives a room description, by the preset
 * table generated from the core (so it is known before the WebAssembly
 * is loaded): the preset's prefix and the id, a numeric id without its
 * leading zeros.
 */
function roomKey(d: RoomDescription): string {
  if (d.preset === "custom") return d.key;
  const p = ROOM_PRESETS[d.preset];
  const id = (d as Record<string, unknown>)[p.field];
  if (p.numeric && typeof id === "string" && /^[0-9]+$/.test(id)) return p.keyPrefix + BigInt(id).toString();
  return p.keyPrefix + String(id);
}

/** What `socket.volatile` and `socket.timeout(ms)` return. */
export interface FlaggedEmitter<C extends EventsMap> {
  emit<E extends keyof C & string>(event: E, ...args: EmitArgs<C, E>): FlaggedEmitter<C>;
  emitWithAck<E extends keyof C & string>(event: E, ...args: EmitArgs<C, E>): Promise<any>;
  readonly volatile: FlaggedEmitter<C>;
  timeout(ms: number): FlaggedEmitter<C>;
}

/**
 * Opens a socket, like socket.io-client's `io(url, options)`. The URL's
 * path is the namespace (`http://host/admin` → `/admin`); every call makes
 * its own connection.
 */
export function io<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap>(
  url: string,
  options?: SocketOptions,
): Socket<L, C> {
  return new Socket<L, C>(url, options);
}

export default io;

/** A socket typed with the Omni (seed 000) event maps. */
export type OmniSocket = Socket<OmniServerEvents, OmniClientEvents>;
/** A socket typed with the deployments (seed 001) event maps. */
export type DeploymentsSocket = Socket<DeploymentsServerEvents, DeploymentsClientEvents>;
/** A socket typed with the DOA (seed 002) event maps. */
export type DoaSocket = Socket<DoaServerEvents, DoaClientEvents>;
/** A socket typed with the FAMA (seed 003) event maps. */
export type FamaSocket = Socket<FamaServerEvents, FamaClientEvents>;
/** A socket typed with the marketplace (seed 004) event maps. */
export type MarketplaceSocket = Socket<MarketplaceServerEvents, MarketplaceClientEvents>;
