// What REDIS_URL names: one Redis, a Redis Cluster or a Sentinel-managed primary, with credentials, TLS files and
// the replica acknowledgements admin writes wait for; plus the redaction that keeps the password out of messages.
//
//   redis[s]://[[user]:password@]host[:port][/db][?options]                  one primary (default port 6379, db 0)
//   redis[s]+cluster://[[user]:password@]host[:port],host[:port],…[?options] Redis Cluster seed nodes
//   redis[s]+sentinel://[[user]:password@]host[:port],…/<master>[/db][?options]  Sentinels (default port 26379)
//
// `rediss` means TLS to every node (and, with Sentinel, to the Sentinels too). `user:password` authenticates to the
// data nodes (an ACL user; `:password` is the `default` user of `requirepass`); Sentinels are asked without AUTH.
// Characters of `/?#@:%` in the user or password must be percent-encoded. Options (query string):
//   tls_ca=<file>        PEM CA bundle that signed the server certificates (else Node's roots + NODE_EXTRA_CA_CERTS)
//   tls_cert, tls_key    PEM client certificate and key, for servers with `tls-auth-clients yes`
//   wait_replicas=<n>    durable writes (admin terminate, resume, revoke, signals, approval decisions, and decisions
//                        that terminate their session) wait until n replicas acknowledged them (WAIT), and fail
//                        when fewer did. Default (absent): wait for 1 behind Sentinel and once the primary has been
//                        seen with a replica; none on a primary that never had one. 0 = never wait (the opt-out).

/** One `host:port`. */
export interface HostPort {
  host: string;
  port: number;
}

/** TLS material files; the system roots apply when `ca` is absent. */
export interface TlsFiles {
  ca: string | null;
  cert: string | null;
  key: string | null;
}

interface Common {
  username: string | null;
  password: string | null;
  /** `null` without TLS. */
  tls: TlsFiles | null;
  /** Replicas a durable write must reach before it is acknowledged; 0 = do not wait; `null` = 1 when the primary has any. */
  waitReplicas: number | null;
}

/** A parsed REDIS_URL. */
export type RedisTarget =
  | (Common & { mode: "standalone"; node: HostPort; db: number })
  | (Common & { mode: "cluster"; nodes: HostPort[] })
  | (Common & { mode: "sentinel"; sentinels: HostPort[]; name: string; db: number });

const SCHEMES: Record<string, { mode: RedisTarget["mode"]; tls: boolean }> = {
  redis: { mode: "standalone", tls: false },
  rediss: { mode: "standalone", tls: true },
  "redis+cluster": { mode: "cluster", tls: false },
  "rediss+cluster": { mode: "cluster", tls: true },
  "redis+sentinel": { mode: "sentinel", tls: false },
  "rediss+sentinel": { mode: "sentinel", tls: true },
};

const OPTIONS = new Set(["tls_ca", "tls_cert", "tls_key", "wait_replicas"]);

/**
 * Parses a REDIS_URL. Error messages never repeat the URL or any part of it that could hold the password.
 * @throws Error on an unknown scheme, a bad host list, path or option.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const fail = (why: string): never => {
    throw new Error(`invalid REDIS_URL: ${why}`);
  };
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/is.exec(url.trim());
  if (!match) return fail("expected <scheme>://[user:password@]host:port…");
  const [, rawScheme, authority = "", path = "", query = "", fragment] = match;
  const scheme = SCHEMES[rawScheme!.toLowerCase()];
  if (!scheme) return fail(`unknown scheme; use one of ${Object.keys(SCHEMES).map((s) => `${s}://`).join(", ")}`);
  if (fragment) fail("a #fragment is not allowed");

  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? null : authority.slice(0, at);
  const colon = userinfo?.indexOf(":") ?? -1;
  const decode = (s: string, what: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return fail(`the ${what} is not valid percent-encoding`);
    }
  };
  const username = userinfo === null ? null : decode(colon < 0 ? userinfo : userinfo.slice(0, colon), "user name") || null;
  const password = userinfo === null || colon < 0 ? null : decode(userinfo.slice(colon + 1), "password");

  const defaultPort = scheme.mode === "sentinel" ? 26379 : 6379;
  const hosts = parseHosts(authority.slice(at + 1), defaultPort, fail);
  if (scheme.mode === "standalone" && hosts.length !== 1) fail(`${rawScheme}:// takes one host; for several use +cluster or +sentinel`);

  const params = new URLSearchParams(query);
  for (const key of params.keys()) if (!OPTIONS.has(key)) fail(`unknown option "${key}" (known: ${[...OPTIONS].join(", ")})`);
  const file = (key: string) => {
    const value = params.get(key);
    if (value === null) return null;
    if (!scheme.tls) fail(`${key} needs a TLS scheme (rediss…://)`);
    if (!value) fail(`${key} is empty`);
    return value;
  };
  const tlsFiles = { ca: file("tls_ca"), cert: file("tls_cert"), key: file("tls_key") };
  if ((tlsFiles.cert === null) !== (tlsFiles.key === null)) fail("tls_cert and tls_key go together");
  const wait = params.get("wait_replicas");
  if (wait !== null && !/^\d{1,2}$/.test(wait)) fail("wait_replicas must be a whole number of replicas (0 to 99)");

  const common: Common = { username, password, tls: scheme.tls ? tlsFiles : null, waitReplicas: wait === null ? null : Number(wait) };
  const segments = path.split("/").filter((s, i) => i > 0 || s !== "");
  const db = (raw: string | undefined) => {
    if (raw === undefined || raw === "") return 0;
    if (!/^\d{1,5}$/.test(raw)) fail("the database must be a number");
    return Number(raw);
  };
  switch (scheme.mode) {
    case "standalone":
      if (segments.length > 1) fail("the path is at most /<db>");
      return { ...common, mode: "standalone", node: hosts[0]!, db: db(segments[0]) };
    case "cluster":
      if (segments.some((s) => s !== "" && s !== "0")) fail("Redis Cluster has only database 0; leave the path empty");
      return { ...common, mode: "cluster", nodes: hosts };
    case "sentinel": {
      const name = segments[0] ? decode(segments[0], "master name") : "";
      if (!name) fail("a Sentinel URL names its master: redis+sentinel://host:port,…/<master>");
      if (segments.length > 2) fail("the path is /<master>[/<db>]");
      return { ...common, mode: "sentinel", sentinels: hosts, name, db: db(segments[1]) };
    }
  }
}

/** `host[:port]` entries separated by commas; IPv6 literals in brackets. */
function parseHosts(list: string, defaultPort: number, fail: (why: string) => never): HostPort[] {
  if (!list) fail("no host");
  return list.split(",").map((entry, i) => {
    const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(entry);
    const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
    if (!m || port < 1 || port > 65535) return fail(`host ${i + 1} of the list is not host[:port]`);
    return { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port };
  });
}

/**
 * A function that replaces every occurrence of the target's password (as given and percent-encoded) with `***`.
 * Applied to every message the store lets out: errors, `onError` reports.
 */
export function passwordRedactor(target: Pick<RedisTarget, "password">): (text: string) => string {
  const secrets = [target.password, target.password === null ? null : encodeURIComponent(target.password)]
    .filter((s): s is string => Boolean(s))
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((out, secret) => out.split(secret).join("***"), text);
}

/** The URL with its password replaced by `***`, for logs that want to say where the store points. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([^:]+:\/\/[^:@/?#]*:)[^/?#]*@/, "$1***@");
}
