// State-store latency and throughput, one Redis node beside a Redis Cluster (3 masters, 3 replicas) started on this
// host: read and apply p50/p99, read+apply per second at 32 in flight, and the cost of the read's per-slot commands
// sent together or one after another. Same host: the cluster adds capacity, not speed.
// Usage: node dist/scripts/bench/store-latency.js (needs redis-server and redis-cli; `bash scripts/ensure-redis.sh`)
import { randomUUID } from "node:crypto";
import type { SessionStore, SessionUpdate, StateQuery } from "../../src/decision/ports.js";
import { createRedisStore } from "../../src/session/redis-store.js";
import { startRedisCluster } from "../../test/helpers/redis-cluster.js";
import { startRedis } from "../../test/helpers/redis-server.js";
import { sessionUpdate } from "../../test/helpers/store-contract.js";

type Timing = { p50: number; p99: number };

const nowS = () => Math.floor(Date.now() / 1000);
const update = (sessionId: string, patch: Partial<SessionUpdate> = {}): SessionUpdate => sessionUpdate(sessionId, patch);

async function timeCalls(n: number, call: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 100; i++) await call();
  const took: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    took.push(performance.now() - started);
  }
  took.sort((a, b) => a - b);
  const at = (q: number) => Number(took[Math.min(took.length - 1, Math.floor(q * took.length))]!.toFixed(3));
  return { p50: at(0.5), p99: at(0.99) };
}

/** A query whose four keys exist. */
async function seeded(store: SessionStore): Promise<StateQuery> {
  const q = { sessionId: `bench-${randomUUID()}`, principalId: `agent-${randomUUID()}`, credentialId: `key-${randomUUID()}`, approvalId: `apr-${randomUUID()}`, now: nowS() };
  const approval = {
    id: q.approvalId,
    status: "pending" as const,
    binding: { session: q.sessionId, identity: q.principalId, chain: [], event: "model_access", action: "deploy", resource: "m", tool: "", purpose: "", arguments_digest: "" },
    created_at: q.now,
    expires_at: q.now + 600,
    approver: null,
    decided_at: null,
    reason: null,
  };
  await store.apply(update(q.sessionId, { riskDelta: 1, approval }));
  await store.revokeCredential(q.credentialId, "bench", 600, Date.now());
  await store.addSignal(q.principalId, { kind: "k", severity: "low", expires_at: q.now + 600 });
  return q;
}

async function measure(store: SessionStore) {
  const q = await seeded(store);
  const read = await timeCalls(2000, () => store.read(q));
  const apply = await timeCalls(2000, () => store.apply(update(q.sessionId, { riskDelta: 0 })));
  // 32 decisions in flight, each a read then an apply on its own session, for 1.5 s.
  let done = 0;
  const until = performance.now() + 1500;
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      const mine = { ...q, sessionId: `${q.sessionId}-${w}` };
      while (performance.now() < until) {
        await store.read(mine);
        await store.apply(update(mine.sessionId, { riskDelta: 1, riskThreshold: 0 }));
        done++;
      }
    }),
  );
  return { read, apply, decisionsPerSecond: Math.round(done / 1.5) };
}

/**
 * The cost of the state beyond one session per decision: a decision with none of its rules (read + apply), one in
 * the steady state (the read also fetches the principal's risk window, the credential's principals, a quota counter
 * and a parent; nothing more to write), and one that needs the cross-session write (risk added, a quota counted,
 * a new credential user): read + applyPrincipal + apply, one extra round trip.
 */
async function measureCross(store: SessionStore) {
  const base = await seeded(store);
  const quota = { id: "bench", per: "principal" as const, owner: base.principalId, max: 1e9, window_seconds: 3600 };
  const rich: StateQuery = { ...base, parentId: `${base.sessionId}-parent`, principalRiskWindowSeconds: 86_400, credentialWindowSeconds: 3600, quotas: [quota] };
  const none = await timeCalls(2000, async () => {
    await store.read(base);
    await store.apply(update(base.sessionId));
  });
  const steady = await timeCalls(2000, async () => {
    await store.read(rich);
    await store.apply(update(base.sessionId, { parentId: rich.parentId! }));
  });
  const written = await timeCalls(2000, async () => {
    await store.read(rich);
    await store.applyPrincipal({ principalId: base.principalId, riskDelta: 1, riskWindowSeconds: 86_400, riskThreshold: 0, quotas: [quota], credentialId: base.credentialId, credentialWindowSeconds: 3600, now: Date.now() });
    await store.apply(update(base.sessionId, { riskDelta: 1, riskThreshold: 0, parentId: rich.parentId! }));
  });
  return { none, steady, written };
}

const single = await startRedis();
const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
// Generous timeouts: this measures latency, and a stall of the shared host must not fail it.
const one = createRedisStore({ url: single.url, commandTimeoutMs: 2000 });
const many = createRedisStore({ url: cluster.url, commandTimeoutMs: 2000 });
try {
  for (const [label, store] of [
    ["single node", one],
    ["cluster", many],
  ] as const) {
    const m = await measure(store);
    console.log(`${label}: read p50 ${m.read.p50} ms p99 ${m.read.p99} ms · apply p50 ${m.apply.p50} ms p99 ${m.apply.p99} ms · ${m.decisionsPerSecond} read+apply/s at 32 in flight`);
    const x = await measureCross(store);
    console.log(
      `${label}, state per decision: no cross-session rule (2 round trips) p50 ${x.none.p50} ms p99 ${x.none.p99} ms · ` +
        `steady state with every rule read (2) p50 ${x.steady.p50} ms p99 ${x.steady.p99} ms · ` +
        `with the cross-session write (3) p50 ${x.written.p50} ms p99 ${x.written.p99} ms`,
    );
  }
  // The read's per-slot commands on the raw client, sent together (as the store does) or awaited one after
  // another: on loopback a round trip costs little next to the client's own work, so this is close.
  const c = many.client;
  const q = await seeded(many);
  const calls = [
    () => c.pipeline().hgetall(`custos:{s:${q.sessionId}}:session`).lrange(`custos:{s:${q.sessionId}}:events`, 0, -1).exec(),
    () => c.zrangebyscore(`custos:{p:${q.principalId}}:signals`, `(${q.now}`, "+inf", "WITHSCORES"),
    () => c.exists(`custos:cred:${q.credentialId}:revoked`),
    () => c.hgetall(`custos:approval:${q.approvalId}`),
  ];
  const serial = await timeCalls(2000, async () => {
    for (const call of calls) await call();
  });
  const together = await timeCalls(2000, () => Promise.all(calls.map((call) => call())));
  const rtt = await timeCalls(2000, () => c.exists(`custos:cred:${q.credentialId}:revoked`));
  console.log(`cluster read, 4 slots on 3 nodes: sent together p50 ${together.p50} ms, one after another p50 ${serial.p50} ms; one EXISTS p50 ${rtt.p50} ms`);
} finally {
  await Promise.all([one.close(), many.close()]);
  await Promise.all([single.stop(), cluster.stop()]);
}
