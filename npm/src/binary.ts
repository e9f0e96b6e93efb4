// Binary arguments: Socket.IO sends them as attachments that placeholders
// (`{_placeholder: true, num: N}`) in the JSON point to.

function isBinary(v: unknown): v is ArrayBuffer | ArrayBufferView {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

/** Replaces binary values with Socket.IO placeholders, collecting the bytes. */
export function deconstruct(args: unknown[]): [string, Uint8Array[]] {
  const bins: Uint8Array[] = [];
  const walk = (v: unknown): unknown => {
    if (isBinary(v)) {
      const bytes =
        v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      bins.push(bytes);
      return { _placeholder: true, num: bins.length - 1 };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  // Plain JSON.stringify, as socket.io-client encodes: `undefined` is null
  // in an array and left out of an object (a server checking for a
  // missing key must not find a null).
  const json = JSON.stringify(args.map(walk));
  return [json, bins];
}

/** Attachments of an event without binary data. */
export const NO_BINS: Uint8Array[] = [];

type NodeBuffer = { from(b: ArrayBuffer, offset: number, length: number): Uint8Array };

/**
 * Puts attachments back where their placeholders are: `ArrayBuffer`s, or
 * with `nodeBuffer` Node `Buffer`s (what socket.io-client gives in Node).
 */
export function revive(v: unknown, bins: Uint8Array[], nodeBuffer: boolean): unknown {
  if (bins.length === 0 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => revive(x, bins, nodeBuffer));
  const o = v as Record<string, unknown>;
  if (o._placeholder === true && typeof o.num === "number") {
    const b = bins[o.num];
    if (b) {
      const B = nodeBuffer ? (globalThis as { Buffer?: NodeBuffer }).Buffer : undefined;
      return B ? B.from(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength) : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }
  }
  for (const k of Object.keys(o)) o[k] = revive(o[k], bins, nodeBuffer);
  return o;
}
