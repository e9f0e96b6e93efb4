// Rate limits (seed 000 table) per user, sockets per user, acks of refused
// events, malformed input and oversized payloads.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, silent, disconnected, token, freshToken, LICENSE } from './helpers.js';

/** Emits `event` with an ack; resolves with the ack's first argument. */
function ask(s, event, data, ms = 3000) {
  return s.timeout(ms).emitWithAck(event, data);
}

describe('omni limits', () => {
  let server;
  before(async () => { server = await startServer(['--max-payload', '100000']); });
  afterEach(closeAll);
  after(() => server.stop());

  it('join_room is limited to 20 per minute', async () => {
    const t = freshToken();
    const s = await connect(server, '/', { token: t });
    const room = (await next(s, 'authenticated')).user_id;
    for (let i = 0; i < 20; i++) s.emit('join_room', { room });
    for (let i = 0; i < 20; i++) await next(s, 'room_joined');
    s.emit('join_room', { room });
    const r = await next(s, 'rate_limited');
    const e = await next(s, 'error');
    assert.deepEqual([e.code, e.retry_after], ['RATE_LIMITED', r.retry_after]);
    assert.equal(r.event, 'join_room');
    assert.equal(r.limit, 20);
    assert.equal(r.window, 60);
    assert.ok(r.retry_after >= 1 && r.retry_after <= 60);
    assert.ok(await silent(s, 'room_joined', 200));
    // Other events have their own budget.
    s.emit('heartbeat', { timestamp: Date.now() });
    await next(s, 'heartbeat_response');
  });

  it('heartbeat is limited to 60 and license_check to 100 per minute', async () => {
    const s = await connect(server, '/', { token: freshToken() });
    for (let i = 0; i < 61; i++) s.emit('heartbeat', { timestamp: Date.now() });
    const r = await next(s, 'rate_limited');
    assert.deepEqual([r.event, r.limit], ['heartbeat', 60]);
    for (let i = 0; i < 101; i++) s.emit('license_check', { license_key: LICENSE });
    const r2 = await next(s, 'rate_limited');
    assert.deepEqual([r2.event, r2.limit], ['license_check', 100]);
  });

  it('limits are per user: a reconnect or a second socket gets no fresh budget', async () => {
    const t = freshToken();
    const a = await connect(server, '/', { token: t });
    for (let i = 0; i < 61; i++) a.emit('heartbeat', { timestamp: Date.now() });
    await next(a, 'rate_limited');
    const b = await connect(server, '/', { token: t });
    b.emit('heartbeat', { timestamp: Date.now() });
    assert.equal((await next(b, 'rate_limited')).event, 'heartbeat');
    a.disconnect();
    const again = await connect(server, '/', { token: t });
    again.emit('heartbeat', { timestamp: Date.now() });
    assert.equal((await next(again, 'rate_limited')).event, 'heartbeat');
    // Someone else's budget is untouched.
    const other = await connect(server, '/', { token: freshToken() });
    other.emit('heartbeat', { timestamp: Date.now() });
    await next(other, 'heartbeat_response');
  });

  it('20 sockets on one token share one budget of 60 heartbeats', { timeout: 30000 }, async () => {
    const t = freshToken();
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(server, '/', { token: t })));
    // 5 each, with acks: every one is answered, 60 with the response, 40 refused.
    const answers = await Promise.all(sockets.flatMap((s) =>
      Array.from({ length: 5 }, () => ask(s, 'heartbeat', { timestamp: Date.now() }, 10000))));
    const ok = answers.filter((a) => a.status === 'healthy').length;
    const refused = answers.filter((a) => a.success === false && a.code === 'RATE_LIMITED').length;
    assert.deepEqual([ok, refused], [60, 40]);
  });

  it('/admin shares the Omni budget with / and limits unknown events', async () => {
    const t = freshToken({ role: 'admin' });
    const root = await connect(server, '/', { token: t });
    for (let i = 0; i < 29; i++) root.emit(`made_up_${i}`, {});
    for (let i = 0; i < 29; i++) await next(root, 'error', 3000, (e) => e.code === 'UNKNOWN_EVENT');
    const admin = await connect(server, '/admin', { token: t });
    admin.emit('made_up_admin', {});
    assert.equal((await next(admin, 'error')).code, 'UNKNOWN_EVENT');
    admin.emit('made_up_admin', {});
    assert.deepEqual((await next(admin, 'rate_limited')).event, 'other');
    // get_stats has its own bucket of 30 in the same table; it still works.
    assert.equal(typeof (await ask(admin, 'get_stats', {})).connections, 'number');
  });

  it('a refused event that asked for an ack is answered through the ack', async () => {
    const t = freshToken();
    const s = await connect(server, '/', { token: t });
    const room = (await next(s, 'authenticated')).user_id;
    for (let i = 0; i < 20; i++) s.emit('join_room', { room });
    for (let i = 0; i < 20; i++) await next(s, 'room_joined');
    const a = await ask(s, 'join_room', { room });
    assert.equal(a.success, false);
    assert.equal(a.code, 'RATE_LIMITED');
    assert.ok(a.retry_after >= 1 && a.retry_after <= 60);
    // Unknown events with an ack are answered too.
    const u = await ask(s, 'no_such_event', {});
    assert.deepEqual([u.success, u.code], [false, 'UNKNOWN_EVENT']);
    // And on another product's namespace.
    const m = await connect(server, '/marketplace', { token: t });
    // Handlers run concurrently: wait for all 120 before the one over the limit.
    await Promise.all(Array.from({ length: 120 }, () => ask(m, 'join_order_chat', { orderId: 'order-1' }, 10000)));
    const r = await ask(m, 'join_order_chat', { orderId: 'order-1' });
    assert.deepEqual([r.success, r.code], [false, 'RATE_LIMITED']);
  });

  it('other events share the 30 per minute bucket', async () => {
    const s = await connect(server, '/', { token: freshToken() });
    for (let i = 0; i < 31; i++) s.emit(`made_up_${i}`, {});
    const e = await next(s, 'error');
    assert.equal(e.code, 'UNKNOWN_EVENT');
    const r = await next(s, 'rate_limited');
    assert.deepEqual([r.event, r.limit, r.window], ['other', 30, 60]);
  });

  it('malformed arguments are answered with error and the socket keeps working', async () => {
    const s = await connect(server, '/', { token: freshToken() });
    const bad = [
      ['join_room', 42],
      ['join_room', { room: 7 }],
      ['join_room', { room: '' }],
      ['join_room', { room: 'x'.repeat(500) }],
      ['leave_room', 'user_12345'],
      ['heartbeat', { timestamp: 'now' }],
      ['heartbeat', { timestamp: -5 }],
      ['heartbeat'],
      ['license_check', null],
      ['notification_read', { notification_id: 5 }],
      ['binary_data', 'not binary'],
    ];
    for (const [ev, ...args] of bad) {
      s.emit(ev, ...args);
      const e = await next(s, 'error');
      assert.equal(e.code, 'INVALID_PAYLOAD', `${ev} ${JSON.stringify(args)}`);
      assert.equal(typeof e.message, 'string');
    }
    s.emit('heartbeat', { timestamp: Date.now() });
    assert.equal((await next(s, 'heartbeat_response')).status, 'healthy');
  });

  it('an oversized payload closes that connection and the server stays up', async () => {
    const t = freshToken();
    const s = await connect(server, '/', { token: t });
    const gone = disconnected(s, 5000);
    s.emit('heartbeat', { timestamp: Date.now(), pad: 'x'.repeat(200_000) });
    assert.equal(await gone, 'transport close');
    assert.ok(server.alive());
    const again = await connect(server, '/', { token: t });
    again.emit('heartbeat', { timestamp: Date.now(), pad: 'x'.repeat(50_000) });
    assert.equal((await next(again, 'heartbeat_response')).status, 'healthy');
  });

  it('an oversized payload over HTTP long-polling is refused too', async () => {
    const s = await connect(server, '/', { token: freshToken() }, { transports: ['polling'] });
    const gone = disconnected(s, 5000);
    s.emit('heartbeat', { timestamp: Date.now(), pad: 'x'.repeat(200_000) });
    await gone;
    assert.ok(server.alive());
    const res = await fetch(`${server.url}/health`);
    assert.equal(await res.text(), 'ok');
  });
});

describe('sockets per user', () => {
  let server;
  before(async () => { server = await startServer(['--max-sockets-per-user', '3']); });
  afterEach(closeAll);
  after(() => server.stop());

  it('a user holds at most --max-sockets-per-user sockets, over every namespace', async () => {
    const t = freshToken();
    const a = await connect(server, '/', { token: t });
    await connect(server, '/analytics', { token: t });
    await connect(server, '/marketplace', { token: t });
    await assert.rejects(connect(server, '/', { token: t }), /^Error: TOO_MANY_SOCKETS: /);
    await assert.rejects(connect(server, '/deployments', { token: t }), /TOO_MANY_SOCKETS/);
    // Another user is not affected, and a closed socket frees its slot.
    await connect(server, '/', { token: freshToken() });
    a.disconnect();
    let again;
    for (let i = 0; i < 20 && !again; i++) {
      again = await connect(server, '/', { token: t }).catch(() => new Promise((r) => setTimeout(r, 100)));
    }
    assert.ok(again, 'the slot came back after a disconnect');
    // Anonymous sockets are counted per address by the session cap instead.
    for (let i = 0; i < 5; i++) await connect(server, '/');
  });
});
