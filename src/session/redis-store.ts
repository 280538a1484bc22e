// The session ledger shared by every replica, in Redis: one round trip per read, one Lua script per write; on one
// Redis, behind Sentinel, or on a Redis Cluster.
//
// Keys (prefix `custos:`, ids percent-encoded; details and field names in keys.ts):
//   custos:{s:<session>}:session   hash    risk, violations, termination, max classification   idle TTL, refreshed by writes
//   custos:{s:<session>}:events    list    last MAX_SESSION_EVENTS events, newest first          same TTL
//   custos:cred:<id>:revoked       string  reason and time                                       ttl_seconds (0: 30 days)
//   custos:principal:<id>:signals  zset    [kind,severity] scored by expires_at                  until the latest expiry
//   custos:approval:<id>           hash    status, binding, approver, times                      expires_at + 1 day grace
// A session's keys share one Cluster slot, the others each have their own. On one node a read is one pipeline; on a
// Cluster, where a pipeline may not span slots, it is one pipeline per slot, all sent before any answer is awaited,
// so it still costs one round trip of latency (the slowest node's). The URL forms are in redis-url.ts, the client
// options in redis-client.ts, the connection policy (fail fast, reconnect by itself) in redis-connection.ts and the
// scripts in redis-scripts.ts.
import { Cluster, type ChainableCommander } from "ioredis";
import {
  MAX_SESSION_EVENTS,
  type ApprovalRecord,
  type Approver,
  type PrincipalSignal,
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
  POLICY_ACTOR,
  RISK_THRESHOLD_REASON,
  approvalTtl,
  classificationRank,
  revocationTtl,
  signalFromMember,
  signalMember,
} from "./ledger-rules.js";
import type { LedgerClient } from "./redis-client.js";
import { decodeApproval, decodeSession, encodeApproval, encodeEvent, fieldsOf } from "./redis-codec.js";
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
}

/** A store plus what the tests and operators may want to see of it. */
export interface RedisSessionStore extends SessionStore {
  readonly kind: "redis";
  /** The underlying client, a `Redis` or a `Cluster` (for diagnostics such as MEMORY USAGE; do not write through it). */
  readonly client: LedgerClient;
  /** How the URL reaches Redis. */
  readonly mode: "standalone" | "sentinel" | "cluster";
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
  const conn = connectRedis(options);
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

  function decodeScriptSession(id: string, reply: unknown): SessionState {
    const [fields, events] = reply as [unknown, unknown];
    return decodeSession(id, fieldsOf(fields), events);
  }

