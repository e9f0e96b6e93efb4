// Browser figures: in one headless Chromium page, the omni wasm client,
// socket.io-client (its browser bundle) and a bare WebSocket (the
// browser's own delivery limit, as raw tokio-tungstenite is natively)
// receive the same stream from the load server, one after the other, the
// order rotated each round; and each client's bundle size, gzipped. Each
// client first receives a shorter stream that is not measured, so no round
// measures a cold page (the JIT, and V8 tiering the wasm up). The page runs
// on its own and posts its figures back: no DevTools client is attached
// while it receives (see harness.mjs, `openBare`).
//   node browser.mjs LOAD_SERVER_URL NPM_DIST_DIR COUNT ROUNDS > browser.json
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { servePages, openBare, sioBundle } from './harness.mjs';

const [, , loadUrl, distDir, countArg, roundsArg] = process.argv;
const count = Number(countArg ?? 20000);
const rounds = Number(roundsArg ?? 1);

const page = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script src="/sio/socket.io.min.js"></script>
<script type="module">
  import { io as omniIo } from '/omni/index.js';
  async function run(make, count) {
    const s = make();
    await new Promise((resolve, reject) => {
      s.once ? s.once('connect', resolve) : s.on('connect', resolve);
      s.on('connect_error', reject);
    });
    let n = 0;
    const t0 = performance.now();
    const done = new Promise((resolve) => s.on('tick', (d) => {
      if (d.id === undefined) throw new Error('bad event');
      n += 1;
      if (n === count) resolve();
    }));
    s.emit('start', { kind: 'small', count });
    await Promise.race([done, new Promise((r) => setTimeout(r, 60000))]);
    const secs = (performance.now() - t0) / 1000;
    s.disconnect();
    return { received: n, secs, eps: n / secs };
  }
  // The transport limit: Engine.IO and Socket.IO by hand (answer the
  // handshake and pings), each event's JSON parsed and looked at, as the
  // clients' handlers do.
  async function raw(url, count) {
    // (No template literals: this page is itself one.)
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket');
    let n = 0;
    let t0 = 0;
    const done = new Promise((resolve, reject) => {
      ws.onerror = () => reject(new Error('raw websocket error'));
      ws.onmessage = (e) => {
        const d = e.data;
        if (d.startsWith('42')) {
          if (JSON.parse(d.slice(2))[1].id === undefined) throw new Error('bad event');
          n += 1;
          if (n === count) resolve();
        } else if (d === '2') ws.send('3');
        else if (d[0] === '0') ws.send('40');
        else if (d.startsWith('40')) {
          t0 = performance.now();
          ws.send('42' + JSON.stringify(['start', { kind: 'small', count }]));
        }
      };
    });
    await Promise.race([done, new Promise((r) => setTimeout(r, 60000))]);
    const secs = (performance.now() - t0) / 1000;
    ws.close();
    return { received: n, secs, eps: n / secs };
  }
  const clients = {
    omni: (url, count) => run(() => omniIo(url, { transports: ['websocket'] }), count),
    sio: (url, count) => run(() => window.io(url, { transports: ['websocket'], forceNew: true }), count),
    raw,
  };
  // Round i starts with client i mod 3: none always runs first (while the
  // page's JIT and the wasm tier-up are still warming).
  window.bench = async (url, count, round) => {
    const names = Object.keys(clients);
    const out = {};
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(round + k) % names.length];
      out[name] = await clients[name](url, count);
    }
    return out;
  };
  // Run at once, with what the URL says, and post the figures (and any
  // error) to the page's server.
  const errors = [];
  addEventListener('error', (e) => errors.push(String(e.message)));
  addEventListener('unhandledrejection', (e) => errors.push(String(e.reason)));
  (async () => {
    const q = new URLSearchParams(location.search);
    const url = q.get('load');
    const count = Number(q.get('count'));
    const rounds = Number(q.get('rounds'));
    const out = { omni: [], sio: [], raw: [], errors };
    try {
      await window.bench(url, Math.max(1, Math.min(count, 5000)), 0);
      for (let i = 0; i < rounds; i += 1) {
        const r = await window.bench(url, count, i);
        for (const name of ['omni', 'sio', 'raw']) if (r[name].received === count) out[name].push(r[name].eps);
      }
    } catch (e) {
      errors.push(String(e));
    }
    await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
  })();
</script>`;

let report;
const reported = new Promise((r) => { report = r; });
const server = await servePages(distDir, { '/': page }, {}, { '/result': (body) => report(JSON.parse(body)) });
const { origin } = server;

const query = new URLSearchParams({ load: loadUrl, count: String(count), rounds: String(rounds) });
const browser = await openBare('omni-bench-chromium-', `${origin}/?${query}`);
try {
  // Each client's run gives up after 60 s; the browser must not outlive that.
  const limit = (rounds + 1) * 3 * 60_000 + 30_000;
  const { omni, sio, raw, errors } = await Promise.race([
    reported,
    browser.exited.then(() => { throw new Error('chromium exited before the page reported'); }),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the page did not report in time')), limit).unref()),
  ]);
  const median = (v) => (v.length ? v.sort((a, b) => a - b)[Math.floor(v.length / 2)] : null);
  const gz = async (files) => {
    let total = 0;
    for (const f of files) total += gzipSync(await readFile(f), { level: 9 }).length;
    return total / 1000;
  };
  // index.js carries the wasm-bindgen glue.
  const omniFiles = ['index.js', 'wasm/omni_socket_wasm_bg.wasm'];
  console.log(JSON.stringify([
    {
      name: 'browser receive 100 B JSON event (Chromium)',
      better: 'higher',
      omni: median(omni),
      'socket.io-client': median(sio),
      raw: median(raw),
      note: errors.length ? `page errors: ${errors.join(' | ')}` : undefined,
    },
    {
      name: 'browser bundle, gzipped (omni: JS + wasm; socket.io-client: socket.io.min.js)',
      better: 'lower',
      omni: await gz(omniFiles.map((f) => join(distDir, f))),
      'socket.io-client': await gz([sioBundle]),
    },
  ]));
} finally {
  await browser.close();
  server.close();
}
