// omni-socket: a Socket.IO v5 client whose protocol engine is the Rust core
// compiled to WebAssembly, with socket.io-client's API: `io()` keeps one
// Manager (one connection) per server and hands out a Socket per namespace.
// Beyond it: rooms, latency, status and a subscribe/getSnapshot store for
// frameworks.

import { Manager } from "./manager.js";
import type { Socket } from "./socket.js";
import type { EventsMap, SocketOptions } from "./types.js";
import { parseUrl } from "./url.js";
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

export type * from "./generated/index.js";
export type * from "./types.js";
export { init, initFromBytes } from "./wasm.js";
export { Emitter, type AnyListener } from "./emitter.js";
export { Engine, type EnginePacket } from "./engine.js";
export { Manager } from "./manager.js";
export { Socket, type BufferedPacket, type PendingAck } from "./socket.js";

/** Managers shared by `io()` calls, by server (`protocol://host:port`). */
const cache: Record<string, Manager<any, any>> = {};

/**
 * Opens a socket on the URL's namespace (`http://host/admin` → `/admin`),
 * like socket.io-client's `io(url, options)`. Calls for the same server
 * share one connection (one Manager) unless `forceNew` or `multiplex:
 * false`, or the namespace is already open on it. Without a URL, the
 * page's origin.
 */
export function io<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap>(
  url?: string | SocketOptions,
  options?: SocketOptions,
): Socket<L, C> {
  if (typeof url === "object") {
    options = url;
    url = undefined;
  }
  const opts = options ?? {};
  const parsed = parseUrl(url);
  const cached = cache[parsed.id]?._disposed ? undefined : cache[parsed.id];
  const fresh = opts.forceNew || opts.multiplex === false || (cached !== undefined && parsed.nsp in cached.nsps);
  let manager: Manager<L, C>;
  if (fresh) {
    manager = new Manager<L, C>(url, opts);
  } else {
    manager = cached ?? (cache[parsed.id] = new Manager<L, C>(url, opts));
  }
  return manager.socket(parsed.nsp, parsed.query && !opts.query ? { ...opts, query: parsed.query } : opts);
}

export { io as connect };
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
