import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StrictMode, createElement, act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { FakeSocket } from "./fake.js";

vi.mock("../index.js", () => ({
  io: (url: string, options: Record<string, unknown>) => new FakeSocket(url, options),
}));

const { useOmniSocket, useOmniEvent, useRoom, activeSocketCount } = await import("../react.js");

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.created = [];
  container = document.createElement("div");
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  act(() => {
    vi.runAllTimers();
  });
  container.remove();
  vi.useRealTimers();
});

function render(el: ReturnType<typeof createElement>, strict = true) {
  act(() => root.render(strict ? createElement(StrictMode, null, el) : el));
}

type HookResult = ReturnType<typeof useOmniSocket>;
type UseOmniSocketOptions = NonNullable<Parameters<typeof useOmniSocket>[2]>;

function Probe(props: { token: string; license: string; out: { current?: HookResult }; url?: string; options?: UseOmniSocketOptions }) {
  const r = useOmniSocket(props.token, props.license, { url: props.url ?? "http://srv", ...props.options });
  props.out.current = r;
  return createElement("span", null, r.connected ? "Connected" : "Disconnected");
}

describe("useOmniSocket", () => {
  it("opens one connection under StrictMode's double mount", () => {
    const out: { current?: HookResult } = {};
    render(createElement(Probe, { token: "t", license: "L", out }));
    act(() => {
      vi.runAllTimers();
    });
    expect(FakeSocket.live()).toHaveLength(1);
    expect(FakeSocket.created).toHaveLength(1);
    expect(activeSocketCount()).toBe(1);
    const s = FakeSocket.created[0]!;
    expect(s.url).toBe("http://srv");
    expect(s.options.auth).toEqual({ token: "t", license_key: "L" });
    expect(s.options.heartbeat).toEqual({});
    expect(out.current?.socket).toBe(s);
  });

  it("paces emits by Omni's rate table unless given limits of its own", () => {
    const out: { current?: HookResult } = {};
    render(createElement(Probe, { token: "t", license: "L", out }));
    expect(FakeSocket.created[0]!.options.rateLimit).toEqual({ product: "omni" });
    act(() => root.render(createElement(Probe, { token: "t", license: "L", out, options: { rateLimit: { enabled: false } } })));
    act(() => {
      vi.runAllTimers();
    });
    expect(FakeSocket.live()).toHaveLength(1);
    expect(FakeSocket.live()[0]!.options.rateLimit).toEqual({ enabled: false });
  });

  it("renders store changes and collects notifications", () => {
    const out: { current?: HookResult } = {};
    render(createElement(Probe, { token: "t", license: "L", out }));
    const s = FakeSocket.created[0]!;
    expect(container.textContent).toBe("Disconnected");
    act(() => s.set({ connected: true, state: "open", id: "abc" }));
    expect(container.textContent).toBe("Connected");
    expect(out.current?.state).toBe("open");
    expect(out.current?.id).toBe("abc");
    act(() => s.fire("notification", { title: "a" }));
    act(() => s.fire("notification", { title: "b" }));
    expect(out.current?.notifications).toEqual([{ title: "a" }, { title: "b" }]);
    // Only one notification listener despite StrictMode's double effects.
    expect(s.listenerCount("notification")).toBe(1);
  });

  it("disposes on unmount and reconnects for new credentials", () => {
    const out: { current?: HookResult } = {};
    render(createElement(Probe, { token: "t1", license: "L", out }));
    const first = FakeSocket.created[0]!;
    render(createElement(Probe, { token: "t2", license: "L", out }));
    act(() => {
      vi.runAllTimers();
    });
    expect(first.disposed).toBe(true);
    expect(FakeSocket.live()).toHaveLength(1);
    expect(FakeSocket.live()[0]!.options.auth).toEqual({ token: "t2", license_key: "L" });
    act(() => root.unmount());
    act(() => {
      vi.runAllTimers();
    });
    expect(FakeSocket.live()).toHaveLength(0);
    expect(activeSocketCount()).toBe(0);
    root = createRoot(container);
  });

  it("shares one socket between components with the same options", () => {
    const a: { current?: HookResult } = {};
    const b: { current?: HookResult } = {};
    render(
      createElement("div", null, createElement(Probe, { token: "t", license: "L", out: a }), createElement(Probe, { token: "t", license: "L", out: b })),
    );
    expect(FakeSocket.created).toHaveLength(1);
    expect(a.current?.socket).toBe(b.current?.socket);
  });
});

describe("useOmniEvent and useRoom", () => {
  it("subscribes while mounted with the latest handler, and keeps a room joined", () => {
    const seen: unknown[] = [];
    const status: { current?: unknown } = {};
    const s = new FakeSocket("x", {});
    function C(props: { tag: string; show: boolean }) {
      useOmniEvent(s as never, "user_login", (u) => seen.push([props.tag, u]));
      status.current = useRoom(s as never, props.show ? "lobby" : null);
      return null;
    }
    render(createElement(C, { tag: "first", show: true }));
    act(() => s.fire("user_login", 1));
    render(createElement(C, { tag: "second", show: true }));
    act(() => s.fire("user_login", 2));
    expect(seen).toEqual([
      ["first", 1],
      ["second", 2],
    ]);
    expect(s.listenerCount("user_login")).toBe(1);
    expect(status.current).toEqual({ key: "lobby", state: "joining", reason: null });
    act(() => s.set({ rooms: { lobby: { key: "lobby", state: "joined", reason: null } } }));
    expect(status.current).toEqual({ key: "lobby", state: "joined", reason: null });
    render(createElement(C, { tag: "second", show: false }));
    expect(s.left.at(-1)).toBe("lobby");
    act(() => root.unmount());
    expect(s.listenerCount("user_login")).toBe(0);
    root = createRoot(container);
  });
});
