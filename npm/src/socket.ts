// One namespace over a Manager's connection, as socket.io-client's
// `Socket`: listeners, emits with acks, buffers, and this package's rooms,
// status and framework store.

import { deconstruct, NO_BINS, revive } from "./binary.js";
import { debug } from "./debug.js";
import { AnyListeners, Emitter, reportError, type AnyListener, type Listener } from "./emitter.js";
import type { DriverEvents } from "./generated/driver.js";
import { ROOM_PRESETS } from "./generated/rooms.js";
import { withCompress, type Manager } from "./manager.js";
import type {
  ConnectionState,
  EmitArgs,
  EventsMap,
  LatencyStats,
  ReservedEvents,
  RoomDescription,
  RoomStatus,
  Snapshot,
  SocketOptions,
  SocketStatus,
} from "./types.js";

const log = debug("socket");

/** Event names Socket.IO keeps for itself, refused by `emit` with socket.io-client's message. */
const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

const EMPTY_ROOMS: Readonly<Record<string, RoomStatus>> = Object.freeze({});

interface Flags {
  volatile?: boolean;
  timeout?: number;
  compress?: boolean;
}

/**
 * An ack callback waiting in `acks`; with `withError` it gets an error (or
 * null) first, as socket.io-client marks its own.
 */
export type PendingAck = Listener & { withError?: boolean };

/** `fn` as a pending ack (a wrapper: the caller's function is not marked). */
const pendingAck = (fn: Listener, withError: boolean): PendingAck =>
  Object.assign((...a: unknown[]) => fn(...a), { withError });

/** An emit waiting for the connection, as socket.io-client lists them in `sendBuffer`. */
export interface BufferedPacket {
  type: 2;
  nsp: string;
  data: unknown[];
  id?: number;
}

/**
 * A Socket.IO client socket on one namespace, like socket.io-client's
 * `Socket`. `L` maps the events the server sends to their payloads, `C`
 * the events the client sends (see the generated maps, e.g.
 * `Socket<OmniServerEvents, OmniClientEvents>`).
 */
export class Socket<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap> {
  /** The Manager: the connection this socket shares with the other namespaces of its server. */
  readonly io: Manager<L, C>;
  /** The namespace, e.g. `/` or `/admin`. */
  readonly nsp: string;
  /** The socket id while connected. */
  id: string | undefined = undefined;
  /** Whether the namespace is connected. */
  connected = false;
  /** Whether the last connection restored the session (connection state recovery). */
  recovered = false;
  /** Server events that arrived before `connect`; they are delivered just before it. */
  receiveBuffer: unknown[][] = [];
  /** Emits that wait for the connection (socket.io-client's `sendBuffer`). */
  sendBuffer: BufferedPacket[] = [];
  /** Ack emits in flight while `retries` is set (socket.io-client's `_queue`). */
  _queue: Array<{ id: number; args: unknown[] }> = [];
  /** Flags for the next emit (`volatile`, `timeout`, `compress`). */
  flags: Flags = {};

  #events = new Emitter();
  #any = new AnyListeners();
  #anyOutgoing = new AnyListeners();
  #opts: Partial<SocketOptions>;
  /** The `auth` option when it is a callback, until `auth` is assigned. */
  #authCallback: ((cb: (auth: Record<string, unknown>) => void) => void) | undefined;
  #auth: Record<string, unknown> | undefined;
  #acks: Record<number, PendingAck> = {};
  #opened = false;
  #disposed = false;
  #snapshot: Snapshot;
  #subscribers = new Set<() => void>();
  #rooms: Readonly<Record<string, RoomStatus>> = EMPTY_ROOMS;

  /** Made by {@link Manager.socket} (or `io()`). */
  constructor(io: Manager<L, C>, nsp: string, opts: Partial<SocketOptions> = {}) {
    this.io = io;
    this.nsp = nsp === "" ? "/" : nsp;
    this.#opts = opts;
    const auth = opts.auth;
    if (typeof auth === "function") this.#authCallback = auth;
    else if (auth) this.#auth = auth;
    this.#snapshot = this.#makeSnapshot();
  }

  // ---- connection

