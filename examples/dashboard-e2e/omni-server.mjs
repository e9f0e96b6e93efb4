// Runs the reference server (omni-server) for the dashboard tests: on
// 127.0.0.1, serving the built dashboards, printing its demo tokens; it can
// be killed and started again on the same port.

import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The omni-server binary: $OMNI_SERVER_BIN, or cargo's target directory. */
export function serverBinary() {
  if (process.env.OMNI_SERVER_BIN) return process.env.OMNI_SERVER_BIN;
  const meta = JSON.parse(
    execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 << 20,
    }),
  );
  const bin = join(meta.target_directory, "debug", "omni-server");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: cargo build -p omni-reference-server`);
  return bin;
}

/**
 * An omni-server process. `start()` binds port 0 the first time and the
 * same port after; `kill()` ends it with SIGKILL, as a crash would.
 */
export class OmniServer {
  constructor({ staticDir, bin = serverBinary() }) {
    this.bin = bin;
    this.staticDir = staticDir;
    // One secret for every start, so tokens stay valid across restarts.
    this.secret = randomBytes(24).toString("hex");
    this.port = 0;
    this.proc = null;
    this.tokens = {};
    this.output = "";
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    // The port may still be held for a moment after a kill.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#spawn();
      } catch (e) {
        if (this.port === 0 || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  #spawn() {
    const args = [
      "--bind", `127.0.0.1:${this.port}`,
      "--jwt-secret", this.secret,
      "--print-demo-tokens",
      "--static-dir", this.staticDir,
      // Pings every second keep Engine.IO heartbeats in play during the
      // short test. The timeout stays generous: with 1 s the server closed
      // sessions whose pong a busy CI machine delayed past it (seen as a
      // "Session ID unknown" 400 on the next poll), reproduced with 60
      // clients in one page through server restarts and gone at 5 s.
      "--ping-interval-ms", "1000",
      "--ping-timeout-ms", "5000",
    ];
    const proc = spawn(this.bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      this.output = (this.output + d).slice(-20_000);
    });
    proc.stderr.on("data", (d) => {
      this.output = (this.output + d).slice(-20_000);
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (why) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        proc.kill("SIGKILL");
        reject(new Error(`omni-server: ${why}\n${this.output}`));
      };
      const timer = setTimeout(() => fail("did not start within 15 s"), 15_000);
      proc.once("exit", (code) => fail(`exited with ${code}`));
      proc.stdout.on("data", () => {
        const m = out.match(/omni-server listening on http:\/\/127\.0\.0\.1:(\d+)/);
        if (!m || settled) return;
        settled = true;
        clearTimeout(timer);
        this.port = Number(m[1]);
        // "  user_12345 (john_doe, user): <JWT>"
        for (const line of out.split("\n")) {
          const t = line.match(/^\s+(\S+) \(([^,]+), (\w+)\): (\S+)$/);
          if (t) this.tokens[t[1]] = t[4];
        }
        resolve(this);
      });
    });
  }

  /** Ends the process at once (SIGKILL) and waits for it. */
  async kill() {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise((resolve) => {
      proc.once("exit", resolve);
      proc.kill("SIGKILL");
    });
  }

  /** POST to the admin API with the demo admin's token; resolves with the JSON answer. */
  async admin(path, body) {
    const res = await fetch(`${this.url}/admin/api/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.tokens.user_67890}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const answer = await res.json();
    if (res.status !== 202) throw new Error(`admin ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }
}