  /**
   * `write` then WAIT, in one pipeline, so WAIT goes to the connection (the node) that took the write; resolves
   * with the write's reply once `wait_replicas` replicas have it. ioredis does not follow a MOVED inside a mixed
   * pipeline, so on one the slot map is refreshed and the pipeline sent once more (MOVED: nothing ran).
   */
  async function waited(c: LedgerClient, what: string, write: (p: ChainableCommander) => unknown): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const p = c.pipeline();
      write(p);
      p.wait(waitReplicas, waitMs);
      const result = await p.exec();
      if (c instanceof Cluster && attempt === 1 && result?.[0]?.[0]?.message.startsWith("MOVED ")) {
        await new Promise<void>((resolve) => c.refreshSlotsCache(() => resolve()));
        continue;
      }
      const [reply, acked] = replies(result);
      if (Number(acked) < waitReplicas) {
        throw new Error(`${what} is on the primary, but ${Number(acked)} of ${waitReplicas} replicas acknowledged it within ${waitMs} ms`);
      }
      return reply;
    }
  }

  /** An admin write: plain, or with `wait_replicas` acknowledged by that many replicas (on the durable client). */
  function adminWrite<T>(what: string, write: (to: LedgerClient | ChainableCommander) => unknown, decode: (reply: unknown) => T): Promise<T> {
    if (waitReplicas === 0) return conn.run(what, async (c) => decode(await (write(c) as Promise<unknown>)));
    return conn.runDurable(what, async (c) => decode(await waited(c, what, write)));
  }

  /**
   * With `wait_replicas`, a decision that terminates its session is acknowledged only once that many
   * replicas have it: WAIT counts the writes of its own connection, so the durable client touches the session
   * (EXPIRE, which the script set anyway; replicated after the script's write) and waits on that. EXPIRE answering
   * 0 means the session is not on this primary (a failover in between): refused. Decisions that do not terminate
   * are not waited for; losing their increments in a failover is the trade-off for the hot path.
   */
  async function replicateTermination(sessionId: string): Promise<void> {
    await conn.runDurable("apply", async (c) => {
      const touched = await waited(c, "a terminating decision", (p) => p.expire(keys.session(sessionId), ttl));
      if (touched !== 1) throw new Error("the terminated session is not on the current primary");
    });
  }

  /** The apply script, with the approval (if any) written in the same round trip; resolves with the script's reply. */
  async function writeApply(c: LedgerClient, u: SessionUpdate, args: (string | number)[]): Promise<unknown> {
    if (!u.approval) return script(c).custosApply(...args);
    // The approval has its own slot, so it rides in the same round trip as separate commands, not in the script:
    // its id is fresh, so nothing can interleave with it. On a Cluster the two slots are two pipelines sent together.
    const key = keys.approval(u.approval.id);
    const ttlSeconds = approvalTtl(u.approval.expires_at, u.now, graceSeconds);
    if (cluster) {
      const [session] = await Promise.all([
        script(c).custosApply(...args),
        c.pipeline().hset(key, ...encodeApproval(u.approval)).expire(key, ttlSeconds).exec().then(replies),
      ]);
      return session;
    }
    const p = c.pipeline();
    script(p).custosApply(...args);
    p.hset(key, ...encodeApproval(u.approval)).expire(key, ttlSeconds);
    return replies(await p.exec())[0];
  }

  function adminSession(action: "terminate" | "resume", id: string, reason: string, by: string, now: number) {
    const event = encodeEvent({ at: now, kind: action, ref: by, detail: reason });
    return adminWrite(
      action,
      (to) => script(to).custosAdminSession(keys.session(id), keys.events(id), action, reason, by, event, MAX_SESSION_EVENTS, ttl),
      (reply) => decodeScriptSession(id, reply),
    );
  }

  /** The read's replies in a fixed order: session hash, events, signals, revoked?, approval?. */
  async function readReplies(c: LedgerClient, q: StateQuery): Promise<[unknown, unknown, unknown, unknown, unknown]> {
    const session = keys.session(q.sessionId);
    const events = keys.events(q.sessionId);
    const signals = keys.signals(q.principalId);
    const revoked = q.credentialId === null ? null : keys.revoked(q.credentialId);
    const approval = q.approvalId === null ? null : keys.approval(q.approvalId);
    if (!cluster) {
      const p = c.pipeline().hgetall(session).lrange(events, 0, -1).zrangebyscore(signals, `(${q.now}`, "+inf", "WITHSCORES");
      if (revoked !== null) p.exists(revoked);
      if (approval !== null) p.hgetall(approval);
      const [s, e, z, ...rest] = replies(await p.exec());
      return [s, e, z, revoked === null ? 0 : rest.shift(), approval === null ? null : rest.shift()];
    }
    // One pipeline per slot, all written before the first answer is awaited.
    const [[s, e], z, r, a] = await Promise.all([
      c.pipeline().hgetall(session).lrange(events, 0, -1).exec().then(replies),
      c.zrangebyscore(signals, `(${q.now}`, "+inf", "WITHSCORES"),
      revoked === null ? 0 : c.exists(revoked),
      approval === null ? null : c.hgetall(approval),
    ]);
    return [s, e, z, r, a];
  }

  return {
    kind: "redis",
    client: conn.client,
    mode: conn.target.mode,
    read: (q: StateQuery) =>
      conn.run("read", async (c): Promise<StateSnapshot> => {
        const [session, events, signals, revoked, approval] = await readReplies(c, q);
        const flat = signals as string[];
        const active: PrincipalSignal[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) active.push(signalFromMember(flat[i]!, Number(flat[i + 1])));
        return {
          session: decodeSession(q.sessionId, session as Record<string, string>, events),
          credential: { revoked: revoked === 1 },
          principal: { signals: active },
          approval: q.approvalId === null ? null : decodeApproval(q.approvalId, approval as Record<string, string>),
        };
      }),
    apply: async (u: SessionUpdate) => {
      const session = await conn.run("apply", async (c) => {
        const threshold = Number.isFinite(u.riskThreshold) && u.riskThreshold > 0 ? u.riskThreshold : 0;
        const args = [
          keys.session(u.sessionId),
          keys.events(u.sessionId),
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
        ];
        const reply = await writeApply(c, u, args);
        return { after: decodeScriptSession(u.sessionId, reply), terminatedNow: (reply as unknown[])[2] === 1 };
      });
      if (waitReplicas > 0 && session.terminatedNow) await replicateTermination(u.sessionId);
      return session.after;
    },
    getSession: (id: string) =>
      conn.run("getSession", async (c) => {
        const [fields, events] = replies(await c.pipeline().hgetall(keys.session(id)).lrange(keys.events(id), 0, -1).exec());
        return decodeSession(id, fields as Record<string, string>, events);
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
    decideApproval: (id: string, status: "granted" | "denied", approver: Approver | null, reason: string | null, now: number) =>
      adminWrite(
        "decideApproval",
        (to) => script(to).custosDecideApproval(keys.approval(id), status, JSON.stringify(approver), now, JSON.stringify(reason), now),
        (reply): ApprovalRecord | null => (reply === null ? null : decodeApproval(id, fieldsOf(reply))),
      ),
    ping: () =>
      conn.run("ping", async (c) => {
        if (!cluster) {
          await c.ping();
          return;
        }
        // A node that answers is not enough: the Cluster must serve every slot.
        const info = String(await c.cluster("INFO"));
        const state = /cluster_state:(\w+)/.exec(info)?.[1];
        if (state !== "ok") throw new Error(`cluster_state is ${state ?? "unknown"}`);
      }),
    close: () => conn.close(),
  };
}
