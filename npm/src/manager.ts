// The Manager: one Engine.IO connection (one wasm `Driver`, which runs the
// Rust core) shared by the sockets of its namespaces, with reconnection, as
// socket.io-client's `Manager`. It routes the driver's events by namespace
// to its sockets and keeps the session-wide ones (`open`, `close`, `error`,
// `reconnect*`) for itself.

import { Driver } from "./wasm/omni_socket_wasm.js";
import { NO_BINS } from "./binary.js";
import { debug } from "./debug.js";
import { Emitter, reportError } from "./emitter.js";
import { Engine, enginePacket } from "./engine.js";
import type { DriverEvents } from "./generated/driver.js";
import { Socket } from "./socket.js";
import type { ConnectionState, EventsMap, LatencyStats, ManagerOptions, SocketOptions } from "./types.js";
import { parseUrl } from "./url.js";
import { type Warm, enginePath, firstUrl, openWarm } from "./warm.js";
import { init, isLoaded } from "./wasm.js";

const log = debug("manager");
const logPacket = debug("engine");

/** The unit of `Driver.text`'s result: 2^32. */
const RETURN_UNIT = 4294967296;

/** The timer functions as the module found them (`useNativeTimers`: fake timers installed later are not used). */
const NATIVE_SET_TIMEOUT = globalThis.setTimeout;
const NATIVE_CLEAR_TIMEOUT = globalThis.clearTimeout;

type NodeLike = { process?: { versions?: { node?: string } } };
const IN_NODE = !!(globalThis as NodeLike).process?.versions?.node && typeof document === "undefined";

/** What the driver needs from its environment (the `host` of `new Driver`). */
interface Host {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  webSocket(url: string): WebSocket;
  fetch(url: string, init: RequestInit): Promise<unknown>;
}

/** Timers, WebSockets and `fetch`: the browser's, or Node's (`node.ts`, loaded only in Node). */
export interface Environment {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  WebSocket: new (url: string) => WebSocket;
  fetch(url: string, init: RequestInit): Promise<unknown>;
}

/** Socket.IO packet types of the driver's events (`disconnect` only as the server's DISCONNECT). */
const PACKET_TYPES: Record<string, number | undefined> = { connect: 0, disconnect: 1, message: 2, ack: 3, connect_error: 4 };

/** Whether compression applies to the frame being sent (`socket.compress(false)` clears it for one emit). */
let compressNext = true;

/** Runs `send` with the compress flag of one emit. */
export function withCompress<T>(compress: boolean, send: () => T): T {
  compressNext = compress;
  try {
    return send();
  } finally {
    compressNext = true;
  }
}

/** Options as the Rust core reads them (`ClientConfig`, camelCase). */
function toConfig(origin: string, opts: ManagerOptions, query: Record<string, unknown> | undefined, primary: string): string {
  // JSON.stringify leaves out functions and undefined values.
  const out: Record<string, unknown> = {
    // socket.io-client retries no refusal on its own, nor takes message
    // words for auth failures: both are the application's choice.
    authErrorPatterns: [],
    reconnectAfterRefusal: false,
    ...opts,
    url: origin,
    namespaces: [],
    // The namespace whose events may come back from `Driver.text` (its fast path).
    primary,
    // Every CONNECT waits for its socket's credentials: each socket has its own
    // (`setAuth` carries them as text; the core sends that text as it is).
    askAuth: true,
    auth: undefined,
  };
  if (query) out.query = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
  out.path = enginePath(opts);
  // The heartbeat's defaults (Omni's events, interval, version, platform)
  // are the core's.
  return JSON.stringify(out);
}

/**
 * One connection to a server, shared by the sockets of its namespaces
 * (`manager.socket(nsp)`), like socket.io-client's `Manager`. `io()` makes
 * one per origin and reuses it; `new Manager(url, options)` makes one
 * explicitly.
 *
 * Events: `open`, `close` (reason), `error` (a connection attempt failed),
 * `ping`, `packet` (a decoded Socket.IO packet `{type, nsp}`), and
 * `reconnect_attempt`, `reconnect`, `reconnect_error`, `reconnect_failed`;
 * beyond socket.io-client `upgrade`, `room`, `auth_failed`,
 * `auth_refresh_needed`, `auth_gave_up`, `rate_limited`, `emit_dropped`,
 * `protocol_error`, `latency`.
 */
