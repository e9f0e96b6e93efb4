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
  const rooms = [];
  if (user) rooms.push(`user_${user}`);
  if (license) rooms.push(`license_${license}`);
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

/** A short line for a license event payload. */
export function describeLicenseEvent(name, data) {
  const key = data?.license_key ?? "?";
  const extra = data?.message ?? data?.status ?? data?.expires_at ?? "";
  return `${name} · ${key}${extra ? ` · ${extra}` : ""}`;
}

export function formatLatency(l) {
  if (!l) return "not measured yet";
  return `${Math.round(l.last)} ms (mean ${Math.round(l.mean)}, p95 ${Math.round(l.p95)}, n=${l.count})`;
}
