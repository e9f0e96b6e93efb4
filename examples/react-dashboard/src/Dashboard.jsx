// Seed 000's Dashboard, on omni-socket/react: connection status, socket id,
// latency (with a chart over time), a connection timeline, notifications,
// license events, usage and rooms.

import { useEffect, useRef, useState } from "react";
import { useOmniEvent, useOmniSocket, useRoom } from "omni-socket/react";
import {
  ConnectionHistory,
  LICENSE_EVENTS,
  clock,
  describeLicenseEvent,
  describeUser,
  formatLatency,
  pageConfig,
  socketOptions,
  sparkline,
  timelineBars,
  timelineSpan,
} from "../../dashboard-common/page.js";

const cfg = pageConfig();
const options = { url: cfg.url, ...socketOptions(cfg) };

function RoomRow({ socket, room }) {
  const status = useRoom(socket, room);
  const state = status?.state ?? "pending";
  return (
    <li data-room={room.room} data-state={state}>
      {room.room} ({room.type}): <b>{state}</b>
      {status?.reason ? ` (${status.reason})` : ""}
    </li>
  );
}

function LicenseEvents({ socket }) {
  const [events, setEvents] = useState([]);
  useEffect(() => {
    if (!socket) return;
    const offs = LICENSE_EVENTS.map((name) => {
      const fn = (data) => setEvents((prev) => [...prev, { name, data }].slice(-50));
      socket.on(name, fn);
      return () => socket.off(name, fn);
    });
    return () => offs.forEach((off) => off());
  }, [socket]);
  return (
    <section>
      <h2>License events ({events.length})</h2>
      {events.length === 0 ? (
        <p className="empty">none yet</p>
      ) : (
        <ul id="license-events">
          {events.map((e, i) => (
            <li key={i} data-event={e.name}>
              {describeLicenseEvent(e.name, e.data)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Latency over time and the connection's timeline, from the snapshot. */
function History({ connected, id, reconnectAttempts, latency }) {
  const history = useRef(null);
  if (history.current === null) history.current = new ConnectionHistory();
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (history.current.observe({ connected, id, reconnectAttempts, latency })) setVersion((v) => v + 1);
  }, [connected, id, reconnectAttempts, latency]);
  const h = history.current;
  const chart = sparkline(h.samples);
  const now = Date.now();
  const bars = timelineBars(h.periods, now);
  const span = Math.round(timelineSpan(h.periods, now) / 60_000);
  return (
    <>
      <section>
        <h2>Latency over time</h2>
        <svg id="latency-chart" className="chart" viewBox="0 0 240 48" preserveAspectRatio="none" data-samples={h.samples.length}>
          {chart.points && <polyline points={chart.points} />}
        </svg>
        <p className="small">
          {h.samples.length === 0
            ? "no heartbeat answered yet"
            : `last ${h.samples.length} heartbeats: ${chart.min}–${chart.max} ms`}
        </p>
      </section>
      <section>
        <h2>Connection timeline</h2>
        <svg id="timeline-strip" className="strip" viewBox="0 0 240 10" preserveAspectRatio="none">
          {bars.map((b, i) => (
            <rect key={i} x={b.x} y="0" width={b.w} height="10" className={b.up ? "up" : "down"} data-up={String(b.up)} />
          ))}
        </svg>
        <p className="small">up (green) and down (red) over the last {span} min</p>
        <ol id="timeline" className="timeline">
          {h.events.map((e, i) => (
            <li key={i} data-kind={e.kind}>
              {clock(e.t)} {e.text}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

export function Dashboard() {
  const { socket, connected, state, id, notifications, latency, reconnectAttempts } = useOmniSocket(
    cfg.token,
    cfg.license,
    options,
  );
  const [usage, setUsage] = useState(null);
  const [quota, setQuota] = useState(null);
  const [who, setWho] = useState(null);
  const [authError, setAuthError] = useState(null);
  useOmniEvent(socket, "usage_update", setUsage);
  useOmniEvent(socket, "quota_warning", setQuota);
  useOmniEvent(socket, "authenticated", setWho);
  useOmniEvent(socket, "connect_error", (e) => setAuthError(e?.message ?? String(e)));
  useOmniEvent(socket, "connect", () => setAuthError(null));

  return (
    <main data-app="react">
      <h1>Omni dashboard · React</h1>
      {!cfg.token && !cfg.license && (
        <p className="warn">No credentials: open this page with ?token=…&amp;license=… (scripts/demo.sh prints the link).</p>
      )}
      <div className="grid">
        <section>
          <h2>Connection</h2>
          <dl>
            <dt>Status</dt>
            <dd id="status" className={connected ? "on" : "off"}>
              {connected ? "Connected" : "Disconnected"}
            </dd>
            <dt>State</dt>
            <dd id="state">{state}</dd>
            <dt>Socket id</dt>
            <dd id="socket-id">{id ?? "—"}</dd>
            <dt>Reconnect attempts</dt>
            <dd id="reconnects">{reconnectAttempts}</dd>
            <dt>Latency</dt>
            <dd id="latency" data-measured={latency ? "yes" : "no"}>
              {formatLatency(latency)}
            </dd>
            <dt>User</dt>
            <dd id="user" data-authenticated={who ? "yes" : "no"}>
              {describeUser(who, cfg)}
            </dd>
            {authError && (
              <>
                <dt>Error</dt>
                <dd id="error">{authError}</dd>
              </>
            )}
          </dl>
        </section>
        <section>
          <h2>Rooms</h2>
          {cfg.rooms.length === 0 ? (
            <p className="empty">no rooms (no token or license)</p>
          ) : (
            <ul id="rooms">
              {cfg.rooms.map((room) => (
                <RoomRow key={room.room} socket={socket} room={room} />
              ))}
            </ul>
          )}
        </section>
        <section>
          <h2>Usage</h2>
          {usage ? (
            <dl id="usage" data-api-calls={usage.api_calls}>
              <dt>License</dt>
              <dd>{usage.license_key}</dd>
              <dt>API calls</dt>
              <dd>{usage.api_calls}</dd>
              <dt>Storage</dt>
              <dd>{usage.storage_used_gb} GB</dd>
              <dt>Active users</dt>
              <dd>{usage.active_users}</dd>
            </dl>
          ) : (
            <p className="empty">no usage update yet</p>
          )}
          {quota && (
            <p id="quota" className="warn">
              {quota.message ?? `${quota.type}: ${quota.percentage}%`}
            </p>
          )}
        </section>
        <section>
          <h2>
            Notifications (<span id="notification-count">{notifications.length}</span>)
          </h2>
          {notifications.length === 0 ? (
            <p className="empty">none yet</p>
          ) : (
            <ul id="notifications">
              {notifications.map((n, i) => (
                <li key={n.id ?? i}>
                  <b>{n.title}</b> {n.message}
                </li>
              ))}
            </ul>
          )}
        </section>
        <LicenseEvents socket={socket} />
        <History connected={connected} id={id} reconnectAttempts={reconnectAttempts} latency={latency} />
      </div>
    </main>
  );
}
