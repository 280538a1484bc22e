// The session ledger shared by every replica, in Redis: one round trip per read, one Lua script per write; on one
// Redis, behind Sentinel, or on a Redis Cluster.
//
// Keys (prefix `custos:`, ids percent-encoded; details and field names in keys.ts):
//   custos:{s:<session>}:session   hash    risk, violations, termination, max classification   idle TTL, refreshed by writes
//   custos:{s:<session>}:events    list    last MAX_SESSION_EVENTS events, newest first          same TTL
//   custos:cred:<id>:revoked       string  reason and time                                       ttl_seconds (0: 30 days)
//   custos:{s:<session>}:labels    set     data labels seen (at most 64)                         same TTL
//   custos:{s:<session>}:children  set     sub-agent sessions (at most 256)                      same TTL
//   custos:{p:<id>}:signals        zset    [kind,severity] scored by expires_at                  until the latest expiry
//   custos:{p:<id>}:risk           hash    risk per bucket of the principal's window             the window
//   custos:{p:<id>}:q:<quota>:<t>  string  one quota's count in the fixed window starting at t   the quota's window
//   custos:{c:<id>}:seen           hash    principals that presented the credential (at most 16) the misuse window
//   custos:{c:<id>}:q:<quota>:<t>  string  as above, per credential                              the quota's window
//   custos:approval:<id>           hash    status, binding, approver, times                      expires_at + 1 day grace
// A session's keys share one Cluster slot, a principal's another, a credential's a third; the rest each have their own. On one node a read is one pipeline; on a
// Cluster, where a pipeline may not span slots, it is one pipeline per slot, all sent before any answer is awaited,
// so it still costs one round trip of latency (the slowest node's). The URL forms are in redis-url.ts, the client
// options in redis-client.ts, the connection policy (fail fast, reconnect by itself) in redis-connection.ts and the
// scripts in redis-scripts.ts.
import { randomUUID } from "node:crypto";
import { Cluster, type ChainableCommander } from "ioredis";
import {
  CREDENTIAL_MISUSE_SIGNAL,
  MAX_CASCADE_SESSIONS,
  MAX_CHILD_SESSIONS,
  MAX_CREDENTIAL_PRINCIPALS,
  MAX_DELEGATORS,
  MAX_LABELS_SEEN,
  MAX_SESSION_EVENTS,
  RISK_THRESHOLD_SIGNAL,
  type ApplyResult,
  type ApprovalRecord,
  type Approver,
  type CredentialUse,
  type ParentState,
  type PrincipalResult,
  type PrincipalSignal,
  type PrincipalUpdate,
  type PrincipalView,
  type QuotaRef,
  type SessionState,
  type SessionStore,
  type SessionUpdate,
  type StateQuery,
  type StateSnapshot,
} from "../decision/ports.js";
import { ledgerKeys } from "./keys.js";
import {
  DEFAULT_APPROVAL_GRACE_SECONDS,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_SESSION_TTL_SECONDS,
  PARENT_TERMINATED_REASON,
  POLICY_ACTOR,
  RISK_THRESHOLD_REASON,
  approvalTtl,
  bucketLive,
  classificationOf,
  classificationRank,
  revocationTtl,
  signalFromMember,
  signalMember,
} from "./ledger-rules.js";
import type { LedgerClient } from "./redis-client.js";
import { decodeApproval, decodeSession, encodeApproval, encodeEvent, fieldsOf } from "./redis-codec.js";
import { quotaWindowStart, riskBucketSeconds } from "../decision/cross-session.js";
import { connectRedis, type RedisConnectionOptions } from "./redis-connection.js";
import type { LedgerScriptName } from "./redis-scripts.js";

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions extends RedisConnectionOptions {
  /**
   * Prefix of every key; must not contain `{` or `}`.
   * @default "custos:"
   */
  keyPrefix?: string;
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
   * Told once per connection when the server persists nothing (no AOF, no RDB save points) or only RDB snapshots,
   * and when the server is found to have lost the ledger (restarted empty): a restart then revives terminated
   * sessions, revoked credentials and flagged principals.
   * @default undefined (not told)
   */
  onWarning?: (message: string) => void;
}

