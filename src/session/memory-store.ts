// The embedded session ledger for a single process (no REDIS_URL): the Redis store's semantics, kept in Maps.
// Every entry carries a deadline; reads drop what has expired and an unref'd sweep bounds memory between reads.
// Sessions and approvals are also bounded in number and (estimated) bytes: past a bound the least recently written
// session that is not terminated goes first, terminated ones only when nothing else is left; revocations and
// principal signals (written by operators only) are never evicted.
import {
  MAX_DELEGATORS,
  MAX_SESSION_EVENTS,
  StateUnavailableError,
  emptySession,
  type ApplyResult,
  type ApprovalRecord,
  type Approver,
  type PrincipalSignal,
  type SessionEvent,
  type SessionState,
  type SessionStore,
  type SessionUpdate,
  type StateQuery,
  type StateSnapshot,
} from "../decision/ports.js";
import {
  DEFAULT_APPROVAL_GRACE_SECONDS,
  DEFAULT_SESSION_TTL_SECONDS,
  POLICY_ACTOR,
  RISK_THRESHOLD_REASON,
  approvalTtl,
  classificationOf,
  classificationRank,
  reachesThreshold,
  revocationTtl,
  signalFromMember,
  signalMember,
} from "./ledger-rules.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Idle lifetime of a session ledger in seconds, restarted by every write to it.
   * @default 86400
   */
  sessionTtlSeconds?: number;
  /**
   * Seconds an approval is kept after its `expires_at`.
   * @default 86400
   */
  approvalGraceSeconds?: number;
  /**
   * How often expired entries are swept, in milliseconds; 0 disables the sweep (reads still expire lazily).
   * @default 60000
   */
  sweepIntervalMs?: number;
  /**
   * Most sessions kept; past it the least recently written session is evicted (terminated sessions last).
   * @default 100000
   */
  maxSessions?: number;
  /**
   * Most bytes the sessions may take, estimated from their ids and events; evicts like {@link maxSessions}.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number;
  /**
   * Most approvals kept; past it the oldest is evicted (its request then reads APPROVAL_INVALID: fail closed).
   * @default 100000
   */
  maxApprovals?: number;
  /**
   * The clock that decides expiry, in Unix milliseconds (tests inject one).
   * @default Date.now
   */
  clock?: () => number;
}

/** The in-memory store; `size()` shows what the sweep has not yet reclaimed. */
export interface MemorySessionStore extends SessionStore {
  readonly kind: "memory";
  /** Entries held (sessions, revocations, signal sets, approvals), expired or not. */
  size(): number;
  /** Estimated bytes held by the sessions. */
  bytes(): number;
  /** Entries evicted to stay within the bounds, by kind (terminated sessions are counted apart). */
  evictions(): { sessions: number; terminated_sessions: number; approvals: number };
}

/** Defaults of the memory bounds. */
export const DEFAULT_MEMORY_MAX_SESSIONS = 100_000;
export const DEFAULT_MEMORY_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MEMORY_MAX_APPROVALS = 100_000;

/** Fixed cost of a session entry (object, map slot, numbers), in the estimate. */
const SESSION_OVERHEAD_BYTES = 256;

interface SessionEntry {
  risk: number;
  violations: number;
  terminated: boolean;
  reason: string | null;
  by: string | null;
  rank: number;
  events: SessionEvent[];
  deadline: number;
  /** Estimated bytes of this entry. */
  bytes: number;
}

interface Expiring<T> {
  value: T;
  deadline: number;
}

