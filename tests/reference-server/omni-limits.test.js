// Rate limits (seed 000 table), malformed input and oversized payloads.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, silent, disconnected, token, LICENSE } from './helpers.js';

describe('omni limits', () => {
  let server;
  before(async () => { server = await startServer(['--max-payload', '100000']); });
  afterEach(closeAll);
  after(() => server.stop());

  it('join_room is limited to 20 per minute', async () => {
    const s = await connect(server, '/', { token: token('john') });
    for (let i = 0; i < 20; i++) s.emit('join_room', { room: 'user_12345' });
    for (let i = 0; i < 20; i++) await next(s, 'room_joined');
    s.emit('join_room', { room: 'user_12345' });
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
    const s = await connect(server, '/', { token: token('john') });
    for (let i = 0; i < 61; i++) s.emit('heartbeat', { timestamp: Date.now() });
    const r = await next(s, 'rate_limited');
    assert.deepEqual([r.event, r.limit], ['heartbeat', 60]);
    for (let i = 0; i < 101; i++) s.emit('license_check', { license_key: LICENSE });
    const r2 = await next(s, 'rate_limited');
    assert.deepEqual([r2.event, r2.limit], ['license_check', 100]);
  });

  it('limits are per socket', async () => {
    const a = await connect(server, '/', { token: token('john') });
    for (let i = 0; i < 61; i++) a.emit('heartbeat', { timestamp: Date.now() });
    await next(a, 'rate_limited');
    const b = await connect(server, '/', { token: token('john') });
    b.emit('heartbeat', { timestamp: Date.now() });
    await next(b, 'heartbeat_response');
    assert.ok(await silent(b, 'rate_limited', 200));
  });

  it('other events share the 30 per minute bucket', async () => {
    const s = await connect(server, '/', { token: token('john') });
    for (let i = 0; i < 31; i++) s.emit(`made_up_${i}`, {});
    const e = await next(s, 'error');
    assert.equal(e.code, 'UNKNOWN_EVENT');
    const r = await next(s, 'rate_limited');
    assert.deepEqual([r.event, r.limit, r.window], ['other', 30, 60]);
  });

  it('malformed arguments are answered with error and the socket keeps working', async () => {
    const s = await connect(server, '/', { token: token('john') });
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
    const s = await connect(server, '/', { token: token('john') });
    const gone = disconnected(s, 5000);
    s.emit('heartbeat', { timestamp: Date.now(), pad: 'x'.repeat(200_000) });
    assert.equal(await gone, 'transport close');
    assert.ok(server.alive());
    const again = await connect(server, '/', { token: token('john') });
    again.emit('heartbeat', { timestamp: Date.now(), pad: 'x'.repeat(50_000) });
    assert.equal((await next(again, 'heartbeat_response')).status, 'healthy');
  });

  it('an oversized payload over HTTP long-polling is refused too', async () => {
    const s = await connect(server, '/', { token: token('john') }, { transports: ['polling'] });
    const gone = disconnected(s, 5000);
    s.emit('heartbeat', { timestamp: Date.now(), pad: 'x'.repeat(200_000) });
    await gone;
    assert.ok(server.alive());
    const res = await fetch(`${server.url}/health`);
    assert.equal(await res.text(), 'ok');
  });
});
