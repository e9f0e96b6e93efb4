// socket.io-client 4.8 (Node) as a benchmark peer: one measurement per run,
// one JSON line on stdout. Best configuration: WebSocket only.
//   node client.mjs recv URL small|large|binary COUNT
//   node client.mjs ack URL N
//   node --expose-gc client.mjs idle URL N
import { io } from 'socket.io-client';

const [, , what, url, ...rest] = process.argv;

function connect() {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

async function recv(payload, count) {
  const s = await connect();
  const name = payload === 'binary' ? 'tick_bin' : 'tick';
  let received = 0;
  let t0;
  const done = new Promise((resolve) => {
    s.on(name, (data) => {
      // The handler: look at the decoded payload.
      if (payload === 'binary' ? data.data.byteLength === 0 : data.id === undefined) {
        throw new Error('bad event');
      }
      received += 1;
      if (received === count) resolve();
    });
  });
  t0 = process.hrtime.bigint();
  s.emit('start', { kind: payload, count });
  await Promise.race([done, new Promise((r) => setTimeout(r, 60_000))]);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.close();
  return { received, lost: count - received, secs, events_per_sec: received / secs };
}

async function ack(n) {
  const s = await connect();
  const warm = Math.floor(n / 10);
  const samples = [];
  for (let i = 0; i < warm + n; i += 1) {
    const t0 = process.hrtime.bigint();
    await s.timeout(5000).emitWithAck('echo', { id: i });
    if (i >= warm) samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  s.close();
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.round((samples.length - 1) * q)];
  return { n: samples.length, p50_us: at(0.5), p99_us: at(0.99) };
}

async function settle(ms) {
  await new Promise((r) => setTimeout(r, ms));
  if (global.gc) global.gc();
  await new Promise((r) => setTimeout(r, 100));
}

async function idle(n) {
  const keep = [await connect()];
  await settle(300);
  const before = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  for (let left = n; left > 0; left -= 100) {
    const k = Math.min(100, left);
    keep.push(...(await Promise.all(Array.from({ length: k }, connect))));
  }
  const connectSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  await settle(1000);
  const after = process.memoryUsage().rss;
  const connected = keep.length - 1;
  return { n: connected, connect_secs: connectSecs, bytes_per_conn: (after - before) / connected };
}

let out;
if (what === 'recv') out = await recv(rest[0], Number(rest[1]));
else if (what === 'ack') out = await ack(Number(rest[0]));
else if (what === 'idle') out = await idle(Number(rest[0]));
else throw new Error(`unknown measurement ${what}`);
console.log(JSON.stringify(out));
process.exit(0);
