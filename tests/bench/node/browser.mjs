// Browser figures: in one headless Chromium page, the omni wasm client,
// socket.io-client (its browser bundle) and a bare WebSocket (the
// browser's own delivery limit, as raw tokio-tungstenite is natively)
// receive the same stream from the load server, one after the other, the
// order rotated each round; and each client's bundle size, gzipped. Each
// client first receives a shorter stream that is not measured, so no round
// measures a cold page (the JIT, and V8 tiering the wasm up).
//   node browser.mjs LOAD_SERVER_URL NPM_DIST_DIR COUNT ROUNDS > browser.json
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { servePages, launchChromium, sioBundle } from './harness.mjs';

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
  window.ready = true;
</script>`;

const server = await servePages(distDir, { '/': page });
const { origin } = server;

const browser = await launchChromium('omni-bench-chromium-');
const { context } = browser;
const errors = [];
try {
  const tab = context.pages()[0] ?? (await context.newPage());
  tab.on('pageerror', (e) => errors.push(String(e)));
  await tab.goto(origin);
  await tab.waitForFunction(() => window.ready === true, null, { timeout: 30000 });
  const omni = [];
  const sio = [];
  const raw = [];
  await tab.evaluate(([u, c]) => window.bench(u, c, 0), [loadUrl, Math.max(1, Math.min(count, 5000))]);
  for (let i = 0; i < rounds; i += 1) {
    const r = await tab.evaluate(([u, c, k]) => window.bench(u, c, k), [loadUrl, count, i]);
    if (r.omni.received === count) omni.push(r.omni.eps);
    if (r.sio.received === count) sio.push(r.sio.eps);
    if (r.raw.received === count) raw.push(r.raw.eps);
  }
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
