// Many concurrent clients (the seed 000 load test, scaled to stay quick): all connect,
// all get their heartbeat answered, and a broadcast reaches every one of them.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, closeAll, next, api } from './helpers.js';

const CLIENTS = 300;

describe('load', () => {
  let server;
  // All clients share 127.0.0.1: above the default per-address session cap.
  before(async () => { server = await startServer(['--max-sessions-per-ip', '1000']); });
  afterEach(closeAll);
  after(() => server.stop());

  it(`${CLIENTS} concurrent clients are served`, { timeout: 30000 }, async () => {
    const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => connect(server, '/')));
    const answers = await Promise.all(sockets.map((s) => {
      s.emit('heartbeat', { timestamp: Date.now() });
      return next(s, 'heartbeat_response', 10000);
    }));
    assert.equal(answers.filter((a) => a.status === 'healthy').length, CLIENTS);
    const stats = await api(server, 'GET', '/admin/api/stats');
    assert.equal(stats.body.namespaces['/'], CLIENTS);
    await api(server, 'POST', '/admin/api/maintenance', { enabled: true, estimated_duration: 60 });
    const got = await Promise.all(sockets.map((s) => next(s, 'maintenance_mode', 10000)));
    assert.equal(got.filter((m) => m.enabled === true).length, CLIENTS);
  });
});
