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

  // Keeps a long-polling session alive by answering pings; resolves with the
  // time it lived (ms), or `null` if it was still open after `maxMs`.
  // Against a server with the profile's connect timeout but a 5 s ping
  // timeout: this loop's pong is one fetch behind the ping, and the
  // profile's 200 ms would let a stall of the machine end the session.
  async function lifetime(target, connect, maxMs) {
    const base = `${target.url}/socket.io/?EIO=4&transport=polling`;
    const open = JSON.parse((await (await fetch(base)).text()).slice(1));
    const url = `${base}&sid=${open.sid}`;
    const start = Date.now();
    if (connect) await fetch(url, { method: 'POST', body: '40' });
    while (Date.now() - start < maxMs) {
      const res = await fetch(url);
      const body = await res.text();
      if (res.status !== 200 || body.split('\x1e').includes('1')) return Date.now() - start;
      if (body.split('\x1e').includes('2')) await fetch(url, { method: 'POST', body: '3' });
    }
    return null;
  }

  it('closes an Engine.IO session that never connects to a namespace after connectTimeout', async () => {
    const patient = await startServer(['--connect-timeout-ms', '1000', '--ping-interval-ms', '300', '--ping-timeout-ms', '5000']);
    try {
      const lived = await lifetime(patient, false, 2500);
      assert.ok(lived !== null && lived >= 700 && lived < 2000, `lived ${lived} ms`);
      // A session that did CONNECT and answers pings stays open.
      assert.equal(await lifetime(patient, true, 1600), null);
    } finally {
      await patient.stop();
    }
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
