// The Redis store on a real Redis Cluster (3 masters, 3 replicas): the shared contract, two stores sharing it, one
// slot per session and reads spanning nodes, and replicas taking over mid-load (its latency against a single node
// is measured by scripts/bench/store-latency.ts).
//
// What the failover tests prove: acknowledged terminations (admin ones and terminating decisions) survive a
// coordinated failover (CLUSTER FAILOVER: the replica catches up before it takes over) and, with `wait_replicas=1`,
// a hard kill of the master (each was on the replica before it was acknowledged, and that replica is the one
// promoted). What they do not prove: that decisions which do not terminate (risk, violations; never waited for)
// survive a hard kill — asynchronous replication can lose the last acknowledged increments; that WAIT holds with
// several replicas per master (the promoted one may not be one that acknowledged); anything about partitions, where
// a minority master keeps accepting writes until cluster-node-timeout.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { StateUnavailableError, type SessionStore, type SessionUpdate } from "../../../src/decision/ports.js";
import { createRedisStore, type RedisSessionStore, type RedisStoreOptions } from "../../../src/session/redis-store.js";
import { keySlot, ownerPort, startRedisCluster, type ClusterNodeInfo, type RedisCluster } from "../../helpers/redis-cluster.js";
import { redisCli, waitFor } from "../../helpers/redis-node.js";
import { describeCrossSessionContract } from "../../helpers/state-contract.js";
import { describeStoreContract, sessionUpdate } from "../../helpers/store-contract.js";

const update = (sessionId: string, patch: Partial<SessionUpdate> = {}): SessionUpdate => sessionUpdate(sessionId, patch);

const nowS = () => Math.floor(Date.now() / 1000);