  /** Connects the namespace (and the Manager's connection if needed); no effect when connected. */
  connect(): this {
    if (this.connected || this.#disposed) return this;
    this.#opened = true;
    this.io._openSocket(this);
    return this;
  }

  /** Alias of {@link connect}. */
  open(): this {
    return this.connect();
  }

  /**
   * Disconnects the namespace (the connection closes with its last one);
   * rooms and buffered emits are kept for `connect()`.
   */
  disconnect(): this {
    this.#opened = false;
    this.io._closeSocket(this);
    // Called from a listener of another event, the core's `disconnect`
    // waits for that event to finish; socket.io-client's comes before
    // `disconnect()` returns, so tell it now (the core's is then ignored).
    if (this.connected) this.#closed("io client disconnect", true);
    return this;
  }

  /** Alias of {@link disconnect}. */
  close(): this {
    return this.disconnect();
  }

  /** Disconnects and frees the WebAssembly state with the Manager's last socket; the socket is unusable afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.io._disposeSocket(this);
    this.#disposed = true;
    this.#opened = false;
    this.#acks = {};
    this.connected = false;
    this.id = undefined;
    this._changed();
  }

  /** Opposite of {@link connected}. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /**
   * Whether the socket is connected or will reconnect on its own, as in
   * socket.io-client: in a `connect_error` listener, `false` means nothing
   * more happens until the application acts (it disconnected, the server
   * disconnected the namespace or refused it, reconnection gave up).
   */
  get active(): boolean {
    if (this.#disposed) return false;
    return this.io._peek((d) => d.active(this.nsp), this.#opened);
  }

  /** State of the Manager's connection. */
  get state(): ConnectionState {
    return this.io.state;
  }

  /** Heartbeat round-trip statistics, `null` before the first sample. */
  get latency(): LatencyStats | null {
    return this.io.latency;
  }

  /** Room subscriptions by key. */
  get rooms(): Readonly<Record<string, RoomStatus>> {
    return this.#rooms;
  }

  /** Emits waiting in the offline buffer. */
  get buffered(): number {
    return this.io._peek((d) => d.buffered(this.nsp), 0);
  }

  /** Ack callbacks waiting for the server, by request id. */
  get acks(): Record<number, PendingAck> {
    return this.#acks;
  }

  /** Seed 002's status: `{isConnected, socketId, reconnectAttempts}`. */
  status(): SocketStatus {
    return {
      isConnected: this.connected,
      socketId: this.id ?? null,
      reconnectAttempts: this.io.reconnectAttempts,
    };
  }

  // ---- auth

  /** The auth object sent with every CONNECT, read again for each one (mutating it applies at the next). */
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
    this.#auth = auth ?? undefined;
    if (options.reconnect === true && this.active) this.disconnect().connect();
    return this;
  }

  /**
   * New credentials from the `refreshAuth` option.
   * @internal
   */
  _refreshed(auth: Record<string, unknown>): void {
    if (!this.#authCallback) this.#auth = auth;
  }

  #answerAuth(auth: Record<string, unknown> | null | undefined): void {
    const json = JSON.stringify(auth ?? null);
    this.io._run((d) => d.setAuth(json, false, this.nsp));
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

  /** Alias of {@link off}. */
  removeAllListeners(event?: string): this {
    return this.off(event);
  }

  listeners(event: string): Listener[] {
    return this.#events.listeners(event);
  }

  hasListeners(event: string): boolean {
    return this.#events.hasListeners(event);
  }

  /** Calls the local listeners of `event` (the socket's own events: `connect`, `disconnect`, …). */
  emitReserved(event: string, ...args: unknown[]): this {
    this.#events.emitReserved(event, ...args);
    return this;
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
   * (with `timeout(ms)`, `ackTimeout` or `retries` first an error argument,
   * as in socket.io-client). While disconnected, emits wait in a bounded
   * buffer.
   */
  emit<E extends keyof C & string>(event: E, ...args: EmitArgs<C, E>): this;
  emit(event: string, ...args: unknown[]): this {
    const flags = this.#takeFlags();
    let pending: PendingAck | undefined;
    const o = this.#opts;
    if (typeof args[args.length - 1] === "function") {
      const fn = args.pop() as Listener;
      pending = pendingAck(fn, flags.timeout !== undefined || o.ackTimeout !== undefined || !!o.retries);
    } else if (o.retries && !flags.volatile) {
      // As socket.io-client: with retries every emit asks for an ack, to know when to resend.
      pending = pendingAck(() => {}, true);
    }
    this.#send(event, args, flags, pending);
    return this;
  }

  /** Sends and resolves with the server's first ack argument; rejects on timeout or when the connection is lost. */
  emitWithAck<E extends keyof C & string>(event: E, ...args: EmitArgs<C, E>): Promise<any>;
  emitWithAck(event: string, ...args: unknown[]): Promise<any> {
    const flags = this.#takeFlags();
    return new Promise((resolve, reject) => {
      // Always ask for failures, so a timeout or a lost connection rejects
      // the promise instead of leaving it pending forever.
      const fn = (err: unknown, ...res: unknown[]) => (err ? reject(err) : resolve(res[0]));
      this.#send(event, args, flags, pendingAck(fn, true));
    });
  }

  /** The next emit is dropped instead of buffered when not connected. */
  get volatile(): this {
    this.flags.volatile = true;
    return this;
  }

  /** The next emit's ack fails with an error after `ms`. */
  timeout(ms: number): this {
    this.flags.timeout = ms;
    return this;
  }

  /** Whether the next emit may be compressed (WebSocket per-message deflate; default `true`). */
  compress(compress: boolean): this {
    this.flags.compress = compress;
    return this;
  }

  #takeFlags(): Flags {
    const flags = this.flags;
    this.flags = {};
    return flags;
  }

  #send(event: string, args: unknown[], flags: Flags, pending: PendingAck | undefined): void {
    if (RESERVED.has(event)) throw new Error(`"${event}" is a reserved event name`);
    if (flags.volatile && !this.connected) {
      // As socket.io-client: not sent, not buffered, never acked.
      this.io.emitReserved("emit_dropped", { event, reason: "volatile" });
      return;
    }
    const [json, bins] = deconstruct(args);
    const queued = pending && this.#opts.retries ? { id: -1, args } : undefined;
    if (queued) this._queue.push(queued);
    // Offline, the core buffers it until connect.
    const buffered: BufferedPacket | undefined = this.connected
      ? undefined
      : { type: 2, nsp: this.nsp, data: [event, ...args] };
    if (buffered) this.sendBuffer.push(buffered);
    this.io._run((d) => {
      try {
        withCompress(flags.compress !== false, () => {
          if (pending) {
            const id = d.emitWithAck(this.nsp, event, json, bins, flags.timeout ?? this.#opts.ackTimeout ?? -1);
            this.#acks[id] = pending;
            if (queued) queued.id = id;
            if (buffered) buffered.id = id;
          } else if (!d.emit(this.nsp, event, json, bins, flags.volatile === true)) {
            this.io.emitReserved("emit_dropped", { event, reason: "volatile" });
            return;
          }
          log("emit %s", event);
          this.#anyOutgoing.fire(event, args);
        });
      } catch (e) {
        if (queued) this._queue.splice(this._queue.indexOf(queued), 1);
        if (buffered) this.sendBuffer.splice(this.sendBuffer.indexOf(buffered), 1);
        if (pending?.withError) pending(e);
        else throw e;
      }
    });
  }

  /** Sends raw: an alias of `emit("message", ...args)`. */
  send(...args: unknown[]): this {
    return (this.emit as (event: string, ...a: unknown[]) => this)("message", ...args);
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
    this.io._run((d) => {
      d.join(this.nsp, json);
    });
    return key;
  }

  /** Unsubscribes from a room by key (or by the same description given to `join`). */
  leave(room: string | RoomDescription): this {
    const key = typeof room === "string" ? room : roomKey(room);
    this.io._run((d) => d.leave(this.nsp, key));
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

  #makeSnapshot(): Snapshot {
    const io = this.io;
    return {
      state: io.state,
      connected: this.connected,
      id: this.id,
      reconnectAttempts: io.reconnectAttempts,
      latency: io.latency,
      rooms: this.#rooms,
      transport: io.transport,
    };
  }

  /**
   * Something the snapshot shows may have changed.
   * @internal
   */
  _changed(): void {
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

  // ---- events from the Manager

  /**
   * A driver event for this namespace; `data` is parsed JSON: the record
   * `DriverEvents[kind]` (generated from the core's), or a server event's
   * array for `message`.
   * @internal
   */
  _onEvent(kind: string, data: any, bins: Uint8Array[], ack: number): void {
    switch (kind) {
      case "message":
        this.#onMessage(data, bins, ack);
        break;
      case "ack": {
        const r: DriverEvents["ack"] = data;
        const p = this.#settle(r.request);
        if (!p) break;
        const args = revive(r.args, bins, this.io._nodeBuffers) as unknown[];
        if (p.withError) p(null, ...args);
        else p(...args);
        break;
      }
      case "ack_failed": {
        const r: DriverEvents["ack_failed"] = data;
        const p = this.#settle(r.request);
        if (p?.withError) {
          const msg =
            r.reason === "timeout"
              ? "operation has timed out"
              : r.reason === "dropped"
                ? "emit dropped from a full buffer"
                : "socket has been disconnected";
          p(new Error(msg));
        }
        break;
      }
      case "connect": {
        const r: DriverEvents["connect"] = data;
        log("connect %s %s", this.nsp, r.sid);
        this.id = r.sid;
        this.connected = true;
        this.recovered = r.recovered === true;
        // The core sends what was buffered now.
        this.sendBuffer = [];
        this._changed();
        const received = this.receiveBuffer;
        this.receiveBuffer = [];
        for (const [event, ...args] of received) this.#deliver(event as string, args);
        this.#events.emitReserved("connect");
        break;
      }
      case "connect_error": {
        const r: DriverEvents["connect_error"] = data;
        log("connect_error %s %s", this.nsp, r.message);
        const err = Object.assign(new Error(r.message), { data: r.data ?? undefined });
        this.#events.emitReserved("connect_error", err);
        break;
      }
      case "disconnect": {
        const r: DriverEvents["disconnect"] = data;
        if (this.connected) this.#closed(r.reason, false);
        break;
      }
      case "room": {
        const r: DriverEvents["room"] = data;
        const rooms = { ...this.#rooms };
        if (r.state === "unsubscribed") delete rooms[r.key];
        else rooms[r.key] = r;
        this.#rooms = Object.freeze(rooms);
        this._changed();
        this.io.emitReserved("room", r);
        break;
      }
      case "auth_requested": {
        // The CONNECT waits for an answer: the callback's, or the
        // credentials as they are now.
        const ask = this.#authCallback;
        if (ask) ask((auth) => this.#answerAuth(auth));
        else this.#answerAuth(this.#auth);
        break;
      }
      default:
        // auth_failed, rate_limited, emit_dropped
        this.io.emitReserved(kind, data);
    }
  }

  /**
   * The namespace is disconnected: `disconnect`, then acks in flight fail
   * (the core says which with `ack_failed`; told `early`, before the core's
   * events, the socket fails those not buffered itself).
   */
  #closed(reason: string, early: boolean): void {
    log("disconnect %s %s", this.nsp, reason);
    this.connected = false;
    this.id = undefined;
    this._changed();
    this.#events.emitReserved("disconnect", reason);
    if (early)
      for (const key in this.#acks) {
        const id = +key;
        if (this.sendBuffer.some((b) => b.id === id)) continue;
        const p = this.#settle(id);
        if (p?.withError) p(new Error("socket has been disconnected"));
      }
  }

  /** Takes the pending ack of `request` out of the socket's books. */
  #settle(request: number): PendingAck | undefined {
    const p = this.#acks[request];
    if (!p) return undefined;
    delete this.#acks[request];
    for (const list of [this._queue, this.sendBuffer] as Array<{ id?: number }[]>) {
      const i = list.findIndex((q) => q.id === request);
      if (i >= 0) list.splice(i, 1);
    }
    return p;
  }

  /** A server event: `data` is the packet's own array, `["name", ...args]`. */
  #onMessage(data: unknown[], bins: Uint8Array[], ack: number): void {
    const args = bins === NO_BINS ? data : (revive(data, bins, this.io._nodeBuffers) as unknown[]);
    const event = args.shift() as string;
    if (ack >= 0) {
      const id = ack;
      let sent = false;
      args.push((...res: unknown[]) => {
        if (sent) return;
        sent = true;
        const [j, b] = deconstruct(res);
        this.io._run((d) => d.ack(this.nsp, id, j, b));
      });
    }
    if (this.connected) this.#deliver(event, args);
    else this.receiveBuffer.push([event, ...args]);
  }

  #deliver(event: string, args: unknown[]): void {
    this.#any.fire(event, args);
    this.#events.emitReserved(event, ...args);
  }
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
