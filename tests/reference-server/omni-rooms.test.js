// Omni (seed 000) room authorization.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, token, LICENSE } from './helpers.js';

async function join(s, room, type) {
  s.emit('join_room', type === undefined ? { room } : { room, type });
  const got = await Promise.race([
    next(s, 'room_joined').then((d) => ['ok', d]),
    next(s, 'room_error').then((d) => ['err', d]),
  ]);
  // The loser of the race is still pending; drain its buffered copy if any later.
  return got;
}

describe('omni rooms', () => {
  let server;
  before(async () => { server = await startServer(); });
  afterEach(closeAll);
  after(() => server.stop());

  it('a user joins their own room, and members_count counts sockets', async () => {
    const a = await connect(server, '/', { token: token('john') });
    const [k1, d1] = await join(a, 'user_12345', 'user');
    assert.equal(k1, 'ok');
    assert.deepEqual(d1, { room: 'user_12345', type: 'user', members_count: 1 });
    const b = await connect(server, '/', { token: token('john'), license_key: LICENSE });
    const [, d2] = await join(b, 'user_12345');
    assert.equal(d2.members_count, 2);
  });

  it("a user cannot join someone else's user room", async () => {
    const s = await connect(server, '/', { token: token('john') });
    const [k, d] = await join(s, 'user_13579', 'user');
    assert.equal(k, 'err');
    assert.deepEqual(d, { room: 'user_13579', code: 'FORBIDDEN', message: 'You are not allowed to join this room' });
  });

  it('license rooms are for holders (and admins) only', async () => {
    const holder = await connect(server, '/', { token: token('john') });
    assert.deepEqual(await join(holder, `license_${LICENSE}`, 'license'), ['ok', { room: `license_${LICENSE}`, type: 'license', members_count: 1 }]);
    const other = await connect(server, '/', { token: token('carol') });
    const [k, d] = await join(other, `license_${LICENSE}`, 'license');
    assert.equal(k, 'err');
    assert.equal(d.code, 'FORBIDDEN');
    const admin = await connect(server, '/', { token: token('admin') });
    assert.equal((await join(admin, `license_${LICENSE}`))[0], 'ok');
    const [k2, d2] = await join(holder, 'license_INVALID', 'license');
    assert.equal(k2, 'err');
    assert.deepEqual(d2, { room: 'license_INVALID', code: 'ROOM_NOT_FOUND', message: 'Room does not exist' });
  });

  it('admin_dashboard is for admins only', async () => {
    const admin = await connect(server, '/', { token: token('admin'), role: 'admin' });
    assert.deepEqual(await join(admin, 'admin_dashboard', 'admin'), ['ok', { room: 'admin_dashboard', type: 'admin', members_count: 1 }]);
    for (const who of ['john', 'mod']) {
      const s = await connect(server, '/', { token: token(who) });
      const [k, d] = await join(s, 'admin_dashboard', 'admin');
      assert.equal(k, 'err');
      assert.equal(d.code, 'FORBIDDEN');
    }
  });

  it('unknown rooms and mismatched types are refused', async () => {
    const s = await connect(server, '/', { token: token('admin') });
    assert.equal((await join(s, 'some_room'))[1].code, 'ROOM_NOT_FOUND');
    assert.equal((await join(s, 'user_a b'))[1].code, 'ROOM_NOT_FOUND');
    assert.equal((await join(s, 'admin_dashboard', 'user'))[1].code, 'INVALID_ROOM_TYPE');
  });

  it('leave_room answers room_left, and room_error when not a member', async () => {
    const s = await connect(server, '/', { token: token('john') });
    await join(s, 'user_12345');
    s.emit('leave_room', { room: 'user_12345' });
    assert.deepEqual(await next(s, 'room_left'), { room: 'user_12345' });
    s.emit('leave_room', { room: 'user_12345' });
    assert.equal((await next(s, 'room_error')).code, 'NOT_IN_ROOM');
  });
});
