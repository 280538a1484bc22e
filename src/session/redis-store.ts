// The session ledger shared by every replica, in Redis: one pipeline per read, one Lua script per write.
//
// Keys (prefix `custos:`, ids percent-encoded; details and field names in keys.ts):
//   custos:{s:<session>}:session   hash    risk, violations, termination, max classification   idle TTL, refreshed by writes
//   custos:{s:<session>}:events    list    last MAX_SESSION_EVENTS events, newest first          same TTL
//   custos:cred:<id>:revoked       string  reason and time                                       ttl_seconds (0: 30 days)
//   custos:principal:<id>:signals  zset    [kind,severity] scored by expires_at                  until the latest expiry
//   custos:approval:<id>           hash    status, binding, approver, times                      expires_at + 1 day grace
// The connection policy (fail fast, reconnect by itself) lives in redis-connection.ts, the scripts in redis-scripts.ts.
import type { ChainableCommander, Redis } from "ioredis";
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
  DEFAULT_SESSION_TTL_SECONDS,
  POLICY_ACTOR,
  RISK_THRESHOLD_REASON,
  approvalTtl,
  classificationRank,
  revocationTtl,
  signalFromMember,
  signalMember,
} from "./ledger-rules.js";
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
  /** The underlying client (for diagnostics such as MEMORY USAGE; do not write through it). */
  readonly client: Redis;
}

type ScriptCaller = Record<LedgerScriptName, (...args: (string | number)[]) => Promise<unknown>>;
type PipelineResult = [Error | null, unknown][] | null;

/** Creates the Redis store; it connects in the background and reconnects by itself. */
export function createRedisStore(options: RedisStoreOptions): RedisSessionStore {
  const keys = ledgerKeys(options.keyPrefix ?? "custos:");
  const ttl = options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  const graceSeconds = options.approvalGraceSeconds ?? DEFAULT_APPROVAL_GRACE_SECONDS;
  const conn = connectRedis(options);
  const script = (c: Redis | ChainableCommander) => c as unknown as ScriptCaller;

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

  function adminSession(action: "terminate" | "resume", id: string, reason: string, by: string, now: number) {
    const event = encodeEvent({ at: now, kind: action, ref: by, detail: reason });
    return conn.run(action, async (c) => {
      const reply = await script(c).custosAdminSession(keys.session(id), keys.events(id), action, reason, by, event, MAX_SESSION_EVENTS, ttl);
      return decodeScriptSession(id, reply);
    });
  }

  return {
    kind: "redis",
    client: conn.client,
    read: (q: StateQuery) =>
      conn.run("read", async (c): Promise<StateSnapshot> => {
        const p = c.pipeline().hgetall(keys.session(q.sessionId)).lrange(keys.events(q.sessionId), 0, -1);
        p.zrangebyscore(keys.signals(q.principalId), `(${q.now}`, "+inf", "WITHSCORES");
        if (q.credentialId !== null) p.exists(keys.revoked(q.credentialId));
        if (q.approvalId !== null) p.hgetall(keys.approval(q.approvalId));
        const [session, events, signals, ...rest] = replies(await p.exec());
        const flat = signals as string[];
        const active: PrincipalSignal[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) active.push(signalFromMember(flat[i]!, Number(flat[i + 1])));
        const revoked = q.credentialId !== null && rest.shift() === 1;
        const approval = q.approvalId !== null ? decodeApproval(q.approvalId, rest.shift() as Record<string, string>) : null;
        return {
          session: decodeSession(q.sessionId, session as Record<string, string>, events),
          credential: { revoked },
          principal: { signals: active },
          approval,
        };
      }),
    apply: (u: SessionUpdate) =>
      conn.run("apply", async (c) => {
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
        if (!u.approval) return decodeScriptSession(u.sessionId, await script(c).custosApply(...args));
        // The approval has its own slot, so it rides in the same round trip as a separate command, not in the
        // script: its id is fresh, so nothing can interleave with it (on Cluster this pipeline splits per node).
        const key = keys.approval(u.approval.id);
        const p = c.pipeline();
        script(p).custosApply(...args);
        p.hset(key, ...encodeApproval(u.approval)).expire(key, approvalTtl(u.approval.expires_at, u.now, graceSeconds));
        const [session] = replies(await p.exec());
        return decodeScriptSession(u.sessionId, session);
      }),
    getSession: (id: string) =>
      conn.run("getSession", async (c) => {
        const [fields, events] = replies(await c.pipeline().hgetall(keys.session(id)).lrange(keys.events(id), 0, -1).exec());
        return decodeSession(id, fields as Record<string, string>, events);
      }),
    terminate: (id, reason, by, now) => adminSession("terminate", id, reason, by, now),
    resume: (id, by, reason, now) => adminSession("resume", id, reason, by, now),
    revokeCredential: (id: string, reason: string, ttlSeconds: number, now: number) =>
      conn.run("revokeCredential", async (c) => {
        await c.set(keys.revoked(id), JSON.stringify({ reason, at: now }), "EX", revocationTtl(ttlSeconds));
      }),
    addSignal: (principalId: string, signal: PrincipalSignal) =>
      conn.run("addSignal", async (c) => {
        await script(c).custosAddSignal(keys.signals(principalId), signal.expires_at, signalMember(signal));
      }),
    getApproval: (id: string) =>
      conn.run("getApproval", async (c) => decodeApproval(id, await c.hgetall(keys.approval(id)))),
    decideApproval: (id: string, status: "granted" | "denied", approver: Approver | null, reason: string | null, now: number) =>
      conn.run("decideApproval", async (c): Promise<ApprovalRecord | null> => {
        const reply = await script(c).custosDecideApproval(keys.approval(id), status, JSON.stringify(approver), now, JSON.stringify(reason), now);
        return reply === null ? null : decodeApproval(id, fieldsOf(reply));
      }),
    ping: () =>
      conn.run("ping", async (c) => {
        await c.ping();
      }),
    close: () => conn.close(),
  };
}
