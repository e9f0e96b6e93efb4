// HTTP side: health, the static demo directory, CORS, and --print-demo-tokens.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, connect, closeAll, next, SECRET } from './helpers.js';

describe('http', () => {
  let server;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'omni-static-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>omni demo</title>');
    server = await startServer(['--static-dir', dir, '--cors-origin', 'http://localhost:5173', '--print-demo-tokens']);
  });
  afterEach(closeAll);
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /health and the static directory on the Socket.IO port', async () => {
    assert.equal(await (await fetch(`${server.url}/health`)).text(), 'ok');
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /omni demo/);
    assert.equal((await fetch(`${server.url}/missing.js`)).status, 404);
  });

  it('with --static-dir, Socket.IO sessions work over long-polling and the upgrade', async () => {
    // A regression: the Socket.IO layer applied per route gave each route
    // its own Engine.IO engine, and a polling session died at its first POST.
    for (const transports of [['polling'], ['polling', 'websocket']]) {
      const s = await connect(server, '/', {}, { transports });
      s.emit('heartbeat', { timestamp: Date.now() });
      assert.equal((await next(s, 'heartbeat_response')).status, 'healthy');
      s.close();
    }
  });

  it('answers CORS only for the configured origins', async () => {
    const ok = await fetch(`${server.url}/health`, { headers: { origin: 'http://localhost:5173' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const other = await fetch(`${server.url}/health`, { headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('prints demo tokens that the server accepts', async () => {
    const m = server.stdout().match(/user_12345 \(john_doe, user\): (\S+)/);
    assert.ok(m, server.stdout());
    const s = await connect(server, '/', { token: m[1] });
    assert.equal((await next(s, 'authenticated')).user_id, 'user_12345');
    assert.match(server.stdout(), /user_67890 \(jane_admin, admin\): \S+/);
  });
});
