// Scale-out: two omni-server processes sharing rooms and broadcasts through a real redis-server.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import { startServer, connect, closeAll, next, token, api, LICENSE } from './helpers.js';

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(bin) {
  const port = await freePort();
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('redis-server did not start')), 10000);
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (/Ready to accept connections/i.test(out)) { clearTimeout(t); resolve(); }
    });
    proc.once('exit', (c) => { clearTimeout(t); reject(new Error(`redis-server exited with ${c}: ${out}`)); });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => { clearTimeout(kill); res(); });
      proc.kill('SIGTERM');
    }),
  };
}

const redisBin = which('redis-server');
// The test script installs redis-server and sets OMNI_REQUIRE_REDIS so this cannot be skipped there.
const skip = !redisBin && !process.env.OMNI_REQUIRE_REDIS ? 'redis-server is not installed' : false;

describe('redis adapter (two server processes)', { skip }, () => {
  let redis;
  let one;
  let two;
  before(async () => {
    assert.ok(redisBin, 'redis-server is required (OMNI_REQUIRE_REDIS is set)');
    redis = await startRedis(redisBin);
    one = await startServer(['--redis-url', redis.url]);
    two = await startServer(['--redis-url', redis.url]);
  });
  afterEach(closeAll);
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.stop();
  });

  it('an admin API broadcast on one node reaches a client of the other', async () => {
    const a = await connect(one, '/', { token: token('john') });
    a.emit('join_room', { room: `license_${LICENSE}` });
    assert.equal((await next(a, 'room_joined')).members_count, 1);
    const b = await connect(two, '/', { token: token('admin') });
    b.emit('join_room', { room: `license_${LICENSE}` });
    // members_count counts the sockets of every node.
    assert.equal((await next(b, 'room_joined')).members_count, 2);

    const r = await api(two, 'POST', '/admin/api/usage', {
      license_key: LICENSE, api_calls: 7, storage_used_gb: 1.5, active_users: 2,
    });
    assert.equal(r.status, 202);
    assert.equal((await next(a, 'usage_update', 5000)).api_calls, 7);
    assert.equal((await next(b, 'usage_update', 5000)).api_calls, 7);

    const m = await api(one, 'POST', '/admin/api/maintenance', { enabled: false });
    assert.equal(m.status, 202);
    assert.equal((await next(b, 'maintenance_mode', 5000)).enabled, false);
  });

  it('product rooms span nodes too (marketplace order chat)', async () => {
    const client = await connect(one, '/marketplace', { token: token('john') });
    const performer = await connect(two, '/marketplace', { token: token('carol') });
    await client.timeout(3000).emitWithAck('join_order_chat', { orderId: 'order-1' });
    await performer.timeout(3000).emitWithAck('join_order_chat', { orderId: 'order-1' });
    await client.timeout(3000).emitWithAck('order_message', { orderId: 'order-1', content: 'across nodes' });
    assert.equal((await next(performer, 'order_message', 5000)).content, 'across nodes');
  });
});
