// `omni-socket/products/fama`: FAMA (seed 003) over a socket of this
// package, like the native `omni_socket::products::fama`: the token raw
// or as `Bearer <token>`, `connected {message, user}`, refusals as
// `error {message}`, and "Token expired" answered with a refreshed token
// and a reconnection.

import type { FamaClientEvents, FamaConnected, FamaError, FamaServerEvents } from "../index.js";
import { listen, ProductClient, RefusedError, type ProductOptions } from "./common.js";

export { RefusedError, type ProductOptions } from "./common.js";

/** How the token goes in `auth.token`: as it is, or `Bearer <token>` (the seed accepts both). */
export type TokenForm = "raw" | "bearer";

/** Options of a {@link FamaClient}. */
export interface FamaOptions extends ProductOptions {
  /** The token's form (`"raw"`). */
  tokenForm?: TokenForm;
  /**
   * Asked for a new token after the server said the current one expired
   * (`error {message: "…Token expired"}`, at connect or in session); the
   * client reconnects with it. Without it an expired token is final.
   */
  refreshToken?: (failures: number) => string | Promise<string>;
}

type Session = { state: "waiting" } | { state: "connected"; connected: FamaConnected } | { state: "refused"; message: string };

/**
 * A FAMA client.
 *
 * ```ts
 * const fama = new FamaClient("https://api.fama.example/fama", accessToken, {
 *   tokenForm: "bearer",
 *   refreshToken: async () => (await refresh()).accessToken,
 * });
 * const { user } = await fama.connected();
 * ```
 */
export class FamaClient extends ProductClient<FamaServerEvents, FamaClientEvents> {
  #session: Session = { state: "waiting" };
  #waiters = new Set<() => void>();

  /** Connects to `url` (its path names the namespace) with `token` in the given form. */
  constructor(url: string, token: string, options: FamaOptions = {}) {
    const { tokenForm = "raw", refreshToken, ...rest } = options;
    const auth = (t: string) => ({ token: tokenForm === "bearer" && t ? `Bearer ${t}` : t });
    super("fama", url, {
      ...rest,
      auth: auth(token),
      ...(refreshToken
        ? {
            refreshAuth: async (failures: number) => auth(await refreshToken(failures)),
            // FAMA refuses with these words, at connect and in session.
            authErrorPatterns: ["Token expired"],
          }
        : {}),
    });
    const refreshing = refreshToken !== undefined;
    // Listeners added before the socket connects (io() connects on the next turn).
    this.socket.on("connected", (c) => this.#set({ state: "connected", connected: c }));
    this.socket.on("error", (e) => {
      const message = typeof e?.message === "string" ? e.message : String(e);
      const expired = message.includes("Token expired");
      // A new session with a fresh token follows.
      if (refreshing && expired) this.#set({ state: "waiting" });
      else if (message.startsWith("Authentication failed") || expired || this.#session.state === "waiting") this.#set({ state: "refused", message });
    });
  }

  #set(session: Session): void {
    this.#session = session;
    for (const w of [...this.#waiters]) w();
  }

  /**
   * The current session's `connected {message, user}`, waiting for it;
   * rejects with {@link RefusedError} (the server's message, e.g.
   * `Authentication failed: Token is invalid`) when the server refused
   * the token, or after the answer timeout.
   */
  connected(): Promise<FamaConnected> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = this.#session;
        if (s.state === "waiting") return false;
        done();
        if (s.state === "connected") resolve(s.connected);
        else reject(new RefusedError(s.message));
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no \`connected\` within ${this.answerTimeout} ms`));
      }, this.answerTimeout);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      if (!check()) this.#waiters.add(check);
    });
  }

  /** Every `connected`; returns what removes the listener. */
  onConnected(fn: (connected: FamaConnected) => void): () => void {
    return listen(this.socket, "connected", fn);
  }

  /** Every `error {message}`; returns what removes the listener. */
  onError(fn: (error: FamaError) => void): () => void {
    return listen(this.socket, "error", fn);
  }
}

/** Connects a {@link FamaClient}. */
export function createFamaClient(url: string, token: string, options?: FamaOptions): FamaClient {
  return new FamaClient(url, token, options);
}
