// `omni-socket/products/marketplace`: order and dispute chats of the
// marketplace (seed 004), the seed's `useWebSocket` helpers over a socket
// of this package, like the native `omni_socket::products::marketplace`.

import type {
  MarketplaceAttachment,
  MarketplaceClientEvents,
  MarketplaceDisputeChatMessage,
  MarketplaceDisputeStatusUpdate,
  MarketplaceDisputeTyping,
  MarketplaceNotification,
  MarketplaceOrderChatMessage,
  MarketplaceOrderStatusUpdate,
  MarketplaceOrderTyping,
  MarketplaceServerEvents,
  MarketplaceUserPresence,
} from "../index.js";
import { listen, ProductClient, RefusedError, type ProductOptions, withToken } from "./common.js";

export { RefusedError, type ProductOptions } from "./common.js";

/**
 * A marketplace client: `auth: {token}`, the marketplace's rate table,
 * chats joined on the server's verdict (ack `{success: false}` refuses)
 * and again after every reconnection.
 *
 * ```ts
 * const market = new MarketplaceClient("https://market.example/marketplace", token);
 * await market.joinOrderChat(orderId);
 * market.onOrderMessage((m) => console.log(m.senderName, m.content));
 * await market.sendOrderMessage(orderId, "Here it is", [{ fileUrl, fileName }]);
 * ```
 */
export class MarketplaceClient extends ProductClient<MarketplaceServerEvents, MarketplaceClientEvents> {
  /** Connects to `url` (its path names the namespace) with the JWT `token`. */
  constructor(url: string, token: string, options: ProductOptions = {}) {
    super("marketplace", url, withToken(token, options));
  }

  /** `joinOrderChat`: rejects with the server's reason when not a party, moderator or admin, or no such order. */
  async joinOrderChat(orderId: string): Promise<void> {
    await this.join({ preset: "orderChat", orderId });
  }

  /** `leaveOrderChat`. */
  leaveOrderChat(orderId: string): void {
    this.socket.leave({ preset: "orderChat", orderId });
  }

  /** `joinDisputeChat`: as {@link joinOrderChat} for a dispute. */
  async joinDisputeChat(disputeId: string): Promise<void> {
    await this.join({ preset: "disputeChat", disputeId });
  }

  /** `leaveDisputeChat`. */
  leaveDisputeChat(disputeId: string): void {
    this.socket.leave({ preset: "disputeChat", disputeId });
  }

  /**
   * `sendOrderMessage`: `order_message {orderId, content, attachments?}`;
   * resolves to the message id from the ack, rejects with
   * {@link RefusedError} (`NOT_IN_CHAT`, `INVALID_PAYLOAD`, ...).
   */
  async sendOrderMessage(orderId: string, content: string, attachments?: MarketplaceAttachment[]): Promise<string> {
    const payload = attachments?.length ? { orderId, content, attachments } : { orderId, content };
    return idOf("order_message", await this.request("order_message", payload));
  }

  /** `sendDisputeMessage`: `dispute_message {disputeId, content}`; the message id, as {@link sendOrderMessage}. */
  async sendDisputeMessage(disputeId: string, content: string): Promise<string> {
    return idOf("dispute_message", await this.request("dispute_message", { disputeId, content }));
  }

  /** `order_typing {orderId, isTyping}`, relayed to the chat's others. */
  sendOrderTyping(orderId: string, isTyping: boolean): void {
    this.socket.emit("order_typing", { orderId, isTyping });
  }

  /** `dispute_typing {disputeId, isTyping}`. */
  sendDisputeTyping(disputeId: string, isTyping: boolean): void {
    this.socket.emit("dispute_typing", { disputeId, isTyping });
  }

  /** Messages of the order chats joined (the sender's own included); returns what removes the listener. */
  onOrderMessage(fn: (message: MarketplaceOrderChatMessage) => void): () => void {
    return listen(this.socket, "order_message", fn);
  }

  /** Messages of the dispute chats joined; returns what removes the listener. */
  onDisputeMessage(fn: (message: MarketplaceDisputeChatMessage) => void): () => void {
    return listen(this.socket, "dispute_message", fn);
  }

  /** Others typing in an order chat; returns what removes the listener. */
  onOrderTyping(fn: (typing: MarketplaceOrderTyping) => void): () => void {
    return listen(this.socket, "order_typing", fn);
  }

  /** Others typing in a dispute chat; returns what removes the listener. */
  onDisputeTyping(fn: (typing: MarketplaceDisputeTyping) => void): () => void {
    return listen(this.socket, "dispute_typing", fn);
  }

  /** An order's status changed; returns what removes the listener. */
  onOrderStatusUpdate(fn: (update: MarketplaceOrderStatusUpdate) => void): () => void {
    return listen(this.socket, "order_status_update", fn);
  }

  /** A dispute's status changed; returns what removes the listener. */
  onDisputeStatusUpdate(fn: (update: MarketplaceDisputeStatusUpdate) => void): () => void {
    return listen(this.socket, "dispute_status_update", fn);
  }

  /** Notifications to the user; returns what removes the listener. */
  onNotification(fn: (notification: MarketplaceNotification) => void): () => void {
    return listen(this.socket, "notification", fn);
  }

  /** The other party of an order going online or offline; returns what removes the listener. */
  onUserPresence(fn: (presence: MarketplaceUserPresence) => void): () => void {
    return listen(this.socket, "user_presence", fn);
  }
}

function idOf(event: string, answer: Record<string, any>): string {
  if (typeof answer.id !== "string") throw new RefusedError(`${event} answer without an id: ${JSON.stringify(answer)}`);
  return answer.id;
}

/** Connects a {@link MarketplaceClient}. */
export function createMarketplaceClient(url: string, token: string, options?: ProductOptions): MarketplaceClient {
  return new MarketplaceClient(url, token, options);
}
