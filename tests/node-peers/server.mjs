// Fixture for the omni-socket tests: the official Socket.IO 4.8 server with
// the handlers the native and interop tests need.
//
// Listens on 127.0.0.1, port $PORT (0 = any free port), and prints the port
// as the first line on stdout. Options from the environment:
//   PING_INTERVAL, PING_TIMEOUT  Engine.IO heartbeat in ms (defaults 300/5000:
//                                pings often, but a pong late by a loaded
//                                machine's stall does not end the session;
//                                ping_timeout.rs asks for 200 to detect fast)
//   TRANSPORTS                   comma-separated list the server accepts
//   MAX_PAYLOAD                  maxHttpBufferSize in bytes (default 1e6)
//   RECOVERY=1                   connectionStateRecovery on (events then
//                                carry their offset as a last argument)
//   TLS_CERT, TLS_KEY            PEM files: serve HTTPS / WSS instead
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 0);
const pingInterval = Number(process.env.PING_INTERVAL ?? 300);
const pingTimeout = Number(process.env.PING_TIMEOUT ?? 5000);
const transports = (process.env.TRANSPORTS ?? "polling,websocket").split(",");

const http = process.env.TLS_CERT
  ? createTlsServer({ cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY) })
  : createServer();
const io = new Server(http, {
  pingInterval,
  pingTimeout,
  transports,
  maxHttpBufferSize: Number(process.env.MAX_PAYLOAD ?? 1e6),
  connectTimeout: 1000,
  ...(process.env.RECOVERY === "1" ? { connectionStateRecovery: {} } : {}),
});

// Events this process received with `record`, to prove buffered emits
// arrive exactly once after a restart.
const records = [];

// Auth: no token is anonymous; "invalid" is refused like a bad JWT.
function authCheck(socket, next) {
  const { token } = socket.handshake.auth ?? {};
  if (token === "invalid") {
    const err = new Error("authentication failed: invalid token");
    err.data = { code: "AUTH_INVALID" };
    return next(err);
  }
  // Emitted before the CONNECT answer: the client must still deliver it.
  if (token === "greet") socket.emit("greeting", { from: "middleware" });
  if (token === "forbidden") {
    const err = new Error("namespace closed for maintenance");
    err.data = { code: "MAINTENANCE" };
    return next(err);
  }
  next();
}

function common(socket) {
  socket.emit("welcome", {
    id: socket.id,
    nsp: socket.nsp.name,
    auth: socket.handshake.auth,
  });
  socket.on("echo", (...args) => socket.emit("echo", ...args));
  socket.on("ack_echo", (...args) => {
    const cb = args.pop();
    if (typeof cb === "function") cb(...args);
  });
  socket.on("ping", (cb) => typeof cb === "function" && cb());
  socket.on("whoami", (cb) => cb({ id: socket.id, nsp: socket.nsp.name, transport: socket.conn.transport.name }));
  // The server asks the client and reports the client's answer back.
  socket.on("ask_client", async (data) => {
    try {
      const reply = await socket.timeout(5000).emitWithAck("question", data);
      socket.emit("client_answered", reply);
    } catch (e) {
      socket.emit("client_answered", { error: String(e) });
    }
  });
  socket.on("send_binary", () => {
    socket.emit("binary", {
      file: Buffer.from([1, 2, 3]),
      list: [Buffer.from("ab"), { nested: Buffer.from([255, 0]) }],
      text: "plain",
    }, Buffer.from([9]));
  });
  // `n` events written back to back: the client reads many per socket read
  // (over polling, many per response). `pad` adds that many bytes to each.
  socket.on("burst", (n, pad) => {
    for (let i = 0; i < n; i++) {
      if (pad) socket.emit("seq", i, "y".repeat(pad));
      else socket.emit("seq", i);
    }
  });
  socket.on("kick", () => socket.disconnect());
  // Drops the link without a DISCONNECT (recoverable), then, while the
  // client is away, sends `later` {room, event, data} to a room.
  socket.on("drop", (later) => {
    socket.conn.close();
    if (later) setTimeout(() => io.of(socket.nsp.name).to(later.room).emit(later.event, later.data), 50);
  });
  socket.on("heartbeat", (data) => {
    const now = Date.now();
    socket.emit("heartbeat_response", {
      server_timestamp: now,
      latency: typeof data?.timestamp === "number" ? Math.max(0, now - data.timestamp) : 0,
      status: "healthy",
    });
  });
  socket.on("join_room", (data) => {
    const room = data?.room;
    if (typeof room !== "string" || room.startsWith("forbidden")) {
      socket.emit("room_error", { room, code: "ACCESS_DENIED", message: "access denied" });
      return;
    }
    socket.join(room);
    const members = socket.nsp.adapter.rooms.get(room)?.size ?? 0;
    socket.emit("room_joined", { room, type: data.type, members_count: members });
  });
  socket.on("leave_room", (data) => {
    socket.leave(data?.room);
    socket.emit("room_left", { room: data?.room });
  });
  socket.on("my_rooms", (cb) => cb([...socket.rooms].filter((r) => r !== socket.id)));
  socket.on("broadcast", ({ room, event, data }) => io.of(socket.nsp.name).to(room).emit(event, data));
  socket.on("record", (data) => records.push(data));
  socket.on("records", (cb) => cb(records));
}

io.use(authCheck);
io.on("connection", common);
io.of("/admin").use(authCheck);
io.of("/admin").on("connection", common);

http.listen(port, "127.0.0.1", () => {
  process.stdout.write(`${http.address().port}\n`);
});

// The test harness kills the process; exit promptly on SIGTERM too.
process.on("SIGTERM", () => process.exit(0));
