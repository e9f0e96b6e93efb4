// `omni-socket/products/omni`: the Omni platform (seed 000) over a socket
// of this package, like the native `omni_socket::products::omni`: rooms
// by name, `license_check`, notifications, binary data, the heartbeat's
// latency, and the `/admin` and `/analytics` namespaces on the same
// connection.

import type {
  LatencyStats,
  OmniAuth,
  OmniClientEvents,
  OmniLicenseCheckResult,
  OmniRealTimeStats,
  OmniServerEvents,
  OmniUserLogin,
  OmniUserLogout,
  Socket,
} from "../index.js";
import { listen, ProductClient, RefusedError, request, type ProductOptions } from "./common.js";

export { RefusedError, type ProductOptions } from "./common.js";

/**
 * An Omni client: `auth: {token, license_key, role}`, Omni's rate table
 * (shared by `/`, `/admin` and `/analytics`, as the server counts one
 * budget per user), the `heartbeat` → `heartbeat_response` latency, rooms
 * joined on `room_joined` / `room_error` and again after every
 * reconnection.
 *
 * ```ts
 * const omni = new OmniClient("https://omni.example", { token, license_key });
 * await omni.joinUserRoom("user_12345");
 * omni.on("notification", (n) => console.log(n.title));
 * const check = await omni.licenseCheck(license_key);
 * ```
 */
export class OmniClient extends ProductClient<OmniServerEvents, OmniClientEvents> {
  #auth: OmniAuth;
  #admin: OmniAdmin | undefined;
  #analytics: OmniAnalytics | undefined;

  /** Connects to `url` (Omni's namespace is `/`) with `auth` (any of token, license key and role). */
  constructor(url: string, auth: OmniAuth, options: ProductOptions = {}) {
    super("omni", url, { heartbeat: { mode: { type: "omni", platform: "web" } }, ...options, auth: { ...auth } });
    this.#auth = { ...auth };
  }

  /** Heartbeat round-trip statistics, `null` before the first sample. */
  get latency(): LatencyStats | null {
    return this.socket.latency;
  }

  /**
   * Adds a listener of a server event (typed by seed 000's models);
   * returns what removes it.
   */
  on<E extends keyof OmniServerEvents & string>(event: E, fn: (payload: OmniServerEvents[E], ...rest: any[]) => void): () => void {
    return listen(this.socket, event, fn);
  }

  /**
   * `join_room {room, type}`, the type following from the name
   * (`user_*`, `license_*`, `admin_dashboard`); resolves on `room_joined`,
   * rejects with the server's reason from `room_error`.
   */
  async joinRoom(room: string): Promise<void> {
    await this.join({ preset: "omni", room });
  }

  /** The user's own room, `user_<id>` (`userId` with or without the prefix). */
  joinUserRoom(userId: string): Promise<void> {
    return this.joinRoom(userId.startsWith("user_") ? userId : `user_${userId}`);
  }

  /** A license's room, `license_<key>`. */
  joinLicenseRoom(licenseKey: string): Promise<void> {
    return this.joinRoom(`license_${licenseKey}`);
  }

  /** `admin_dashboard` (admins). */
  joinAdminDashboard(): Promise<void> {
    return this.joinRoom("admin_dashboard");
  }

  /** `leave_room`: the server answers `room_left`. */
  leaveRoom(room: string): void {
    this.socket.leave(room);
  }

