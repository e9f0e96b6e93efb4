// React bindings: `useOmniSocket` and helpers over the socket's
// subscribe/getSnapshot store (useSyncExternalStore).

import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { io } from "./index.js";
import type {
  ConnectionState,
  EventsMap,
  LatencyStats,
  OmniNotification,
  RateLimitOptions,
  RoomDescription,
  RoomStatus,
  Snapshot,
  Socket,
  SocketOptions,
} from "./index.js";

/** Options of {@link useOmniSocket}: the socket options plus the server URL. */
export interface UseOmniSocketOptions extends SocketOptions {
  /** Server URL; defaults to the page's origin. */
  url?: string;
  /** Omni `role`, sent in the auth object. */
  role?: string;
  /** Most `notification` events kept (100). */
  maxNotifications?: number;
}

/** What {@link useOmniSocket} returns. */
export interface UseOmniSocketResult<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap> {
  socket: Socket<L, C> | null;
  connected: boolean;
  state: ConnectionState;
  /** Seed 000's `notification` events, oldest first (at most `maxNotifications`). */
  notifications: OmniNotification[];
  latency: LatencyStats | null;
  rooms: Readonly<Record<string, RoomStatus>>;
  id: string | undefined;
  reconnectAttempts: number;
}

interface Entry {
  socket: Socket<any, any>;
  refs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

// Sockets by options identity. A release waits one task before disposing,
// so StrictMode's unmount-remount (and a second component with the same
// options) keeps the one connection instead of opening another.
const sockets = new Map<string, Entry>();

function acquire(key: string, create: () => Socket<any, any>): Socket<any, any> {
  let entry = sockets.get(key);
  if (!entry) {
    entry = { socket: create(), refs: 0, timer: undefined };
    sockets.set(key, entry);
  }
  if (entry.timer !== undefined) {
    clearTimeout(entry.timer);
    entry.timer = undefined;
  }
  entry.refs += 1;
  return entry.socket;
}

function release(key: string): void {
  const entry = sockets.get(key);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  entry.timer = setTimeout(() => {
    if (entry.refs === 0 && sockets.get(key) === entry) {
      sockets.delete(key);
      entry.socket.dispose();
    }
  }, 0);
}

/** Live sockets held by hooks (for tests and debugging). */
export function activeSocketCount(): number {
  return sockets.size;
}

const NULL_SNAPSHOT: Snapshot = Object.freeze({
  state: "idle",
  connected: false,
  id: undefined,
  reconnectAttempts: 0,
  latency: null,
  rooms: Object.freeze({}),
  transport: null,
}) as Snapshot;
const noSubscribe = () => () => {};
const OMNI_RATE_LIMIT: RateLimitOptions = Object.freeze({ product: "omni" });
const nullSnapshot = () => NULL_SNAPSHOT;

function optionsKey(token: string | null | undefined, licenseKey: string | null | undefined, o: UseOmniSocketOptions): string {
  return JSON.stringify([token ?? null, licenseKey ?? null, o], (_k, v) => (typeof v === "function" ? String(v) : v));
}

/**
 * Seed 000's hook: one Omni connection authenticated with `token` and
 * `licenseKey`, shared by every component that passes the same arguments,
 * closed when the last one unmounts. Safe under StrictMode.
 */
export function useOmniSocket<L extends EventsMap = EventsMap, C extends EventsMap = EventsMap>(
  token: string | null | undefined,
  licenseKey: string | null | undefined,
  options: UseOmniSocketOptions = {},
): UseOmniSocketResult<L, C> {
  const key = optionsKey(token, licenseKey, options);
  const latest = useRef(options);
  latest.current = options;
  const [socket, setSocket] = useState<Socket<L, C> | null>(null);
  const [notifications, setNotifications] = useState<OmniNotification[]>([]);

  useEffect(() => {
    const { url, role, maxNotifications: _max, ...rest } = latest.current;
    const auth: Record<string, unknown> = {
      ...(typeof rest.auth === "object" ? rest.auth : {}),
      ...(token != null ? { token } : {}),
      ...(licenseKey != null ? { license_key: licenseKey } : {}),
      ...(role !== undefined ? { role } : {}),
    };
    const target = url ?? (typeof location !== "undefined" ? location.origin : "http://localhost:3001");
    // The Omni hook measures latency with seed 000's heartbeat unless told
    // otherwise (`heartbeat: null` turns it off); `{}` is the core's
    // defaults, the Omni heartbeat every 30 s.
    const heartbeat = rest.heartbeat === undefined ? {} : rest.heartbeat;
    // Omni's server refuses (and drops) what exceeds seed 000's rate
    // table, so the hook paces by it unless given limits of its own.
    const rateLimit = rest.rateLimit ?? OMNI_RATE_LIMIT;
    // Its own connection (forceNew): the hook shares it by its own key and disposes it.
    const s = acquire(key, () => io(target, { ...rest, heartbeat, rateLimit, auth, forceNew: true })) as Socket<L, C>;
    setSocket(s);
    setNotifications([]);
    return () => release(key);
    // `key` captures token, licenseKey and every option.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    if (!socket) return;
    const max = latest.current.maxNotifications ?? 100;
    const onNotification = (n: OmniNotification) => setNotifications((prev) => [...prev, n].slice(-max));
    socket.on("notification" as never, onNotification as never);
    return () => {
      socket.off("notification", onNotification);
    };
  }, [socket]);

  const snap = useSyncExternalStore(
    socket ? socket.subscribe : noSubscribe,
    socket ? socket.getSnapshot : nullSnapshot,
    socket ? socket.getSnapshot : nullSnapshot,
  );

  return {
    socket,
    connected: snap.connected,
    state: snap.state,
    notifications,
    latency: snap.latency,
    rooms: snap.rooms,
    id: snap.id,
    reconnectAttempts: snap.reconnectAttempts,
  };
}

/** Calls `handler` for every `name` event while mounted; the latest handler is used. */
export function useOmniEvent(socket: Socket<any, any> | null | undefined, name: string, handler: (...args: any[]) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!socket) return;
    const fn = (...args: unknown[]) => ref.current(...args);
    socket.on(name as never, fn as never);
    return () => {
      socket.off(name, fn);
    };
  }, [socket, name]);
}

/**
 * Keeps a room joined while mounted (re-joined after reconnections) and
 * returns its status. A string is an Omni room.
 */
export function useRoom(
  socket: Socket<any, any> | null | undefined,
  room: string | RoomDescription | null | undefined,
): RoomStatus | undefined {
  const desc = room == null ? null : JSON.stringify(room);
  const [key, setKey] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!socket || desc === null) return;
    const k = socket.join(JSON.parse(desc));
    setKey(k);
    return () => {
      socket.leave(k);
    };
  }, [socket, desc]);
  const snap = useSyncExternalStore(
    socket ? socket.subscribe : noSubscribe,
    socket ? socket.getSnapshot : nullSnapshot,
    socket ? socket.getSnapshot : nullSnapshot,
  );
  return key === undefined ? undefined : snap.rooms[key];
}
