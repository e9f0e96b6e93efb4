// Abuse resistance (issue 21): HTTP timeouts and connection caps, the
// Engine.IO session cap and memory, the notification store's eviction,
// token checks (nbf, Bearer), CORS and the origin check, static files and
// symbolic links, where the secret comes from, and --dev.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, writeFileSync, symlinkSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, connect, closeAll, next, token, sign, api, rssKiB, USERS } from './helpers.js';

const DEV_SECRET = 'omni-development-secret-do-not-use-in-production';
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens a raw TCP connection, writes `payload`, resolves once it is open. */
function raw(server, payload) {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      if (payload) s.write(payload);
      resolve(s);
    });
    s.closedAt = null;
    s.data = '';
    s.on('data', (d) => { s.data += d; });
    s.on('error', () => {});
    s.on('close', () => { s.closedAt = Date.now(); });
  });
}

async function until(what, cond, ms = 15000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const stats = async (server) => (await api(server, 'GET', '/admin/api/stats')).body;

describe('HTTP timeouts and the connection cap (item 1)', () => {
  let server;
  before(async () => {
    server = await startServer([
      '--header-timeout-ms', '1000', '--body-timeout-ms', '1000', '--request-timeout-ms', '4000',
      '--ping-interval-ms', '500', '--ping-timeout-ms', '500', '--connect-timeout-ms', '1500',
    ]);
  });
  after(() => server.stop());

  it('idle, half-header, half-body and silent WebSocket connections are all closed', { timeout: 60000 }, async () => {
    const sid = async () => JSON.parse((await (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).text()).slice(1)).sid;
    const kinds = {
      idle: () => '',
      halfHeaders: () => 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ',
      halfBodyAdmin: () => `POST /admin/api/notifications HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token('admin')}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{"user_`,
      halfBodyEngineIo: async () => `POST /socket.io/?EIO=4&transport=polling&sid=${await sid()} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 999999\r\n\r\n42["a"`,
      wsNoFrames: () => 'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      keepAliveAfterRequest: () => 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
    };
    const counts = { idle: 200, halfHeaders: 40, halfBodyAdmin: 40, halfBodyEngineIo: 20, wsNoFrames: 40, keepAliveAfterRequest: 20 };
    const conns = [];
    const start = Date.now();
    for (const [kind, n] of Object.entries(counts)) {
      for (let i = 0; i < n; i++) conns.push({ kind, s: await raw(server, await kinds[kind]()) });
    }
    // While they are open the server still answers.
    assert.equal(await (await fetch(`${server.url}/health`)).text(), 'ok');
    // Every one is closed by the server: timeouts of 1 s (0.5 s + 0.5 s for
    // the WebSocket's Engine.IO heartbeat); 15 s is the bound for a loaded machine.
    await until('all connections closed', () => conns.every((c) => c.s.closedAt !== null));
    const worst = {};
    for (const c of conns) worst[c.kind] = Math.max(worst[c.kind] ?? 0, c.s.closedAt - start);
    console.log(`RELIABILITY http-timeouts connections=${conns.length} worst_close_ms=${JSON.stringify(worst)}`);
    assert.ok(conns.filter((c) => c.kind === 'halfBodyAdmin').every((c) => /^HTTP\/1\.1 (400|408)/.test(c.s.data)));
    await until('connections released', async () => (await stats(server)).http_connections <= 2);
    assert.equal(await (await fetch(`${server.url}/health`)).text(), 'ok');
  });

  it('a connection over the per-address cap is closed at once; the slot comes back', { timeout: 30000 }, async () => {
    const capped = await startServer(['--max-connections-per-ip', '20', '--header-timeout-ms', '1500']);
    try {
      const held = await Promise.all(Array.from({ length: 20 }, () => raw(capped, '')));
      await until('20 connections held', async () => held.every((s) => s.readyState === 'open'));
      await sleep(100);
      const extra = await raw(capped, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await until('the 21st refused', () => extra.closedAt !== null, 5000);
      assert.equal(extra.data, '');
      // Once the idle ones are timed out, the address is served again.
      await until('idle ones closed', () => held.every((s) => s.closedAt !== null));
      await until('health answers', async () => (await fetch(`${capped.url}/health`).then((r) => r.text()).catch(() => '')) === 'ok');
    } finally {
      await capped.stop();
    }
  });
});

describe('Engine.IO session cap and memory (item 2)', () => {
  it('a flood of polling handshakes is held under the cap and memory comes back', { timeout: 120000 }, async () => {
    const CAP = 2000;
    const FLOOD = 3000;
    const server = await startServer([
      '--max-sessions', String(CAP), '--max-sessions-per-ip', String(CAP),
      // Sessions that never CONNECT to a namespace end after 8 s: longer
      // than a flood takes, so the cap is what holds it.
      '--connect-timeout-ms', '8000',
    ]);
    try {
      const handshake = () => fetch(`${server.url}/socket.io/?EIO=4&transport=polling`).then((r) => r.status).catch(() => 0);
      async function flood() {
        const statuses = [];
        for (let i = 0; i < FLOOD; i += 100) {
          statuses.push(...await Promise.all(Array.from({ length: Math.min(100, FLOOD - i) }, handshake)));
        }
        return statuses;
      }
      await sleep(300);
      const rss0 = rssKiB(server.proc.pid);
      const first = await flood();
      const held = (await stats(server)).engineio_sessions;
      const rssPeak = rssKiB(server.proc.pid);
      const ok = first.filter((s) => s === 200).length;
      const refused = first.filter((s) => s === 503).length;
      assert.ok(ok <= CAP, `${ok} sessions opened over a cap of ${CAP}`);
      assert.ok(held <= CAP, `${held} held`);
      assert.ok(refused >= FLOOD - CAP, `${refused} refused`);
      // The sessions expire (connect timeout) and their slots come back.
      await until('sessions expired', async () => (await stats(server)).engineio_sessions === 0, 30000);
      const second = await flood();
      assert.ok(second.filter((s) => s === 200).length >= CAP * 0.9, 'slots were given back');
      await until('sessions expired again', async () => (await stats(server)).engineio_sessions === 0, 30000);
      // The server trims freed memory every 2 s once sessions have halved.
      await sleep(3000);
      const rssEnd = rssKiB(server.proc.pid);
      console.log(`RELIABILITY session-flood cap=${CAP} flood=${FLOOD}x2 opened=${ok} refused=${refused} rss_kib start=${rss0} peak=${rssPeak} end=${rssEnd}`);
      // Back near the start: within a quarter of what the flood took.
      assert.ok(rssEnd - rss0 < (rssPeak - rss0) / 4, `RSS ${rss0} → peak ${rssPeak} → ${rssEnd} KiB`);
      assert.equal(await (await fetch(`${server.url}/health`)).text(), 'ok');
    } finally {
      await server.stop();
    }
  });
});

describe('notification store (item 5)', () => {
  let server;
  before(async () => { server = await startServer(['--max-notifications', '5']); });
  afterEach(closeAll);
  after(() => server.stop());

  it('past --max-notifications the oldest are forgotten; new ones are always accepted', async () => {
    const t = token('john');
    const s = await connect(server, '/', { token: t });
    s.emit('join_room', { room: 'user_12345' });
    await next(s, 'room_joined');
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const r = await api(server, 'POST', '/admin/api/notifications', { user_id: 'user_12345', title: `n${i}`, message: 'm' });
      assert.equal(r.status, 202);
      ids.push(r.body.data.id);
    }
    assert.equal((await stats(server)).notifications_kept, 5);
    for (const [i, id] of ids.entries()) {
      const a = await s.timeout(3000).emitWithAck('notification_read', { notification_id: id });
      if (i < 3) assert.deepEqual([a.success, a.code], [false, 'NOT_FOUND'], `n${i}`);
      else assert.equal(a.success, true, `n${i}`);
    }
  });
});

describe('tokens: nbf and the Bearer scheme (item 6)', () => {
  let server;
  before(async () => { server = await startServer(); });
  afterEach(closeAll);
  after(() => server.stop());

  it('a token valid only later (nbf) is refused on Socket.IO and the admin API', async () => {
    const later = sign({ ...USERS.admin, nbf: now() + 3600, exp: now() + 7200 });
    await assert.rejects(connect(server, '/', { token: later }), /INVALID_TOKEN/);
    await assert.rejects(connect(server, '/admin', { token: later }), /INVALID_TOKEN/);
    assert.equal((await api(server, 'GET', '/admin/api/stats', undefined, later)).status, 401);
    const now_ = sign({ ...USERS.admin, nbf: now() - 5, exp: now() + 60 });
    assert.equal((await api(server, 'GET', '/admin/api/stats', undefined, now_)).status, 200);
  });

  it('the admin API takes `bearer` in any case, and refuses `Bearer Bearer`', async () => {
    const get = (authorization) => fetch(`${server.url}/admin/api/stats`, { headers: { authorization } }).then((r) => r.status);
    assert.equal(await get(`bearer ${token('admin')}`), 200);
    assert.equal(await get(`BEARER ${token('admin')}`), 200);
    assert.equal(await get(`Bearer Bearer ${token('admin')}`), 401);
    assert.equal(await get(`Basic ${token('admin')}`), 401);
  });
});

describe('origins, static files, secrets and --dev (item 7)', () => {
  afterEach(closeAll);

  it('by default only the server’s own origin: no CORS for others, and no Engine.IO session', async () => {
    const server = await startServer();
    try {
      const host = new URL(server.url).host;
      const evil = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'http://evil.example' } });
      assert.equal(evil.status, 403);
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      const same = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: `http://${host}` } });
      assert.equal(same.status, 200);
      const h = await fetch(`${server.url}/health`, { headers: { origin: 'http://evil.example' } });
      assert.equal(h.headers.get('access-control-allow-origin'), null);
      // A WebSocket from another origin is refused too (browsers send Origin; CORS does not cover WebSockets).
      const ws = await raw(server, `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      await until('ws answered', () => ws.data.includes('\r\n\r\n'), 5000);
      assert.match(ws.data, /^HTTP\/1\.1 403/);
      ws.destroy();
    } finally {
      await server.stop();
    }
  });

  it('`--cors-origin *` opens Socket.IO to any origin, never the admin API', async () => {
    const server = await startServer(['--cors-origin', '*']);
    try {
      const sio = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'http://evil.example' } });
      assert.equal(sio.status, 200);
      assert.equal(sio.headers.get('access-control-allow-origin'), 'http://evil.example');
      const pre = await fetch(`${server.url}/admin/api/stats`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      const get = await fetch(`${server.url}/admin/api/stats`, { headers: { origin: 'http://evil.example', authorization: `Bearer ${token('admin')}` } });
      assert.equal(get.headers.get('access-control-allow-origin'), null);
    } finally {
      await server.stop();
    }
  });

  it('static files never follow a symbolic link out of --static-dir', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'omni-static-'));
    const outside = mkdtempSync(path.join(tmpdir(), 'omni-outside-'));
    writeFileSync(path.join(root, 'index.html'), 'inside');
    writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'leak.txt'));
    symlinkSync(outside, path.join(root, 'leakdir'));
    symlinkSync('/etc/passwd', path.join(root, 'passwd'));
    symlinkSync(path.join(root, 'index.html'), path.join(root, 'alias.html'));
    const server = await startServer(['--static-dir', root]);
    try {
      for (const p of ['/leak.txt', '/leakdir/secret.txt', '/passwd', '/%2e%2e/etc/passwd', '/leakdir/']) {
        const r = await fetch(server.url + p);
        assert.equal(r.status, 404, p);
        assert.ok(!(await r.text()).includes('secret') , p);
      }
      assert.equal(await (await fetch(`${server.url}/alias.html`)).text(), 'inside');
      assert.equal(await (await fetch(`${server.url}/`)).text(), 'inside');
    } finally {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('the secret can come from a file, out of sight of `ps`', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omni-secret-'));
    const file = path.join(dir, 'secret');
    writeFileSync(file, 'file-secret-value\n');
    const server = await startServer(['--jwt-secret-file', file], { OMNI_JWT_SECRET: '' });
    try {
      const s = await connect(server, '/', { token: sign({ ...USERS.john, exp: now() + 60 }, 'file-secret-value') });
      assert.equal((await next(s, 'authenticated')).user_id, 'user_12345');
      await assert.rejects(connect(server, '/', { token: token('john') }), /INVALID_TOKEN/);
      const cmdline = readFileSync(`/proc/${server.proc.pid}/cmdline`, 'utf8');
      assert.ok(!cmdline.includes('file-secret-value'));
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a secret, development-secret tokens are never admin unless --dev', async () => {
    const devAdmin = sign({ ...USERS.admin, exp: now() + 60 }, DEV_SECRET);
    const devUser = sign({ ...USERS.john, exp: now() + 60 }, DEV_SECRET);
    const plain = await startServer(['--print-demo-tokens'], { OMNI_JWT_SECRET: '' });
    try {
      await assert.rejects(connect(plain, '/admin', { token: devAdmin }), /INVALID_TOKEN: The development secret grants no admin role/);
      await assert.rejects(connect(plain, '/', { token: devAdmin }), /INVALID_TOKEN/);
      assert.equal((await api(plain, 'GET', '/admin/api/stats', undefined, devAdmin)).status, 401);
      const s = await connect(plain, '/', { token: devUser });
      assert.equal((await next(s, 'authenticated')).user_id, 'user_12345');
      assert.doesNotMatch(plain.stdout(), /\(jane_admin, admin\)/);
      assert.match(plain.stderr(), /development secret/);
    } finally {
      await plain.stop();
    }
    const dev = await startServer(['--dev'], { OMNI_JWT_SECRET: '' });
    try {
      await connect(dev, '/admin', { token: devAdmin });
      assert.equal((await api(dev, 'GET', '/admin/api/stats', undefined, devAdmin)).status, 200);
    } finally {
      await dev.stop();
    }
  });
});