  /**
   * `license_check {license_key}`: resolves to the
   * `license_check_result` for that key, rejects with
   * {@link RefusedError} on the server's `error` (`UNAUTHORIZED`,
   * `INVALID_PAYLOAD`, `RATE_LIMITED`).
   */
  licenseCheck(licenseKey: string): Promise<OmniLicenseCheckResult> {
    return new Promise((resolve, reject) => {
      // Listening before the request, so the answer cannot slip by.
      const offResult = this.on("license_check_result", (r) => {
        if (r.license_key !== licenseKey) return;
        done();
        resolve(r);
      });
      const offError = this.on("error", (e) => {
        if (!["UNAUTHORIZED", "INVALID_PAYLOAD", "RATE_LIMITED"].includes(e.code)) return;
        done();
        reject(new RefusedError(e.message, e.code));
      });
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no license_check_result within ${this.answerTimeout} ms`));
      }, this.answerTimeout);
      const done = () => {
        offResult();
        offError();
        clearTimeout(timer);
      };
      this.socket.emit("license_check", { license_key: licenseKey });
    });
  }

  /** `notification_read {notification_id}`: resolves on the ack, rejects with {@link RefusedError} (`NOT_FOUND`). */
  async markNotificationRead(notificationId: string): Promise<void> {
    await this.request("notification_read", { notification_id: notificationId });
  }

  /** `binary_data` with `data`: resolves to the bytes of the `binary_response`. */
  sendBinary(data: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const off = listen(this.socket, "binary_response", (bytes: unknown) => {
        done();
        if (bytes instanceof Uint8Array) resolve(bytes);
        else if (bytes instanceof ArrayBuffer) resolve(new Uint8Array(bytes));
        else reject(new Error("binary_response without bytes"));
      });
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no binary_response within ${this.answerTimeout} ms`));
      }, this.answerTimeout);
      const done = () => {
        off();
        clearTimeout(timer);
      };
      (this.socket as Socket).emit("binary_data", data);
    });
  }

  /** `/admin` on the same connection, with the same credentials (admins only; others are refused `FORBIDDEN`). */
  admin(): OmniAdmin {
    this.#admin ??= new OmniAdmin(this.socket.io.socket("/admin", { auth: { ...this.#auth } }) as Socket, this.answerTimeout);
    return this.#admin;
  }

  /** `/analytics` on the same connection, with the same credentials. */
  analytics(): OmniAnalytics {
    this.#analytics ??= new OmniAnalytics(this.socket.io.socket("/analytics", { auth: { ...this.#auth } }) as Socket);
    return this.#analytics;
  }

  /** Disconnects every namespace and frees the connection. */
  override disconnect(): void {
    this.#admin?.socket.dispose();
    this.#analytics?.socket.dispose();
    super.disconnect();
  }
}

/** Omni's `/admin` namespace. */
export class OmniAdmin {
  /** The `/admin` socket. */
  readonly socket: Socket;
  readonly #timeout: number;

  /** @internal */
  constructor(socket: Socket, timeout: number) {
    this.socket = socket;
    this.#timeout = timeout;
  }

  /** `get_stats`: the server's statistics from the ack. */
  getStats(): Promise<Record<string, any>> {
    return request(this.socket, "get_stats", {}, this.#timeout);
  }

  /** `user_login`; returns what removes the listener. */
  onUserLogin(fn: (login: OmniUserLogin) => void): () => void {
    return listen(this.socket, "user_login", fn);
  }

  /** `user_logout`; returns what removes the listener. */
  onUserLogout(fn: (logout: OmniUserLogout) => void): () => void {
    return listen(this.socket, "user_logout", fn);
  }

  /** The namespace's `connect_error` (e.g. `FORBIDDEN` for non-admins); returns what removes the listener. */
  onConnectError(fn: (error: Error & { data?: unknown }) => void): () => void {
    return listen(this.socket, "connect_error", fn);
  }
}

/** Omni's `/analytics` namespace. */
export class OmniAnalytics {
  /** The `/analytics` socket. */
  readonly socket: Socket;

  /** @internal */
  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** The periodic `real_time_stats`; returns what removes the listener. */
  onRealTimeStats(fn: (stats: OmniRealTimeStats) => void): () => void {
    return listen(this.socket, "real_time_stats", fn);
  }

  /** The namespace's `connect_error` (anonymous sessions are refused); returns what removes the listener. */
  onConnectError(fn: (error: Error & { data?: unknown }) => void): () => void {
    return listen(this.socket, "connect_error", fn);
  }
}

/** Connects an {@link OmniClient}. */
export function createOmniClient(url: string, auth: OmniAuth, options?: ProductOptions): OmniClient {
  return new OmniClient(url, auth, options);
}
