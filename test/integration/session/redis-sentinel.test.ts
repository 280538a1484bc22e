// The Redis store behind Sentinel (1 master, 1 replica, 1 Sentinel with quorum 1): the shared contract, and a
// forced failover (SENTINEL FAILOVER) mid-load after which the store writes to the promoted replica by itself.
//
// What the failover test proves: by default (no `wait_replicas` in the URL: WAIT for one replica whenever the primary
// has one) no acknowledged termination (admin or terminating decision) is lost, including those sent to the old
// master after the replica stopped following it and before the switch was announced (the replica no longer
// acknowledges them, so they are refused, not acknowledged). A store with the opt-out `wait_replicas=0` runs
// alongside and its losses are only reported: Sentinel's failover is not coordinated, so the old master
// takes writes the new one never sees for as long as that window lasts (about a second here).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SessionStore, SessionUpdate } from "../../../src/decision/ports.js";
import { createRedisStore, type RedisStoreOptions } from "../../../src/session/redis-store.js";
import { freePort, redisCli } from "../../helpers/redis-node.js";
import { startRedisSentinel, type RedisSentinel } from "../../helpers/redis-sentinel.js";
import { describeStoreContract } from "../../helpers/store-contract.js";

const terminating = (sessionId: string): SessionUpdate => ({
  sessionId,
  riskDelta: 1,
  violation: true,
  terminate: "principal flagged",
  riskThreshold: 0,
  classification: null,
  event: { at: Date.now(), kind: "decision", ref: randomUUID(), detail: "deny", event: "prompt" },
  approval: null,
  now: Date.now(),
});

describe("redis store behind Sentinel", { timeout: 120_000 }, () => {
  let topology: RedisSentinel;
  let url: string;
  const stores: SessionStore[] = [];
  const open = (options: Partial<RedisStoreOptions> = {}) => {
    const store = createRedisStore({ url, ...options });
    stores.push(store);
    return store;
  };
  before(async () => {
    topology = await startRedisSentinel();
    // A Sentinel that is down comes first: the store moves on to the next one.
    url = topology.url.replace("redis+sentinel://", `redis+sentinel://127.0.0.1:${await freePort()},`);
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await topology?.stop();
  });

  describeStoreContract("redis sentinel", async (options = {}) => {
    // Durable writes wait for the replica by default; its acknowledgement may take longer than the default 125 ms
    // WAIT on a loaded host, and this suite is about semantics, not timing.
    const store = createRedisStore({ url, commandTimeoutMs: 1000, ...options });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });

  test("SENTINEL FAILOVER mid-load: the store follows the new master; by default no acknowledged termination is lost", { timeout: 60_000 }, async (t) => {
    const durable = open();
    const plain = open({ url: `${url}?wait_replicas=0` });
    assert.equal(durable.mode, "sentinel");
    const oldMaster = await topology.masterPort();
    const before = `s-${randomUUID()}`;
    await durable.terminate(before, "before the failover", "soc:alice", Date.now());

    const run = randomUUID().slice(0, 8);
    const acked = { durable: [] as string[], plain: [] as string[] };
    let refused = 0;
    let stop = false;
    let next = 0;
    // Half of each store's workers terminate by the admin API, half by a decision (apply with `terminate`).
    const worker = (store: SessionStore, into: string[]) => async (_: unknown, n: number) => {
      while (!stop) {
        const id = `drill-${run}-${next++}`;
        try {
          const after = n % 2 === 0 ? await store.terminate(id, "failover drill", "soc:test", Date.now()) : await store.apply(terminating(id));
          if (after.terminated) into.push(id);
        } catch {
          refused++;
          await sleep(5);
        }
      }
    };
    const load = Promise.all([
      ...Array.from({ length: 4 }, worker(durable, acked.durable)),
      ...Array.from({ length: 4 }, worker(plain, acked.plain)),
    ]);
    let failoverMs = 0;
    try {
      await sleep(300);
      failoverMs = await topology.failover();
      await sleep(500);
    } finally {
      stop = true;
      await load;
    }
    const newMaster = await topology.masterPort();
    assert.notEqual(newMaster, oldMaster);

    // The store writes to the new master by itself, within a bound.
    const s = `s-${randomUUID()}`;
    const healedAt = Date.now();
    let healedMs = 0;
    for (;;) {
      try {
        await plain.apply({ ...terminating(s), terminate: null });
        healedMs = Date.now() - healedAt;
        break;
      } catch (err) {
        assert.ok(Date.now() - healedAt < 5000, `still failing 5 s after the failover: ${(err as Error).message}`);
        await sleep(50);
      }
    }
    assert.equal((await redisCli(newMaster, ["HGET", `custos:{s:${s}}:session`, "v"])).trim(), "1", "written on the new master");

    const checker = open({ commandTimeoutMs: 2000 });
    const lost = async (ids: string[]) => {
      const out: string[] = [];
      for (let i = 0; i < ids.length; i += 200) {
        const batch = ids.slice(i, i + 200);
        const sessions = await Promise.all(batch.map((id) => checker.getSession(id)));
        out.push(...batch.filter((_, j) => !sessions[j]!.terminated));
      }
      return out;
    };
    const lostPlain = await lost(acked.plain);
    t.diagnostic(
      `failover :${oldMaster} → :${newMaster}: promoted after ${failoverMs} ms; a decision ${healedMs} ms after the load stopped went to the new master; ` +
        `acknowledged: ${acked.durable.length} by default, ${acked.plain.length} with wait_replicas=0; ${refused} refused; ` +
        `lost with wait_replicas=0: ${lostPlain.length}`,
    );
    assert.ok(acked.durable.length > 0 && acked.plain.length > 0);
    assert.deepEqual(await lost([before, ...acked.durable]), [], "no acknowledged durable termination lost");

    // Sentinel demotes the old master on its next look at it (up to 10 s); durable writes then wait for it again.
    const rejoinMs = await topology.waitReplica(oldMaster);
    const after = await durable.terminate(`s-${randomUUID()}`, "after the failover", "soc:alice", Date.now());
    assert.equal(after.terminated, true);
    t.diagnostic(`old master back as a replica ${rejoinMs} ms after the checks; durable admin writes acknowledged by it`);
  });
});
