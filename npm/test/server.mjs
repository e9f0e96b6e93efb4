// Test server: the official Node `socket.io` server plus static files (the
// built package and test pages), on 127.0.0.1 and a free port. It can be
// stopped and started again on the same port to test reconnection.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { Server } from "socket.io";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
};

/**
 * Starts the server. `roots` maps URL prefixes to directories, e.g.
 * `{ "/dist/": ".../npm/dist" }`.
 */
export async function startServer({ roots = {}, port = 0 } = {}) {
  const state = { connections: 0, live: new Set(), log: [] };
  const http = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/admin/broadcast") {
      // Server-side events triggered over HTTP, like the reference server's
      // admin API.
      const room = url.searchParams.get("room");
      const event = url.searchParams.get("event") ?? "notification";
      const payload = JSON.parse(url.searchParams.get("data") ?? "{}");
      (room ? io.to(room) : io).emit(event, payload);
      res.end("ok");
      return;
    }
    for (const [prefix, dir] of Object.entries(roots)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const rel = normalize(decodeURIComponent(url.pathname.slice(prefix.length)));
      const file = resolve(dir, rel === "." || rel === "" ? "index.html" : rel);
      if (!file.startsWith(resolve(dir))) break;
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    if (!res.headersSent && !url.pathname.startsWith("/socket.io/")) res.writeHead(404).end();
  });

  const io = new Server(http, {
    // Frequent pings keep heartbeats in play; a 1 s timeout made a busy CI
    // machine's late pong end the session (a 400 on the next poll).
    pingInterval: 1000,
    pingTimeout: 5000,
    cors: { origin: true },
    maxHttpBufferSize: 1e6,
  });

  io.engine.on("connection_error", (err) => {
    state.log.push(`engine error ${err.req.method} ${err.req.url} ${err.code} ${err.message}`);
    if (process.env.OMNI_TEST_DEBUG) console.error(state.log.at(-1));
  });

  io.use((socket, next) => {
    const { token } = socket.handshake.auth ?? {};
    if (token === "bad") return next(new Error("unauthorized: bad token"));
    // Written before the CONNECT answer, as socket.io allows.
    if (token === "greet") socket.emit("greeting", { from: "middleware" });
    next();
  });

  const admin = io.of("/admin");
  admin.on("connection", (socket) => socket.emit("hello_admin", { nsp: "/admin" }));

  io.on("connection", (socket) => {
    state.connections += 1;
    state.live.add(socket.id);
    state.log.push(`connect ${socket.id} ${socket.conn.transport.name}`);
    socket.on("disconnect", () => state.live.delete(socket.id));
    socket.emit("welcome", { auth: socket.handshake.auth, id: socket.id });

    socket.on("echo", (...args) => socket.emit("echo", ...args));
    socket.on("ask", (...args) => {
      const cb = args.pop();
      cb({ got: args });
    });
    socket.on("slow", () => {
      // Never answers: the client's ack timeout must fire.
    });
    socket.on("bin", (data, cb) => {
      const bytes = new Uint8Array(data.payload);
      cb({ size: bytes.length, reversed: Buffer.from(bytes).reverse(), name: data.name });
    });
    socket.on("please_ask_me", async (question) => {
      try {
        const answer = await socket.timeout(2000).emitWithAck("question", question);
        socket.emit("answered", answer);
      } catch (e) {
        socket.emit("answered", { error: String(e) });
      }
    });
    socket.on("join_room", ({ room }) => {
      if (room.startsWith("forbidden")) {
        socket.emit("room_error", { room, message: "not allowed" });
        return;
      }
      socket.join(room);
      state.log.push(`join ${room}`);
      socket.emit("room_joined", { room });
    });
    socket.on("leave_room", ({ room }) => {
      socket.leave(room);
      socket.emit("room_left", { room });
    });
    socket.on("heartbeat", (hb) => {
      socket.emit("heartbeat_response", {
        server_timestamp: Date.now(),
        latency: Date.now() - hb.timestamp,
        status: "healthy",
      });
    });
    socket.on("kick", () => socket.disconnect(true));
    // An event whose JSON breaks after its name, between two good ones,
    // written as a raw Engine.IO message.
    socket.on("garble", () => {
      socket.emit("before", 1);
      socket.conn.write('2["garbled",{"a":]');
      socket.emit("after", 2);
    });
    socket.on("count", (cb) => cb(state.live.size));
  });

  await new Promise((ok, fail) => {
    http.once("error", fail);
    http.listen(port, "127.0.0.1", ok);
  });
  const address = http.address();
  return {
    io,
    state,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    /** Members of `room` on the main namespace. */
    async roomSize(room) {
      return (await io.in(room).fetchSockets()).length;
    },
    /** Stops like a crashed server: transports drop without a Socket.IO DISCONNECT. */
    async close() {
      const closed = new Promise((ok) => io.close(() => ok()));
      http.closeAllConnections?.();
      await closed;
    },
  };
}

// Run by hand: `node test/server.mjs` serves dist/ and test/pages/ on a free port.
if (import.meta.url === `file://${process.argv[1]}`) {
  const here = new URL(".", import.meta.url).pathname;
  const s = await startServer({
    roots: { "/dist/": join(here, "../dist"), "/pages/": join(here, "pages") },
    port: Number(process.env.PORT ?? 0),
  });
  console.log(s.url);
}
