// Type test of the published API (the built .d.ts, through the package's
// own `exports` map): `tsc --noEmit -p npm/type-tests/api` after the build.
// Lines after `@ts-expect-error` must stay errors.

import { io, type OmniSocket, type Snapshot, type SocketStatus } from "omni-socket";
import { useOmniSocket, useOmniEvent, useRoom } from "omni-socket/react";
import { OmniSocket as OmniSocketPlugin, useOmniSocket as useVueSocket } from "omni-socket/vue";
import type { OmniClientEvents, OmniServerEvents } from "omni-socket";

declare function show(text: string): void;

const socket: OmniSocket = io<OmniServerEvents, OmniClientEvents>("http://localhost:3001", {
  auth: { token: "jwt", license_key: "OMNI-1" },
  transports: ["websocket"],
  reconnectionAttempts: Infinity,
  heartbeat: { interval: 30_000, mode: { type: "omni" } },
});

// Rate limits as the core reads them: a product's table, a table of one's
// own, and tables per namespace (a product's name or a table).
io("http://localhost:3001", { rateLimit: { product: "omni" } });
io("http://localhost:3001", { rateLimit: { default: { limit: 30, window: 60_000 }, events: { typing: { limit: 4, window: 1000 } }, budget: "me" } });
io("http://localhost:3001", { rateLimit: { namespaces: { "/doa": "doa", "/m": { product: "marketplace", default: null } }, maxPause: 5000 } });
// @ts-expect-error: not a product
io("http://localhost:3001", { rateLimit: { product: "chat" } });
// @ts-expect-error: a rate has a limit and a window
io("http://localhost:3001", { rateLimit: { events: { typing: { limit: 4 } } } });
// @ts-expect-error: a namespace's table is a product name or a table
io("http://localhost:3001", { rateLimit: { namespaces: { "/doa": 3 } } });
// The core's options, typed as the core declares them.
io("http://localhost:3001", { maxQueuedEvents: 100, bufferOverflow: "dropOldest", roomJoinTimeout: 5000 });
// @ts-expect-error: not an overflow policy
io("http://localhost:3001", { bufferOverflow: "drop" });

socket.on("connect", () => show(socket.id ?? ""));
socket.on("disconnect", (reason) => show(reason));
socket.on("connect_error", (err) => show(socket.active ? "retrying" : err.message));
socket.on("connect", () => show(socket.recovered ? "recovered" : "new session"));
socket.onAnyOutgoing((event, ...args) => show(`${event} ${args.length}`));
socket.prependAny((event) => show(event));
show(String(socket.listenersAnyOutgoing().length + socket.listenersAny().length));
socket.offAnyOutgoing();
// @ts-expect-error: `active` is read-only
socket.active = false;
socket.on("notification", (n) => show(`${n.title} ${n.priority}`));
socket.on("heartbeat_response", (r) => show(r.latency.toFixed(1)));
// @ts-expect-error: a notification has no `nope` field
socket.on("notification", (n) => show(n.nope));

socket.emit("join_room", { room: "user_1", type: "user" });
socket.emit("notification_read", { notification_id: "n1" });
// @ts-expect-error: room must be a string
socket.emit("join_room", { room: 1 });
// @ts-expect-error: not an Omni client event
socket.emit("nope", {});
const untyped = io("http://localhost:3001/admin");
untyped.emit("anything", 1, 2, () => show("acked"));
untyped.emit("no_payload");
socket.timeout(1000).emit("license_check", { license_key: "K" }, (err: Error | null) => show(String(err)));
socket.volatile.emit("heartbeat", { timestamp: 1, client_info: { version: "1", platform: "web" } });
void socket.emitWithAck("license_check", { license_key: "K" });

const key: string = socket.join("admin_dashboard", { type: "admin" });
socket.join({ preset: "conversation", id: "42" });
socket.join({ preset: "orderChat", orderId: "o1" });
socket.join({ preset: "custom", key: "k", join: { event: "sub" }, leave: { event: "unsub" }, ack: true });
// @ts-expect-error: unknown preset
socket.join({ preset: "nope", id: "x" });
socket.leave(key);

const status: SocketStatus = socket.status();
show(`${status.isConnected} ${status.socketId} ${status.reconnectAttempts}`);
const snap: Snapshot = socket.getSnapshot();
show(snap.state);
const unsubscribe: () => void = socket.subscribe(() => show(socket.getSnapshot().state));
unsubscribe();
socket.auth = { token: "new" };
socket.setAuth({ token: "newer" }, { reconnect: true });
show(String(socket.latency?.p95));

function Dashboard(): string {
  const { socket: s, connected, notifications, latency, rooms, state } = useOmniSocket<OmniServerEvents, OmniClientEvents>(
    "jwt",
    "license",
    { url: "http://localhost:3001" },
  );
  useOmniEvent(s, "license_expired", () => show("expired"));
  const lobby = useRoom(s, "lobby");
  // Seed 000's notification model, not `unknown`.
  const newest: { id: string; title: string; priority: string } | undefined = notifications.at(-1);
  // @ts-expect-error a notification has no `subject`
  show(String(notifications[0]?.subject));
  show(newest?.title ?? "");
  return `${connected} ${notifications.length} ${latency?.mean} ${Object.keys(rooms).length} ${state} ${lobby?.state}`;
}
show(Dashboard());

function setup(): void {
  const { connected, latency, notifications } = useVueSocket();
  show(`${connected.value} ${latency.value?.last} ${notifications.value.at(-1)?.message}`);
}
setup();
show(typeof OmniSocketPlugin.install);