describe("redis store on a Redis Cluster (3 masters + 3 replicas)", { timeout: 240_000 }, () => {
  let cluster: RedisCluster;
  const stores: SessionStore[] = [];
  const open = (options: Partial<RedisStoreOptions> = {}) => {
    const store = createRedisStore({ url: cluster.url, ...options });
    stores.push(store);
    return store;
  };
  /** The slot of `key` as the server computes it, and the port of the master serving it. */
  const ownerOf = async (store: RedisSessionStore, key: string) => {
    const slot = Number(await store.client.cluster("KEYSLOT", key));
    assert.equal(keySlot(key), slot, "the helper's slot function agrees with the server");
    return { slot, port: ownerPort(await cluster.topology(), slot) };
  };

  before(async () => {
    const started = performance.now();
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    process.stderr.write(`# cluster of 6 nodes up in ${Math.round(performance.now() - started)} ms\n`);
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await cluster?.stop();
  });

  describeCrossSessionContract("redis cluster", async () => {
    const store = createRedisStore({ url: cluster.url, commandTimeoutMs: 1000 });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });

  describeStoreContract("redis cluster", async (options = {}) => {
    // Durable writes wait for a replica by default; on a loaded host its acknowledgement may take longer than the
    // default 125 ms WAIT (half the command timeout), and this suite is about semantics, not timing.
    const store = createRedisStore({ url: cluster.url, commandTimeoutMs: 1000, ...options });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });

  test("a session's keys share one slot; one read spans slots on different masters and answers in full", async () => {
    const store = open();
    assert.equal(store.mode, "cluster");
    await store.ping();
    const session = `s{odd}:${randomUUID()}`;
    const enc = encodeURIComponent(session);
    const [s, e] = [await ownerOf(store, `custos:{s:${enc}}:session`), await ownerOf(store, `custos:{s:${enc}}:events`)];
    assert.equal(s.slot, e.slot, "session hash and events list in one slot");

    // Pick a credential, principal and approval whose keys live on masters other than the session's.
    const elsewhere = async (make: () => string, key: (id: string) => string) => {
      for (;;) {
        const id = make();
        if ((await ownerOf(store, key(id))).port !== s.port) return id;
      }
    };
    const cred = await elsewhere(() => `key-${randomUUID()}`, (id) => `custos:cred:${id}:revoked`);
    const principal = await elsewhere(() => `agent:${randomUUID()}`, (id) => `custos:{p:${encodeURIComponent(id)}}:signals`);
    const approvalId = await elsewhere(() => `apr-${randomUUID()}`, (id) => `custos:approval:${id}`);
    const owners = new Set([
      s.port,
      (await ownerOf(store, `custos:cred:${cred}:revoked`)).port,
      (await ownerOf(store, `custos:{p:${encodeURIComponent(principal)}}:signals`)).port,
      (await ownerOf(store, `custos:approval:${approvalId}`)).port,
    ]);
    assert.ok(owners.size >= 2, "the read crosses nodes");

    const approval = {
      id: approvalId,
      status: "pending" as const,
      binding: { session, identity: principal, chain: [], event: "model_access", action: "deploy", resource: "model:m", tool: "", purpose: "", arguments_digest: "" },
      created_at: nowS(),
      expires_at: nowS() + 600,
      approver: null,
      decided_at: null,
      reason: null,
    };
    await store.apply(update(session, { riskDelta: 7, violation: true, approval }));
    await store.revokeCredential(cred, "leaked", 60, Date.now());
    await store.addSignal(principal, { kind: "burst", severity: "high", expires_at: nowS() + 60 });
    const snap = await store.read({ sessionId: session, principalId: principal, credentialId: cred, approvalId, now: nowS() });
    assert.deepEqual([snap.session.risk, snap.session.violations, snap.credential.revoked], [7, 1, true]);
    assert.deepEqual(snap.principal.signals.map((x) => x.kind), ["burst"]);
    assert.deepEqual(snap.approval, approval);
    assert.equal((await redisCli(s.port, ["EXISTS", `custos:{s:${enc}}:session`, `custos:{s:${enc}}:events`])).trim(), "2", "both on the owner");
    await store.ping();
  });

  test("two stores on one cluster: 100 parallel violations split across both count 100; a termination is shared", async () => {
    const [a, b] = [open(), open()];
    const s = `s-${randomUUID()}`;
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).apply(update(s, { violation: true, riskDelta: 1, riskThreshold: 0 }))));
    assert.deepEqual([(await a.getSession(s)).violations, (await b.getSession(s)).risk], [100, 100]);
    await a.terminate(s, "exfiltration suspected", "soc:alice", Date.now());
    const seen = await b.read({ sessionId: s, principalId: "p", credentialId: "k", approvalId: "a", now: nowS() });
    assert.deepEqual([seen.session.terminated, seen.session.terminated_reason, seen.session.terminated_by], [true, "exfiltration suspected", "soc:alice"]);
  });

  test("CLUSTER FAILOVER mid-load: every acknowledged termination reads back terminated", { timeout: 60_000 }, async (t) => {
    const store = open();
    const checker = open({ commandTimeoutMs: 2000 });
    const { master, replica } = await pairWithReplica(cluster);
    const drill = await terminateUnderLoad(store, async () => {
      await redisCli(replica.port, ["CLUSTER", "FAILOVER"]);
      await waitFor("the replica to be master everywhere", async () => {
        const views = await Promise.all(cluster.nodes.map((n) => cluster.topology(n.port)));
        return views.every((v) => v.find((x) => x.port === replica.port)?.role === "master" && v.find((x) => x.port === master.port)?.role === "replica");
      });
    });
    const onShard = await countOnShard(cluster, drill.acked, replica.port);
    t.diagnostic(
      `failover of :${master.port} to :${replica.port} took ${drill.failoverMs} ms; ${drill.acked.length} terminations acknowledged ` +
        `(${onShard} on that shard), ${drill.failed.length} refused (${summarize(drill.failed)})`,
    );
    assert.ok(onShard > 0, "the failed-over shard took terminations");
    await assertAllTerminated(checker, drill.acked);
  });

  test("master killed mid-load, wait_replicas=1: every acknowledged termination (admin or decision) survives the promotion", { timeout: 90_000 }, async (t) => {
    const store = open({ url: `${cluster.url}?wait_replicas=1` });
    const checker = open({ commandTimeoutMs: 2000 });
    const { master, replica } = await pairWithReplica(cluster);
    const drill = await terminateUnderLoad(store, async () => {
      await cluster.node(master.port).kill();
      await waitFor("the replica to be promoted", async () => (await redisCli(replica.port, ["ROLE"])).startsWith("master"), 30_000);
      await cluster.waitHealthy(5);
    });
    const onShard = await countOnShard(cluster, drill.acked, replica.port);
    t.diagnostic(
      `kill of :${master.port}, promotion of :${replica.port} after ${drill.failoverMs} ms; ${drill.acked.length} terminations acknowledged ` +
        `(${onShard} on that shard), ${drill.failed.length} refused (${summarize(drill.failed)})`,
    );
    assert.ok(onShard > 0, "the killed master's shard took terminations");
    await assertAllTerminated(checker, drill.acked);

    // Its shard now has no replica: admin writes there are refused (not durable), decisions still pass.
    const lonely = await sessionOn(cluster, replica.port);
    // (Refused by the WAIT count, or by the command timeout when Redis notices WAIT's own timeout a cron tick late.)
    await assert.rejects(store.terminate(lonely, "r", "soc", Date.now()), (err: Error) => err instanceof StateUnavailableError && /0 of 1 replicas|timed out/.test(err.message));
    assert.equal((await store.apply(update(lonely, { violation: true }))).violations, 1, "a decision that does not terminate passes");
    // The old master comes back as the new master's replica, and admin writes there are acknowledged again.
    await cluster.node(master.port).start();
    await cluster.waitHealthy(6);
    // (Once it has synced: a healthy cluster state does not wait for the rejoined replica's full sync.)
    await waitFor("a durable terminate on the healed shard", async () => (await store.terminate(lonely, "r", "soc", Date.now()).catch(() => null))?.terminated === true, 10_000);
  });
});

