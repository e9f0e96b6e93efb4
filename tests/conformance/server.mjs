// The server side of the driver-conformance scenarios (scenarios.json): the
// official socket.io server from tests/node-peers, with a control API the
// runners use to read what it received and to restart it.
//
//   node tests/conformance/server.mjs     prints http://127.0.0.1:PORT
//
// Control (same port):
//   GET  /_control/log      {incarnation, events, stale, sids}
//   POST /_control/restart  answers, then closes every connection and
//                           listens again on the same port with a new
//                           socket.io server (new sids)
// Client events it acts on:
//   burst N / tick        the server logs every event; on connection with
//                         auth.ticks = N it emits N `tick` events (index)
//   join_conversation id, leave_conversation id (seed 002)
//   do {action}           disconnect | close | garbage | stop-pings
import { createRequire } from "node:module";
import { createServer } from "node:http";

const require = createRequire(new URL("../node-peers/package.json", import.meta.url));
const { Server } = require("socket.io");

const PING_INTERVAL = Number(process.env.PING_INTERVAL ?? 1000);
const PING_TIMEOUT = Number(process.env.PING_TIMEOUT ?? 2000);

let incarnation = 0;
let events = [];
// Requests that carried a sid this incarnation never issued.
let stale = [];
let sids = new Set();
let port = Number(process.env.PORT ?? 0);
let current;

function sidOf(url) {
  const q = url.indexOf("?");
  if (q < 0) return null;
  return new URLSearchParams(url.slice(q + 1)).get("sid");
}

function control(req, res) {
  if (req.url === "/_control/log") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ incarnation, events, stale, sids: [...sids] }));
    return true;
  }
  if (req.url === "/_control/restart" && req.method === "POST") {
    res.end("ok", () => setTimeout(restart, 50));
    return true;
  }
  return false;
}

function start() {
  incarnation += 1;
  sids = new Set();
  const http = createServer();
  // Before engine.io sees a request: record any sid it does not know.
  http.prependListener("upgrade", (req) => {
    const sid = sidOf(req.url);
    if (sid && !sids.has(sid)) stale.push({ incarnation, url: req.url });
  });
  const io = new Server(http, { pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT, connectTimeout: 2000 });
  // Control requests never reach engine.io.
  const engineListeners = http.listeners("request");
  http.removeAllListeners("request");
  http.on("request", (req, res) => {
    const sid = sidOf(req.url);
    if (sid && !sids.has(sid)) stale.push({ incarnation, url: req.url });
    if (req.url.startsWith("/_control/")) {
      if (!control(req, res)) {
        res.statusCode = 404;
        res.end();
      }
      return;
    }
    for (const l of engineListeners) l.call(http, req, res);
  });
  io.engine.on("connection", (s) => sids.add(s.id));
  io.on("connection", (socket) => {
    const log = (event, args) => events.push({ incarnation, sid: socket.id, event, args });
    log("connect", []);
    socket.on("disconnect", (reason) => log("disconnect", [reason]));
    socket.onAny((event, ...args) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
      log(event, args);
      if (event === "join_conversation") socket.join(`conversation:${args[0]}`);
      if (event === "leave_conversation") socket.leave(`conversation:${args[0]}`);
      if (event === "do") act(socket, args[0]?.action);
      ack?.("ok");
    });
    const ticks = Number(socket.handshake.auth?.ticks ?? 0);
    for (let i = 0; i < ticks; i++) socket.emit("tick", i);
  });
  const sockets = new Set();
  http.on("connection", (c) => {
    sockets.add(c);
    c.on("close", () => sockets.delete(c));
  });
  current = { http, io, sockets };
  return new Promise((ok) => http.listen(port, "127.0.0.1", () => ok(http.address().port)));
}

function act(socket, action) {
  switch (action) {
    case "disconnect":
      socket.disconnect();
      break;
    case "close":
      socket.conn.close();
      break;
    case "garbage":
      // A message packet that is no Socket.IO packet.
      socket.conn.sendPacket("message", "garbage");
      break;
    case "stop-pings":
      // The engine's heartbeat timer (engine.io's own field): without
      // pings the client must give the link up after its ping timeout.
      clearTimeout(socket.conn.pingIntervalTimer);
      socket.conn.pingIntervalTimer = null;
      socket.conn.schedulePing = () => {};
      break;
    default:
      break;
  }
}

async function restart() {
  const { http, io, sockets } = current;
  io.close();
  for (const c of sockets) c.destroy();
  await new Promise((ok) => http.close(() => ok()));
  await start();
}

port = await start();
console.log(`http://127.0.0.1:${port}`);
