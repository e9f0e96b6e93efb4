// What Node needs beyond a browser, loaded by the Manager only in Node (a
// separate file, so browser bundles never carry it): a WebSocket class (the
// `ws` package, an optional peer dependency as for engine.io-client, else a
// global one), long-polling requests over `http` as engine.io-client makes
// them in Node, and `autoUnref`: timers and sockets that do not hold the
// process open.

import type { Environment } from "./manager.js";

// Specifiers built at run time, so bundlers leave them alone.
const load = (m: string): Promise<any> => import(/* @vite-ignore */ /* webpackIgnore: true */ m);

/** Largest polling response accepted: the core's bound (`Limits::DEFAULT_MAX_POLLING_BODY`). */
const MAX_BODY = 16 * 1024 * 1024;

interface Res {
  statusCode?: number;
  setEncoding(e: string): void;
  on(ev: string, fn: (x?: any) => void): void;
  destroy(): void;
}

type NodeSocket = { unref(): void };

let modules: Promise<[any, any, any]> | undefined;

/** The Node environment over `timers` (which honour `useNativeTimers`). */
export async function nodeEnvironment(
  timers: Pick<Environment, "setTimeout" | "clearTimeout">,
  unref: boolean,
): Promise<Environment> {
  modules ??= Promise.all([load("ws").catch(() => undefined), load("node:http"), load("node:https")]);
  const [ws, http, https] = await modules;
  const WS: (new (url: string) => WebSocket) | undefined =
    ws?.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocket }).WebSocket;
  return {
    setTimeout(fn, ms) {
      const t = timers.setTimeout(fn, ms) as { unref?: () => void };
      if (unref) t.unref?.();
      return t;
    },
    clearTimeout: timers.clearTimeout,
    // Called with `new`: what it returns is the object made.
    WebSocket: function (url: string) {
      if (!WS) {
        throw new Error(
          'omni-socket: no WebSocket in this Node; install the `ws` package (npm install ws) or use transports: ["polling"]',
        );
      }
      const socket = new WS(url) as WebSocket & { _socket?: NodeSocket };
      if (unref) socket.addEventListener("open", () => socket._socket?.unref());
      // The driver detaches its handlers before closing; the `ws` package
      // then throws the error of a close while connecting unless someone listens.
      socket.addEventListener("error", () => {});
      return socket;
    } as unknown as Environment["WebSocket"],
    fetch: (url, init) =>
      new Promise((resolve, reject) => {
        const u = new URL(url);
        const req = (u.protocol === "https:" ? https : http).request(
          u,
          { method: init.method, headers: init.headers as Record<string, string> | undefined },
          (res: Res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              body += chunk;
              if (body.length > MAX_BODY) {
                res.destroy();
                reject(new Error("polling response too large"));
              }
            });
            res.on("error", reject);
            res.on("end", () => {
              const status = res.statusCode ?? 0;
              resolve({ ok: status >= 200 && status < 300, status, text: () => Promise.resolve(body) });
            });
          },
        );
        if (unref) req.on("socket", (s: NodeSocket) => s.unref());
        req.on("error", reject);
        init.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")));
        req.end(typeof init.body === "string" ? init.body : undefined);
      }),
  };
}