async function pairWithReplica(cluster: RedisCluster): Promise<{ master: ClusterNodeInfo; replica: ClusterNodeInfo }> {
  const view = await cluster.topology();
  for (const master of view.filter((n) => n.role === "master" && !n.failed)) {
    const replica = view.find((n) => n.role === "replica" && n.masterId === master.id && !n.failed);
    if (replica) return { master, replica };
  }
  throw new Error("no master with a live replica");
}

interface Drill {
  acked: string[];
  failed: Error[];
  failoverMs: number;
}

/**
 * 8 workers terminate fresh sessions back to back, half by the admin API (terminate), half by a decision (apply
 * with `terminate`); `disrupt` runs 300 ms in; the load goes on 500 ms after it.
 */
async function terminateUnderLoad(store: SessionStore, disrupt: () => Promise<unknown>): Promise<Drill> {
  const acked: string[] = [];
  const failed: Error[] = [];
  let stop = false;
  let next = 0;
  const run = randomUUID().slice(0, 8);
  const load = Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      while (!stop) {
        const id = `drill-${run}-${next++}`;
        try {
          const after =
            worker % 2 === 0
              ? await store.terminate(id, "failover drill", "soc:test", Date.now())
              : await store.apply(update(id, { terminate: "principal flagged", violation: true }));
          if (after.terminated) acked.push(id);
        } catch (err) {
          failed.push(err as Error);
          await sleep(5);
        }
      }
    }),
  );
  try {
    await sleep(300);
    const started = Date.now();
    await disrupt();
    const failoverMs = Date.now() - started;
    await sleep(500);
    return { acked, failed, failoverMs };
  } finally {
    stop = true;
    await load;
  }
}

async function assertAllTerminated(store: SessionStore, ids: string[]): Promise<void> {
  const lost: string[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const batch = ids.slice(i, i + 200);
    const sessions = await Promise.all(batch.map((id) => store.getSession(id)));
    sessions.forEach((s, j) => !s.terminated && lost.push(batch[j]!));
  }
  assert.deepEqual(lost, [], `${lost.length} of ${ids.length} acknowledged terminations lost`);
}

/** How many of the sessions live on the master on `port`. */
async function countOnShard(cluster: RedisCluster, ids: string[], port: number): Promise<number> {
  const view = await cluster.topology();
  return ids.filter((id) => ownerPort(view, keySlot(`custos:{s:${id}}:session`)) === port).length;
}

async function sessionOn(cluster: RedisCluster, port: number): Promise<string> {
  for (;;) {
    const id = `lonely-${randomUUID()}`;
    if ((await countOnShard(cluster, [id], port)) === 1) return id;
  }
}

function summarize(errors: Error[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) {
    const key = e.message.replace(/\d+/g, "N").slice(0, 90);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([m, n]) => `${n}× ${m}`).join("; ") || "none";
}