export class Manager<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap> extends Emitter {
  /** The sockets by namespace. */
  nsps: Record<string, Socket<L, C>> = {};
  /** The options given. */
  opts: ManagerOptions;
  /** The URL given. */
  uri: string | undefined;
  /** The current Engine.IO session attempt, from the first `open()`. */
  engine: Engine | undefined = undefined;
  /** `closed`, `opening` or `open`, as socket.io-client's. */
  _readyState: "closed" | "opening" | "open" = "closed";

  #origin: string;
  #query: Record<string, unknown> | undefined;
  #primary: string;
  #driver: Driver | undefined;
  #queue: Array<(d: Driver) => void> = [];
  #disposed = false;
  #state: ConnectionState = "idle";
  #latency: LatencyStats | null = null;
  /** Set by `_close()` and `engine.close()` until the session is down: a close the application asked for (`forced close`). */
  #closing = false;
  /** The last disconnect reason seen, for the session-wide `close`. */
  #lastReason: string | undefined;
  #unlisten: (() => void) | undefined;
  /** The core's first transport, opened while the wasm loads (see warm.ts). */
  #warm: Warm | undefined;

  constructor(uri?: string | Partial<ManagerOptions>, opts?: Partial<ManagerOptions>) {
    super();
    if (uri !== undefined && typeof uri === "object") {
      opts = uri;
      uri = undefined;
    }
    this.opts = opts ?? {};
    this.uri = uri;
    const parsed = parseUrl(uri);
    this.#origin = parsed.origin;
    // As engine.io-client: a query string in the URL stands for the `query` option.
    this.#query = parsed.query ?? this.opts.query;
    this.#primary = parsed.nsp;
    if (isLoaded()) this.#start();
    else
      init().then(
        () => this.#start(),
        (e: unknown) => {
          this.#adopt(() => undefined);
          const err = new Error(`omni-socket: cannot load WebAssembly: ${String(e)}`);
          this.emitReserved("error", err);
          for (const s of this.#sockets()) s._onEvent("connect_error", { message: err.message }, NO_BINS, -1);
        },
      );
    this.#watchPage();
    if (this.opts.autoConnect !== false) this.open();
  }

  // ---- options as getters/setters (socket.io-client's names)

  #option<T>(key: keyof ManagerOptions, fallback: T, v: T | undefined): any {
    if (v === undefined) return (this.opts[key] as T | undefined) ?? fallback;
    (this.opts as Record<string, unknown>)[key] = v;
    this.#run((d) =>
      d.configure(
        this.reconnection(),
        this.reconnectionAttempts(),
        this.reconnectionDelay(),
        this.reconnectionDelayMax(),
        this.randomizationFactor(),
        this.timeout(),
      ),
    );
    return this;
  }

  /** Whether to reconnect on its own (`true`); with an argument, sets it. */
  reconnection(): boolean;
  reconnection(v: boolean): this;
  reconnection(v?: boolean): boolean | this {
    return this.#option("reconnection", true, v);
  }

  /** Attempts before giving up (`Infinity`); with an argument, sets it. */
  reconnectionAttempts(): number;
  reconnectionAttempts(v: number): this;
  reconnectionAttempts(v?: number): number | this {
    return this.#option("reconnectionAttempts", Infinity, v);
  }

  /** First reconnection delay in ms (1000); with an argument, sets it. */
  reconnectionDelay(): number;
  reconnectionDelay(v: number): this;
  reconnectionDelay(v?: number): number | this {
    return this.#option("reconnectionDelay", 1000, v);
  }

  /** Largest reconnection delay in ms (5000); with an argument, sets it. */
  reconnectionDelayMax(): number;
  reconnectionDelayMax(v: number): this;
  reconnectionDelayMax(v?: number): number | this {
    return this.#option("reconnectionDelayMax", 5000, v);
  }

  /** Jitter share of each delay (0.5); with an argument, sets it. */
  randomizationFactor(): number;
  randomizationFactor(v: number): this;
  randomizationFactor(v?: number): number | this {
    return this.#option("randomizationFactor", 0.5, v);
  }

  /** Connection timeout in ms (20000); with an argument, sets it. */
  timeout(): number;
  timeout(v: number): this;
  timeout(v?: number): number | this {
    return this.#option("timeout", 20000, v);
  }

  // ---- connection

  /** Opens the connection (no effect when open or opening); `fn` is called once it is open or has failed. */
  open(fn?: (err?: Error) => void): this {
    if (this._readyState !== "closed" || this.#disposed) return this;
    log("opening %s", this.#origin);
    this.#newEngine();
    if (fn) {
      // Once, on `open` (no argument) or on `error`.
      const done = (err?: Error) => {
        this.off("open", done).off("error", done);
        fn(err);
      };
      this.on("open", done).on("error", done);
    }
    if (!this.#driver) this.#warmUp();
    this.#run((d) => d.connect(true));
    return this;
  }

  /** Alias of {@link open}. */
  connect(fn?: (err?: Error) => void): this {
    return this.open(fn);
  }

  /**
   * The socket of namespace `nsp`: the one already made for it, or a new
   * one (connecting at once unless `autoConnect` is false).
   */
  socket(nsp: string, opts?: Partial<SocketOptions>): Socket<L, C> {
    let socket = this.nsps[nsp];
    if (!socket) {
      socket = new Socket<L, C>(this, nsp, opts);
      this.nsps[nsp] = socket;
      const name = socket.nsp;
      this.#run((d) => d.openNamespace(name, true));
      if (this.opts.autoConnect !== false) socket.connect();
    } else if (this.opts.autoConnect !== false && !socket.active) {
      socket.connect();
    }
    return socket;
  }

  /** Closes the connection and stops reconnecting (socket.io-client's `_close`). */
  _close(): void {
    this.#closing = true;
    this.#run((d) => d.dropTransport(false));
  }

  /** Alias of {@link _close}. */
  disconnect(): void {
    this._close();
  }

  /** The heartbeat statistics (option `heartbeat`), `null` before the first sample. */
  get latency(): LatencyStats | null {
    return this.#latency;
  }

  /** State of the Engine.IO session. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Reconnection attempts in the current streak. */
  get reconnectAttempts(): number {
    return this.#driver ? this.#driver.reconnectAttempts : 0;
  }

  /** The transport in use. */
  get transport(): "polling" | "websocket" | null {
    return (this.#driver?.transport ?? null) as "polling" | "websocket" | null;
  }

  // ---- for the sockets

  /**
   * Runs `op` on the driver now, or once the WebAssembly module is loaded.
   * @internal
   */
  _run(op: (d: Driver) => void): void {
    this.#run(op);
  }

  /**
   * `f` of the driver when there is one yet, else `fallback`.
   * @internal
   */
  _peek<T>(f: (d: Driver) => T, fallback: T): T {
    return this.#driver ? f(this.#driver) : fallback;
  }

  /**
   * A socket wants its namespace connected.
   * @internal
   */
  _openSocket(s: Socket<L, C>): void {
    this.#newEngine();
    this.#closing = false;
    this.#run((d) => d.openNamespace(s.nsp, false));
  }

  /**
   * A socket left its namespace; the connection closes with the last one (in the core).
   * @internal
   */
  _closeSocket(s: Socket<L, C>): void {
    // socket.io-client closes the connection when no socket is left active:
    // a close the application asked for.
    if (!this.#sockets().some((o) => o !== s && o.active)) this.#closing = true;
    this.#run((d) => d.closeNamespace(s.nsp));
  }

  /**
   * A socket was disposed: the Manager goes with the last one.
   * @internal
   */
  _disposeSocket(s: Socket<L, C>): void {
    this._closeSocket(s);
    if (this.nsps[s.nsp] === s) delete this.nsps[s.nsp];
    if (Object.keys(this.nsps).length === 0) this.#dispose();
  }

  /**
   * Whether the Manager was disposed with its last socket (`socket.dispose()`).
   * @internal
   */
  get _disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Whether binary arguments are given as Node `Buffer`s.
   * @internal
   */
  get _nodeBuffers(): boolean {
    return this.engine ? this.engine.binaryType === "nodebuffer" : IN_NODE;
  }

  // ---- internals

  #run(op: (d: Driver) => void): void {
    if (this.#disposed) return;
    if (this.#driver) op(this.#driver);
    else this.#queue.push(op);
  }

  /** A new engine for a new connection attempt, unless the current one is still opening or open. */
  #newEngine(): void {
    const old = this.engine;
    if (old && old.readyState !== "closed") return;
    const transports = this.opts.transports ?? ["polling", "websocket"];
    this.engine = new Engine(
      transports[0] ?? "polling",
      IN_NODE ? "nodebuffer" : "arraybuffer",
      () => {
        this.#closing = true;
        this.#run((d) => d.dropTransport(true));
      },
      (op) => this.#run(op),
    );
    this._readyState = "opening";
  }

  #dispose(): void {
    if (this.#disposed) return;
    const d = this.#driver;
    if (d) {
      d.destroy();
      this.#driver = undefined;
      // Freeing needs the driver unborrowed; this may run inside one of its
      // own event callbacks, so wait until that call has returned.
      queueMicrotask(() => d.free());
    }
    this.#disposed = true;
    this.#queue = [];
    this.#adopt(() => undefined);
    this.#unlisten?.();
    this._readyState = "closed";
    this.#state = "idle";
  }

  /**
   * Opens the transport the core will ask for first, so that its handshake
   * overlaps the wasm download instead of following it. Only in a browser
   * (in Node the module loads at once) and for the built-in transports.
   */
  #warmUp(): void {
    if (IN_NODE || this.#warm || isLoaded()) return;
    const transport = (this.opts.transports ?? ["polling", "websocket"])[0];
    if ((transport !== "polling" && transport !== "websocket") || typeof WebSocket !== "function" || typeof fetch !== "function") return;
    try {
      const url = firstUrl(this.#origin, enginePath(this.opts), transport, this.#query);
      this.#warm = openWarm(url, { WebSocket, fetch: (u, i) => fetch(u, i) }, !!this.opts.withCredentials);
    } catch {
      // (A lone surrogate in the query, say.) The core's own attempt
      // reports what is wrong with the URL.
    }
  }

  /**
   * The early transport, when `take` takes it for what the core asks;
   * closed when not: the core asked for something else (or for nothing).
   */
  #adopt<T>(take: (w: Warm) => T | undefined): T | undefined {
    const warm = this.#warm;
    if (!warm) return undefined;
    this.#warm = undefined;
    const got = take(warm);
    if (got === undefined) warm.close();
    return got;
  }

  #start(): void {
    if (this.#disposed || this.#driver) return;
    const native = this.opts.useNativeTimers;
    const timers = {
      setTimeout: (fn: () => void, ms: number): unknown => (native ? NATIVE_SET_TIMEOUT : setTimeout)(fn, ms),
      clearTimeout: (h: unknown) => (native ? NATIVE_CLEAR_TIMEOUT : clearTimeout)(h as number),
    };
    if (IN_NODE) {
      import("./node-env.js")
        .then((m) => m.nodeEnvironment(timers, !!this.opts.autoUnref))
        .then((env) => this.#create(env), reportError);
    } else {
      this.#create({ ...timers, WebSocket, fetch: (url, init) => fetch(url, init) });
    }
  }

  /** The driver's host: `env`, with the engine's packet events and debug lines. */
  #host(env: Environment): Host {
    const sent = (data: string | ArrayBuffer | Uint8Array) => {
      const engine = this.engine;
      logPacket("sending %o", data);
      // Messages and pongs, as engine.io-client tells them (not its probe,
      // upgrade or close packets, which bypass its packet queue).
      if (engine?.hasListeners("packetCreate") && (typeof data !== "string" || /^[34]/.test(data))) {
        // Sends happen inside the driver, which its listeners must not re-enter.
        const packet = enginePacket(data, compressNext);
        queueMicrotask(() => engine.emitReserved("packetCreate", packet));
      }
    };
    return {
      setTimeout: env.setTimeout,
      clearTimeout: env.clearTimeout,
      webSocket: (url) => {
        this.#newEngine();
        const ws = (this.#adopt((w) => w.takeSocket(url)) ?? new env.WebSocket(url)) as WebSocket & {
          send(d: unknown, o?: unknown): void;
        };
        const send = ws.send;
        ws.send = (data: string | ArrayBuffer | Uint8Array) => {
          sent(data);
          // The `ws` package takes per-message options (compression); browsers ignore them.
          send.call(ws, data, { compress: compressNext });
          const engine = this.engine;
          if (engine?.hasListeners("drain")) queueMicrotask(() => engine.emitReserved("drain"));
        };
        return ws;
      },
      fetch: (url, init) => {
        const body = init.body;
        if (!url.includes("&sid=")) this.#newEngine();
        if (typeof body === "string") for (const r of body.split("\x1e")) sent(r);
        const got = this.#adopt((w) => w.takeFetch(url, init)) ?? env.fetch(url, init);
        if (body !== undefined) return got;
        // A GET's records, as they are read (`packet`, `ping`, debug lines).
        return got.then((resp) => {
          const r = resp as { ok: boolean; status: number; text(): Promise<string> };
          return {
            ok: r.ok,
            status: r.status,
            text: () =>
              r.text().then((t) => {
                for (const rec of t.split("\x1e")) this.#received(rec);
                return t;
              }),
          };
        });
      },
    };
  }

  /** An Engine.IO frame arrived (`packet` event and debug log). */
  #received(data: string | ArrayBuffer): void {
    logPacket("received %o", data);
    const engine = this.engine;
    if (engine?.hasListeners("packet") && data !== "3probe") engine.emitReserved("packet", enginePacket(data));
    if (data === "2") this.emitReserved("ping");
  }

  #create(env: Environment): void {
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
    const primary = this.#primary;
    const driver = new Driver(
      toConfig(this.#origin, this.opts, this.#query, primary),
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
        this.#received(data as string);
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
            receive(data.slice(offset), "message", primary, NO_BINS, (code - offset) / RETURN_UNIT - 1);
          }
        } else if (data instanceof ArrayBuffer) {
          driver.binary(id, new Uint8Array(data), e.timeStamp);
        }
      },
      this.#host(env),
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
    // Not taken by the first connect (or none was asked for): not needed.
    this.#adopt(() => undefined);
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

  #sockets(): Socket<L, C>[] {
    return Object.values(this.nsps);
  }

  // `data` is parsed JSON: the driver's record `DriverEvents[kind]`
  // (generated from the core's, so the fields read here are checked), or a
  // server event's array.
  #onEvent(kind: string, nsp: string, data: any, bins: Uint8Array[], ack: number): void {
    if (nsp !== "") {
      // A connection attempt failed: the Manager's `error` comes first, as
      // socket.io-client's sockets hear of it from their Manager.
      if (kind === "connect_error") this.#down((data as DriverEvents["connect_error"]).message);
      else if (kind === "disconnect") {
        const { reason }: DriverEvents["disconnect"] = data;
        if (reason !== "io server disconnect" && reason !== "io client disconnect") {
          // The connection is lost: the Manager's `close` comes first, as
          // socket.io-client's sockets hear of it from their Manager.
          this.#lastReason = reason;
          this.#down();
        }
      }
      // socket.io-client's `packet`: the Socket.IO packets received.
      const type = PACKET_TYPES[kind];
      if (type !== undefined && this.hasListeners("packet") && (type !== 1 || data.reason === "io server disconnect")) {
        this.emitReserved("packet", {
          type: type === 2 && bins.length ? 5 : type,
          nsp,
          // A copy: the socket takes the event name off its array.
          data: type === 3 ? data.args : type === 1 ? undefined : type === 2 ? [...data] : data,
          id: ack >= 0 ? ack : undefined,
        });
      }
      this.nsps[nsp]?._onEvent(kind, data, bins, ack);
      return;
    }
    const engine = this.engine;
    switch (kind) {
      case "state": {
        const state: DriverEvents["state"] = data;
        this.#state = state;
        if (state === "idle" || state === "reconnecting") this.#down();
        this.#changed();
        break;
      }
      case "open": {
        const { sid }: DriverEvents["open"] = data;
        log("open %s", sid);
        this._readyState = "open";
        this.#closing = false;
        if (engine) {
          engine.id = sid;
          engine.readyState = "open";
          engine.transport = { name: this.transport as string };
          engine.emitReserved("open");
        }
        this.emitReserved("open");
        break;
      }
      case "upgrade": {
        const r: DriverEvents["upgrade"] = data;
        log("upgrade %s", r.transport);
        if (engine) {
          engine.transport = { name: r.transport };
          engine.emitReserved("upgrade", engine.transport);
        }
        this.emitReserved("upgrade", r);
        this.#changed();
        break;
      }
      case "reconnect_attempt":
        // Scheduled; socket.io-client's `reconnect_attempt` is when it
        // starts (`reconnecting`).
        this.#down();
        break;
      case "reconnecting": {
        const { attempt }: DriverEvents["reconnecting"] = data;
        log("reconnect_attempt %d", attempt);
        this.#forSockets("reconnect_attempt", attempt);
        break;
      }
      case "reconnect": {
        const { attempt }: DriverEvents["reconnect"] = data;
        log("reconnect");
        this.#forSockets(kind, attempt);
        break;
      }
      case "reconnect_error": {
        const { message }: DriverEvents["reconnect_error"] = data;
        this.#down(message);
        this.#forSockets(kind, new Error(message));
        break;
      }
      case "reconnect_failed":
        this.#down();
        log("reconnect_failed");
        this.#forSockets(kind);
        break;
      case "latency": {
        const r: DriverEvents["latency"] = data;
        this.#latency = r.stats;
        this.#forSockets(kind, r);
        break;
      }
      case "auth_refresh_needed": {
        const r: DriverEvents["auth_refresh_needed"] = data;
        this.emitReserved(kind, r);
        this.#refreshAuth(r.failures);
        break;
      }
      default:
        // auth_gave_up, protocol_error
        this.emitReserved(kind, data);
    }
  }

  /** A session-wide event for the Manager and, as this package always did, its sockets. */
  #forSockets(event: string, ...args: unknown[]): void {
    this.#changed();
    this.emitReserved(event, ...args);
    for (const s of this.#sockets()) s.emitReserved(event, ...args);
  }

  /**
   * The session, or the attempt to open one, is over (several events say
   * so; the first one counts): the engine closes, and the Manager emits
   * `close` for a session that was open or closed on purpose, `error`
   * for a failed attempt.
   */
  #down(error?: string): void {
    const engine = this.engine;
    if (!engine || engine.readyState === "closed") return;
    const wasOpen = engine.readyState === "open";
    const closing = this.#closing;
    const reason = closing ? "forced close" : (this.#lastReason ?? "transport close");
    this.#closing = false;
    this.#lastReason = undefined;
    this._readyState = "closed";
    engine.readyState = "closed";
    engine.emitReserved("close", reason);
    if (wasOpen || closing) {
      log("close %s", reason);
      this.emitReserved("close", reason);
    } else {
      log("error %s", error);
      this.emitReserved("error", new Error(error ?? "connection error"));
    }
  }

  #refreshAuth(failures: number): void {
    const refresh = this.opts.refreshAuth;
    if (!refresh) return;
    Promise.resolve()
      .then(() => refresh(failures))
      .then((auth) => {
        for (const s of this.#sockets()) s._refreshed(auth);
        const json = JSON.stringify(auth ?? null);
        this.#run((d) => d.setAuth(json, false));
      }, reportError);
  }

  #changed(): void {
    for (const s of this.#sockets()) s._changed();
  }
}
