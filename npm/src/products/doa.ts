// `omni-socket/products/doa`: the DOA WhatsApp manager (seed 002), the
// seed's `SocketClient` over a socket of this package, like the native
// `omni_socket::products::doa`.

import type { DoaClientEvents, DoaError, DoaMessageRead, DoaNewMessage, DoaServerEvents, DoaUserTyping } from "../index.js";
import { listen, ProductClient, type ProductOptions, withToken } from "./common.js";

export { RefusedError, type ProductOptions } from "./common.js";

/** The seed's typing throttle: at most one "is typing" indicator per 500 ms. */
export const TYPING_THROTTLE = 500;

/**
 * A DOA client: `auth: {token}`, DOA's rate table, conversations joined
 * on the server's verdict and again after every reconnection.
 *
 * ```ts
 * const doa = new DoaClient("https://doa.example/doa", token);
 * doa.onNewMessage((m) => console.log(m.customerName, m.messageContent));
 * await doa.joinConversation(123);
 * doa.sendTyping(123, true);
 * ```
 */
export class DoaClient extends ProductClient<DoaServerEvents, DoaClientEvents> {
  #lastTyping = -Infinity;

  /** Connects to `url` (its path names the namespace) with the JWT `token`. */
  constructor(url: string, token: string, options: ProductOptions = {}) {
    super("doa", url, withToken(token, options));
  }

  /**
   * `joinConversation`: follows conversation `id` (`join_conversation`
   * with the bare id). Rejects with the server's reason for another
   * agent's conversation or an unknown one.
   */
  async joinConversation(id: number): Promise<void> {
    await this.join({ preset: "conversation", id });
  }

  /** `leaveConversation`: stops following conversation `id`. */
  leaveConversation(id: number): void {
    this.socket.leave({ preset: "conversation", id });
  }

  /**
   * `sendTyping`: the typing indicator of a conversation, throttled as the
   * seed does: an "is typing" within 500 ms of the last one sent is
   * skipped (returns `false`); "stopped typing" always goes, so no
   * indicator is left on.
   */
  sendTyping(conversationId: number, isTyping: boolean): boolean {
    if (isTyping) {
      const now = Date.now();
      if (now - this.#lastTyping < TYPING_THROTTLE) return false;
      this.#lastTyping = now;
    }
    this.socket.emit("typing", { conversationId, isTyping });
    return true;
  }

  /** `markAsRead`: `mark_read {messageId}`; the server answers `message_read` to the conversation, or `error`. */
  markAsRead(messageId: string): void {
    this.socket.emit("mark_read", { messageId });
  }

  /** New WhatsApp messages; returns what removes the listener. */
  onNewMessage(fn: (message: DoaNewMessage) => void): () => void {
    return listen(this.socket, "new_message", fn);
  }

  /** Messages marked read; returns what removes the listener. */
  onMessageRead(fn: (read: DoaMessageRead) => void): () => void {
    return listen(this.socket, "message_read", fn);
  }

  /** Other agents typing; returns what removes the listener. */
  onUserTyping(fn: (typing: DoaUserTyping) => void): () => void {
    return listen(this.socket, "user_typing", fn);
  }

  /** The server's `error {message}` (a refused `mark_read`, ...); returns what removes the listener. */
  onError(fn: (error: DoaError) => void): () => void {
    return listen(this.socket, "error", fn);
  }
}

/** Connects a {@link DoaClient}. */
export function createDoaClient(url: string, token: string, options?: ProductOptions): DoaClient {
  return new DoaClient(url, token, options);
}
