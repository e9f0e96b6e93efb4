// Time to connect in headless Chromium: from the start of a page load to
// the socket's `connect`, for the omni package (its JS and wasm),
// socket.io-client (its browser bundle) and a bare WebSocket doing the
// Engine.IO and Socket.IO handshakes by hand (the floor: no library to
// download). Each load is a fresh navigation with the cache off, all three
// over WebSocket to the same load server, every file served gzipped (as
// production servers and CDNs send scripts and wasm; the bundle figures
// are gzip sizes too). The omni page is written as npm/README.md advises
// (preload hints for index.js and the wasm); the same page without them is
// measured too and given in the figure's note. Two profiles through the
// DevTools protocol: desktop (no throttling) and phone (DevTools' "Fast
// 3G" network and the CPU slowed 4×). The median of LOADS loads per client
// and profile, the clients taking turns.
//   node connect-time.mjs LOAD_SERVER_URL NPM_DIST_DIR LOADS > connect.json
import { servePages, launchChromium } from './harness.mjs';

const [, , loadUrl, distDir, loadsArg] = process.argv;
const loads = Math.max(1, Number(loadsArg ?? 5));

// Each page reports `window.connected` (ms since the load began) or
// `window.failed`. The server URL comes in the page's query.
const report = `
  const url = new URLSearchParams(location.search).get('url');
  const done = (s) => { window.connected = performance.now(); s.disconnect(); };
  const fail = (e) => { window.failed = String(e && e.message || e); };`;
const omniScript = `<script type="module">
  import { io } from '/omni/index.js';${report}
  const s = io(url, { transports: ['websocket'], forceNew: true });
  s.on('connect', () => done(s));
  s.on('connect_error', fail);
</script>`;
const pages = {
  omni: `<!doctype html><meta charset="utf-8"><title>omni</title>
<link rel="modulepreload" href="/omni/index.js">
<link rel="preload" href="/omni/wasm/omni_socket_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>
${omniScript}`,
  'omni without preload hints': `<!doctype html><meta charset="utf-8"><title>omni</title>
${omniScript}`,
  'socket.io-client': `<!doctype html><meta charset="utf-8"><title>sio</title>
<script src="/sio/socket.io.min.js"></script>
<script>${report}
  const s = io(url, { transports: ['websocket'], forceNew: true });
  s.on('connect', () => done(s));
  s.on('connect_error', fail);
</script>`,
  'raw WebSocket': `<!doctype html><meta charset="utf-8"><title>raw</title>
<script>${report}
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket');
  ws.onerror = () => fail('websocket error');
  ws.onmessage = (e) => {
    if (e.data[0] === '0') ws.send('40');
    else if (e.data.startsWith('40')) done({ disconnect: () => ws.close() });
  };
</script>`,
};

// Cache off: every load downloads everything, as a first visit does.
const server = await servePages(
  distDir,
  Object.fromEntries(Object.entries(pages).map(([n, html]) => [`/${n}.html`, html])),
  { 'cache-control': 'no-store' },
);
const { origin } = server;

// DevTools' "Fast 3G" preset (throughputs in bytes/s) and its 4× CPU.
const profiles = {
  desktop: null,
  phone: {
    network: { offline: false, latency: 562.5, downloadThroughput: 180000, uploadThroughput: 84375 },
    cpu: 4,
  },
};

const browser = await launchChromium('omni-bench-connect-');
const { context } = browser;
const notes = [];
const median = (v) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] : null);
try {
  const tab = context.pages()[0] ?? (await context.newPage());
  tab.on('pageerror', (e) => notes.push(String(e)));
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const out = [];
  for (const [profile, throttle] of Object.entries(profiles)) {
    await cdp.send('Network.emulateNetworkConditions', throttle?.network ??
      { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle?.cpu ?? 1 });
    const times = Object.fromEntries(Object.keys(pages).map((n) => [n, []]));
    const names = Object.keys(pages);
    // One unmeasured load each first (Chromium's own first-use costs).
    for (let i = -1; i < loads; i += 1) {
      for (let k = 0; k < names.length; k += 1) {
        const name = names[(Math.max(i, 0) + k) % names.length];
        await tab.goto(`${origin}/${encodeURIComponent(name)}.html?url=${encodeURIComponent(loadUrl)}`);
        const handle = await tab.waitForFunction(
          () => window.connected ?? (window.failed ? `failed: ${window.failed}` : undefined),
          null,
          { timeout: 60000, polling: 20 },
        );
        const t = await handle.jsonValue();
        if (typeof t !== 'number') notes.push(`${profile} ${name}: ${t}`);
        else if (i >= 0) times[name].push(t);
      }
    }
    const plain = median(times['omni without preload hints']);
    const sio = median(times['socket.io-client']);
    const plainNote = plain === null || sio === null
      ? []
      : [`page without preload hints ${plain.toFixed(0)} ms (${(plain / sio).toFixed(2)}× socket.io-client)`];
    out.push({
      name: `browser time to connect, ${profile} (Chromium${throttle ? ', Fast 3G, CPU 4× slower' : ''})`,
      better: 'lower',
      omni: median(times.omni),
      'socket.io-client': sio,
      raw: median(times['raw WebSocket']),
      note: [...plainNote, ...notes].join(' | ') || undefined,
    });
    notes.length = 0;
  }
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
  server.close();
}