/** A store plus what the tests and operators may want to see of it. */
export interface RedisSessionStore extends SessionStore {
  readonly kind: "redis";
  /** The underlying client, a `Redis` or a `Cluster` (for diagnostics such as MEMORY USAGE; do not write through it). */
  readonly client: LedgerClient;
  /** How the URL reaches Redis. */
  readonly mode: "standalone" | "sentinel" | "cluster";
  /** True once the server was found without the marker written at start: it restarted and lost the ledger. */
  lostState(): boolean;
}

/** `connected_slaves` of an `INFO replication` reply. */
function connectedReplicas(info: unknown): number {
  return Number(/connected_slaves:(\d+)/.exec(String(info))?.[1] ?? 0);
}

type ScriptCaller = Record<LedgerScriptName, (...args: (string | number)[]) => Promise<unknown>>;
type PipelineResult = [Error | null, unknown][] | null;

/**
 * Creates the Redis store; it connects in the background and reconnects by itself.
 * @throws Error when the URL is invalid or a TLS file cannot be read.
 */
export function createRedisStore(options: RedisStoreOptions): RedisSessionStore {
  const keys = ledgerKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const ttl = options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  const graceSeconds = options.approvalGraceSeconds ?? DEFAULT_APPROVAL_GRACE_SECONDS;
  const raw = connectRedis(options);
  // Every call learns the server's start marker first (once, one round trip), so no write is acknowledged before the
  // marker is known: else a server that restarted empty right after that write would not be noticed as one.
  const learnMarker = <T>(fn: (c: LedgerClient) => Promise<T>) => async (c: LedgerClient): Promise<T> => {
    if (marker === null) await checkMarker(c);
    return fn(c);
  };
  const conn: typeof raw = {
    ...raw,
    run: (what, fn) => raw.run(what, learnMarker(fn)),
    runDurable: (what, fn) => raw.runDurable(what, learnMarker(fn)),
  };
  const cluster = conn.target.mode === "cluster";
  const waitReplicas = conn.target.waitReplicas;
  // WAIT must answer well before the command timeout does, or a missing replica would look like a dead primary;
  // Redis notices WAIT's own timeout on its next cron tick (up to 100 ms later at the default hz), hence half.
  const waitMs = Math.max(1, Math.floor((options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) / 2));
  const script = (c: LedgerClient | ChainableCommander) => c as unknown as ScriptCaller;

  /** Every reply of a pipeline, or the first error in it. */
  function replies(result: PipelineResult): unknown[] {
    if (!result) throw new Error("pipeline was discarded");
    const failed = result.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
    return result.map(([, value]) => value);
  }

  /** A session from an apply reply (`{fields, events, _, _, labels, …}`) or an admin reply (`{fields, events, labels, …}`). */
  function decodeScriptSession(id: string, reply: unknown, labelsAt = 2): SessionState {
    const r = reply as unknown[];
    return decodeSession(id, fieldsOf(r[0]), r[1], r[labelsAt]);
  }

  /** The four keys of a session, in the order the session scripts take them. */
  const sessionKeys = (id: string) => [keys.session(id), keys.events(id), keys.labels(id), keys.children(id)];

  /**
   * Ends the sub-agent sessions of `children` and theirs, breadth first, one pipeline per level, at most
   * {@link MAX_CASCADE_SESSIONS}. Not waited for by replicas: a child whose termination a failover loses still reads
   * its parent's (acknowledged) termination at its next decision and is refused.
   */
  async function cascade(rootId: string, children: string[], now: number): Promise<void> {
    const seen = new Set([rootId]);
    let level = children;
    let ended = 0;
    const event = encodeEvent({ at: now, kind: "terminate", ref: POLICY_ACTOR, detail: PARENT_TERMINATED_REASON });
    while (level.length > 0 && ended < MAX_CASCADE_SESSIONS) {
      const batch = level.filter((c) => !seen.has(c)).slice(0, MAX_CASCADE_SESSIONS - ended);
      for (const c of batch) seen.add(c);
      ended += batch.length;
      const replyOf = (c: LedgerClient | ChainableCommander, id: string) =>
        script(c).custosAdminSession(...sessionKeys(id), "terminate", PARENT_TERMINATED_REASON, POLICY_ACTOR, event, MAX_SESSION_EVENTS, ttl);
      const out = await conn.run("terminate", async (c) => {
        if (cluster) return Promise.all(batch.map((id) => replyOf(c, id)));
        const p = c.pipeline();
        for (const id of batch) replyOf(p, id);
        return replies(await p.exec());
      });
      level = out.flatMap((r) => ((r as unknown[])[3] as unknown[] | undefined ?? []).map(String));
    }
  }

  /**
   * `write`, acknowledged by replicas: with `wait_replicas=n`, `n` of them; by default 1 once the primary has been
   * seen with a replica connected (`INFO replication`, asked in the same pipeline as the write, so of the same
   * node) and always behind Sentinel; none on a primary that never had one. WAIT counts the writes of its own connection, which is the durable client's. ioredis does not
   * follow a MOVED inside a mixed pipeline, so on one the slot map is refreshed and the pipeline sent once more
   * (MOVED: nothing ran).
   */
  let replicated = conn.target.mode === "sentinel";
  async function waited(c: LedgerClient, what: string, write: (p: ChainableCommander) => unknown): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const p = c.pipeline();
      write(p);
      p.info("replication");
      // One node: WAIT only once the replicas are known (no replica, no wait). A Cluster routes a later lone
      // command to any node, so there WAIT rides in the same pipeline.
      const inline = waitReplicas !== null || cluster;
      if (inline) p.wait(waitReplicas ?? 1, waitMs);
      const result = await p.exec();
      if (c instanceof Cluster && attempt === 1 && result?.[0]?.[0]?.message.startsWith("MOVED ")) {
        await new Promise<void>((resolve) => c.refreshSlotsCache(() => resolve()));
        continue;
      }
      const [reply, info, inlineAcked] = replies(result);
      // Once replicas were seen (and always behind Sentinel, which watches a replicated primary), one stays
      // required: a primary whose replicas fell away is one a failover may replace, and what only it holds is lost.
      if (connectedReplicas(info) > 0) replicated = true;
      const need = waitReplicas ?? (replicated ? 1 : 0);
      if (need === 0) return reply;
      const acked = inline ? Number(inlineAcked) : Number(await c.wait(need, waitMs));
      if (acked < need) {
        throw new Error(`${what} is on the primary, but ${acked} of ${need} replicas acknowledged it within ${waitMs} ms`);
      }
      return reply;
    }
  }

  /** An admin write: acknowledged by replicas as {@link waited} says (on the durable client), or plain with `wait_replicas=0`. */
  function adminWrite<T>(what: string, write: (to: LedgerClient | ChainableCommander) => unknown, decode: (reply: unknown) => T): Promise<T> {
    if (waitReplicas === 0) return conn.run(what, async (c) => decode(await (write(c) as Promise<unknown>)));
    return conn.runDurable(what, async (c) => decode(await waited(c, what, write)));
  }

  /**
   * A decision that terminates its session is acknowledged only once replicas have it (as admin writes are): WAIT
   * counts the writes of its own connection, so the durable client touches the session (EXPIRE, which the script
   * set anyway; replicated after the script's write) and waits on that. EXPIRE answering 0 means the session is not
   * on this primary (a failover in between): refused. Decisions that do not terminate are not waited for; losing
   * their increments in a failover is the trade-off for the hot path.
   */
  async function replicateTermination(sessionId: string): Promise<void> {
    await conn.runDurable("apply", async (c) => {
      const touched = await waited(c, "a terminating decision", (p) => p.expire(keys.session(sessionId), ttl));
      if (touched !== 1) throw new Error("the terminated session is not on the current primary");
    });
  }

  /**
   * The apply script, with the approval to create and the approval to consume (if any) in the same round trip;
   * resolves with the script's reply and the consume script's (`null` without one).
   */
  async function writeApply(c: LedgerClient, u: SessionUpdate, args: (string | number)[]): Promise<[unknown, unknown]> {
    const consume = u.consume ? keys.approval(u.consume) : null;
    if (!u.approval && consume === null) return [await script(c).custosApply(...args), null];
    // Approvals have their own slots, so they ride in the same round trip as separate commands, not in the script:
    // a new approval's id is fresh, so nothing can interleave with it, and consuming is one script on its own key.
    // On a Cluster the slots are pipelines sent together.
    const key = u.approval ? keys.approval(u.approval.id) : null;
    const ttlSeconds = u.approval ? approvalTtl(u.approval.expires_at, u.now, graceSeconds) : 0;
    const nowSeconds = Math.floor(u.now / 1000);
    const pointer = u.approval && u.approvalKey ? keys.approvalFor(u.approvalKey) : null;
    if (cluster) {
      const [session, consumed] = await Promise.all([
        script(c).custosApply(...args),
        consume === null ? null : script(c).custosConsumeApproval(consume, nowSeconds),
        key === null ? null : c.pipeline().hset(key, ...encodeApproval(u.approval!)).expire(key, ttlSeconds).exec().then(replies),
        pointer === null ? null : c.set(pointer, u.approval!.id, "EX", ttlSeconds),
      ]);
      return [session, consumed];
    }
    const p = c.pipeline();
    // Consumed first: a decision whose approval a concurrent one used up is answered APPROVAL_INVALID.
    if (consume !== null) script(p).custosConsumeApproval(consume, nowSeconds);
    script(p).custosApply(...args);
    if (key !== null) p.hset(key, ...encodeApproval(u.approval!)).expire(key, ttlSeconds);
    if (pointer !== null) p.set(pointer, u.approval!.id, "EX", ttlSeconds);
    const out = replies(await p.exec());
    return consume === null ? [out[0], null] : [out[1], out[0]];
  }

  async function adminSession(action: "terminate" | "resume", id: string, reason: string, by: string, now: number) {
    const event = encodeEvent({ at: now, kind: action, ref: by, detail: reason });
    const reply = await adminWrite(
      action,
      (to) => script(to).custosAdminSession(...sessionKeys(id), action, reason, by, event, MAX_SESSION_EVENTS, ttl),
      (r) => r as unknown[],
    );
    if (action === "terminate") await cascade(id, ((reply[3] as unknown[] | undefined) ?? []).map(String), now);
    return decodeScriptSession(id, reply);
  }

  /** The read's extra commands (parent, principal risk, credential principals, quota counters), by what they read. */
  interface Extra {
    send(c: LedgerClient | ChainableCommander): unknown;
  }
  function readExtras(q: StateQuery): { extras: Extra[]; decode(rs: unknown[], snapshot: StateSnapshot): void } {
    const extras: Extra[] = [];
    const decoders: ((r: unknown, snapshot: StateSnapshot) => void)[] = [];
    const parentId = q.parentId && q.parentId !== q.sessionId ? q.parentId : null;
    if (parentId !== null) {
      extras.push({ send: (c) => script(c).custosLinkChild(keys.session(parentId), keys.labels(parentId), keys.children(parentId), q.sessionId, MAX_CHILD_SESSIONS, ttl) });
      decoders.push((r, snap) => {
        const [fields, labels, full] = r as [unknown, unknown, number];
        const parent = decodeSession(parentId, fieldsOf(fields), [], labels);
        snap.parent = {
          id: parentId,
          terminated: parent.terminated,
          max_classification: parent.max_classification,
          labels_seen: parent.labels_seen,
          tainted: parent.tainted,
          tainted_by: parent.tainted_by,
          full: full === 1,
        } satisfies ParentState;
      });
    }
    const window = q.principalRiskWindowSeconds ?? 0;
    if (window > 0) {
      extras.push({ send: (c) => c.hgetall(keys.principalRisk(q.principalId)) });
      decoders.push((r, snap) => {
        snap.principal.risk = windowedRisk(r as Record<string, string>, q.now, window);
      });
    }
    const credWindow = q.credentialWindowSeconds ?? 0;
    if (q.credentialId !== null && credWindow > 0) {
      extras.push({ send: (c) => c.hgetall(keys.credentialSeen(q.credentialId!)) });
      decoders.push((r, snap) => {
        snap.credential.principals = credentialUses(r as Record<string, string>, q.now * 1000, credWindow);
      });
    }
    const quotas = q.quotas ?? [];
    for (const ref of quotas) extras.push({ send: (c) => c.get(quotaKey(ref, q.now * 1000)) });
    return {
      extras,
      decode(rs, snapshot) {
        decoders.forEach((d, i) => d(rs[i], snapshot));
        if (quotas.length > 0) snapshot.quotas = rs.slice(decoders.length).map((v) => Number(v ?? 0));
      },
    };
  }

  function quotaKey(ref: QuotaRef, nowMs: number): string {
    return keys.quota(ref.per, ref.owner, ref.id, quotaWindowStart(nowMs, ref.window_seconds));
  }

  /** The windowed sum of a principal's risk hash (bucket start → risk; `w` the window it was written with). */
  function windowedRisk(h: Record<string, string>, nowS: number, windowSeconds: number): number {
    const width = riskBucketSeconds(windowSeconds);
    let risk = 0;
    for (const [field, value] of Object.entries(h)) {
      if (field === "w") continue;
      if (bucketLive(Number(field), nowS, windowSeconds, width)) risk += Number(value);
    }
    return risk;
  }

  /** The principals of a credential's hash seen within the window, first seen first. */
  function credentialUses(h: Record<string, string>, nowMs: number, windowSeconds: number): CredentialUse[] {
    const out: CredentialUse[] = [];
    for (const [id, value] of Object.entries(h)) {
      const m = /^(\d+),(\d+)$/.exec(value);
      if (!m || Number(m[2]) <= nowMs - windowSeconds * 1000) continue;
      out.push({ id, first_seen: Number(m[1]), last_seen: Number(m[2]) });
    }
    return out.sort((a, b) => a.first_seen - b.first_seen || (a.id < b.id ? -1 : 1));
  }

  /** The cross-session write: the principal's script and the credential's, in one round trip (one per slot on a Cluster). */
  async function applyPrincipal(u: PrincipalUpdate): Promise<PrincipalResult> {
    const nowS = Math.floor(u.now / 1000);
    const principalQuotas = u.quotas.filter((q) => q.per === "principal");
    const credentialQuotas = u.quotas.filter((q) => q.per === "credential");
    const quotaArgs = (qs: QuotaRef[]) => ({
      keys: qs.map((q) => quotaKey(q, u.now)),
      args: qs.flatMap((q) => [q.max, Math.max(1, quotaWindowStart(u.now, q.window_seconds) + q.window_seconds - nowS) + 1]),
    });
    const calls: ((c: LedgerClient | ChainableCommander) => unknown)[] = [];
    const window = Math.max(0, Math.floor(u.riskWindowSeconds));
    const wantPrincipal = principalQuotas.length > 0 || window > 0;
    if (wantPrincipal) {
      const q = quotaArgs(principalQuotas);
      const threshold = Number.isFinite(u.riskThreshold) && u.riskThreshold > 0 ? u.riskThreshold : 0;
      const member = signalMember({ kind: RISK_THRESHOLD_SIGNAL, severity: "critical" });
      calls.push((c) =>
        script(c).custosPrincipal(2 + q.keys.length, keys.signals(u.principalId), keys.principalRisk(u.principalId), ...q.keys, nowS, u.riskDelta, window, riskBucketSeconds(window || 1), threshold, member, ...q.args),
      );
    }
    const credWindow = u.credentialId === null ? 0 : Math.max(0, Math.floor(u.credentialWindowSeconds));
    const wantCredential = u.credentialId !== null && (credentialQuotas.length > 0 || credWindow > 0);
    if (wantCredential) {
      const q = quotaArgs(credentialQuotas);
      calls.push((c) =>
        script(c).custosCredential(1 + q.keys.length, keys.credentialSeen(u.credentialId!), ...q.keys, u.now, credWindow, u.principalId, MAX_CREDENTIAL_PRINCIPALS, ...q.args),
      );
    }
    const result: PrincipalResult = { risk: 0, flaggedNow: false, quotaExceeded: null, misuseOwner: null };
    if (calls.length === 0) return result;
    const out = await conn.run("applyPrincipal", async (c) => {
      if (cluster) return Promise.all(calls.map((call) => call(c)));
      const p = c.pipeline();
      for (const call of calls) call(p);
      return replies(await p.exec());
    });
    let i = 0;
    if (wantPrincipal) {
      const [risk, flagged, full] = out[i++] as [string, number, number];
      result.risk = Number(risk);
      result.flaggedNow = flagged === 1;
      if (full > 0) result.quotaExceeded = principalQuotas[full - 1]!;
    }
    if (wantCredential) {
      const [owner, full] = out[i++] as [string, number];
      if (owner !== "") result.misuseOwner = owner;
      if (full > 0 && result.quotaExceeded === null) result.quotaExceeded = credentialQuotas[full - 1]!;
    }
    if (result.misuseOwner !== null) {
      // The review signal is on the first principal, in its own slot: one more write, only on a misuse.
      const expiresAt = nowS + credWindow;
      const owner = result.misuseOwner;
      await conn.run("applyPrincipal", (c) =>
        script(c).custosAddSignal(keys.signals(owner), expiresAt, signalMember({ kind: CREDENTIAL_MISUSE_SIGNAL, severity: "medium" })),
      );
    }
    return result;
  }

  async function principalView(id: string, nowMs: number): Promise<PrincipalView> {
    const nowS = Math.floor(nowMs / 1000);
    return conn.run("getPrincipal", async (c) => {
      const [z, h] = cluster
        ? await Promise.all([c.zrangebyscore(keys.signals(id), `(${nowS}`, "+inf", "WITHSCORES"), c.hgetall(keys.principalRisk(id))])
        : replies(await c.pipeline().zrangebyscore(keys.signals(id), `(${nowS}`, "+inf", "WITHSCORES").hgetall(keys.principalRisk(id)).exec());
      const risk = h as Record<string, string>;
      const window = risk.w === undefined ? null : Number(risk.w);
      return { id, signals: signalsOf(z), risk: window === null ? 0 : windowedRisk(risk, nowS, window), window_seconds: window };
    });
  }

  /** The read's replies in a fixed order: session hash, events, signals, revoked?, approval?, delegators' signals. */
  async function readReplies(c: LedgerClient, q: StateQuery, delegators: string[], extras: Extra[]): Promise<[unknown, unknown, unknown, unknown, unknown, unknown[], unknown[], unknown]> {
    const session = keys.session(q.sessionId);
    const events = keys.events(q.sessionId);
    const signals = keys.signals(q.principalId);
    const revoked = q.credentialId === null ? null : keys.revoked(q.credentialId);
    const approval = q.approvalId === null ? null : keys.approval(q.approvalId);
    const min = `(${q.now}`;
    if (!cluster) {
      const p = c.pipeline().hgetall(session).lrange(events, 0, -1).smembers(keys.labels(q.sessionId)).zrangebyscore(signals, min, "+inf", "WITHSCORES");
      if (revoked !== null) p.exists(revoked);
      if (approval !== null) p.hgetall(approval);
      for (const d of delegators) p.zrangebyscore(keys.signals(d), min, "+inf", "WITHSCORES");
      for (const x of extras) x.send(p);
      const [s, e, l, z, ...rest] = replies(await p.exec());
      const r = revoked === null ? 0 : rest.shift();
      const a = approval === null ? null : rest.shift();
      const d = rest.splice(0, delegators.length);
      return [s, e, z, r, a, d, rest, l];
    }
    // One pipeline per slot, all written before the first answer is awaited.
    const [[s, e, l], z, r, a, d, x] = await Promise.all([
      c.pipeline().hgetall(session).lrange(events, 0, -1).smembers(keys.labels(q.sessionId)).exec().then(replies),
      c.zrangebyscore(signals, min, "+inf", "WITHSCORES"),
      revoked === null ? 0 : c.exists(revoked),
      approval === null ? null : c.hgetall(approval),
      Promise.all(delegators.map((id) => c.zrangebyscore(keys.signals(id), min, "+inf", "WITHSCORES"))),
      Promise.all(extras.map((x) => x.send(c) as Promise<unknown>)),
    ]);
    return [s, e, z, r, a, d, x, l];
  }

  /** Signals from a `ZRANGEBYSCORE … WITHSCORES` reply. */
  function signalsOf(reply: unknown): PrincipalSignal[] {
    const flat = reply as string[];
    const active: PrincipalSignal[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) active.push(signalFromMember(flat[i]!, Number(flat[i + 1])));
    return active;
  }

  // Restart detection: a marker written at the first connection (or adopted from another replica); a server found
  // without it restarted empty (or was flushed), and the ledger it held is gone.
  const markerKey = `${options.keyPrefix ?? "custos:"}instance`;
  let marker: string | null = null;
  let lost = false;
  let persistenceChecked = false;
  async function checkMarker(c: LedgerClient): Promise<void> {
    if (marker === null) {
      const [, value] = replies(await c.pipeline().set(markerKey, randomUUID(), "NX").get(markerKey).exec());
      marker = String(value);
      return;
    }
    if (lost) return;
    if ((await c.get(markerKey)) !== marker) {
      lost = true;
      options.onWarning?.(
        "redis no longer holds the ledger it had (restarted without persistence, or flushed): terminations, revocations and signals are lost; readiness stays failed until Custos restarts",
      );
    }
  }
  async function checkPersistence(c: LedgerClient): Promise<void> {
    if (persistenceChecked) return;
    persistenceChecked = true;
    let aof: string | null = null;
    let save: string | null = null;
    try {
      const a = (await c.config("GET", "appendonly")) as string[];
      const sv = (await c.config("GET", "save")) as string[];
      aof = a[1] ?? null;
      save = sv[1] ?? null;
    } catch {
      // CONFIG may be refused (ACL, a managed service): INFO still says whether the AOF is on.
      aof = /aof_enabled:1/.test(String(await c.info("persistence"))) ? "yes" : "no";
    }
    if (aof === "yes") return;
    options.onWarning?.(
      save === ""
        ? "redis persists nothing (appendonly no, no save points): a restart forgets terminated sessions, revoked credentials and flagged principals; set appendonly yes"
        : "redis keeps no append-only file (appendonly no): a restart loses every write since the last RDB snapshot; set appendonly yes",
    );
  }
  const onReady = () => {
    void conn
      .run("marker", async (c) => {
        await checkMarker(c);
        await checkPersistence(c);
      })
      .catch(() => undefined);
  };
  conn.client.on("ready", onReady);

  async function applyDecision(u: SessionUpdate): Promise<ApplyResult> {
    let children: string[] = [];
    const result = await conn.run("apply", async (c): Promise<ApplyResult> => {
        const threshold = Number.isFinite(u.riskThreshold) && u.riskThreshold > 0 ? u.riskThreshold : 0;
        const args = [
          ...sessionKeys(u.sessionId),
          u.riskDelta,
          u.violation ? 1 : 0,
          u.terminate !== null ? 1 : 0,
          u.terminate ?? "",
          threshold,
          classificationRank(u.classification),
          encodeEvent(u.event),
          MAX_SESSION_EVENTS,
          ttl,
          RISK_THRESHOLD_REASON,
          POLICY_ACTOR,
          u.taint ?? "",
          u.parentId ?? "",
          MAX_LABELS_SEEN,
          ...(u.labels ?? []).slice(0, MAX_LABELS_SEEN),
        ];
        const [reply, consumed] = await writeApply(c, u, args);
        const r = reply as unknown[];
        children = ((r[5] as unknown[] | undefined) ?? []).map(String);
        return {
          session: decodeScriptSession(u.sessionId, reply, 4),
          terminatedNow: r[2] === 1,
          wasTerminated: r[3] === 1,
          consumed: u.consume ? consumed === 1 : null,
        };
      });
      if (waitReplicas !== 0 && result.terminatedNow) await replicateTermination(u.sessionId);
      if (result.terminatedNow && children.length > 0) await cascade(u.sessionId, children, u.now);
    return result;
  }

  return {
    kind: "redis",
    client: conn.client,
    mode: conn.target.mode,
    lostState: () => lost,
    read: (q: StateQuery) =>
      conn.run("read", async (c): Promise<StateSnapshot> => {
        const delegators = (q.delegatorIds ?? []).slice(0, MAX_DELEGATORS);
        const extra = readExtras(q);
        const [session, events, signals, revoked, approval, chain, more, labels] = await readReplies(c, q, delegators, extra.extras);
        const snapshot: StateSnapshot = {
          session: decodeSession(q.sessionId, session as Record<string, string>, events, labels),
          credential: { revoked: revoked === 1 },
          principal: { signals: signalsOf(signals) },
          delegators: delegators.map((id, i) => ({ id, signals: signalsOf(chain[i]) })),
          approval: q.approvalId === null ? null : decodeApproval(q.approvalId, approval as Record<string, string>),
        };
        extra.decode(more, snapshot);
        return snapshot;
      }),
    applyDecision,
    apply: async (u: SessionUpdate) => (await applyDecision(u)).session,
    applyPrincipal,
    getPrincipal: principalView,
    clearPrincipal: async (id: string, nowMs: number) => {
      const before = await principalView(id, nowMs);
      await adminWrite("clearPrincipal", (to) => to.del(keys.signals(id), keys.principalRisk(id)), () => undefined);
      return before;
    },
    getSession: (id: string) =>
      conn.run("getSession", async (c) => {
        const [fields, events, labels] = replies(await c.pipeline().hgetall(keys.session(id)).lrange(keys.events(id), 0, -1).smembers(keys.labels(id)).exec());
        return decodeSession(id, fields as Record<string, string>, events, labels);
      }),
    terminate: (id, reason, by, now) => adminSession("terminate", id, reason, by, now),
    resume: (id, by, reason, now) => adminSession("resume", id, reason, by, now),
    revokeCredential: (id: string, reason: string, ttlSeconds: number, now: number) =>
      adminWrite(
        "revokeCredential",
        (to) => to.set(keys.revoked(id), JSON.stringify({ reason, at: now }), "EX", revocationTtl(ttlSeconds)),
        () => undefined,
      ),
    addSignal: (principalId: string, signal: PrincipalSignal) =>
      adminWrite(
        "addSignal",
        (to) => script(to).custosAddSignal(keys.signals(principalId), signal.expires_at, signalMember(signal)),
        () => undefined,
      ),
    getApproval: (id: string) =>
      conn.run("getApproval", async (c) => decodeApproval(id, await c.hgetall(keys.approval(id)))),
    findPendingApproval: (approvalKey: string, now: number) =>
      conn.run("findPendingApproval", async (c) => {
        // Two commands: the pointer and the approval live in different slots.
        const id = await c.get(keys.approvalFor(approvalKey));
        const a = id === null ? null : decodeApproval(id, await c.hgetall(keys.approval(id)));
        return a && a.status === "pending" && a.expires_at > now ? a : null;
      }),
    decideApproval: (id: string, status: "granted" | "denied", approver: Approver | null, reason: string | null, now: number) =>
      adminWrite(
        "decideApproval",
        (to) => script(to).custosDecideApproval(keys.approval(id), status, JSON.stringify(approver), now, JSON.stringify(reason), now),
        (reply): ApprovalRecord | null => (reply === null ? null : decodeApproval(id, fieldsOf(reply))),
      ),
    ping: () =>
      conn.run("ping", async (c) => {
        await checkMarker(c);
        if (lost) throw new Error("redis restarted without the ledger (the start marker is gone): state was lost");
        if (!cluster) return;
        // A node that answers is not enough: the Cluster must serve every slot.
        const info = String(await c.cluster("INFO"));
        const state = /cluster_state:(\w+)/.exec(info)?.[1];
        if (state !== "ok") throw new Error(`cluster_state is ${state ?? "unknown"}`);
      }),
    close: () => {
      conn.client.off("ready", onReady);
      return conn.close();
    },
  };
}
