// The operations store of a single process (no REDIS_URL): the Redis store's semantics in Maps. Every entry has a
// deadline; listing and recording drop what has expired, so an index never outlives its items. Bounded: at most
// `maxEntries` per index (the oldest goes first), at most MAX_USAGE_MEMBERS per blast-radius list.
import {
  DEFAULT_INVENTORY_TTL_SECONDS,
  MAX_CALLERS,
  MAX_USAGE_MEMBERS,
  afterCursor,
  approvalItem,
  type ApprovalItem,
  type CredentialUsage,
  type LedgerReader,
  type OpsStore,
  type PrincipalItem,
  type ReviewItem,
  type SessionItem,
} from "../decision/operations.js";
import { StateUnavailableError } from "../decision/ports.js";
import { DEFAULT_APPROVAL_GRACE_SECONDS, DEFAULT_SESSION_TTL_SECONDS } from "./ledger-rules.js";
import { listPage, type IndexEntry } from "./ops-list.js";

/** Options of both operations stores. */
export interface OpsStoreOptions {
  /** Idle lifetime of a session (its index entry goes with it). @default 86400 */
  sessionTtlSeconds?: number;
  /** Retention of the principal inventory, credential usage and reviews. @default 2592000 (30 days) */
  inventoryTtlSeconds?: number;
  /** Seconds an approval is kept after its expiry. @default 86400 */
  approvalGraceSeconds?: number;
  /** Most entries per index (memory store only). @default 100000 */
  maxEntries?: number;
  /** Unix milliseconds. @default Date.now */
  clock?: () => number;
}

interface Indexed<T> {
  score: number;
  deadline: number;
  value: T;
}

class Index<T> {
  readonly map = new Map<string, Indexed<T>>();
  constructor(private readonly max: number) {}
  get(id: string, now: number): T | null {
    const e = this.map.get(id);
    if (!e) return null;
    if (e.deadline <= now) {
      this.map.delete(id);
      return null;
    }
    return e.value;
  }
  /** Adds (keeping the first score) or refreshes the deadline. */
  put(id: string, score: number, deadline: number, value: T): void {
    const e = this.map.get(id);
    if (e) Object.assign(e, { deadline: Math.max(e.deadline, deadline), value });
    else this.map.set(id, { score, deadline, value });
    for (const key of this.map.keys()) {
      if (this.map.size <= this.max) break;
      this.map.delete(key);
    }
  }
  prune(now: number): void {
    for (const [k, e] of this.map) if (e.deadline <= now) this.map.delete(k);
  }
  entries(now: number) {
    this.prune(now);
    const sorted = [...this.map].map(([id, e]): IndexEntry => [e.score, id]).sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
    return async (after: IndexEntry | null, n: number) => sorted.filter(([s, m]) => afterCursor(s, m, after)).slice(0, n);
  }
}

