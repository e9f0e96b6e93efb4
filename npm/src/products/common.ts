// What the product modules share: one socket per product client, opened
// with that product's rate table, joins that settle on the server's
// verdict, `{success: false}` acks turned into errors, and seed 002's
// status. Each module (`omni-socket/products/<name>`) is a thin layer of
// the seed's own helper names over a socket of the package.

import { io } from "../index.js";
import type { EventsMap, RoomDescription, Socket, SocketOptions, SocketStatus } from "../index.js";

/** The seed products, as the core's rate tables name them. */
export type ProductName = "omni" | "deployments" | "doa" | "fama" | "marketplace";

/** How long a join or a request waits for the server's answer by default (10 s, as the native modules). */
export const ANSWER_TIMEOUT = 10_000;

/** Options of a product client: the socket's options, and how long answers may take. */
export interface ProductOptions extends SocketOptions {
  /** Milliseconds a join or a request waits for the server's answer (10000). */
  answerTimeout?: number;
}

/**
 * The server refused a room, a subscription or a request: its `code`
 * (`FORBIDDEN`, `NOT_FOUND`, ...) when it gave one, and its message.
 */
export class RefusedError extends Error {
  /** The server's error code, when it gave one (a refused join carries its message only). */
  readonly code: string | undefined;
  /** The subscription key of a refused room, for joins. */
  readonly key: string | undefined;

  constructor(message: string, code?: string, key?: string) {
    super(message);
    this.name = "RefusedError";
    this.code = code;
    this.key = key;
  }
}

/**
 * Opens the product's socket: a connection of its own (`forceNew`, so no
 * other product's table paces it), paced by the product's rate table
 * unless `rateLimit` says otherwise.
 * @internal
 */
export function openProductSocket<L extends EventsMap, C extends EventsMap>(
  product: ProductName,
  url: string,
  options: ProductOptions,
): Socket<L, C> {
  const { answerTimeout: _, ...opts } = options;
  // The core's option reader takes `{product}` and adds the fields given.
  const rateLimit = { product, ...(opts.rateLimit ?? {}) } as SocketOptions["rateLimit"];
  return io<L, C>(url, { forceNew: true, ...opts, rateLimit });
}

/**
 * Joins `room` and settles on the server's verdict: resolves once the
 * core reports it joined, rejects with {@link RefusedError} when the
 * server refuses it, or with a timeout error. The room stays wanted (and
 * is joined again after every reconnection) until left, even when the
 * first answer is late.
 * @internal
 */
export function joinConfirmed(socket: Socket<any, any>, room: RoomDescription, timeout: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let key: string | undefined;
    let settled = false;
    let sawChange = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(key as string);
    };
    // The socket's store changes whenever a room's state does; a verdict
    // counts only after this join moved the room (a room refused earlier
    // reads "failed" until the new join goes out).
    const check = () => {
      if (key === undefined) return;
      const status = socket.rooms[key];
      if (!status) return;
      if (status.state === "joining") sawChange = true;
      if (!sawChange) return;
      if (status.state === "joined") finish();
      else if (status.state === "failed") {
        finish(new RefusedError(status.reason ?? "refused", undefined, key));
      }
    };
    const unsubscribe = socket.subscribe(check);
    const timer = setTimeout(() => finish(new Error(`no answer to joining ${key ?? "the room"} within ${timeout} ms`)), timeout);
    const was = socket.rooms;
    key = socket.join(room);
    // Already joined: the core has nothing to do and says nothing.
    if (socket.rooms === was && was[key]?.state === "joined") finish();
    else check();
  });
}

/**
 * Emits `event` with `payload` and waits for the ack: its first argument,
 * or {@link RefusedError} for `{success: false, code, message}`.
 * @internal
 */
export async function request(socket: Socket<any, any>, event: string, payload: unknown, timeout: number): Promise<Record<string, any>> {
  const answer = await (socket.timeout(timeout) as Socket<any, any>).emitWithAck(event, payload);
  if (answer === null || typeof answer !== "object") throw new RefusedError(`${event}: expected an answer object, got ${JSON.stringify(answer)}`);
  if (answer.success === false) {
    throw new RefusedError(typeof answer.message === "string" ? answer.message : "refused", typeof answer.code === "string" ? answer.code : undefined);
  }
  return answer;
}

/**
 * `options` with `auth: {token}`, plus any `auth` fields they give (the
 * products whose servers take a bare JWT).
 * @internal
 */
export function withToken(token: string, options: ProductOptions): ProductOptions {
  return { ...options, auth: { token, ...(options.auth as Record<string, unknown> | undefined) } };
}

/**
 * Adds `fn` as a listener of `event` and returns what removes it (the
 * seeds' `onX(fn)` helpers).
 * @internal
 */
export function listen(
  target: { on(event: any, fn: any): unknown; off(event: any, fn: any): unknown },
  event: string,
  fn: (...args: any[]) => void,
): () => void {
  target.on(event, fn);
  return () => {
    target.off(event, fn);
  };
}

/**
 * What every product client has: its socket, seed 002's status, the
 * connection's events and disconnecting.
 */
export abstract class ProductClient<L extends EventsMap, C extends EventsMap> {
  /** The socket underneath, for events the module has no helper for. */
  readonly socket: Socket<L, C>;
  /** Milliseconds joins and requests wait for an answer. */
  protected readonly answerTimeout: number;

  /** @internal */
  constructor(product: ProductName, url: string, options: ProductOptions) {
    this.socket = openProductSocket<L, C>(product, url, options);
    this.answerTimeout = options.answerTimeout ?? ANSWER_TIMEOUT;
  }

  /** Whether the socket is connected. */
  get isConnected(): boolean {
    return this.socket.connected;
  }

  /** Seed 002's status: `{isConnected, socketId, reconnectAttempts}`. */
  getStatus(): SocketStatus {
    return this.socket.status();
  }

  /** Calls `fn` after every reconnection (seed 002 reloads its data then); returns what removes it. */
  onReconnect(fn: (attempt: number) => void): () => void {
    return listen(this.socket.io, "reconnect", fn);
  }

  /** Calls `fn` on every connection (the first and each reconnection); returns what removes it. */
  onConnect(fn: () => void): () => void {
    return listen(this.socket, "connect", fn);
  }

  /** Calls `fn` on every disconnection with its reason; returns what removes it. */
  onDisconnect(fn: (reason: string) => void): () => void {
    return listen(this.socket, "disconnect", fn);
  }

  /** Joins `room` on the server's verdict (see {@link joinConfirmed}). */
  protected join(room: RoomDescription): Promise<string> {
    return joinConfirmed(this.socket, room, this.answerTimeout);
  }

  /** Emits `event` and waits for its ack (see {@link request}). */
  protected request(event: string, payload: unknown): Promise<Record<string, any>> {
    return request(this.socket, event, payload, this.answerTimeout);
  }

  /** Disconnects and frees the socket; the client is unusable afterwards. */
  disconnect(): void {
    this.socket.dispose();
  }
}
