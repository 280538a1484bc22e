// Adversarial: a Redis that forgets. A restart of a redis-server that persists nothing revives terminated sessions;
// Custos warns at start that the server persists nothing, and readiness fails once the server comes back without
// the ledger it had. With `appendonly yes` the termination survives the restart and readiness holds.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRedisStore } from "../../../src/session/redis-store.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("adversarial: Redis restarts", { timeout: 60_000 }, () => {
  const servers: RedisServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers) await c();
    for (const s of servers) await s.stop();
  });

  for (const persist of [false, true]) {
    test(persist ? "with appendonly yes: a restart keeps the termination and readiness holds" : "without persistence: a start-up warning, and readiness fails after a restart that lost the ledger", async () => {
      const redis = await startRedis({ persist });
      servers.push(redis);
      const warnings: string[] = [];
      const store = createRedisStore({ url: redis.url, commandTimeoutMs: 1000, onWarning: (m) => warnings.push(m) });
      closers.push(() => store.close());
      await eventually("the store", async () => (await store.ping(), true));
      const s = `s-${randomUUID()}`;
      await store.terminate(s, "exfiltration suspected", "soc:alice", Date.now());
      await eventually("the persistence check", async () => (persist || warnings.length > 0 ? true : undefined));
      if (persist) assert.deepEqual(warnings, []);
      else assert.match(warnings[0]!, /persists nothing/);

      await redis.restart();
      await eventually("the reconnection", async () => ((await store.getSession(s)) ? true : undefined));
      const session = await store.getSession(s);
      if (persist) {
        assert.equal(session.terminated, true, "the termination survived the restart");
        await store.ping();
        assert.equal(store.lostState(), false);
      } else {
        assert.equal(session.terminated, false, "the restart forgot it (the defect readiness must show)");
        await assert.rejects(store.ping(), /state was lost/);
        assert.equal(store.lostState(), true);
        assert.ok(warnings.some((w) => /no longer holds the ledger/.test(w)), warnings.join("\n"));
        await assert.rejects(store.ping(), /state was lost/, "and stays failed");
      }
    });
  }
});
