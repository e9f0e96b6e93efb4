// Omni (seed 000) events, server-side triggers through the admin API, `/admin` and `/analytics`.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, silent, token, api, LICENSE } from './helpers.js';

async function joined(auth, room) {
  const s = await connect(server, '/', auth);
  s.emit('join_room', { room });
  await next(s, 'room_joined');
  return s;
}
let server;

describe('omni events', () => {
  before(async () => { server = await startServer(['--status-interval-ms', '200', '--stats-interval-ms', '200']); });
  afterEach(closeAll);
  after(() => server.stop());

  it('heartbeat is answered with heartbeat_response', async () => {
    const s = await connect(server, '/', { token: token('john') });
    const t = Date.now();
    s.emit('heartbeat', { timestamp: t, client_info: { version: '1.0.0', platform: 'web' } });
    const r = await next(s, 'heartbeat_response');
    assert.equal(r.status, 'healthy');
    assert.ok(r.server_timestamp >= t && r.server_timestamp < t + 5000);
    assert.ok(Number.isInteger(r.latency) && r.latency >= 0 && r.latency < 5000);
    // With an ack callback the same response also comes back as the ack.
    const acked = await s.timeout(2000).emitWithAck('heartbeat', { timestamp: Date.now() });
    assert.equal(acked.status, 'healthy');
    await next(s, 'heartbeat_response');
  });

  it('license_check reports holders’ licenses and hides others', async () => {
    const s = await connect(server, '/', { token: token('john') });
    s.emit('license_check', { license_key: LICENSE });
    const r = await next(s, 'license_check_result');
    assert.equal(r.license_key, LICENSE);
    assert.equal(r.valid, true);
    assert.equal(r.status, 'active');
    assert.ok(r.days_remaining >= 364 && r.days_remaining <= 365);
    s.emit('license_check', { license_key: 'OMNI-BASIC-WXYZ-5678-IJKL' });
    assert.deepEqual(await next(s, 'license_check_result'), {
      license_key: 'OMNI-BASIC-WXYZ-5678-IJKL', valid: false, status: 'not_found',
    });
    const admin = await connect(server, '/', { token: token('admin') });
    admin.emit('license_check', { license_key: 'OMNI-PREM-DEAD-0000-BEEF' });
    const d = await next(admin, 'license_check_result');
    assert.deepEqual([d.valid, d.status], [false, 'expired']);
    const anon = await connect(server, '/');
    anon.emit('license_check', { license_key: LICENSE });
    assert.equal((await next(anon, 'error')).code, 'UNAUTHORIZED');
  });

  it('license lifecycle events reach the license room and admin_dashboard only', async () => {
    const holder = await joined({ token: token('john') }, `license_${LICENSE}`);
    const admin = await joined({ token: token('admin') }, 'admin_dashboard');
    const other = await joined({ token: token('carol') }, 'user_13579');
    for (const ev of ['updated', 'expired', 'renewed', 'deleted']) {
      const body = ev === 'updated'
        ? { license_key: LICENSE, changes: { status: { old: 'active', new: 'suspended' } } }
        : { license_key: LICENSE };
      const r = await api(server, 'POST', `/admin/api/licenses/${ev}`, body);
      assert.equal(r.status, 202);
      const got = await next(holder, `license_${ev}`);
      assert.equal(got.license_key, LICENSE);
      assert.equal((await next(admin, `license_${ev}`)).license_key, LICENSE);
    }
    const renewed = await api(server, 'POST', '/admin/api/licenses/renewed', { license_key: LICENSE });
    assert.ok(renewed.body.data.new_expires_at > renewed.body.data.old_expires_at);
    await next(holder, 'license_renewed');
    const created = await api(server, 'POST', '/admin/api/licenses/created', { license_key: 'OMNI-NEW-1111', client_id: 'user_13579', plan: 'premium' });
    assert.equal(created.status, 202);
    assert.equal((await next(admin, 'license_created')).status, 'active');
    assert.ok(await silent(other, 'license_updated', 200));
    assert.equal((await api(server, 'POST', '/admin/api/licenses/updated', { license_key: 'NOPE' })).status, 404);
    assert.equal((await api(server, 'POST', '/admin/api/licenses/exploded', { license_key: LICENSE })).status, 404);
  });

  it('notification goes to the user room and notification_read is acknowledged', async () => {
    const s = await joined({ token: token('carol') }, 'user_13579');
    const other = await joined({ token: token('john') }, 'user_12345');
    const r = await api(server, 'POST', '/admin/api/notifications', {
      user_id: 'user_13579', type: 'license_expiry', title: 'License Expiring Soon',
      message: 'Your license will expire in 7 days', priority: 'high', data: { license_key: 'OMNI-BASIC-WXYZ-5678-IJKL' },
    });
    assert.equal(r.status, 202);
    const n = await next(s, 'notification');
    assert.equal(n.title, 'License Expiring Soon');
    assert.match(n.id, /^notif_/);
    assert.ok(await silent(other, 'notification', 200));
    const ack = await s.timeout(2000).emitWithAck('notification_read', { notification_id: n.id });
    assert.deepEqual(ack, { success: true, notification_id: n.id, read: true });
    const refused = await other.timeout(2000).emitWithAck('notification_read', { notification_id: n.id });
    assert.deepEqual([refused.success, refused.code], [false, 'NOT_FOUND']);
    assert.equal((await next(other, 'error')).code, 'NOT_FOUND');
  });

  it('usage_update and quota_warning reach the license room', async () => {
    const s = await joined({ license_key: LICENSE }, `license_${LICENSE}`);
    await api(server, 'POST', '/admin/api/usage', { license_key: LICENSE, api_calls: 1250, storage_used_gb: 15.5, active_users: 12 });
    const u = await next(s, 'usage_update');
    assert.deepEqual([u.api_calls, u.active_users], [1250, 12]);
    await api(server, 'POST', '/admin/api/quota-warning', { license_key: LICENSE, type: 'api_calls', current: 9500, limit: 10000, percentage: 95, message: 'You have used 95%' });
    assert.equal((await next(s, 'quota_warning')).percentage, 95);
  });

  it('user_login / user_logout reach admin_dashboard and /admin', async () => {
    const dash = await joined({ token: token('admin') }, 'admin_dashboard');
    const adm = await connect(server, '/admin', { token: token('admin') });
    const user = await connect(server, '/', { token: token('john') });
    await api(server, 'POST', '/admin/api/users/login', { user_id: 'user_12345', username: 'john_doe', ip_address: '192.168.1.100' });
    assert.equal((await next(dash, 'user_login')).user_id, 'user_12345');
    assert.equal((await next(adm, 'user_login')).username, 'john_doe');
    await api(server, 'POST', '/admin/api/users/logout', { user_id: 'user_12345', session_duration: 7200 });
    assert.equal((await next(dash, 'user_logout')).session_duration, 7200);
    assert.ok(await silent(user, 'user_login', 200));
  });

  it('maintenance_mode reaches everyone and system_status is periodic', async () => {
    const anon = await connect(server, '/');
    const r = await api(server, 'POST', '/admin/api/maintenance', { enabled: true, message: 'System maintenance in progress', estimated_duration: 1800 });
    assert.equal(r.status, 202);
    const m = await next(anon, 'maintenance_mode');
    assert.deepEqual([m.enabled, m.estimated_duration], [true, 1800]);
    const st = await next(anon, 'system_status', 2000);
    assert.equal(st.status, 'healthy');
    assert.ok(st.load.connections >= 1);
    assert.equal(typeof st.load.cpu, 'number');
    assert.equal(typeof st.load.memory, 'number');
    assert.equal(typeof st.services, 'object');
    assert.equal((await api(server, 'POST', '/admin/api/maintenance', { message: 'x' })).status, 400);
    // Payloads are checked against the SDK's models before anything is emitted.
    const partial = await api(server, 'POST', '/admin/api/usage', { license_key: LICENSE, api_calls: 'many' });
    assert.deepEqual([partial.status, partial.body.code], [400, 'INVALID_PAYLOAD']);
    assert.match(partial.body.message, /usage_update/);
  });

  it('binary_data is answered with binary_response', async () => {
    const s = await connect(server, '/', { token: token('john') });
    s.emit('binary_data', new Uint8Array([1, 2, 3, 250]).buffer);
    const r = await next(s, 'binary_response');
    assert.deepEqual([...new Uint8Array(r)], [1, 2, 3, 250]);
  });

  it('/admin is for admins only', async () => {
    await assert.rejects(connect(server, '/admin', { token: token('john') }), /FORBIDDEN/);
    await assert.rejects(connect(server, '/admin'), /INVALID_TOKEN/);
    await assert.rejects(connect(server, '/admin', { token: token('admin', -5) }), /TOKEN_EXPIRED/);
    const s = await connect(server, '/admin', { token: token('admin') });
    assert.equal((await next(s, 'authenticated')).user_id, 'user_67890');
    const stats = await s.timeout(2000).emitWithAck('get_stats');
    assert.ok(stats.connections >= 1);
    assert.equal(stats.namespaces['/admin'], 1);
  });

  it('/analytics streams real_time_stats to authenticated clients', async () => {
    await assert.rejects(connect(server, '/analytics'), /INVALID_TOKEN/);
    const s = await connect(server, '/analytics', { license_key: LICENSE });
    const st = await next(s, 'real_time_stats', 2000);
    assert.ok(st.namespaces['/analytics'] >= 1);
    assert.equal(typeof st.uptime_seconds, 'number');
  });

  it('the admin API requires an admin bearer token and a valid body', async () => {
    assert.equal((await api(server, 'POST', '/admin/api/system-status', undefined, null)).status, 401);
    assert.equal((await api(server, 'POST', '/admin/api/system-status', undefined, 'garbage')).status, 401);
    assert.equal((await api(server, 'POST', '/admin/api/system-status', undefined, token('john'))).status, 403);
    const expired = await api(server, 'POST', '/admin/api/system-status', undefined, token('admin', -5));
    assert.deepEqual([expired.status, expired.body.code], [401, 'TOKEN_EXPIRED']);
    assert.equal((await api(server, 'POST', '/admin/api/system-status')).status, 202);
    assert.equal((await api(server, 'POST', '/admin/api/notifications', '{not json')).status, 400);
    assert.equal((await api(server, 'POST', '/admin/api/notifications', [1, 2])).status, 400);
    assert.equal((await api(server, 'POST', '/admin/api/notifications', { user_id: 'a b' })).status, 400);
    const big = await api(server, 'POST', '/admin/api/notifications', { user_id: 'user_1', pad: 'x'.repeat(100_000) });
    assert.equal(big.status, 413);
    assert.equal((await api(server, 'GET', '/admin/api/stats')).status, 200);
  });
});
