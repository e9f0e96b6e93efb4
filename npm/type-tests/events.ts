// Type test for the generated event maps: `tsc --noEmit -p npm/type-tests`.
// Correct handlers and emits must compile; every line after a
// `@ts-expect-error` must be a type error, or tsc fails because the expected
// error disappeared.

import type {
  DeploymentsClientEvents,
  DeploymentsServerEvents,
  DoaClientEvents,
  DoaServerEvents,
  FamaClientEvents,
  FamaServerEvents,
  MarketplaceClientEvents,
  MarketplaceNotification,
  MarketplaceServerEvents,
  OmniClientEvents,
  OmniHeartbeatResponse,
  OmniNotification,
  OmniServerEvents,
} from "../src/generated/index.js";

/** The shape typed `on` / `emit` take with a pair of generated maps. */
interface TypedSocket<Server, Client> {
  on<E extends keyof Server & string>(event: E, handler: (payload: Server[E]) => void): void;
  emit<E extends keyof Client & string>(event: E, payload: Client[E]): void;
}

declare const omni: TypedSocket<OmniServerEvents, OmniClientEvents>;
declare const deployments: TypedSocket<DeploymentsServerEvents, DeploymentsClientEvents>;
declare const doa: TypedSocket<DoaServerEvents, DoaClientEvents>;
declare const fama: TypedSocket<FamaServerEvents, FamaClientEvents>;
declare const marketplace: TypedSocket<MarketplaceServerEvents, MarketplaceClientEvents>;

declare function show(text: string): void;

// ---------------------------------------------------------------- Omni

omni.on("notification", (n) => show(`${n.title}: ${n.message} (${n.priority})`));
omni.on("notification", (n: OmniNotification) => show(n.type));
omni.on("heartbeat_response", (r: OmniHeartbeatResponse) => show(r.latency.toFixed(1)));
omni.on("rate_limited", (r) => show(String(r.retry_after * 1000)));
omni.on("license_updated", (u) => show(u.changes.status?.new ?? "unchanged"));
omni.on("system_status", (s) => show(`${s.services["redis"]} ${s.load.cpu}`));
omni.on("binary_response", (data: ArrayBuffer) => show(String(data.byteLength)));
omni.emit("heartbeat", { timestamp: Date.now(), client_info: { version: "1.0.0", platform: "web" } });
omni.emit("heartbeat", { timestamp: Date.now() });
omni.emit("join_room", { room: "admin_dashboard", type: "admin" });
omni.emit("leave_room", { room: "license_OMNI-PREM-ABCD-1234-EFGH" });
omni.emit("license_check", { license_key: "OMNI-PREM-ABCD-1234-EFGH" });
omni.emit("notification_read", { notification_id: "notif_123" });

// @ts-expect-error the marketplace's notification is not Omni's
omni.on("notification", (n: MarketplaceNotification) => show(n.content));
// @ts-expect-error latency is a number
omni.on("heartbeat_response", (r) => show(r.latency));
// @ts-expect-error auth_error has no retry_after
omni.on("auth_error", (e) => show(String(e.retry_after)));
// @ts-expect-error join_room needs `room`
omni.emit("join_room", { type: "admin" });
// @ts-expect-error the timestamp is a number of ms, not a string
omni.emit("heartbeat", { timestamp: "2024-01-15T10:30:00.000Z" });
// @ts-expect-error not a client event
omni.emit("room_joined", { room: "x", type: "user", members_count: 1 });
// @ts-expect-error no such event
omni.on("licence_created", () => undefined);

// ---------------------------------------------------------------- deployments

deployments.emit("deployment:subscribe", "deployment-id-here");
deployments.emit("deployment:unsubscribe", "deployment-id-here");
deployments.on("deployment:status", (d) => show(`${d.deploymentId} ${d.status}`));
deployments.on("deployment:log", (d) => show(d.log));
deployments.on("user:online", (u) => show(`${u.userId} ${u.status}`));

// @ts-expect-error the subscribe payload is the bare id
deployments.emit("deployment:subscribe", { deploymentId: "deployment-id-here" });
// @ts-expect-error a log line has no status
deployments.on("deployment:log", (d) => show(d.status));

// ---------------------------------------------------------------- DOA

doa.emit("join_conversation", 123);
doa.emit("typing", { conversationId: 123, isTyping: true });
doa.emit("mark_read", { messageId: "msg_123" });
doa.on("new_message", (m) => show(`${m.customerName}: ${m.messageContent} ${m.customerPhone ?? ""}`));
doa.on("user_typing", (t) => show(t.isTyping ? "typing" : "idle"));
doa.on("error", (e) => show(e.message));

// @ts-expect-error conversation ids are numbers
doa.emit("join_conversation", "123");
// @ts-expect-error customerPhone is optional (absent in the admin copy)
doa.on("new_message", (m) => show(m.customerPhone));
// @ts-expect-error `typing` needs isTyping
doa.emit("typing", { conversationId: 123 });

// ---------------------------------------------------------------- FAMA

fama.on("connected", (c) => show(`${c.user.username} ${c.user.user_id.toFixed(0)}`));
fama.on("error", (e) => {
  if (e.message.includes("Token expired")) show("refresh");
});

// @ts-expect-error FAMA's error has no code (Omni's does)
fama.on("error", (e) => show(e.code));
// @ts-expect-error the seed shows no client events for FAMA
fama.emit("connected", { message: "hi", user: { user_id: 1, username: "a" } });

// ---------------------------------------------------------------- marketplace

marketplace.emit("join_order_chat", { orderId: "uuid" });
marketplace.emit("order_message", {
  orderId: "uuid",
  content: "message text",
  attachments: [{ fileUrl: "url", fileName: "name" }],
});
marketplace.emit("dispute_message", { disputeId: "uuid", content: "message text" });
marketplace.emit("dispute_typing", { disputeId: "uuid", isTyping: true });
marketplace.on("order_message", (m) => show(m.content));
marketplace.on("order_typing", (t) => show(`${t.userId} is typing in order ${t.orderId}`));
marketplace.on("user_presence", (p) => show(p.isOnline ? "online" : "offline"));
marketplace.on("notification", (n) => show(n.content));

// @ts-expect-error attachments need fileUrl and fileName
marketplace.emit("order_message", { orderId: "uuid", content: "x", attachments: [{ url: "u" }] });
// @ts-expect-error dispute chats are joined by disputeId
marketplace.emit("join_dispute_chat", { orderId: "uuid" });
// @ts-expect-error isOnline is a boolean
marketplace.on("user_presence", (p) => show(p.isOnline));
