// Shared fixtures: start omni-server on a free port, mint tokens, connect clients.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { io } from 'socket.io-client';

export const SECRET = 'test-secret-for-reference-server';
const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.OMNI_SERVER_BIN || path.join(here, '..', '..', 'target', 'debug', 'omni-server');

/**
 * Starts omni-server on 127.0.0.1 with a free port; resolves once it prints its address.
 * The secret goes through the environment (an argument would show in `ps`);
 * `env` overrides it, e.g. `{ OMNI_JWT_SECRET: '' }` for none.
 */
export function startServer(extraArgs = [], env = {}) {
  const args = ['--bind', '127.0.0.1:0', ...extraArgs];
  const proc = spawn(BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OMNI_JWT_SECRET: SECRET, ...env },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start:\n${stderr}`)); }, 15000);
    let out = '';
    let started = false;
    proc.stdout.on('data', (d) => {
      out = (out + d).slice(-20000);
      if (started) return;
      const m = out.match(/omni-server listening on (http:\/\/\S+)/);
      if (m) {
        started = true;
        clearTimeout(timer);
        resolve({
          url: m[1],
          proc,
          stderr: () => stderr,
          stdout: () => out,
          alive: () => proc.exitCode === null && proc.signalCode === null,
          stop: () => new Promise((res) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return res();
            const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
            proc.once('exit', () => { clearTimeout(kill); res(); });
            proc.kill('SIGTERM');
          }),
        });
      }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${stderr}`)); });
  });
}

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs an HS256 JWT. */
export function sign(claims, secret = SECRET) {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(claims);
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** Demo users of the server's data set. */
export const USERS = {
  john: { sub: 'user_12345', username: 'john_doe', role: 'user', licenses: ['OMNI-PREM-ABCD-1234-EFGH'] },
  admin: { sub: 'user_67890', username: 'jane_admin', role: 'admin', licenses: [] },
  mod: { sub: 'user_24680', username: 'mary_moderator', role: 'moderator', licenses: [] },
  carol: { sub: 'user_13579', username: 'carol', role: 'user', licenses: ['OMNI-BASIC-WXYZ-5678-IJKL'] },
  agent: { sub: '42', username: 'ahmet_agent', role: 'user', licenses: [] },
  alice: { sub: '5', username: 'alice', role: 'user', licenses: [] },
  doaAdmin: { sub: '1', username: 'doa_admin', role: 'admin', licenses: [] },
};
export const LICENSE = 'OMNI-PREM-ABCD-1234-EFGH';

/** A valid token for a demo user; `ttl` seconds (negative = already expired). */
export function token(user, ttl = 3600) {
  return sign({ ...USERS[user], exp: now() + ttl });
}

let fresh = 0;
/** A token for a user nobody else uses (its own rate budget), role `user` unless given. */
export function freshToken(extra = {}) {
  fresh += 1;
  return sign({ sub: `user_t${process.pid}_${fresh}`, username: `t${fresh}`, role: 'user', exp: now() + 3600, ...extra });
}

/** Resident memory of a process in KiB (Linux). */
export function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/^VmRSS:\s+(\d+)/m)[1]);
}

const open = new Set();

/** Connects a fresh client; resolves on `connect`, rejects with the connect_error. */
export function connect(server, ns = '/', auth, opts = {}) {
  const socket = io(server.url + ns, {
    auth,
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    timeout: 5000,
    ...opts,
  });
  open.add(socket);
  socket.buffered = [];
  // Record every event from the start so nothing sent right after CONNECT is missed.
  socket.onAny((event, ...args) => socket.buffered.push([event, args]));
  socket.on('disconnect', (reason) => { socket.lastDisconnect = reason; });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => { socket.close(); reject(err); });
  });
}

/** Closes every client opened through `connect`. */
export function closeAll() {
  for (const s of open) s.close();
  open.clear();
}

/**
 * Resolves with the first argument of the next `event` (or one already
 * buffered) for which `match` holds; others of that name stay buffered.
 */
export function next(socket, event, ms = 3000, match = () => true) {
  const wanted = ([e, args]) => e === event && match(args[0]);
  const i = socket.buffered.findIndex(wanted);
  if (i >= 0) return Promise.resolve(socket.buffered.splice(i, 1)[0][1][0]);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { socket.offAny(h); reject(new Error(`no '${event}' within ${ms} ms`)); }, ms);
    const h = (e, ...args) => {
      if (e !== event || !match(args[0])) return;
      clearTimeout(t);
      socket.offAny(h);
      const j = socket.buffered.findIndex(wanted);
      if (j >= 0) socket.buffered.splice(j, 1);
      resolve(args[0]);
    };
    socket.onAny(h);
  });
}

/** Resolves true if `event` does NOT arrive within `ms`. */
export async function silent(socket, event, ms = 400) {
  try {
    await next(socket, event, ms);
    return false;
  } catch {
    return true;
  }
}

/** Resolves with the disconnect reason. */
export function disconnected(socket, ms = 3000) {
  if (!socket.connected) return Promise.resolve(socket.lastDisconnect ?? 'never connected');
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('still connected')), ms);
    socket.once('disconnect', (reason) => { clearTimeout(t); resolve(reason); });
  });
}

/** Calls the admin HTTP API. */
export async function api(server, method, route, body, bearer = token('admin')) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(server.url + route, {
    method,
    headers,
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, body: json };
}
