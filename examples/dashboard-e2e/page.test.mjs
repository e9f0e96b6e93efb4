// The dashboards' shared logic without a browser: the connection history
// behind the latency chart and the timeline, on a clock of our own.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionHistory, sparkline, timelineBars, timelineSpan } from "../dashboard-common/page.js";

const stats = (count, last) => ({ count, last, mean: last, max: last, min: last, p95: last });

test("a connect, samples, a drop, retries and a reconnection, in order", () => {
  let now = 1_000;
  const h = new ConnectionHistory({ now: () => now });
  assert.equal(h.observe({ connected: false, reconnectAttempts: 0, latency: null }), false, "nothing yet");
  assert.ok(h.observe({ connected: true, id: "a1", reconnectAttempts: 0, latency: null }));
  now += 300;
  assert.ok(h.observe({ connected: true, id: "a1", latency: stats(1, 4) }));
  // A snapshot for another reason (rooms, say) is no new sample.
  assert.equal(h.observe({ connected: true, id: "a1", latency: stats(1, 4) }), false);
  now += 300;
  h.observe({ connected: true, id: "a1", latency: stats(2, 7) });
  now += 1_000;
  h.observe({ connected: false, reconnectAttempts: 0, latency: stats(2, 7) });
  now += 500;
  h.observe({ connected: false, reconnectAttempts: 1, latency: stats(2, 7) });
  now += 1_000;
  h.observe({ connected: false, reconnectAttempts: 2, latency: stats(2, 7) });
  now += 200;
  h.observe({ connected: true, id: "b2", reconnectAttempts: 0, latency: stats(2, 7) });
  assert.deepEqual(
    h.events.map((e) => [e.t, e.kind, e.text]),
    [
      [1_000, "connect", "connected · socket a1"],
      [2_600, "drop", "connection dropped"],
      [3_100, "retry", "reconnecting, attempt 1"],
      [4_100, "retry", "reconnecting, attempt 2"],
      [4_300, "reconnect", "reconnected after 2 attempts · socket b2"],
    ],
  );
  assert.deepEqual(h.samples, [{ t: 1_300, rtt: 4 }, { t: 1_600, rtt: 7 }]);
  assert.deepEqual(h.periods, [
    { from: 1_000, to: 2_600, up: true },
    { from: 2_600, to: 4_300, up: false },
    { from: 4_300, to: null, up: true },
  ]);
  // A drop reported with its first attempt: the drop comes first.
  now += 100;
  h.observe({ connected: false, reconnectAttempts: 1 });
  assert.deepEqual(h.events.slice(-2).map((e) => e.kind), ["drop", "retry"]);
  // The next streak counts from zero.
  h.observe({ connected: true, id: "x", reconnectAttempts: 0 });
  h.observe({ connected: false, reconnectAttempts: 0 });
  h.observe({ connected: true, id: "c3", reconnectAttempts: 0 });
  assert.equal(h.events.at(-1).text, "reconnected · socket c3");
});

test("bounded: the newest samples and events are kept", () => {
  let now = 0;
  const h = new ConnectionHistory({ maxSamples: 3, maxEvents: 2, now: () => now++ });
  for (let i = 1; i <= 10; i++) h.observe({ connected: i % 2 === 1, id: `s${i}`, latency: stats(i, i) });
  assert.deepEqual(h.samples.map((s) => s.rtt), [8, 9, 10]);
  assert.equal(h.events.length, 2);
  assert.ok(h.periods.length <= 2);
});

test("sparkline and timeline bars fit their boxes", () => {
  assert.deepEqual(sparkline([]), { points: "", max: 0, min: 0 });
  const s = sparkline([{ rtt: 10 }, { rtt: 5 }, { rtt: 0 }], 100, 20);
  assert.equal(s.points, "0.0,1.0 50.0,10.0 100.0,19.0");
  assert.deepEqual([s.min, s.max], [0, 10]);
  const bars = timelineBars(
    [
      { from: 0, to: 40_000, up: true },
      { from: 40_000, to: 50_000, up: false },
      { from: 50_000, to: null, up: true },
    ],
    100_000,
    100,
    100_000,
  );
  assert.deepEqual(bars, [
    { x: 0, w: 40, up: true },
    { x: 40, w: 10, up: false },
    { x: 50, w: 50, up: true },
  ]);
  // The span follows the page's age, from one minute to ten.
  assert.equal(timelineSpan([], 5), 60_000);
  assert.equal(timelineSpan([{ from: 0, to: null, up: true }], 120_000), 120_000);
  assert.equal(timelineSpan([{ from: 0, to: null, up: true }], 3_600_000), 600_000);
  // Periods older than the span are left out; one that started before it is cut.
  assert.deepEqual(timelineBars([{ from: 0, to: 10, up: true }, { from: 10, to: null, up: false }], 1_000, 10, 100), [
    { x: 0, w: 10, up: false },
  ]);
});
