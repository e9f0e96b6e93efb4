// What Node needs beyond a browser, loaded by the Manager only in Node (a
// separate file, so browser bundles never carry it): a WebSocket class (the
// `ws` package, an optional peer dependency as for engine.io-client, else a
// global one) and long-polling requests over `http`, as engine.io-client
// makes them in Node, whose sockets `autoUnref` unrefs.

import type { NodeEnvironment } from "./manager.js";

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

/** The Node environment of the driver. */
export async function nodeEnvironment(): Promise<NodeEnvironment> {
  let WebSocket = (globalThis as { WebSocket?: NodeEnvironment["WebSocket"] }).WebSocket;
  try {
    WebSocket = (await load("ws")).WebSocket;
  } catch {
    // Not installed: the global WebSocket (Node 22+, or --experimental-websocket), if any.
  }
  const [http, https] = await Promise.all([load("node:http"), load("node:https")]);
  const fetch = (url: string, init: RequestInit, unref: boolean) =>
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
      if (unref) req.on("socket", (s: { unref(): void }) => s.unref());
      req.on("error", reject);
      init.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")));
      req.end(typeof init.body === "string" ? init.body : undefined);
    });
  return { WebSocket, fetch };
}
