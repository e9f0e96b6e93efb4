// The --conformance profile: settings and echo handlers of the official protocol test suite.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next } from './helpers.js';

describe('conformance profile', () => {
  let server;
  before(async () => { server = await startServer(['--conformance']); });
  afterEach(closeAll);
  after(() => server.stop());

  it('the Engine.IO handshake advertises the suite’s timings', async () => {
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    const body = await res.text();
    assert.equal(body[0], '0');
    const open = JSON.parse(body.slice(1));
    assert.deepEqual([open.pingInterval, open.pingTimeout, open.maxPayload], [300, 200, 1000000]);
    assert.ok(open.sid);
  });

  it('emits the handshake auth on / and /custom', async () => {
    const s = await connect(server, '/', { token: '123' });
    assert.deepEqual(await next(s, 'auth'), { token: '123' });
    const c = await connect(server, '/custom', { foo: 'bar' });
    assert.deepEqual(await next(c, 'auth'), { foo: 'bar' });
  });

  it('echoes message as message-back, binary and multiple arguments included', async () => {
    const s = await connect(server, '/');
    s.emit('message', 1, '2', { 3: [true] }, Uint8Array.from([4, 5]));
    const args = await new Promise((resolve) => s.once('message-back', (...a) => resolve(a)));
    assert.deepEqual(args.slice(0, 3), [1, '2', { 3: [true] }]);
    assert.deepEqual([...new Uint8Array(args[3])], [4, 5]);
  });

  it('acknowledges message-with-ack with its arguments', async () => {
    const s = await connect(server, '/');
    const got = await new Promise((resolve) => s.emit('message-with-ack', 1, '2', { 3: [false] }, (...a) => resolve(a)));
    assert.deepEqual(got, [1, '2', { 3: [false] }]);
  });

  it('keeps the other products’ namespaces', async () => {
    await assert.rejects(connect(server, '/marketplace'), /INVALID_TOKEN/);
  });
});
