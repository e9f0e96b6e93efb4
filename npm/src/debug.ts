// Debug logging in the `debug` package's terms, as socket.io-client has it:
// `localStorage.debug = "omni-socket:*"` in a browser, `DEBUG=omni-socket:*`
// in Node (comma- or space-separated patterns, `*` wildcards, `-` to
// exclude). Read once, when the module loads. Off by default; a logger
// that is off is one shared empty function, and callers pass only values
// they hold already, so a disabled log line builds nothing.

/** A printf-style log line (`%s`, `%d`, `%o` as in `console`). */
export type Log = (format: string, ...args: unknown[]) => void;

const off: Log = () => {};

const nodeProcess = (globalThis as { process?: { env?: Record<string, string | undefined>; versions?: { node?: string } } })
  .process;

function setting(): string {
  try {
    const s = globalThis.localStorage?.getItem("debug");
    if (s) return s;
  } catch {
    // Storage may be denied (privacy settings, sandboxed frames).
  }
  return nodeProcess?.env?.DEBUG ?? "";
}

const spec = setting();

function enabled(name: string): boolean {
  let on = false;
  for (const pattern of spec.split(/[\s,]+/)) {
    if (!pattern) continue;
    const negated = pattern[0] === "-";
    // As `debug` reads them: `*` is any text, the rest as a regular expression.
    const re = new RegExp(`^${(negated ? pattern.slice(1) : pattern).replace(/\*/g, ".*?")}$`);
    if (re.test(name)) {
      if (negated) return false;
      on = true;
    }
  }
  return on;
}

/** The logger of `omni-socket:<name>`: prints with the time since its previous line, or does nothing. */
export function debug(name: string): Log {
  const ns = `omni-socket:${name}`;
  if (!spec || !enabled(ns)) return off;
  // Node prints to stderr, as `debug` does; browsers to the console's debug level.
  const print = nodeProcess?.versions?.node ? console.error : console.debug;
  let last = 0;
  return (format, ...args) => {
    const now = Date.now();
    const ms = last ? now - last : 0;
    last = now;
    print(`${ns} ${format} +${ms}ms`, ...args);
  };
}
