// What `io(url)` and `new Manager(url)` take from a URL, with
// socket.io-client's rules for partial URLs: the page's location fills in
// what is missing, `//host` keeps the page's protocol, and a URL without one
// gets `https://` outside a page. Without a page, no URL means
// `http://localhost` (engine.io-client's default host in Node).

/** A server URL, split into what the client needs. */
export interface ParsedUrl {
  /** `http(s)://host[:port]`, what the core connects to. */
  origin: string;
  /** The path: the namespace, `/` when empty. */
  nsp: string;
  /** The query string's parameters, when it has any. */
  query: Record<string, string> | undefined;
  /** `protocol://host:port` with the default port filled in: the Manager cache key. */
  id: string;
}

/** Splits `uri` (absolute, protocol-relative, path-only or host-only) into a {@link ParsedUrl}. */
export function parseUrl(uri: string | undefined): ParsedUrl {
  const loc = typeof location === "undefined" ? undefined : location;
  const here = loc ? `${loc.protocol}//${loc.host}` : "http://localhost";
  let s = uri ?? here;
  if (s[0] === "/") s = s[1] === "/" ? `${loc ? loc.protocol : "https:"}${s}` : here + s;
  if (!/^(https?|wss?):\/\//i.test(s)) s = `${loc ? loc.protocol : "https:"}//${s}`;
  const u = new URL(s);
  // ws(s):// names the same server as http(s)://.
  const protocol = u.protocol.replace(/^ws/, "http");
  const secure = protocol === "https:";
  const port = u.port || (secure ? "443" : "80");
  let query: Record<string, string> | undefined;
  u.searchParams.forEach((v, k) => ((query ??= {})[k] = v));
  return {
    origin: `${protocol}//${u.host}`,
    nsp: u.pathname || "/",
    query,
    id: `${protocol}//${u.hostname}:${port}`,
  };
}
