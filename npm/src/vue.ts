// Vue bindings: the plugin of seed 000 (`app.use(OmniSocket, {url, auth})`,
// `inject('omniSocket')`, `$omniSocket`) and a composable with reactive refs.

import { computed, inject, markRaw, onScopeDispose, reactive, readonly, shallowRef, toRefs } from "vue";
import type { App, InjectionKey, Ref } from "vue";
import { io } from "./index.js";
import type { ConnectionState, EventsMap, LatencyStats, OmniNotification, RoomStatus, Socket, SocketOptions } from "./index.js";

/** Plugin options: the server URL and socket options (seed 000: `{url, auth}`). */
export interface OmniSocketPluginOptions extends SocketOptions {
  url: string;
}

/** The injection key; the string `'omniSocket'` works too, as in seed 000. */
export const omniSocketKey: InjectionKey<Socket> = "omniSocket" as unknown as InjectionKey<Socket>;

/** The plugin: creates one socket for the app and disposes it on `app.unmount()`. */
export const OmniSocket = {
  install(app: App, options: OmniSocketPluginOptions): void {
    if (!options || typeof options.url !== "string") {
      throw new Error("omni-socket/vue: app.use(OmniSocket, { url, auth }) needs a url");
    }
    const { url, ...rest } = options;
    // Never let Vue wrap the socket in a reactive proxy: its private
    // fields would break.
    // Latency comes from seed 000's heartbeat unless told otherwise
    // (`heartbeat: null` turns it off); `{}` is the core's defaults, the
    // Omni heartbeat every 30 s.
    const heartbeat = rest.heartbeat === undefined ? {} : rest.heartbeat;
    // Omni's server refuses (and drops) what exceeds seed 000's rate
    // table, so the plugin paces by it unless given limits of its own.
    const rateLimit = rest.rateLimit ?? { product: "omni" };
    // Its own connection (forceNew), disposed with the app.
    const socket = markRaw(io(url, { ...rest, heartbeat, rateLimit, forceNew: true }));
    app.config.globalProperties.$omniSocket = socket;
    app.provide("omniSocket", socket);
    const onUnmount = (app as { onUnmount?: (fn: () => void) => void }).onUnmount;
    if (typeof onUnmount === "function") onUnmount.call(app, () => socket.dispose());
  },
};

export default OmniSocket;

declare module "vue" {
  interface ComponentCustomProperties {
    $omniSocket: Socket;
  }
}

/** What {@link useOmniSocket} returns: the socket and read-only refs. */
export interface OmniSocketRefs<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap> {
  socket: Socket<L, C>;
  connected: Readonly<Ref<boolean>>;
  state: Readonly<Ref<ConnectionState>>;
  id: Readonly<Ref<string | undefined>>;
  latency: Readonly<Ref<LatencyStats | null>>;
  rooms: Readonly<Ref<Readonly<Record<string, RoomStatus>>>>;
  reconnectAttempts: Readonly<Ref<number>>;
  /** Seed 000's `notification` events, oldest first (at most `maxNotifications`). */
  notifications: Readonly<Ref<readonly OmniNotification[]>>;
}

/**
 * The app's socket with reactive state. Call it in `setup()`; listeners are
 * removed when the component's scope is disposed.
 *
 * @throws Error when the plugin is not installed.
 */
export function useOmniSocket<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap>(
  options: { maxNotifications?: number } = {},
): OmniSocketRefs<L, C> {
  const socket = inject<Socket<L, C> | null>("omniSocket", null);
  if (!socket) {
    throw new Error(
      "omni-socket/vue: no socket to inject. Install the plugin first: " +
        "app.use(OmniSocket, { url, auth }) (import OmniSocket from 'omni-socket/vue').",
    );
  }
  const max = options.maxNotifications ?? 100;
  const snap = socket.getSnapshot();
  const state = reactive({
    connected: snap.connected,
    state: snap.state,
    id: snap.id,
    latency: snap.latency,
    rooms: snap.rooms,
    reconnectAttempts: snap.reconnectAttempts,
  });
  // A shallow ref of its own: the list is replaced, never changed in place,
  // and Vue's deep ref unwrapping of the notification model (its `data` is
  // any JSON value) is a type too deep for tsc.
  const notifications = shallowRef<readonly OmniNotification[]>([]);
  const update = () => {
    const s = socket.getSnapshot();
    state.connected = s.connected;
    state.state = s.state;
    state.id = s.id;
    state.latency = s.latency;
    state.rooms = s.rooms;
    state.reconnectAttempts = s.reconnectAttempts;
  };
  const unsubscribe = socket.subscribe(update);
  // Catch anything that changed between the first read and subscribing.
  update();
  const onNotification = (n: OmniNotification) => {
    notifications.value = [...notifications.value, n].slice(-max);
  };
  socket.on("notification" as never, onNotification as never);
  onScopeDispose(() => {
    unsubscribe();
    socket.off("notification", onNotification);
  });
  const refs = toRefs(readonly(state));
  return { socket, ...refs, notifications: computed(() => notifications.value) } as unknown as OmniSocketRefs<L, C>;
}