/** Creates the in-memory store. Call `close()` to stop its sweep timer. */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemorySessionStore {
  const ttlMs = (options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS) * 1000;
  const graceSeconds = options.approvalGraceSeconds ?? DEFAULT_APPROVAL_GRACE_SECONDS;
  const clock = options.clock ?? Date.now;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const maxSessions = options.maxSessions ?? DEFAULT_MEMORY_MAX_SESSIONS;
  const maxBytes = options.maxBytes ?? DEFAULT_MEMORY_MAX_BYTES;
  const maxApprovals = options.maxApprovals ?? DEFAULT_MEMORY_MAX_APPROVALS;
  const evicted = { sessions: 0, terminated_sessions: 0, approvals: 0 };
  let sessionBytes = 0;

  const sessions = new Map<string, SessionEntry>();
  const revoked = new Map<string, Expiring<string>>();
  /** Principal → (signal member → expires_at in seconds); the map's deadline is its latest signal. */
  const signals = new Map<string, Expiring<Map<string, number>>>();
  const approvals = new Map<string, Expiring<ApprovalRecord>>();
  const all: Map<string, { deadline: number }>[] = [sessions, revoked, signals, approvals];
  let closed = false;

  function drop<T>(map: Map<string, T>, key: string): void {
    const entry = map.get(key);
    if (map === (sessions as Map<string, unknown>) && entry) sessionBytes -= (entry as unknown as SessionEntry).bytes;
    map.delete(key);
  }

  function live<T extends { deadline: number }>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.deadline <= clock()) {
      drop(map, key);
      return undefined;
    }
    return entry;
  }

  function sweep(): void {
    const now = clock();
    for (const map of all) for (const [key, entry] of map) if (entry.deadline <= now) drop(map, key);
  }

  /** Evicts least recently written sessions (Map order) until within the bounds; terminated ones only as a last resort. */
  function bound(keep: string): void {
    const over = () => sessions.size > maxSessions || sessionBytes > maxBytes;
    if (!over()) return;
    for (const pass of [false, true]) {
      for (const [key, entry] of sessions) {
        if (!over()) return;
        if (key === keep || entry.terminated !== pass) continue;
        drop(sessions, key);
        if (pass) evicted.terminated_sessions += 1;
        else evicted.sessions += 1;
      }
    }
  }
  const timer = sweepIntervalMs > 0 ? setInterval(sweep, sweepIntervalMs) : null;
  timer?.unref();

  function sessionFor(id: string): SessionEntry {
    let entry = live(sessions, id);
    if (!entry) {
      entry = { risk: 0, violations: 0, terminated: false, reason: null, by: null, rank: -1, events: [], deadline: 0, bytes: 0 };
      sessions.set(id, entry);
    }
    return entry;
  }

  /** Records the event, restarts the idle TTL, moves the session to the recent end and keeps the store bounded. */
  function record(id: string, entry: SessionEntry, event: SessionEvent): void {
    entry.events.unshift({ ...event });
    if (entry.events.length > MAX_SESSION_EVENTS) entry.events.length = MAX_SESSION_EVENTS;
    entry.deadline = clock() + ttlMs;
    sessions.delete(id);
    sessions.set(id, entry);
    sessionBytes -= entry.bytes;
    entry.bytes = SESSION_OVERHEAD_BYTES + 2 * id.length + entry.events.reduce((n, e) => n + 2 * (e.kind.length + e.ref.length + e.detail.length + (e.event?.length ?? 0)) + 64, 0);
    sessionBytes += entry.bytes;
    bound(id);
  }

  function terminate(entry: SessionEntry, reason: string, by: string): void {
    if (entry.terminated) return;
    entry.terminated = true;
    entry.reason = reason;
    entry.by = by;
  }

  function view(id: string, entry: SessionEntry | undefined): SessionState {
    if (!entry) return emptySession(id);
    return {
      id,
      risk: entry.risk,
      violations: entry.violations,
      terminated: entry.terminated,
      terminated_reason: entry.reason,
      terminated_by: entry.by,
      max_classification: classificationOf(entry.rank),
      events: entry.events.map((e) => ({ ...e })),
    };
  }

  function activeSignals(principalId: string, nowSeconds: number): PrincipalSignal[] {
    const set = live(signals, principalId);
    if (!set) return [];
    return [...set.value]
      .filter(([, expiresAt]) => expiresAt > nowSeconds)
      .sort(([ma, a], [mb, b]) => a - b || (ma < mb ? -1 : ma > mb ? 1 : 0))
      .map(([member, expiresAt]) => signalFromMember(member, expiresAt));
  }

  function copyApproval(record: ApprovalRecord): ApprovalRecord {
    return structuredClone(record);
  }

  /** Runs `fn` unless the store is closed; synchronous bodies make every operation atomic (one thread owns the Maps). */
  async function op<T>(fn: () => T): Promise<T> {
    if (closed) throw new StateUnavailableError("the in-memory state store is closed");
    return fn();
  }

  function applyDecision(update: SessionUpdate): ApplyResult {
    let consumed: boolean | null = null;
    if (update.consume) {
      const a = live(approvals, update.consume);
      consumed = a !== undefined && a.value.status === "granted" && a.value.expires_at > Math.floor(update.now / 1000);
      if (consumed) a!.value.status = "consumed";
    }
    const entry = sessionFor(update.sessionId);
    const wasTerminated = entry.terminated;
    entry.risk += update.riskDelta;
    if (update.violation) entry.violations += 1;
    if (update.terminate !== null) terminate(entry, update.terminate, POLICY_ACTOR);
    else if (reachesThreshold(entry.risk, update.riskThreshold)) terminate(entry, RISK_THRESHOLD_REASON, POLICY_ACTOR);
    entry.rank = Math.max(entry.rank, classificationRank(update.classification));
    record(update.sessionId, entry, update.event);
    if (update.approval) {
      const ttl = approvalTtl(update.approval.expires_at, update.now, graceSeconds);
      approvals.set(update.approval.id, { value: copyApproval(update.approval), deadline: clock() + ttl * 1000 });
      for (const key of approvals.keys()) {
        if (approvals.size <= maxApprovals) break;
        approvals.delete(key);
        evicted.approvals += 1;
      }
    }
    return { session: view(update.sessionId, entry), wasTerminated, terminatedNow: !wasTerminated && entry.terminated, consumed };
  }

  return {
    kind: "memory",
    read: (query: StateQuery) =>
      op((): StateSnapshot => {
        const approval = query.approvalId === null ? undefined : live(approvals, query.approvalId);
        return {
          session: view(query.sessionId, live(sessions, query.sessionId)),
          credential: { revoked: query.credentialId !== null && live(revoked, query.credentialId) !== undefined },
          principal: { signals: activeSignals(query.principalId, query.now) },
          delegators: (query.delegatorIds ?? []).slice(0, MAX_DELEGATORS).map((id) => ({ id, signals: activeSignals(id, query.now) })),
          approval: approval ? copyApproval(approval.value) : null,
        };
      }),
    applyDecision: (update: SessionUpdate) => op(() => applyDecision(update)),
    apply: (update: SessionUpdate) => op(() => applyDecision(update).session),
    getSession: (id: string) => op(() => view(id, live(sessions, id))),
    terminate: (id: string, reason: string, by: string, now: number) =>
      op(() => {
        const entry = sessionFor(id);
        terminate(entry, reason, by);
        record(id, entry, { at: now, kind: "terminate", ref: by, detail: reason });
        return view(id, entry);
      }),
    resume: (id: string, by: string, reason: string, now: number) =>
      op(() => {
        const entry = sessionFor(id);
        Object.assign(entry, { terminated: false, reason: null, by: null, risk: 0 });
        record(id, entry, { at: now, kind: "resume", ref: by, detail: reason });
        return view(id, entry);
      }),
    revokeCredential: (id: string, reason: string, ttlSeconds: number, now: number) =>
      op(() => {
        revoked.set(id, { value: JSON.stringify({ reason, at: now }), deadline: clock() + revocationTtl(ttlSeconds) * 1000 });
      }),
    addSignal: (principalId: string, signal: PrincipalSignal) =>
      op(() => {
        const set = live(signals, principalId) ?? { value: new Map<string, number>(), deadline: 0 };
        set.value.set(signalMember(signal), signal.expires_at);
        const nowSeconds = clock() / 1000;
        for (const [member, expiresAt] of set.value) if (expiresAt <= nowSeconds) set.value.delete(member);
        set.deadline = Math.max(0, ...set.value.values()) * 1000;
        if (set.value.size === 0) signals.delete(principalId);
        else signals.set(principalId, set);
      }),
    getApproval: (id: string) =>
      op(() => {
        const entry = live(approvals, id);
        return entry ? copyApproval(entry.value) : null;
      }),
    decideApproval: (id: string, status: "granted" | "denied", approver: Approver | null, reason: string | null, now: number) =>
      op(() => {
        const entry = live(approvals, id);
        if (!entry) return null;
        const r = entry.value;
        if (r.status === "pending" && r.expires_at > now) {
          Object.assign(r, { status, approver: approver ? structuredClone(approver) : null, decided_at: now, reason });
        }
        return copyApproval(r);
      }),
    ping: () => op(() => undefined),
    size: () => all.reduce((n, map) => n + map.size, 0),
    bytes: () => sessionBytes,
    evictions: () => ({ ...evicted }),
    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      for (const map of all) map.clear();
      sessionBytes = 0;
    },
  };
}
