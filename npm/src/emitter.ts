// The one event emitter the Manager, the engine and each Socket extend, as
// socket.io-client's classes all extend one small emitter package.

/** A listener of any event. */
export type Listener = (...args: any[]) => void;

/** A catch-all listener: the event name, then its arguments. */
export type AnyListener = (event: string, ...args: any[]) => void;

/** Calls `fn`; what it throws is reported, so the other listeners still run. */
export function call(fn: Listener, args: unknown[]): void {
  try {
    fn(...args);
  } catch (e) {
    reportError(e);
  }
}

/** Reports an exception without unwinding into the caller (the wasm driver must never see one). */
export function reportError(e: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === "function") g.reportError(e);
  else
    setTimeout(() => {
      throw e;
    });
}

/**
 * A minimal event emitter with the method names of socket.io-client's
 * (`on`, `once`, `off`, `emit`, `listeners`, `hasListeners`).
 */
export class Emitter {
  #listeners = new Map<string, Listener[]>();

  on(event: string, fn: Listener): this {
    const list = this.#listeners.get(event);
    if (list) list.push(fn);
    else this.#listeners.set(event, [fn]);
    return this;
  }

  once(event: string, fn: Listener): this {
    const wrapper = (...args: unknown[]) => {
      this.off(event, wrapper);
      fn(...args);
    };
    (wrapper as { fn?: Listener }).fn = fn;
    return this.on(event, wrapper);
  }

  /** Removes one listener, all listeners of `event`, or all listeners. */
  off(event?: string, fn?: Listener): this {
    if (event === undefined) {
      this.#listeners.clear();
    } else if (fn === undefined) {
      this.#listeners.delete(event);
    } else {
      const list = this.#listeners.get(event);
      if (list) {
        const i = list.findIndex((l) => l === fn || (l as { fn?: Listener }).fn === fn);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.#listeners.delete(event);
      }
    }
    return this;
  }

  /** Alias of {@link off}. */
  removeListener(event?: string, fn?: Listener): this {
    return this.off(event, fn);
  }

  /** Alias of {@link off}. */
  removeAllListeners(event?: string): this {
    return this.off(event);
  }

  listeners(event: string): Listener[] {
    return [...(this.#listeners.get(event) ?? [])];
  }

  hasListeners(event: string): boolean {
    return this.#listeners.has(event);
  }

  /** Calls the listeners of `event`; a throwing listener does not stop the others. */
  emit(event: string, ...args: unknown[]): this {
    return this.emitReserved(event, ...args);
  }

  /** Calls local listeners only (on a Socket, `emit` sends to the server instead). */
  emitReserved(event: string, ...args: unknown[]): this {
    const list = this.#listeners.get(event);
    if (list === undefined) return this;
    if (list.length === 1) {
      // The usual case, once per received event: no copy of the list.
      call(list[0], args);
    } else {
      // A copy, so listeners added or removed by a listener apply next time.
      for (const fn of list.slice()) call(fn, args);
    }
    return this;
  }
}

/** Catch-all listeners called with `(event, ...args)`: the `onAny` and `onAnyOutgoing` families. */
export class AnyListeners {
  #list: AnyListener[] = [];

  add(fn: AnyListener): void {
    this.#list.push(fn);
  }

  prepend(fn: AnyListener): void {
    this.#list.unshift(fn);
  }

  /** Removes `fn`, or every listener without an argument. */
  remove(fn?: AnyListener): void {
    this.#list = fn ? this.#list.filter((f) => f !== fn) : [];
  }

  list(): AnyListener[] {
    return [...this.#list];
  }

  /** Calls each on a copy of the list; a throwing listener does not stop the others. */
  fire(event: string, args: unknown[]): void {
    if (this.#list.length === 0) return;
    const withName = [event, ...args];
    for (const fn of this.#list.slice()) call(fn, withName);
  }
}
