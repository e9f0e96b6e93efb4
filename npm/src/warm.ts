// Opening the connection while the WebAssembly module loads. On a first
// visit the page would otherwise fetch index.js, then the wasm, and only
// then start the Engine.IO handshake: three round trips one after another.
// Instead the Manager opens the transport the core is going to ask for
// first (same URL) right away, and hands it to the core when it does ask.
// A prediction that turns out wrong costs only the early connection: the
// core's own request then goes out as it always did.

/** Engine.IO path as the core gets it: `/socket.io/` unless told otherwise. */
export function enginePath(opts: { path?: string; addTrailingSlash?: boolean }): string {
  // engine.io-client's default, with its trailing slash.
  const path = opts.path ?? "/socket.io";
  return opts.addTrailingSlash === false || path.endsWith("/") ? path : `${path}/`;
}

/** RFC 3986's unreserved characters kept, every other byte as `%XX` (the core's encoding). */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The URL of the core's first request for `transport` (`polling` or
 * `websocket`), as the core builds it: origin (`ws(s)` for WebSocket),
 * path, `?EIO=4&transport=`, then the query sorted by key.
 */
export function firstUrl(origin: string, path: string, transport: string, query: Record<string, unknown> | undefined): string {
  const base = transport === "websocket" ? origin.replace(/^http/, "ws") : origin;
  let url = `${base}${path.startsWith("/") ? "" : "/"}${path}?EIO=4&transport=${transport}`;
  if (query) {
    // By UTF-16 unit where the core sorts by code point: they differ only
    // for keys mixing U+E000–U+FFFF with astral characters, whose early
    // connection is then not taken.
    for (const k of Object.keys(query).sort()) url += `&${encode(k)}=${encode(String(query[k]))}`;
  }
  return url;
}

const WS_EVENTS = ["open", "message", "close", "error"];

/**
 * An early connection: a WebSocket whose events are kept until the core
 * takes it, or the long-polling handshake's GET.
 */
export interface Warm {
  /**
   * The WebSocket, when the core asks for `url` and this is it. The events
   * it has had so far go to the handlers the core sets on it (`onopen`,
   * `onmessage`, …), in order, once the current call has set them.
   */
  takeSocket(url: string): WebSocket | undefined;
  /**
   * The handshake's response, when the core sends the same GET; the core's
   * abort signal then cancels it.
   */
  takeFetch(url: string, init: RequestInit): Promise<unknown> | undefined;
  /** Ends what was opened, unless taken. */
  close(): void;
}

/**
 * Opens `url`: a WebSocket for `ws(s)://`, else the polling handshake's
 * GET (with cookies when `withCredentials`, as the core's requests).
 */
export function openWarm(
  url: string,
  env: { WebSocket: new (url: string) => WebSocket; fetch(url: string, init: RequestInit): Promise<unknown> },
  withCredentials: boolean,
): Warm {
  let ws: WebSocket | undefined;
  let get: Promise<unknown> | undefined;
  let events: Event[] = [];
  const abort = new AbortController();
  const keep = (e: Event) => events.push(e);
  const release = (s: WebSocket) => {
    for (const type of WS_EVENTS) s.removeEventListener(type, keep);
    ws = undefined;
  };
  if (url.startsWith("ws")) {
    ws = new env.WebSocket(url);
    ws.binaryType = "arraybuffer";
    for (const type of WS_EVENTS) ws.addEventListener(type, keep);
  } else {
    const init: RequestInit = { method: "GET", cache: "no-store", signal: abort.signal };
    if (withCredentials) init.credentials = "include";
    get = env.fetch(url, init);
    // Not taken, its failure is nobody's to report.
    get.catch(() => {});
  }
  return {
    takeSocket(u) {
      const s = ws;
      if (!s || u !== url) return undefined;
      release(s);
      const kept = events;
      // A microtask runs before the socket's next event (a task), so the
      // kept events stay ahead of the ones that follow.
      queueMicrotask(() => {
        for (const e of kept) (s as unknown as Record<string, ((e: Event) => void) | null>)[`on${e.type}`]?.call(s, e);
      });
      return s;
    },
    takeFetch(u, init) {
      const g = get;
      if (!g || u !== url || init.method !== "GET" || init.body !== undefined || (init.credentials === "include") !== withCredentials) return undefined;
      get = undefined;
      init.signal?.addEventListener("abort", () => abort.abort());
      return g;
    },
    close() {
      const s = ws;
      if (s) {
        release(s);
        // Closed while connecting, a browser logs an error on the console.
        if (s.readyState === s.CONNECTING) s.addEventListener("open", () => s.close());
        else s.close();
      }
      if (get) abort.abort();
      get = undefined;
      events = [];
    },
  };
}
