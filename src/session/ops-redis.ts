// The operations store in Redis, shared by every worker and replica. Every key carries the hash tag `{ops}`, so one
// Lua script per decision records it atomically on one Cluster slot. Ids are percent-encoded (keys.ts' encodeId).
//
// | key (prefix `custos:`)              | type   | holds                                              | lifetime                         |
// |-------------------------------------|--------|----------------------------------------------------|----------------------------------|
// | `custos:{ops}:<x>:idx`              | zset   | member id, score first seen (Unix ms), newest last | until its latest item's deadline |
// | `custos:{ops}:<x>:dl`               | zset   | member id, score its deadline (Unix ms)            | same                             |
// | `custos:{ops}:apr:pending`          | zset   | pending approvals, score expires_at (ms)           | same                             |
// | `custos:{ops}:rev:open`             | zset   | open reviews, score their deadline (ms)            | same                             |
// | `custos:{ops}:apr:<id>`             | string | `{"codes": [...]}`                                 | approval expiry + grace          |
// | `custos:{ops}:rev:<id>`             | string | the review item (JSON)                             | inventory retention              |
// | `custos:{ops}:prin:<id>`            | hash   | fs, ls, reg, o:<decision>, c:<caller>, nc          | inventory retention, refreshed   |
// | `custos:{ops}:prin:<id>:sess`       | set    | sessions of the principal (bounded)                | same                             |
// | `custos:{ops}:sess:<id>`            | hash   | p principal, c credential, fs, ls                  | session idle TTL, refreshed      |
// | `custos:{ops}:cred:<id>`            | hash   | fs, ls, o:<decision>, tr (truncated)               | inventory retention, refreshed   |
// | `custos:{ops}:cred:<id>:<p|s|r|t>`  | set    | principals, sessions, resources, tools (bounded)   | same                             |
// | `custos:{ops}:once:<key>`           | string | a claimed notification (once per session)          | its TTL                          |
// where <x> is `apr`, `rev`, `prin` or `sess`. Each recording first drops up to 100 entries past their deadline
// from each index (the item keys expire by themselves), so the indexes expire with their items.
import type { Cluster, Redis } from "ioredis";
import {
  DEFAULT_INVENTORY_TTL_SECONDS,
  MAX_CALLERS,
  MAX_USAGE_MEMBERS,
  approvalItem,
  type ApprovalItem,
  type LedgerReader,
  type OpsStore,
  type PrincipalItem,
  type ReviewItem,
  type SessionItem,
} from "../decision/operations.js";
import { StateUnavailableError } from "../decision/ports.js";
import { encodeId } from "./keys.js";
import { DEFAULT_APPROVAL_GRACE_SECONDS, DEFAULT_KEY_PREFIX, DEFAULT_SESSION_TTL_SECONDS } from "./ledger-rules.js";
import { listPage, type IndexEntry } from "./ops-list.js";
import type { OpsStoreOptions } from "./ops-memory.js";

/** Lua helpers shared by the scripts: keep a key alive at least `ttl` seconds; drop expired index entries. */
const HELPERS = `
local function keep(k, ttl)
  local t = redis.call('TTL', k)
  if t < ttl then redis.call('EXPIRE', k, ttl) end
end
local function prune(idx, dl, extra, now)
  local gone = redis.call('ZRANGEBYSCORE', dl, '-inf', now, 'LIMIT', 0, 100)
  for _, m in ipairs(gone) do
    redis.call('ZREM', idx, m)
    redis.call('ZREM', dl, m)
    if extra then redis.call('ZREM', extra, m) end
  end
end
local function capadd(set, v, cap)
  if v == '' then return 0 end
  if redis.call('SISMEMBER', set, v) == 1 then return 0 end
  if redis.call('SCARD', set) >= cap then return 1 end
  redis.call('SADD', set, v)
  return 0
end
`;

/**
 * One decision. KEYS: 1 sess:idx 2 sess:dl 3 sess:<id> 4 prin:idx 5 prin:dl 6 prin:<id> 7 prin:<id>:sess 8 cred:<id>
 * 9..12 cred:<id>:p,s,r,t 13 apr:idx 14 apr:dl 15 apr:pending 16 rev:idx 17 rev:dl 18 rev:open.
 * ARGV: 1 now ms, 2 session, 3 principal, 4 credential ('' none), 5 caller ('' none), 6 registered 0|1,
 * 7 decision, 8 resource, 9 tool, 10 session TTL s, 11 retention s, 12 max callers, 13 max members.
 */
