// Omni (seed 000) authentication on `/` at CONNECT.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, silent, disconnected, token, sign, USERS, LICENSE } from './helpers.js';

describe('omni auth', () => {
  let server;
  before(async () => { server = await startServer(); });
  afterEach(closeAll);
  after(() => server.stop());

  it('a valid token is authenticated', async () => {
    const s = await connect(server, '/', { token: token('john') });
    const a = await next(s, 'authenticated');
    assert.equal(a.user_id, 'user_12345');
    assert.equal(a.license_key, undefined);
    assert.ok(Array.isArray(a.permissions) && a.permissions.includes('read'));
    assert.match(a.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a license key alone authenticates the license, not its holder', async () => {
    const s = await connect(server, '/', { license_key: LICENSE });
    const a = await next(s, 'authenticated');
    assert.deepEqual([a.user_id, a.license_key], [undefined, LICENSE]);
    assert.deepEqual(a.permissions, ['read', 'write']);
    // The license's room, yes; its holder's private room and notifications, no.
    s.emit('join_room', { room: `license_${LICENSE}`, type: 'license' });
    assert.equal((await next(s, 'room_joined')).room, `license_${LICENSE}`);
    s.emit('join_room', { room: 'user_12345', type: 'user' });
    assert.equal((await next(s, 'room_error')).code, 'FORBIDDEN');
    const read = await s.timeout(3000).emitWithAck('notification_read', { notification_id: 'n1' });
    assert.deepEqual([read.success, read.code], [false, 'UNAUTHORIZED']);
  });

  it('token and license together, with the stated role', async () => {
    const s = await connect(server, '/', { token: token('john'), license_key: LICENSE, role: 'user' });
    const a = await next(s, 'authenticated');
    assert.equal(a.license_key, LICENSE);
  });

  it('an expired token is refused with TOKEN_EXPIRED', async () => {
    await assert.rejects(connect(server, '/', { token: token('john', -60) }), (e) => {
      assert.match(e.message, /^TOKEN_EXPIRED: /);
      return true;
    });
  });

  it('a forged token is refused with INVALID_TOKEN', async () => {
    const forged = sign({ ...USERS.admin, exp: Math.floor(Date.now() / 1000) + 60 }, 'not-the-secret');
    await assert.rejects(connect(server, '/', { token: forged }), /^Error: INVALID_TOKEN: /);
    await assert.rejects(connect(server, '/', { token: 'garbage' }), /INVALID_TOKEN/);
    await assert.rejects(connect(server, '/', { token: '' }), /INVALID_TOKEN/);
    await assert.rejects(connect(server, '/', { token: 12345 }), /INVALID_TOKEN/);
    const alg = sign({ ...USERS.admin, exp: Math.floor(Date.now() / 1000) + 60 }).split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${alg[1]}.`;
    await assert.rejects(connect(server, '/', { token: none }), /INVALID_TOKEN/);
  });

  it('a missing token connects anonymously, without `authenticated`', async () => {
    const s = await connect(server, '/');
    assert.ok(await silent(s, 'authenticated', 300));
    s.emit('join_room', { room: 'user_12345', type: 'user' });
    const err = await next(s, 'room_error');
    assert.equal(err.code, 'UNAUTHORIZED');
  });

  it('invalid, expired, suspended or foreign licenses are refused with INVALID_LICENSE', async () => {
    for (const license_key of ['OMNI-NOPE-0000', 'OMNI-PREM-DEAD-0000-BEEF', 'OMNI-ENT-SUSP-9999-ZZZZ']) {
      await assert.rejects(connect(server, '/', { license_key }), /^Error: INVALID_LICENSE: /);
    }
    await assert.rejects(
      connect(server, '/', { token: token('john'), license_key: 'OMNI-BASIC-WXYZ-5678-IJKL' }),
      /INVALID_LICENSE: License key is not held/,
    );
  });

  it('a license-only client may state the user role but no other', async () => {
    const s = await connect(server, '/', { license_key: LICENSE, role: 'user' });
    assert.equal((await next(s, 'authenticated')).license_key, LICENSE);
    await assert.rejects(connect(server, '/', { license_key: LICENSE, role: 'admin' }), /INVALID_TOKEN/);
  });

  it('a client cannot claim a role its token does not grant', async () => {
    await assert.rejects(connect(server, '/', { token: token('john'), role: 'admin' }), /INVALID_TOKEN/);
    const s = await connect(server, '/', { token: token('admin'), role: 'admin' });
    assert.equal((await next(s, 'authenticated')).user_id, 'user_67890');
  });

  it('a token expiring mid-session gets auth_error then a server disconnect', async () => {
    const s = await connect(server, '/', { token: token('john', 2) });
    await next(s, 'authenticated');
    const gone = disconnected(s, 5000);
    const err = await next(s, 'auth_error', 4000);
    assert.deepEqual(err, { code: 'TOKEN_EXPIRED', message: 'Token expired' });
    assert.equal(await gone, 'io server disconnect');
  });

  it('the client can change its token and reconnect (seed 000)', async () => {
    const s = await connect(server, '/');
    s.auth = { token: token('carol') };
    s.disconnect().connect();
    assert.equal((await next(s, 'authenticated')).user_id, 'user_13579');
  });
});
