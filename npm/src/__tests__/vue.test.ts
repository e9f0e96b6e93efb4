import { beforeEach, describe, expect, it, vi } from "vitest";
import { createApp, defineComponent, h, inject, nextTick, isReactive, reactive } from "vue";
import { FakeSocket } from "./fake.js";

vi.mock("../index.js", () => ({
  io: (url: string, options: Record<string, unknown>) => new FakeSocket(url, options),
}));

const { OmniSocket, useOmniSocket } = await import("../vue.js");

beforeEach(() => {
  FakeSocket.created = [];
});

function mount(component: ReturnType<typeof defineComponent>, withPlugin = true) {
  const app = createApp(component);
  if (withPlugin) app.use(OmniSocket, { url: "http://srv", auth: { token: "t", license_key: "L" } });
  const el = document.createElement("div");
  app.mount(el);
  return { app, el };
}

describe("OmniSocket plugin", () => {
  it("provides the socket by inject('omniSocket') and $omniSocket", () => {
    let injected: unknown;
    let global: unknown;
    const C = defineComponent({
      setup() {
        injected = inject("omniSocket");
        return {};
      },
      mounted() {
        global = this.$omniSocket;
      },
      render: () => h("p"),
    });
    const { app } = mount(C);
    const s = FakeSocket.created[0]!;
    expect(s.url).toBe("http://srv");
    expect(s.options.auth).toEqual({ token: "t", license_key: "L" });
    expect(s.options.heartbeat).toEqual({});
    // Seed 000's server refuses what exceeds its table: paced by it.
    expect(s.options.rateLimit).toEqual({ product: "omni" });
    expect(injected).toBe(s);
    expect(global).toBe(s);
    // Never proxied: putting it into reactive state keeps the raw object.
    expect(isReactive(reactive({ s: injected }).s)).toBe(false);
    app.unmount();
    expect(s.disposed).toBe(true);
  });

  it("keeps the rate limits it is given", () => {
    const app = createApp(defineComponent({ render: () => h("p") }));
    app.use(OmniSocket, { url: "http://srv", rateLimit: { namespaces: { "/doa": "doa" } } });
    expect(FakeSocket.created[0]!.options.rateLimit).toEqual({ namespaces: { "/doa": "doa" } });
  });

  it("composable exposes reactive refs and cleans up with the component", async () => {
    let refs: ReturnType<typeof useOmniSocket> | undefined;
    const C = defineComponent({
      setup() {
        refs = useOmniSocket();
        return () => h("p", refs!.connected.value ? `on ${refs!.notifications.value.length}` : "off");
      },
    });
    const { app, el } = mount(C);
    const s = FakeSocket.created[0]!;
    expect(el.textContent).toBe("off");
    s.set({ connected: true, state: "open", latency: { count: 1, last: 5, min: 5, max: 5, mean: 5, p50: 5, p95: 5, p99: 5 } });
    s.fire("notification", { title: "x" });
    await nextTick();
    expect(el.textContent).toBe("on 1");
    expect(refs!.state.value).toBe("open");
    expect(refs!.latency.value?.last).toBe(5);
    expect(s.subscriberCount()).toBe(1);
    expect(s.listenerCount("notification")).toBe(1);
    app.unmount();
    expect(s.subscriberCount()).toBe(0);
    expect(s.listenerCount("notification")).toBe(0);
  });

  it("says clearly when the plugin is missing", () => {
    let error: unknown;
    const C = defineComponent({
      setup() {
        try {
          useOmniSocket();
        } catch (e) {
          error = e;
        }
        return () => h("p");
      },
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    mount(C, false).app.unmount();
    warn.mockRestore();
    expect(String(error)).toMatch(/app\.use\(OmniSocket, \{ url, auth \}\)/);
  });

  it("requires a url", () => {
    const app = createApp(defineComponent({ render: () => h("p") }));
    expect(() => app.use(OmniSocket, {} as never)).toThrow(/needs a url/);
  });
});