const RECORD_SCRIPT = `${HELPERS}
local now = tonumber(ARGV[1])
local sttl, rttl = tonumber(ARGV[10]), tonumber(ARGV[11])
prune(KEYS[1], KEYS[2], false, now)
prune(KEYS[4], KEYS[5], false, now)
prune(KEYS[13], KEYS[14], KEYS[15], now)
prune(KEYS[16], KEYS[17], KEYS[18], now)
redis.call('ZREMRANGEBYSCORE', KEYS[15], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[18], '-inf', now)
-- the session
redis.call('HSETNX', KEYS[3], 'fs', now)
redis.call('HSETNX', KEYS[3], 'p', ARGV[3])
redis.call('HSETNX', KEYS[3], 'c', ARGV[4])
redis.call('HSET', KEYS[3], 'ls', now)
redis.call('EXPIRE', KEYS[3], sttl)
redis.call('ZADD', KEYS[1], 'NX', now, ARGV[2])
redis.call('ZADD', KEYS[2], now + sttl * 1000, ARGV[2])
keep(KEYS[1], sttl); keep(KEYS[2], sttl)
-- the principal
redis.call('HSETNX', KEYS[6], 'fs', now)
redis.call('HSET', KEYS[6], 'ls', now, 'reg', ARGV[6])
redis.call('HINCRBY', KEYS[6], 'o:' .. ARGV[7], 1)
if ARGV[5] ~= '' and redis.call('HEXISTS', KEYS[6], 'c:' .. ARGV[5]) == 0 then
  if tonumber(redis.call('HGET', KEYS[6], 'nc') or '0') < tonumber(ARGV[12]) then
    redis.call('HSET', KEYS[6], 'c:' .. ARGV[5], 1)
    redis.call('HINCRBY', KEYS[6], 'nc', 1)
  end
end
capadd(KEYS[7], ARGV[2], tonumber(ARGV[13]))
redis.call('EXPIRE', KEYS[6], rttl)
redis.call('EXPIRE', KEYS[7], rttl)
redis.call('ZADD', KEYS[4], 'NX', now, ARGV[3])
redis.call('ZADD', KEYS[5], now + rttl * 1000, ARGV[3])
keep(KEYS[4], rttl); keep(KEYS[5], rttl)
-- the credential
if ARGV[4] ~= '' then
  redis.call('HSETNX', KEYS[8], 'fs', now)
  redis.call('HSET', KEYS[8], 'ls', now)
  redis.call('HINCRBY', KEYS[8], 'o:' .. ARGV[7], 1)
  local cap = tonumber(ARGV[13])
  local full = capadd(KEYS[9], ARGV[3], cap) + capadd(KEYS[10], ARGV[2], cap) + capadd(KEYS[11], ARGV[8], cap) + capadd(KEYS[12], ARGV[9], cap)
  if full > 0 then redis.call('HSET', KEYS[8], 'tr', 1) end
  for i = 8, 12 do if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], rttl) end end
end
return 1
`;

/** A new approval or review. KEYS: item, idx, dl, extra. ARGV: id, json, now ms, deadline ms, extra score. */
const ADD_ITEM_SCRIPT = `${HELPERS}
local ttl = math.max(1, math.ceil((tonumber(ARGV[4]) - tonumber(ARGV[3])) / 1000))
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
keep(KEYS[2], ttl); keep(KEYS[3], ttl); keep(KEYS[4], ttl)
return 1
`;

