// A stand-in for the wasm-backed Socket with the same store and listener
// surface, so the adapters are tested without a network.

import type { RoomDescription, Snapshot } from "../index.js";

export class FakeSocket {
  static created: FakeSocket[] = [];
  disposed = false;
  joined: string[] = [];
  left: string[] = [];
  #listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  #subs = new Set<() => void>();
  #snap: Snapshot = {
    state: "connecting",
    connected: false,
    id: undefined,
    reconnectAttempts: 0,
    latency: null,
    rooms: {},
    transport: null,
  };

  constructor(
    readonly url: string,
    readonly options: Record<string, unknown>,
  ) {
    FakeSocket.created.push(this);
  }

  static live(): FakeSocket[] {
    return FakeSocket.created.filter((s) => !s.disposed);
  }

  on(ev: string, fn: (...a: unknown[]) => void) {
    if (!this.#listeners.has(ev)) this.#listeners.set(ev, new Set());
    this.#listeners.get(ev)!.add(fn);
    return this;
  }

  off(ev: string, fn: (...a: unknown[]) => void) {
    this.#listeners.get(ev)?.delete(fn);
    return this;
  }

  listenerCount(ev: string): number {
    return this.#listeners.get(ev)?.size ?? 0;
  }

  /** Simulates a server event. */
  fire(ev: string, ...args: unknown[]) {
    for (const fn of [...(this.#listeners.get(ev) ?? [])]) fn(...args);
  }

  /** Simulates a state change. */
  set(patch: Partial<Snapshot>) {
    this.#snap = { ...this.#snap, ...patch };
    for (const fn of [...this.#subs]) fn();
  }

  join(room: string | RoomDescription) {
    const key = typeof room === "string" ? room : "custom";
    this.joined.push(key);
    this.set({ rooms: { ...this.#snap.rooms, [key]: { key, state: "joining", reason: null } } });
    return key;
  }

  leave(key: string) {
    this.left.push(key);
    const rooms = { ...this.#snap.rooms };
    delete rooms[key];
    this.set({ rooms });
    return this;
  }

  dispose() {
    this.disposed = true;
  }

  subscribe = (fn: () => void) => {
    this.#subs.add(fn);
    return () => {
      this.#subs.delete(fn);
    };
  };

  subscriberCount(): number {
    return this.#subs.size;
  }

  getSnapshot = () => this.#snap;
}
