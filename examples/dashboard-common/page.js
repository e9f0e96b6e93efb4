// What both dashboards read from the page: the server is the page's own
// origin, the credentials come from the query string
// (`?token=<JWT>&license=<key>`), and the rooms follow from them.

/** The `sub` claim of a JWT, read without checking it (the server does). */
export function tokenSubject(token) {
  const part = typeof token === "string" ? token.split(".")[1] : undefined;
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    return claims.sub == null ? null : String(claims.sub);
  } catch {
    return null;
  }
}

/** Server URL, credentials, rooms and heartbeat interval for this page. */
export function pageConfig(loc = window.location) {
  const q = new URLSearchParams(loc.search);
  const token = q.get("token") || null;
  const license = q.get("license") || null;
  const user = tokenSubject(token);
  // Omni rooms with the type the server checks against the name. User ids
  // look like `user_12345` and are their own room.
  const rooms = [];
  if (user) rooms.push({ preset: "omni", room: user.startsWith("user_") ? user : `user_${user}`, type: "user" });
  if (license) rooms.push({ preset: "omni", room: `license_${license}`, type: "license" });
  const heartbeat = Number(q.get("heartbeat")) || 10_000;
  return { url: loc.origin, token, license, user, rooms, heartbeat };
}

/** Socket options shared by both dashboards: quick reconnection for a demo. */
export function socketOptions(cfg) {
  return {
    heartbeat: { interval: cfg.heartbeat, mode: { type: "omni" } },
    reconnectionDelay: 250,
    reconnectionDelayMax: 2_000,
  };
}

/** The license events of seed 000, shown in the "License events" panel. */
export const LICENSE_EVENTS = [
  "license_created",
  "license_updated",
  "license_expired",
  "license_renewed",
  "license_deleted",
];

/** A short line for a license event payload (seed 000's shapes). */
export function describeLicenseEvent(name, data) {
  const key = data?.license_key ?? "?";
  let detail = "";
  switch (name) {
    case "license_created":
      detail = [data?.type, data?.status].filter(Boolean).join(", ");
      break;
    case "license_updated": {
      const status = data?.changes?.status;
      detail = status ? `status ${status.old} → ${status.new}` : "changed";
      break;
    }
    case "license_expired":
      detail = `expired ${data?.expired_at ?? ""}, grace ${data?.grace_period_days ?? 0} days`;
      break;
    case "license_renewed":
      detail = `until ${data?.new_expires_at ?? "?"}`;
      break;
    case "license_deleted":
      detail = data?.reason ?? "";
      break;
  }
  return `${name} · ${key}${detail ? ` · ${detail}` : ""}`;
}

/** Who the server says we are (`authenticated`), or what the token claims. */
export function describeUser(authenticated, cfg) {
  if (!authenticated) return cfg.user ?? "anonymous";
  const perms = authenticated.permissions?.length ? ` (${authenticated.permissions.join(", ")})` : "";
  return `${authenticated.user_id ?? "anonymous"}${perms}`;
}

export function formatLatency(l) {
  if (!l) return "not measured yet";
  return `${Math.round(l.last)} ms (mean ${Math.round(l.mean)}, p95 ${Math.round(l.p95)}, n=${l.count})`;
}

/**
 * What the connection did over time, for the latency chart and the
 * connection timeline. Fed the hook's (or composable's) snapshot whenever
 * it changes: a heartbeat sample shows as a new latency count or value, a
 * connect, drop or reconnection as a change of `connected`, and each
 * reconnection attempt as a rise of `reconnectAttempts`.
 */
export class ConnectionHistory {
  constructor({ maxSamples = 60, maxEvents = 30, now = () => Date.now() } = {}) {
    this.maxSamples = maxSamples;
    this.maxEvents = maxEvents;
    this.now = now;
    /** Latency samples, oldest first: `{t, rtt}` in ms. */
    this.samples = [];
    /** Timeline entries, oldest first: `{t, kind, text}`; kind is
     * `connect`, `drop`, `retry` or `reconnect`. */
    this.events = [];
    /** Up and down periods, oldest first: `{from, to, up}` (`to` null while open). */
    this.periods = [];
    this.connected = false;
    this.attempts = 0;
    this.everConnected = false;
    this.latencyKey = null;
  }

