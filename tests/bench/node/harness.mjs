// What the browser benchmarks share: a static server for their pages, the
// built omni package and socket.io-client's browser bundle, and a headless
// Chromium with the flags every browser test here uses.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { join, extname, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/** socket.io-client's browser bundle, served at `/sio/socket.io.min.js`. */
export const sioBundle = join(here, 'node_modules/socket.io-client/dist/socket.io.min.js');

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/**
 * Serves `pages` (HTML by path), socket.io-client's bundle and the npm
 * package in `distDir` (under `/omni/`) on 127.0.0.1 and a free port, every
 * response with `headers` too. A POST to a path of `posts` calls it with
 * the request's body (text). Resolves with its origin and `close`.
 */
export async function servePages(distDir, pages, headers = {}, posts = {}) {
  // Each file compressed once: gzip -9 of the wasm takes tens of
  // milliseconds, which every load would otherwise wait for (a CDN serves
  // it compressed ahead of time).
  const gzipped = new Map();
  const http = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (req.method === 'POST' && Object.hasOwn(posts, path)) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        res.writeHead(204);
        res.end();
        posts[path](body);
      });
      return;
    }
    try {
      if (Object.hasOwn(pages, path)) {
        res.writeHead(200, { 'content-type': 'text/html', ...headers });
        res.end(pages[path]);
        return;
      }
      let file;
      if (path === '/sio/socket.io.min.js') file = sioBundle;
      else if (path.startsWith('/omni/') && !path.includes('..')) file = join(distDir, path.slice(6));
      else throw new Error('not found');
      let body = await readFile(file);
      const head = { 'content-type': types[extname(file)] ?? 'application/octet-stream', ...headers };
      // Compressed as a production server or CDN sends scripts and wasm
      // (gzip -9: the bundle figures' measure).
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        if (!gzipped.has(file)) gzipped.set(file, gzipSync(body, { level: 9 }));
        body = gzipped.get(file);
        head['content-encoding'] = 'gzip';
      }
      res.writeHead(200, head);
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${http.address().port}`, close: () => http.close() };
}

/** The flags every headless Chromium here runs with. */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/**
 * Headless Chromium with the same flags and a fresh profile, opening `url`
 * with no DevTools client attached. Playwright enables DevTools' Network
 * domain on every page and worker it drives, and Chromium then reports
 * each WebSocket frame to it: on this 2-CPU machine that cost about 40 µs
 * of the browser process per frame and held every client to a third of
 * its speed. A page opened this way reports back to its own server
 * (`servePages`'s `posts`). `close` ends the browser and removes the
 * profile.
 */
export async function openBare(prefix, url) {
  const profile = await mkdtemp(join(tmpdir(), prefix));
  const child = spawn(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', [
    ...FLAGS, `--user-data-dir=${profile}`, url,
  ], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    exited,
    close: async () => {
      child.kill('SIGKILL');
      await exited;
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Headless Chromium (Debian's, or `CHROMIUM_PATH`) with a fresh profile
 * under a temporary directory named by `prefix`. `close` ends the browser
 * and removes the profile.
 */
export async function launchChromium(prefix) {
  const profile = await mkdtemp(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}
