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