interface PrincipalEntry {
  first: number;
  last: number;
  registered: boolean;
  decisions: { allow: number; deny: number; escalate: number };
  callers: Set<string>;
  sessions: Set<string>;
}
interface SessionEntry {
  principal: string;
  credential: string | null;
  first: number;
  last: number;
}
interface CredentialEntry {
  first: number;
  last: number;
  decisions: { allow: number; deny: number; escalate: number };
  principals: Set<string>;
  sessions: Set<string>;
  resources: Set<string>;
  tools: Set<string>;
  truncated: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

function capAdd(set: Set<string>, v: string | null, max: number): boolean {
  if (v === null || set.has(v)) return false;
  if (set.size >= max) return true;
  set.add(v);
  return false;
}

/** Creates the in-memory operations store over the ledger it lists approvals and sessions from. */
export function createMemoryOpsStore(ledger: LedgerReader, options: OpsStoreOptions = {}): OpsStore {
  const clock = options.clock ?? Date.now;
  const sessionTtlMs = (options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS) * 1000;
  const invTtlMs = (options.inventoryTtlSeconds ?? DEFAULT_INVENTORY_TTL_SECONDS) * 1000;
  const graceMs = (options.approvalGraceSeconds ?? DEFAULT_APPROVAL_GRACE_SECONDS) * 1000;
  const max = options.maxEntries ?? 100_000;
  const approvals = new Index<{ codes: string[]; expires: number; pending: boolean }>(max);
  const reviews = new Index<ReviewItem>(max);
  const principals = new Index<PrincipalEntry>(max);
  const sessions = new Index<SessionEntry>(max);
  const credentials = new Index<CredentialEntry>(max);
  const onceKeys = new Index<true>(max);
  let closed = false;
  const op = async <T>(fn: () => T | Promise<T>): Promise<T> => {
    if (closed) throw new StateUnavailableError("the in-memory operations store is closed");
    return fn();
  };

  const counts = () => ({ allow: 0, deny: 0, escalate: 0 });
  return {
    kind: "memory",
    recordDecision: (f, approval, newReviews) =>
      op(() => {
        const now = f.at;
        const p = principals.get(f.principal, now) ?? { first: now, last: now, registered: f.registered, decisions: counts(), callers: new Set<string>(), sessions: new Set<string>() };
        p.last = now;
        p.registered = f.registered;
        p.decisions[f.decision] += 1;
        capAdd(p.callers, f.caller, MAX_CALLERS);
        capAdd(p.sessions, f.session, MAX_USAGE_MEMBERS);
        principals.put(f.principal, p.first, now + invTtlMs, p);
        const s = sessions.get(f.session, now) ?? { principal: f.principal, credential: f.credential, first: now, last: now };
        s.last = now;
        sessions.put(f.session, s.first, now + sessionTtlMs, s);
        if (f.credential !== null) {
          const c = credentials.get(f.credential, now) ?? { first: now, last: now, decisions: counts(), principals: new Set<string>(), sessions: new Set<string>(), resources: new Set<string>(), tools: new Set<string>(), truncated: false };
          c.last = now;
          c.decisions[f.decision] += 1;
          for (const [set, v] of [[c.principals, f.principal], [c.sessions, f.session], [c.resources, f.resource], [c.tools, f.tool]] as const) {
            if (capAdd(set, v, MAX_USAGE_MEMBERS)) c.truncated = true;
          }
          credentials.put(f.credential, c.first, now + invTtlMs, c);
        }
        if (approval) approvals.put(approval.id, approval.at, approval.expires_at * 1000 + graceMs, { codes: approval.codes, expires: approval.expires_at, pending: true });
        for (const r of newReviews) reviews.put(r.id, now, r.expires_at * 1000, structuredClone(r));
      }),
    listApprovals: (filter, page, nowS) =>
      op(() =>
        listPage<ApprovalItem>(
          page,
          approvals.entries(clock()),
          async (batch) =>
            Promise.all(
              batch.map(async ([, id]) => {
                const meta = approvals.get(id, clock());
                const rec = meta ? await ledger.getApproval(id) : null;
                return rec && meta ? approvalItem(rec, meta.codes, nowS) : null;
              }),
            ),
          (a) => (!filter.status || a.status === filter.status) && (!filter.principal || a.requester === filter.principal) && (!filter.session || a.session === filter.session),
        ),
      ),
    countPendingApprovals: (nowS) => op(() => [...approvals.map.values()].filter((e) => e.value.pending && e.value.expires > nowS && e.deadline > clock()).length),
    approvalSettled: (id) =>
      op(() => {
        const e = approvals.map.get(id);
        if (e) e.value.pending = false;
      }),
    listReviews: (filter, page) =>
      op(() =>
        listPage<ReviewItem>(
          page,
          reviews.entries(clock()),
          async (batch) => batch.map(([, id]) => {
            const r = reviews.get(id, clock());
            return r ? structuredClone(r) : null;
          }),
          (r) => (!filter.status || r.status === filter.status) && (!filter.code || r.codes.includes(filter.code)) && (!filter.principal || r.principal === filter.principal),
        ),
      ),
    getReview: (id) =>
      op(() => {
        const r = reviews.get(id, clock());
        return r ? structuredClone(r) : null;
      }),
    resolveReview: (id, verdict, note, by, nowS) =>
      op(() => {
        const r = reviews.get(id, clock());
        if (!r) return null;
        if (r.status === "open") Object.assign(r, { status: "resolved", verdict, note, resolved_by: by, resolved_at: nowS });
        return structuredClone(r);
      }),
    countOpenReviews: () => op(() => [...reviews.map.values()].filter((e) => e.value.status === "open" && e.deadline > clock()).length),
    listPrincipals: (filter, page) =>
      op(() =>
        listPage<PrincipalItem>(
          page,
          principals.entries(clock()),
          async (batch) =>
            batch.map(([, id]) => {
              const p = principals.get(id, clock());
              return p ? { id, registered: p.registered, first_seen: iso(p.first), last_seen: iso(p.last), decisions: { ...p.decisions }, callers: [...p.callers].sort() } : null;
            }),
          (p) => filter.registered === undefined || p.registered === filter.registered,
        ),
      ),
    listSessions: (filter, page) =>
      op(() =>
        listPage<SessionItem>(
          page,
          sessions.entries(clock()),
          (batch) => Promise.all(batch.map(async ([, id]) => {
            const s = sessions.get(id, clock());
            if (!s || (filter.principal && s.principal !== filter.principal)) return null;
            const st = await ledger.getSession(id);
            return { id, principal: s.principal, credential: s.credential, status: st.terminated ? "terminated" : "active", risk: st.risk, violations: st.violations, terminated_reason: st.terminated_reason, first_seen: iso(s.first), last_seen: iso(s.last) } satisfies SessionItem;
          })),
          (s) => (!filter.status || s.status === filter.status) && (filter.minRisk === undefined || s.risk >= filter.minRisk),
        ),
      ),
    credentialUsage: (id) =>
      op((): CredentialUsage | null => {
        const c = credentials.get(id, clock());
        if (!c) return null;
        const sorted = (s: Set<string>) => [...s].sort();
        return { credential: id, first_seen: iso(c.first), last_seen: iso(c.last), decisions: { ...c.decisions }, principals: sorted(c.principals), sessions: sorted(c.sessions), resources: sorted(c.resources), tools: sorted(c.tools), truncated: c.truncated };
      }),
    sessionsOf: (of) =>
      op(() => {
        const set = "principal" in of ? principals.get(of.principal, clock())?.sessions : credentials.get(of.credential, clock())?.sessions;
        return set ? [...set].sort() : [];
      }),
    once: (key, ttlSeconds) =>
      op(() => {
        if (onceKeys.get(key, clock())) return false;
        onceKeys.put(key, clock(), clock() + ttlSeconds * 1000, true);
        return true;
      }),
    release: (key) =>
      op(() => {
        onceKeys.map.delete(key);
      }),
    close: async () => {
      closed = true;
    },
  };
}

