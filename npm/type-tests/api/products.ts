// Type test of the product modules (`omni-socket/products/*`, the built
// .d.ts through the package's `exports` map), with the seeds' models.
// Lines after `@ts-expect-error` must stay errors.

import { OmniClient, RefusedError } from "omni-socket/products/omni";
import { DeploymentsClient, type DeploymentSubscription } from "omni-socket/products/deployments";
import { DoaClient, TYPING_THROTTLE } from "omni-socket/products/doa";
import { FamaClient } from "omni-socket/products/fama";
import { MarketplaceClient } from "omni-socket/products/marketplace";

declare function show(text: string): void;

async function products(): Promise<void> {
  const omni = new OmniClient("http://localhost:3001", { token: "jwt", license_key: "OMNI-1" }, { transports: ["websocket"] });
  await omni.joinUserRoom("user_12345");
  omni.on("notification", (n) => show(`${n.title} ${n.priority}`));
  // @ts-expect-error: the Omni model has no such field
  omni.on("license_renewed", (r) => show(r.nope));
  const check = await omni.licenseCheck("OMNI-1");
  show(`${check.valid} ${check.status}`);
  const stats = await omni.admin().getStats();
  show(JSON.stringify(stats));
  omni.analytics().onRealTimeStats((s) => show(JSON.stringify(s)));
  const bytes: Uint8Array = await omni.sendBinary(new Uint8Array([1, 2]));
  show(String(bytes.length + (omni.latency?.count ?? 0)));

  const paas = new DeploymentsClient("http://localhost:3001/deployments", "jwt");
  const sub: DeploymentSubscription = await paas.subscribeToDeployment("dep-1", {
    onStatus: (s) => show(s.status),
    onLog: (l) => show(l.log),
  });
  sub.unsubscribe();

  const doa = new DoaClient("http://localhost:3001/doa", "jwt", { rateLimit: { enabled: true } });
  await doa.joinConversation(123);
  const sent: boolean = doa.sendTyping(123, true);
  show(`${sent} ${TYPING_THROTTLE}`);
  doa.onNewMessage((m) => show(m.messageContent));
  // @ts-expect-error: conversations are numbered
  await doa.joinConversation("123");
  const { isConnected, socketId, reconnectAttempts } = doa.getStatus();
  show(`${isConnected} ${socketId} ${reconnectAttempts}`);

  const fama = new FamaClient("http://localhost:3001/fama", "jwt", { tokenForm: "bearer", refreshToken: async () => "fresh" });
  const { user } = await fama.connected();
  show(user.username);
  // @ts-expect-error: "raw" or "bearer"
  new FamaClient("http://localhost:3001/fama", "jwt", { tokenForm: "basic" });

  const market = new MarketplaceClient("http://localhost:3001/marketplace", "jwt");
  await market.joinOrderChat("order-1");
  const id: string = await market.sendOrderMessage("order-1", "hi", [{ fileUrl: "https://f/x", fileName: "x" }]);
  show(id);
  market.onOrderMessage((m) => show(m.content));
  market.onUserPresence((p) => show(`${p.userId} ${p.isOnline}`));
  try {
    await market.joinDisputeChat("dispute-1");
  } catch (e) {
    if (e instanceof RefusedError) show(e.message);
  }
}
void products;
