// `manager.engine`: what applications and socket.io-client's tests read of
// the Engine.IO session. The session itself lives in the Rust core; this
// object names one attempt at it (a new one per connection attempt, as
// engine.io-client makes a new socket per attempt) and carries its events.

import { Emitter } from "./emitter.js";
import type { Driver } from "./wasm/omni_socket_wasm.js";

/** An Engine.IO packet as engine.io-client's `packet` / `packetCreate` events give it. */
export interface EnginePacket {
  type: "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";
  data?: string | ArrayBuffer | Uint8Array;
  options?: { compress: boolean };
}

const TYPES: EnginePacket["type"][] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/** An Engine.IO frame (WebSocket message or polling record) as a packet. */
export function enginePacket(frame: string | ArrayBuffer | Uint8Array, compress?: boolean): EnginePacket {
  const p: EnginePacket =
    typeof frame === "string" ? { type: TYPES[+frame[0]] ?? "message", data: frame.slice(1) || undefined } : { type: "message", data: frame };
  if (compress !== undefined) p.options = { compress };
  return p;
}

/**
 * One Engine.IO session attempt: `id` (the session id once open),
 * `transport.name`, `readyState`, `binaryType` and `close()`, with the
 * events `open`, `upgrade` (the new transport), `packet`, `packetCreate`,
 * `drain` and `close` (the reason).
 */
export class Engine extends Emitter {
  /** The Engine.IO session id, once open. */
  id: string | undefined = undefined;
  readyState: "opening" | "open" | "closed" = "opening";
  /** The transport in use; a new object after an upgrade, as engine.io-client's. */
  transport: { name: string };
  /**
   * What binary arguments arrive as: `arraybuffer`, or `nodebuffer`
   * (Node `Buffer`s, the default in Node, as with socket.io-client).
   */
  binaryType: "arraybuffer" | "nodebuffer";
  #drop: () => void;
  #run: (op: (d: Driver) => void) => void;

  /**
   * Made by the Manager: `drop` closes the session's transport, `run` reaches its driver.
   * @internal
   */
  constructor(transport: string, binaryType: Engine["binaryType"], drop: () => void, run: (op: (d: Driver) => void) => void) {
    super();
    this.transport = { name: transport };
    this.binaryType = binaryType;
    this.#drop = drop;
    this.#run = run;
  }

  /**
   * Sets the time (ms since the epoch) by which the next ping must arrive,
   * as engine.io-client's; set earlier, the next emit finds the link dead
   * (a throttled timer). The core keeps it: this is only its setter.
   */
  set _pingTimeoutTime(ms: number) {
    this.#run((d) => d.checkNow(ms));
  }

  /**
   * Closes the connection as a network failure would: the sockets see
   * `transport close` and the Manager reconnects (applications and tests
   * use it to drop a connection).
   */
  close(): this {
    if (this.readyState !== "closed") this.#drop();
    return this;
  }
}
