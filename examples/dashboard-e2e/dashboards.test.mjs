// End to end: the built React and Vue dashboards (npm/dist/demo), served by
// the reference server and loaded in headless Chromium with a demo token
// and license. Checks what the page shows: connected, rooms joined, events
// triggered through the admin API; then the server is killed and started
// again on the same port and the page must reconnect, re-join its rooms and
// show new events.
//
// Run by scripts/test-demos.sh (which builds the dashboards and the server).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { launch } from "../../npm/test/browser.mjs";
import { OmniServer, ROOT } from "./omni-server.mjs";

const DEMO = process.env.OMNI_DEMO_DIR ?? join(ROOT, "npm/dist/demo");
const LICENSE = "OMNI-PREM-ABCD-1234-EFGH";
const USER = "user_12345";

/** Text of `selector` on the page, or null when it is not there. */
const text = (page, selector) => page.locator(selector).first().textContent({ timeout: 500 }).catch(() => null);

/** Text of `selector`, which must be on the page: for one-shot reads, so a
 * busy machine gets a generous wait and a missing element a clear error. */
const read = (page, selector) => page.locator(selector).first().textContent({ timeout: 5_000 });

async function until(what, fn, ms = 10_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = (page, selector) => page.locator(selector).count();

/** The latency chart keeps plotting: more samples than `than`, one point each. */
async function waitChartGrows(page, than) {
  const samples = await until(`latency chart past ${than} samples`, async () => {
    const n = Number(await page.locator("#latency-chart").getAttribute("data-samples", { timeout: 500 }).catch(() => 0));
    return n > than ? n : null;
  });
  // Both read in one go: a heartbeat every 300 ms adds samples between
  // two separate reads.
  const [shown, points] = await page.locator("#latency-chart").evaluate((el) => [
    Number(el.dataset.samples),
    el.querySelector("polyline")?.getAttribute("points") ?? "",
  ]);
  assert.equal(points.trim().split(/\s+/).length, shown, "one point per sample");
  return samples;
}

const roomState = (page, room) =>
  page.locator(`[data-room="${room}"]`).getAttribute("data-state", { timeout: 500 }).catch(() => null);

/** Runs `fn`; on failure adds what the page shows to the error. */
async function showing(page, fn) {
  try {
    return await fn();
  } catch (e) {
    const shown = await page.locator("body").innerText({ timeout: 1_000 }).catch(() => "(no page)");
    e.message += `\npage ${page.url()} shows:\n${shown.replace(/\n+/g, " | ")}`;
    throw e;
  }
}

async function waitConnected(page) {
  await until("#status Connected", async () => (await text(page, "#status")) === "Connected");
  const id = await read(page, "#socket-id");
  assert.match(id ?? "", /^[\w-]{6,}$/, `socket id shown: ${id}`);
  return id;
}

async function waitRoomsJoined(page) {
  for (const room of [USER, `license_${LICENSE}`]) {
    await until(`room ${room} joined`, async () => (await roomState(page, room)) === "joined");
  }
}

/** Admin-API events for this round, each checked on the page. */
async function triggerAndSee(server, page, app, round) {
  const title = `${app} notification ${round}`;
  const before = Number(await read(page, "#notification-count"));
  await server.admin("notifications", { user_id: USER, title, message: `round ${round}`, type: "info", priority: "normal" });
  await until(`notification "${title}"`, async () => ((await text(page, "#notifications")) ?? "").includes(title));
  assert.equal(Number(await read(page, "#notification-count")), before + 1);

  const calls = 1000 + round;
  await server.admin("usage", { license_key: LICENSE, api_calls: calls, storage_used_gb: 15.5, active_users: 12 });
  await until(`usage_update api_calls=${calls}`, async () =>
    (await page.locator("#usage").getAttribute("data-api-calls", { timeout: 500 }).catch(() => null)) === String(calls));

  // License events that keep the license valid (the server applies them to
  // its store, and a suspended or expired key would refuse the next CONNECT).
  const events = await page.locator("#license-events li").count();
  let name;
  let expected;
  if (round === 1) {
    name = "license_updated";
    await server.admin("licenses/updated", { license_key: LICENSE, changes: { status: { old: "suspended", new: "active" } } });
    expected = `license_updated · ${LICENSE} · status suspended → active`;
  } else {
    name = "license_renewed";
    const expires = `2031-0${round}-15T10:30:00Z`;
    await server.admin("licenses/renewed", { license_key: LICENSE, old_expires_at: "2025-01-15T10:30:00Z", new_expires_at: expires });
    expected = `license_renewed · ${LICENSE} · until ${expires}`;
  }
  await until(name, async () => (await page.locator("#license-events li").count()) === events + 1);
  const last = page.locator("#license-events li").last();
  assert.equal(await last.textContent(), expected);
  assert.equal(await last.getAttribute("data-event"), name);
}

describe("demo dashboards against omni-server in Chromium", { timeout: 150_000 }, () => {
  let server;
  let browser;

  before(async () => {
    assert.ok(existsSync(join(DEMO, "react/index.html")), `${DEMO} is not built: scripts/build-demos.sh`);
    server = await new OmniServer({ staticDir: DEMO }).start();
    assert.ok(server.tokens[USER] && server.tokens.user_67890, "demo tokens printed");
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  test("the landing page links both dashboards with the query string", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/?token=T&license=L`);
    assert.equal(new URL(await page.locator("#react").evaluate((a) => a.href)).pathname + "?token=T&license=L",
      "/react/?token=T&license=L");
    assert.match(await page.locator("#vue").evaluate((a) => a.href), /\/vue\/\?token=T&license=L$/);
  });

  for (const app of ["react", "vue"]) {
    test(`${app}: connects, joins rooms, shows admin-API events, survives a server restart`, () =>
      showing(browser.page, async () => {
        const { page, errors, failed } = browser;
        // Each app is judged on its own console.
        errors.length = 0;
        failed.length = 0;
        const q = new URLSearchParams({ token: server.tokens[USER], license: LICENSE, heartbeat: "300" });
        await page.goto(`${server.url}/${app}/?${q}`);
        assert.equal(await page.locator("main").getAttribute("data-app"), app);

        const firstId = await waitConnected(page);
        await waitRoomsJoined(page);
        await until("authenticated", async () => (await page.locator("#user").getAttribute("data-authenticated")) === "yes");
        assert.match(await read(page, "#user"), new RegExp(`^${USER} \\(read`));
        await until("latency measured", async () =>
          (await page.locator("#latency").getAttribute("data-measured")) === "yes");
        // Latency over time: heartbeats every 300 ms add to the chart.
        const samples = await waitChartGrows(page, 1);
        // The timeline starts with the connection.
        assert.equal(await count(page, '#timeline li[data-kind="connect"]'), 1);
        assert.match(await read(page, '#timeline li[data-kind="connect"]'), new RegExp(`connected · socket ${firstId}$`));
        assert.equal(await count(page, '#timeline-strip rect[data-up="true"]'), 1);
        await triggerAndSee(server, page, app, 1);

        // Crash the server: the page must notice and try again.
        await server.kill();
        await until("#status Disconnected", async () => (await text(page, "#status")) === "Disconnected");
        await until("reconnecting", async () => Number(await text(page, "#reconnects")) > 0 || (await text(page, "#state")) === "reconnecting");
        await until("the drop on the timeline", async () => (await count(page, '#timeline li[data-kind="drop"]')) === 1);
        await until("retries on the timeline", async () => (await count(page, '#timeline li[data-kind="retry"]')) > 0);
        assert.equal(await count(page, '#timeline-strip rect[data-up="false"]'), 1, "a down period in the strip");

        await server.start();
        const secondId = await waitConnected(page);
        assert.notEqual(secondId, firstId, "a new session after the restart");
        await until("the reconnection on the timeline", async () => (await count(page, '#timeline li[data-kind="reconnect"]')) === 1);
        assert.match(
          await read(page, '#timeline li[data-kind="reconnect"]'),
          new RegExp(`reconnected after \\d+ attempts? · socket ${secondId}$`),
        );
        assert.deepEqual(
          await page.locator("#timeline li").evaluateAll((lis) => [...new Set(lis.map((li) => li.dataset.kind))]),
          ["connect", "drop", "retry", "reconnect"],
          "connect, drop, retries, reconnect, in that order",
        );
        await waitChartGrows(page, samples);
        await waitRoomsJoined(page);
        // Events of the new server process reach the re-joined rooms.
        await triggerAndSee(server, page, app, 2);
        assert.equal(await page.locator("#notifications li").count(), 2, "both notifications listed");

        assert.deepEqual(
          // The server is killed on purpose: refused and reset connections are expected.
          errors.filter((e) => !/ERR_CONNECTION_(REFUSED|RESET)|WebSocket connection to/.test(e)),
          [],
          `failed requests:\n${failed.join("\n")}\nserver output:\n${server.output.slice(-4000)}`,
        );
      }),
    );
  }
});
