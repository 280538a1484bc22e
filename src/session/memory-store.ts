// The embedded session ledger for a single process (no REDIS_URL): the Redis store's semantics, kept in Maps.
// Every entry carries a deadline; reads drop what has expired and an unref'd sweep bounds memory between reads.
// Sessions and approvals are also bounded in number and (estimated) bytes: past a bound the least recently written
// session that is not terminated goes first, terminated ones only when nothing else is left; revocations and
// principal signals (written by operators only) are never evicted.
import {
  CREDENTIAL_MISUSE_SIGNAL,
  MAX_CASCADE_SESSIONS,
  MAX_CHILD_SESSIONS,
  MAX_CREDENTIAL_PRINCIPALS,
  MAX_DELEGATORS,
  MAX_LABELS_SEEN,
  MAX_SESSION_EVENTS,
  RISK_THRESHOLD_SIGNAL,
  StateUnavailableError,
  emptySession,
  type ApplyResult,
  type ApprovalRecord,
  type Approver,
  type CredentialUse,
  type ParentState,
  type PrincipalResult,
  type PrincipalSignal,
  type PrincipalUpdate,
  type PrincipalView,
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
  PARENT_TERMINATED_REASON,
  POLICY_ACTOR,
  RISK_THRESHOLD_REASON,
  approvalTtl,
  bucketLive,
  classificationOf,
  classificationRank,
  reachesThreshold,
  firstPrincipal,
  revocationTtl,
  signalFromMember,
  signalMember,
} from "./ledger-rules.js";
import { quotaWindowStart, riskBucketSeconds } from "../decision/cross-session.js";

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
  labels: Set<string>;
  taintedBy: string | null;
  parent: string | null;
  children: Set<string>;
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
  /** Binding digest → the latest approval created for it. */
  const approvalFor = new Map<string, Expiring<string>>();
  /** Principal → its risk window: the window length last written and bucket start (seconds) → risk. */
  const principalRisk = new Map<string, Expiring<{ window: number; buckets: Map<number, number> }>>();
  /** Credential → principal → first and last seen (ms) within the misuse window. */
  const credentialSeen = new Map<string, Expiring<Map<string, { first: number; last: number }>>>();
  /** Quota counter key → count in its fixed window. */
  const quotaCounts = new Map<string, Expiring<number>>();
  const all: Map<string, { deadline: number }>[] = [sessions, revoked, signals, approvals, approvalFor, principalRisk, credentialSeen, quotaCounts];
  /** Keeps one of the cross-session maps within `maxSessions` entries (oldest written first). */
  function boundMap<T>(map: Map<string, T>): void {
    for (const key of map.keys()) {
      if (map.size <= maxSessions) break;
      map.delete(key);
    }
  }
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
      entry = {
        risk: 0, violations: 0, terminated: false, reason: null, by: null, rank: -1, events: [],
        labels: new Set(), taintedBy: null, parent: null, children: new Set(), deadline: 0, bytes: 0,
      };
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
    let extra = 2 * ((entry.taintedBy?.length ?? 0) + (entry.parent?.length ?? 0));
    for (const l of entry.labels) extra += 2 * l.length + 32;
    for (const c of entry.children) extra += 2 * c.length + 32;
    entry.bytes = SESSION_OVERHEAD_BYTES + 2 * id.length + extra + entry.events.reduce((n, e) => n + 2 * (e.kind.length + e.ref.length + e.detail.length + (e.event?.length ?? 0)) + 64, 0);
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
      labels_seen: [...entry.labels].sort(),
      tainted: entry.taintedBy !== null,
      tainted_by: entry.taintedBy,
      parent_id: entry.parent,
    };
  }

  /** Ends the sub-agent sessions of `id`, breadth first, at most {@link MAX_CASCADE_SESSIONS} of them. */
  function cascade(id: string, now: number): void {
    const seen = new Set([id]);
    const queue = [id];
    let ended = 0;
    while (queue.length > 0 && ended < MAX_CASCADE_SESSIONS) {
      const parent = live(sessions, queue.shift()!);
      if (!parent) continue;
      for (const child of parent.children) {
        if (seen.has(child) || ended >= MAX_CASCADE_SESSIONS) continue;
        seen.add(child);
        ended += 1;
        const entry = sessionFor(child);
        if (!entry.terminated) {
          terminate(entry, PARENT_TERMINATED_REASON, POLICY_ACTOR);
          record(child, entry, { at: now, kind: "terminate", ref: POLICY_ACTOR, detail: PARENT_TERMINATED_REASON });
        }
        queue.push(child);
      }
    }
  }

  /** Links `child` to `parentId` and returns what it inherits. */
  function linkParent(parentId: string, child: string): ParentState {
    const parent = live(sessions, parentId);
    let full = false;
    if (parent) {
      if (!parent.children.has(child)) {
        if (parent.children.size >= MAX_CHILD_SESSIONS) full = true;
        else parent.children.add(child);
      }
    } else {
      // A parent not seen yet still gets the link, so that ending it later ends the child.
      const entry = sessionFor(parentId);
      entry.children.add(child);
      entry.deadline = clock() + ttlMs;
    }
    const view = live(sessions, parentId)!;
    return {
      id: parentId,
      terminated: view.terminated,
      max_classification: classificationOf(view.rank),
      labels_seen: [...view.labels].sort(),
      tainted: view.taintedBy !== null,
      tainted_by: view.taintedBy,
      full,
    };
  }

  function riskOf(principalId: string, nowS: number): { window: number | null; risk: number } {
    const r = live(principalRisk, principalId);
    if (!r) return { window: null, risk: 0 };
    const width = riskBucketSeconds(r.value.window);
    let risk = 0;
    for (const [start, v] of r.value.buckets) {
      if (bucketLive(start, nowS, r.value.window, width)) risk += v;
      else r.value.buckets.delete(start);
    }
    return { window: r.value.window, risk };
  }

  function seenOf(credentialId: string, nowMs: number, windowSeconds: number): Map<string, { first: number; last: number }> {
    const seen = live(credentialSeen, credentialId)?.value ?? new Map<string, { first: number; last: number }>();
    for (const [id, s] of seen) if (s.last <= nowMs - windowSeconds * 1000) seen.delete(id);
    return seen;
  }

  function quotaKey(q: { per: string; owner: string; id: string; window_seconds: number }, nowMs: number): string {
    return JSON.stringify([q.per, q.owner, q.id, quotaWindowStart(nowMs, q.window_seconds)]);
  }

  function addSignalNow(principalId: string, signal: PrincipalSignal): void {
    const set = live(signals, principalId) ?? { value: new Map<string, number>(), deadline: 0 };
    set.value.set(signalMember(signal), signal.expires_at);
    const nowSeconds = clock() / 1000;
    for (const [member, expiresAt] of set.value) if (expiresAt <= nowSeconds) set.value.delete(member);
    set.deadline = Math.max(0, ...set.value.values()) * 1000;
    if (set.value.size === 0) signals.delete(principalId);
    else signals.set(principalId, set);
  }

  function applyPrincipal(u: PrincipalUpdate): PrincipalResult {
    const nowS = Math.floor(u.now / 1000);
    const result: PrincipalResult = { risk: 0, flaggedNow: false, quotaExceeded: null, misuseOwner: null };
    // Quotas: all counted, or none when one is full.
    const counted = u.quotas.map((q) => ({ q, key: quotaKey(q, u.now) }));
    result.quotaExceeded = counted.find(({ q, key }) => (live(quotaCounts, key)?.value ?? 0) >= q.max)?.q ?? null;
    if (result.quotaExceeded === null) {
      for (const { q, key } of counted) {
        const c = live(quotaCounts, key);
        const end = (quotaWindowStart(u.now, q.window_seconds) + q.window_seconds) * 1000;
        quotaCounts.delete(key);
        quotaCounts.set(key, { value: (c?.value ?? 0) + 1, deadline: clock() + Math.max(1000, end - u.now) });
      }
      boundMap(quotaCounts);
    }
    if (u.riskWindowSeconds > 0) {
      const before = riskOf(u.principalId, nowS).risk;
      if (u.riskDelta > 0) {
        const width = riskBucketSeconds(u.riskWindowSeconds);
        const start = nowS - (nowS % width);
        const r = live(principalRisk, u.principalId) ?? { value: { window: u.riskWindowSeconds, buckets: new Map<number, number>() }, deadline: 0 };
        r.value.window = u.riskWindowSeconds;
        r.value.buckets.set(start, (r.value.buckets.get(start) ?? 0) + u.riskDelta);
        r.deadline = clock() + (u.riskWindowSeconds + width) * 1000;
        principalRisk.delete(u.principalId);
        principalRisk.set(u.principalId, r);
        boundMap(principalRisk);
      }
      result.risk = before + Math.max(0, u.riskDelta);
      const flagged = activeSignals(u.principalId, nowS).some((s) => s.kind === RISK_THRESHOLD_SIGNAL);
      if (u.riskThreshold > 0 && result.risk >= u.riskThreshold && !flagged) {
        addSignalNow(u.principalId, { kind: RISK_THRESHOLD_SIGNAL, severity: "critical", expires_at: nowS + u.riskWindowSeconds });
        result.flaggedNow = true;
      }
    }
    if (u.credentialId !== null && u.credentialWindowSeconds > 0) {
      const seen = seenOf(u.credentialId, u.now, u.credentialWindowSeconds);
      const owner = firstPrincipal(seen);
      const mine = seen.get(u.principalId);
      if (owner !== null && owner !== u.principalId) result.misuseOwner = owner;
      if (mine) mine.last = u.now;
      else if (seen.size < MAX_CREDENTIAL_PRINCIPALS) seen.set(u.principalId, { first: u.now, last: u.now });
      credentialSeen.delete(u.credentialId);
      credentialSeen.set(u.credentialId, { value: seen, deadline: clock() + u.credentialWindowSeconds * 1000 });
      boundMap(credentialSeen);
      if (result.misuseOwner !== null) {
        addSignalNow(result.misuseOwner, { kind: CREDENTIAL_MISUSE_SIGNAL, severity: "medium", expires_at: nowS + u.credentialWindowSeconds });
      }
    }
    return result;
  }

  function principalView(id: string, nowMs: number): PrincipalView {
    const nowS = Math.floor(nowMs / 1000);
    const { window, risk } = riskOf(id, nowS);
    return { id, signals: activeSignals(id, nowS), risk, window_seconds: window };
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
    if (update.taint && entry.taintedBy === null) entry.taintedBy = update.taint;
    for (const label of update.labels ?? []) {
      if (entry.labels.size >= MAX_LABELS_SEEN) break;
      entry.labels.add(label);
    }
    if (update.parentId && entry.parent === null) entry.parent = update.parentId;
    record(update.sessionId, entry, update.event);
    if (!wasTerminated && entry.terminated) cascade(update.sessionId, update.now);
    if (update.approval) {
      const ttl = approvalTtl(update.approval.expires_at, update.now, graceSeconds);
      approvals.set(update.approval.id, { value: copyApproval(update.approval), deadline: clock() + ttl * 1000 });
      if (update.approvalKey) {
        approvalFor.delete(update.approvalKey);
        approvalFor.set(update.approvalKey, { value: update.approval.id, deadline: clock() + ttl * 1000 });
        for (const key of approvalFor.keys()) {
          if (approvalFor.size <= maxApprovals) break;
          approvalFor.delete(key);
        }
      }
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
        const snapshot: StateSnapshot = {
          session: view(query.sessionId, live(sessions, query.sessionId)),
          credential: { revoked: query.credentialId !== null && live(revoked, query.credentialId) !== undefined },
          principal: { signals: activeSignals(query.principalId, query.now) },
          delegators: (query.delegatorIds ?? []).slice(0, MAX_DELEGATORS).map((id) => ({ id, signals: activeSignals(id, query.now) })),
          approval: approval ? copyApproval(approval.value) : null,
        };
        const nowMs = query.now * 1000;
        if ((query.principalRiskWindowSeconds ?? 0) > 0) snapshot.principal.risk = riskOf(query.principalId, query.now).risk;
        if (query.credentialId !== null && (query.credentialWindowSeconds ?? 0) > 0) {
          const seen = seenOf(query.credentialId, nowMs, query.credentialWindowSeconds!);
          snapshot.credential.principals = [...seen]
            .map(([id, s]): CredentialUse => ({ id, first_seen: s.first, last_seen: s.last }))
            .sort((a, b) => a.first_seen - b.first_seen || (a.id < b.id ? -1 : 1));
        }
        if (query.parentId) snapshot.parent = linkParent(query.parentId, query.sessionId);
        if (query.quotas && query.quotas.length > 0) snapshot.quotas = query.quotas.map((q) => live(quotaCounts, quotaKey(q, nowMs))?.value ?? 0);
        return snapshot;
      }),
    applyDecision: (update: SessionUpdate) => op(() => applyDecision(update)),
    apply: (update: SessionUpdate) => op(() => applyDecision(update).session),
    applyPrincipal: (update: PrincipalUpdate) => op(() => applyPrincipal(update)),
    getPrincipal: (id: string, nowMs: number) => op(() => principalView(id, nowMs)),
    clearPrincipal: (id: string, nowMs: number) =>
      op(() => {
        const before = principalView(id, nowMs);
        signals.delete(id);
        principalRisk.delete(id);
        return before;
      }),
    getSession: (id: string) => op(() => view(id, live(sessions, id))),
    terminate: (id: string, reason: string, by: string, now: number) =>
      op(() => {
        const entry = sessionFor(id);
        terminate(entry, reason, by);
        record(id, entry, { at: now, kind: "terminate", ref: by, detail: reason });
        cascade(id, now);
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
    addSignal: (principalId: string, signal: PrincipalSignal) => op(() => addSignalNow(principalId, signal)),
    getApproval: (id: string) =>
      op(() => {
        const entry = live(approvals, id);
        return entry ? copyApproval(entry.value) : null;
      }),
    findPendingApproval: (approvalKey: string, now: number) =>
      op(() => {
        const id = live(approvalFor, approvalKey)?.value;
        const entry = id === undefined ? undefined : live(approvals, id);
        return entry && entry.value.status === "pending" && entry.value.expires_at > now ? copyApproval(entry.value) : null;
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
