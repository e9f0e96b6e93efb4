// `omni-socket/products/deployments`: the PaaS deployments feed (seed
// 001) over a socket of this package, like the native
// `omni_socket::products::deployments`.

import type {
  DeploymentsClientEvents,
  DeploymentsError,
  DeploymentsLog,
  DeploymentsServerEvents,
  DeploymentsStatus,
  DeploymentsUserOffline,
  DeploymentsUserOnline,
} from "../index.js";
import { listen, ProductClient, type ProductOptions, withToken } from "./common.js";

export { RefusedError, type ProductOptions } from "./common.js";

/** Listeners of one deployment's feed. */
export interface DeploymentHandlers {
  /** Its `deployment:status` (the current one right after subscribing). */
  onStatus?: (status: DeploymentsStatus) => void;
  /** Its `deployment:log` lines. */
  onLog?: (log: DeploymentsLog) => void;
}

/** One deployment followed: its id and how to stop. */
export interface DeploymentSubscription {
  /** The deployment's id. */
  readonly id: string;
  /** `deployment:unsubscribe`, and the handlers are removed. */
  unsubscribe(): void;
}

/**
 * A deployments client: `auth: {token}`, no client-side pacing (the
 * deployments server enforces none), subscriptions made on the server's
 * verdict and again after every reconnection.
 *
 * ```ts
 * const paas = new DeploymentsClient("https://paas.example/deployments", token);
 * const sub = await paas.subscribeToDeployment("dep-1", {
 *   onStatus: (s) => console.log(s.status),
 *   onLog: (l) => console.log(l.log),
 * });
 * sub.unsubscribe();
 * ```
 */
export class DeploymentsClient extends ProductClient<DeploymentsServerEvents, DeploymentsClientEvents> {
  /** Connects to `url` (its path names the namespace) with the JWT `token`. */
  constructor(url: string, token: string, options: ProductOptions = {}) {
    super("deployments", url, withToken(token, options));
  }

  /**
   * `deployment:subscribe` with the bare id: resolves once the server
   * accepts (the current status follows at once), rejects with the
   * server's reason for someone else's deployment or an unknown one. The
   * handlers hear this deployment's status and logs only; they are added
   * before the request, so the first status is not missed.
   */
  async subscribeToDeployment(id: string, handlers: DeploymentHandlers = {}): Promise<DeploymentSubscription> {
    const offs: Array<() => void> = [];
    const { onStatus, onLog } = handlers;
    if (onStatus) offs.push(this.onStatus((s) => s.deploymentId === id && onStatus(s)));
    if (onLog) offs.push(this.onLog((l) => l.deploymentId === id && onLog(l)));
    const stop = () => offs.splice(0).forEach((off) => off());
    try {
      await this.join({ preset: "deployment", id });
    } catch (e) {
      stop();
      throw e;
    }
    return {
      id,
      unsubscribe: () => {
        stop();
        this.unsubscribeFromDeployment(id);
      },
    };
  }

  /** `deployment:unsubscribe`: stops following deployment `id`. */
  unsubscribeFromDeployment(id: string): void {
    this.socket.leave({ preset: "deployment", id });
  }

  /** Every `deployment:status` of the deployments followed; returns what removes the listener. */
  onStatus(fn: (status: DeploymentsStatus) => void): () => void {
    return listen(this.socket, "deployment:status", fn);
  }

  /** Every `deployment:log`; returns what removes the listener. */
  onLog(fn: (log: DeploymentsLog) => void): () => void {
    return listen(this.socket, "deployment:log", fn);
  }

  /** `user:online` (to the staff); returns what removes the listener. */
  onUserOnline(fn: (user: DeploymentsUserOnline) => void): () => void {
    return listen(this.socket, "user:online", fn);
  }

  /** `user:offline` (to the staff); returns what removes the listener. */
  onUserOffline(fn: (user: DeploymentsUserOffline) => void): () => void {
    return listen(this.socket, "user:offline", fn);
  }

  /** The server's `error` events; returns what removes the listener. */
  onError(fn: (error: DeploymentsError) => void): () => void {
    return listen(this.socket, "error", fn);
  }
}

/** Connects a {@link DeploymentsClient}. */
export function createDeploymentsClient(url: string, token: string, options?: ProductOptions): DeploymentsClient {
  return new DeploymentsClient(url, token, options);
}