  /** Takes a snapshot; returns whether anything was recorded. */
  observe({ connected, id, reconnectAttempts = 0, latency = null }) {
    const t = this.now();
    let changed = false;
    if (latency && latency.count > 0) {
      // A new sample changes the count (until the window is full) or the
      // figures; a snapshot for another reason changes neither.
      const key = `${latency.count}/${latency.last}/${latency.mean}/${latency.max}`;
      if (key !== this.latencyKey) {
        this.latencyKey = key;
        this.samples = [...this.samples, { t, rtt: latency.last }].slice(-this.maxSamples);
        changed = true;
      }
    }
    if (connected !== this.connected) {
      if (connected) {
        const kind = this.everConnected ? "reconnect" : "connect";
        const after = this.attempts > 0 ? ` after ${this.attempts} ${this.attempts === 1 ? "attempt" : "attempts"}` : "";
        this.add(t, kind, `${kind === "connect" ? "connected" : "reconnected"}${after} · socket ${id ?? "?"}`);
        this.everConnected = true;
      } else if (this.everConnected) {
        this.add(t, "drop", "connection dropped");
      }
      if (connected || this.everConnected) {
        const open = this.periods[this.periods.length - 1];
        if (open) open.to = t;
        this.periods = [...this.periods, { from: t, to: null, up: connected }].slice(-this.maxEvents);
      }
      this.connected = connected;
      changed = true;
    }
    // After the drop: the snapshot that reports it often counts the first
    // attempt already.
    if (!connected && reconnectAttempts > this.attempts) {
      this.add(t, "retry", `reconnecting, attempt ${reconnectAttempts}`);
      changed = true;
    }
    // Back to 0 once connected: the next streak counts from there.
    this.attempts = connected ? 0 : Math.max(this.attempts, reconnectAttempts);
    return changed;
  }

  add(t, kind, text) {
    this.events = [...this.events, { t, kind, text }].slice(-this.maxEvents);
  }
}

/** `hh:mm:ss` of an epoch-ms time, in the page's time zone. */
export function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour12: false });
}

/**
 * An SVG polyline of latency samples in a `width` × `height` box: x by
 * arrival, y by round trip (the top is the largest sample, at least 1 ms).
 */
export function sparkline(samples, width = 240, height = 48) {
  if (samples.length === 0) return { points: "", max: 0, min: 0 };
  const rtts = samples.map((s) => s.rtt);
  const max = Math.max(1, ...rtts);
  const min = Math.min(...rtts);
  const step = samples.length > 1 ? width / (samples.length - 1) : 0;
  const points = rtts
    .map((rtt, i) => `${(i * step).toFixed(1)},${(height - (rtt / max) * (height - 2) - 1).toFixed(1)}`)
    .join(" ");
  return { points, max, min };
}

/**
 * How much time the strip shows: since the first period, at least a
 * minute (so a fresh page does not show one full-width bar) and at most
 * ten.
 */
export function timelineSpan(periods, now) {
  const first = periods[0]?.from ?? now;
  return Math.min(10 * 60_000, Math.max(60_000, now - first));
}

/**
 * The up and down periods of the last `spanMs` as bars in a strip of
 * `width`: `{x, w, up}`, a closed period ending where the next begins.
 */
export function timelineBars(periods, now, width = 240, spanMs = timelineSpan(periods, now)) {
  const start = now - spanMs;
  return periods
    .filter((p) => (p.to ?? now) > start)
    .map((p) => {
      const from = Math.max(p.from, start);
      const x = ((from - start) / spanMs) * width;
      const w = Math.max(1, (((p.to ?? now) - from) / spanMs) * width);
      return { x: Number(x.toFixed(1)), w: Number(w.toFixed(1)), up: p.up };
    });
}