/** Resolve a review. KEYS: item, open. ARGV: id, verdict, note JSON, by, now s. Returns the item after, or nil. */
const RESOLVE_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local r = cjson.decode(v)
if r.status == 'open' then
  r.status = 'resolved'
  r.verdict = ARGV[2]
  r.note = cjson.decode(ARGV[3])
  r.resolved_by = ARGV[4]
  r.resolved_at = tonumber(ARGV[5])
  v = cjson.encode(r)
  redis.call('SET', KEYS[1], v, 'KEEPTTL')
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return v
`;

type OpsClient = (Redis | Cluster) & {
  custosOpsRecord(...args: (string | number)[]): Promise<number>;
  custosOpsAdd(...args: (string | number)[]): Promise<number>;
  custosOpsResolve(...args: (string | number)[]): Promise<string | null>;
};

/**
 * The Redis operations store on `client` (borrowed from the ledger's store: it is not closed here), listing
 * approvals and sessions with the ledger's live state.
 */
export function createRedisOpsStore(client: Redis | Cluster, ledger: LedgerReader, options: OpsStoreOptions & { keyPrefix?: string } = {}): OpsStore {
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (/[{}]/.test(prefix)) throw new Error("redis key prefix must not contain '{' or '}'");
  const clock = options.clock ?? Date.now;
  const sessionTtl = options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  const retention = options.inventoryTtlSeconds ?? DEFAULT_INVENTORY_TTL_SECONDS;
  const grace = options.approvalGraceSeconds ?? DEFAULT_APPROVAL_GRACE_SECONDS;
  const k = (...parts: string[]) => `${prefix}{ops}:${parts.join(":")}`;
  const c = client as OpsClient;
  if (typeof c.custosOpsRecord !== "function") {
    client.defineCommand("custosOpsRecord", { numberOfKeys: 18, lua: RECORD_SCRIPT });
    client.defineCommand("custosOpsAdd", { numberOfKeys: 4, lua: ADD_ITEM_SCRIPT });
    client.defineCommand("custosOpsResolve", { numberOfKeys: 2, lua: RESOLVE_SCRIPT });
  }
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new StateUnavailableError(`operations store: ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  };
  const dec = (m: string) => decodeURIComponent(m);
  const iso = (ms: string | undefined) => new Date(Number(ms ?? 0)).toISOString();

  /** Entries of an index strictly after `after`, newest first (ties by member, descending, as Redis orders them). */
  const entriesOf = (idx: string) => async (after: IndexEntry | null, n: number): Promise<IndexEntry[]> => {
    const out: IndexEntry[] = [];
    const max = after ? String(after[0]) : "+inf";
    for (let offset = 0; out.length < n; ) {
      const raw = (await client.zrange(idx, max, "-inf", "BYSCORE", "REV", "LIMIT", offset, n, "WITHSCORES")) as string[];
      for (let i = 0; i + 1 < raw.length && out.length < n; i += 2) {
        const score = Number(raw[i + 1]);
        const member = raw[i]!;
        if (!after || score < after[0] || member < after[1]) out.push([score, member]);
      }
      offset += raw.length / 2;
      if (raw.length / 2 < n) break;
    }
    return out;
  };
  const counts = (h: Record<string, string>) => ({ allow: Number(h["o:allow"] ?? 0), deny: Number(h["o:deny"] ?? 0), escalate: Number(h["o:escalate"] ?? 0) });

  return {
    kind: "redis",
    recordDecision: (f, approval, reviews) =>
      run("record", async () => {
        const s = encodeId(f.session);
        const p = encodeId(f.principal);
        const cr = f.credential === null ? "-" : encodeId(f.credential);
        const keys = [
          k("sess", "idx"), k("sess", "dl"), k("sess", s),
          k("prin", "idx"), k("prin", "dl"), k("prin", p), k("prin", p, "sess"),
          k("cred", cr), k("cred", cr, "p"), k("cred", cr, "s"), k("cred", cr, "r"), k("cred", cr, "t"),
          k("apr", "idx"), k("apr", "dl"), k("apr", "pending"), k("rev", "idx"), k("rev", "dl"), k("rev", "open"),
        ];
        const m = client.multi();
        (m as unknown as OpsClient).custosOpsRecord(
          ...keys, f.at, s, p, f.credential === null ? "" : cr, f.caller ?? "", f.registered ? 1 : 0, f.decision,
          f.resource === null ? "" : encodeId(f.resource), f.tool === null ? "" : encodeId(f.tool), sessionTtl, retention, MAX_CALLERS, MAX_USAGE_MEMBERS,
        );
        if (approval) {
          const id = encodeId(approval.id);
          const deadline = (approval.expires_at + grace) * 1000;
          (m as unknown as OpsClient).custosOpsAdd(k("apr", id), k("apr", "idx"), k("apr", "dl"), k("apr", "pending"), id, JSON.stringify({ codes: approval.codes }), approval.at, deadline, approval.expires_at * 1000);
        }
        for (const r of reviews) {
          const id = encodeId(r.id);
          (m as unknown as OpsClient).custosOpsAdd(k("rev", id), k("rev", "idx"), k("rev", "dl"), k("rev", "open"), id, JSON.stringify(r), f.at, r.expires_at * 1000, r.expires_at * 1000);
        }
        const res = await m.exec();
        const failed = res?.find(([e]) => e);
        if (!res || failed) throw failed?.[0] ?? new Error("transaction discarded");
      }),
    listApprovals: (filter, page, nowS) =>
      run("listApprovals", () =>
        listPage<ApprovalItem>(
          page,
          entriesOf(k("apr", "idx")),
          (batch) =>
            Promise.all(
              batch.map(async ([, m]) => {
                const [meta, rec] = await Promise.all([client.get(k("apr", m)), ledger.getApproval(dec(m))]);
                if (!meta || !rec) return null;
                return approvalItem(rec, (JSON.parse(meta) as { codes: string[] }).codes, nowS);
              }),
            ),
          (a) => (!filter.status || a.status === filter.status) && (!filter.principal || a.requester === filter.principal) && (!filter.session || a.session === filter.session),
        ),
      ),
    countPendingApprovals: (nowS) => run("countPendingApprovals", () => client.zcount(k("apr", "pending"), `(${nowS * 1000}`, "+inf")),
    approvalSettled: (id) => run("approvalSettled", async () => void (await client.zrem(k("apr", "pending"), encodeId(id)))),
    listReviews: (filter, page) =>
      run("listReviews", () =>
        listPage<ReviewItem>(
          page,
          entriesOf(k("rev", "idx")),
          async (batch) => (batch.length === 0 ? [] : (await client.mget(...batch.map(([, m]) => k("rev", m)))).map((v) => (v ? (JSON.parse(v) as ReviewItem) : null))),
          (r) => (!filter.status || r.status === filter.status) && (!filter.code || r.codes.includes(filter.code)) && (!filter.principal || r.principal === filter.principal),
        ),
      ),
    getReview: (id) =>
      run("getReview", async () => {
        const v = await client.get(k("rev", encodeId(id)));
        return v ? (JSON.parse(v) as ReviewItem) : null;
      }),
    resolveReview: (id, verdict, note, by, nowS) =>
      run("resolveReview", async () => {
        const v = await c.custosOpsResolve(k("rev", encodeId(id)), k("rev", "open"), encodeId(id), verdict, JSON.stringify(note), by, nowS);
        return v ? (JSON.parse(v) as ReviewItem) : null;
      }),
    countOpenReviews: () => run("countOpenReviews", () => client.zcount(k("rev", "open"), `(${clock()}`, "+inf")),
    listPrincipals: (filter, page) =>
      run("listPrincipals", () =>
        listPage<PrincipalItem>(
          page,
          entriesOf(k("prin", "idx")),
          (batch) =>
            Promise.all(
              batch.map(async ([, m]) => {
                const h = await client.hgetall(k("prin", m));
                if (!h.fs) return null;
                const callers = Object.keys(h).filter((f) => f.startsWith("c:")).map((f) => f.slice(2)).sort();
                return { id: dec(m), registered: h.reg === "1", first_seen: iso(h.fs), last_seen: iso(h.ls), decisions: counts(h), callers };
              }),
            ),
          (p) => filter.registered === undefined || p.registered === filter.registered,
        ),
      ),
    listSessions: (filter, page) =>
      run("listSessions", () =>
        listPage<SessionItem>(
          page,
          entriesOf(k("sess", "idx")),
          (batch) =>
            Promise.all(
              batch.map(async ([, m]): Promise<SessionItem | null> => {
                const h = await client.hgetall(k("sess", m));
                if (!h.fs) return null;
                const principal = dec(h.p ?? "");
                if (filter.principal && principal !== filter.principal) return null;
                const st = await ledger.getSession(dec(m));
                return { id: dec(m), principal, credential: h.c ? dec(h.c) : null, status: st.terminated ? "terminated" : "active", risk: st.risk, violations: st.violations, terminated_reason: st.terminated_reason, first_seen: iso(h.fs), last_seen: iso(h.ls) };
              }),
            ),
          (s) => (!filter.status || s.status === filter.status) && (filter.minRisk === undefined || s.risk >= filter.minRisk),
        ),
      ),
    credentialUsage: (id) =>
      run("credentialUsage", async () => {
        const cr = encodeId(id);
        const [h, ps, ss, rs, ts] = await Promise.all([client.hgetall(k("cred", cr)), ...["p", "s", "r", "t"].map((x) => client.smembers(k("cred", cr, x)))]);
        if (!h || !(h as Record<string, string>).fs) return null;
        const hh = h as Record<string, string>;
        const list = (v: unknown) => (v as string[]).map(dec).sort();
        return {
          credential: id, first_seen: iso(hh.fs), last_seen: iso(hh.ls), decisions: counts(hh),
          principals: list(ps), sessions: list(ss), resources: list(rs), tools: list(ts), truncated: hh.tr === "1",
        };
      }),
    sessionsOf: (of) =>
      run("sessionsOf", async () => {
        const key = "principal" in of ? k("prin", encodeId(of.principal), "sess") : k("cred", encodeId(of.credential), "s");
        return (await client.smembers(key)).map(dec).sort();
      }),
    once: (key, ttlSeconds) => run("once", async () => (await client.set(k("once", encodeId(key)), "1", "EX", Math.max(1, Math.ceil(ttlSeconds)), "NX")) === "OK"),
    release: (key) => run("release", async () => void (await client.del(k("once", encodeId(key))))),
    close: async () => undefined,
  };
}
