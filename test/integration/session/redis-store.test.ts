// The Redis store against a real redis-server: the shared contract, two stores sharing one Redis, the documented
// key layout and TTLs, bytes per session, and an outage that fails fast and heals by itself.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { StateUnavailableError, type SessionUpdate } from "../../../src/decision/ports.js";
import { createRedisStore, type RedisSessionStore, type RedisStoreOptions } from "../../../src/session/redis-store.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";
import { describeCrossSessionContract } from "../../helpers/state-contract.js";
import { describeStoreContract, sessionUpdate } from "../../helpers/store-contract.js";

const update = (sessionId: string, patch: Partial<SessionUpdate> = {}): SessionUpdate => sessionUpdate(sessionId, patch);

describe("redis store", () => {
  let redis: RedisServer;
  const stores: RedisSessionStore[] = [];
  const open = (options: Partial<RedisStoreOptions> = {}) => {
    const store = createRedisStore({ url: redis.url, ...options });
    stores.push(store);
    return store;
  };
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
  });

  describeStoreContract("redis", async (options = {}) => {
    const store = createRedisStore({ url: redis.url, ...options });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });
  describeCrossSessionContract("redis", async () => {
    const store = createRedisStore({ url: redis.url });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });

  test("two stores on one Redis: 100 parallel violations split across both count 100; a termination is shared", async () => {
    const [a, b] = [open(), open()];
    const s = `s-${randomUUID()}`;
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).apply(update(s, { violation: true, riskDelta: 1, riskThreshold: 0 }))));
    assert.deepEqual([(await a.getSession(s)).violations, (await b.getSession(s)).risk], [100, 100]);
    await a.terminate(s, "exfiltration suspected", "soc:alice", Date.now());
    const seen = await b.read({ sessionId: s, principalId: "p", credentialId: null, approvalId: null, now: Math.floor(Date.now() / 1000) });
    assert.deepEqual([seen.session.terminated, seen.session.terminated_reason, seen.session.terminated_by], [true, "exfiltration suspected", "soc:alice"]);
  });

  test("keys follow the documented layout, with encoded ids, one hash tag per session, and a TTL each", async () => {
    const store = open({ keyPrefix: "layout:", sessionTtlSeconds: 600 });
    const c = store.client;
    const nowS = Math.floor(Date.now() / 1000);
    const session = "a:b{c}";
    await store.apply(
      update(session, {
        riskDelta: 5,
        approval: {
          id: "apr-{1}",
          status: "pending",
          binding: { session, identity: "i", chain: [], event: "model_access", action: "deploy", resource: "m", tool: "", purpose: "", arguments_digest: "" },
          created_at: nowS,
          expires_at: nowS + 3600,
          approver: null,
          decided_at: null,
          reason: null,
        },
      }),
    );
    await store.revokeCredential("key:1", "leaked", 0, Date.now());
    await store.revokeCredential("key:2", "leaked", 60, Date.now());
    await store.addSignal("agent:x", { kind: "k", severity: "high", expires_at: nowS + 100 });
    await store.addSignal("agent:x", { kind: "k2", severity: "low", expires_at: nowS + 50 });

    const ttl = async (key: string) => [await c.type(key), await c.ttl(key)] as const;
    const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 2, `${actual} ≈ ${expected}`);
    const [sType, sTtl] = await ttl("layout:{s:a%3Ab%7Bc%7D}:session");
    const [eType, eTtl] = await ttl("layout:{s:a%3Ab%7Bc%7D}:events");
    assert.deepEqual([sType, eType], ["hash", "list"]);
    near(sTtl, 600);
    near(eTtl, 600);
    const [r1Type, r1Ttl] = await ttl("layout:cred:key%3A1:revoked");
    assert.equal(r1Type, "string");
    near(r1Ttl, 30 * 86_400);
    near((await ttl("layout:cred:key%3A2:revoked"))[1], 60);
    const [zType] = await ttl("layout:{p:agent%3Ax}:signals");
    assert.equal(zType, "zset");
    assert.equal(Number(await c.call("EXPIRETIME", "layout:{p:agent%3Ax}:signals")), nowS + 100, "expires with its latest signal");
    const [aType, aTtl] = await ttl("layout:approval:apr-%7B1%7D");
    assert.equal(aType, "hash");
    near(aTtl, 3600 + 86_400);
    const cluster = (await c.call("CLUSTER", "KEYSLOT", "layout:{s:a%3Ab%7Bc%7D}:session").catch(() => null)) as number | null;
    if (cluster !== null) assert.equal(cluster, await c.call("CLUSTER", "KEYSLOT", "layout:{s:a%3Ab%7Bc%7D}:events"));
    assert.throws(() => createRedisStore({ url: redis.url, keyPrefix: "bad{" }), /must not contain/);
  });

  test("scripts are sent once per connection, then run by their SHA", async () => {
    const store = open();
    const c = store.client;
    await store.ping();
    await c.config("RESETSTAT");
    const s = `s-${randomUUID()}`;
    for (let i = 0; i < 10; i++) await store.apply(update(s));
    const stats = String(await c.info("commandstats"));
    const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    assert.deepEqual([calls("eval"), calls("evalsha")], [1, 9]);
  });

  test("bytes per session (MEMORY USAGE), printed", async (t) => {
    const store = open();
    const c = store.client;
    const s = `s-${randomUUID()}`;
    const bytes = async () =>
      Number(await c.call("MEMORY", "USAGE", `custos:{s:${s}}:session`, "SAMPLES", "0")) +
      Number(await c.call("MEMORY", "USAGE", `custos:{s:${s}}:events`, "SAMPLES", "0"));
    await store.apply(update(s, { riskDelta: 10, violation: true, classification: "confidential" }));
    const one = await bytes();
    for (let i = 0; i < 30; i++) await store.apply(update(s, { riskDelta: 1, classification: "internal" }));
    const full = await bytes();
    const message = `redis bytes per session: ${one} after 1 decision, ${full} with 20 events (uuid refs)`;
    t.diagnostic(message);
    assert.ok(full < 4096, message);
  });

  test("a fresh store answers its first call without a warm-up", async () => {
    const store = createRedisStore({ url: redis.url });
    try {
      assert.equal((await store.getSession("s-first")).id, "s-first");
    } finally {
      await store.close();
    }
  });

  test("no write is acknowledged before the server's start marker is known, even when the first marker check failed", async () => {
    // The marker check at connect times out (writes paused), so the store's first write is what must learn it; a
    // server that then loses its ledger (flushed, restarted empty) is reported lost instead of adopted as new.
    const admin = open();
    await admin.ping();
    await admin.client.call("CLIENT", "PAUSE", "700", "WRITE");
    const store = open({ keyPrefix: "marker-race:", commandTimeoutMs: 150 });
    await sleep(900);
    const s = `s-${randomUUID()}`;
    await store.apply(update(s, { violation: true }));
    const stale = await admin.client.keys("marker-race:*");
    assert.ok(stale.includes("marker-race:instance"), `the marker is written: ${stale.join(", ")}`);
    await admin.client.del(...stale);
    await assert.rejects(store.ping(), /state was lost/);
  });

  test("Redis hung (CLIENT PAUSE): calls time out at commandTimeoutMs, then succeed once it answers again", async (t) => {
    const store = open({ commandTimeoutMs: 200 });
    const admin = open();
    const s = `s-${randomUUID()}`;
    await store.apply(update(s, { violation: true }));
    await admin.client.call("CLIENT", "PAUSE", "1500", "ALL");
    const pausedAt = Date.now();
    const timings: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      await assert.rejects(store.apply(update(s, { violation: true })), StateUnavailableError);
      timings.push(Math.round(performance.now() - started));
    }
    assert.ok(timings.every((ms) => ms < 1000), `timings ${timings.join(", ")} ms`);
    t.diagnostic(`rejections while hung: ${timings.join(", ")} ms`);
    while (!(await store.ping().then(() => true, () => false))) {
      assert.ok(Date.now() - pausedAt < 6000, "store did not recover within 6 s");
      await sleep(50);
    }
    t.diagnostic(`answering again ${Date.now() - pausedAt} ms after the pause began`);
    assert.ok((await store.getSession(s)).violations >= 1);
  });

  test("Redis killed: every call rejects with StateUnavailableError in < 1 s; after a restart calls succeed by themselves", async (t) => {
    const errors: Error[] = [];
    const store = open({ onError: (err) => errors.push(err) });
    const s = `s-${randomUUID()}`;
    await store.apply(update(s, { violation: true }));

    // Writes in flight when Redis dies settle (one way or the other) promptly.
    const inFlight = Promise.allSettled(Array.from({ length: 50 }, () => store.apply(update(s, { violation: true }))));
    const killedAt = Date.now();
    await redis.kill();
    const settled = await inFlight;
    assert.ok(Date.now() - killedAt < 1000, "in-flight calls settled within 1 s");
    for (const r of settled) if (r.status === "rejected") assert.ok(r.reason instanceof StateUnavailableError, String(r.reason));
    t.diagnostic(`in flight at the kill: ${settled.filter((r) => r.status === "rejected").length} of 50 rejected`);

    const nowS = Math.floor(Date.now() / 1000);
    const calls: [string, () => Promise<unknown>][] = [
      ["read", () => store.read({ sessionId: s, principalId: "p", credentialId: "k", approvalId: "a", now: nowS })],
      ["apply", () => store.apply(update(s, { violation: true }))],
      ["getSession", () => store.getSession(s)],
      ["terminate", () => store.terminate(s, "r", "soc", Date.now())],
      ["resume", () => store.resume(s, "soc", "r", Date.now())],
      ["revokeCredential", () => store.revokeCredential("k", "r", 10, Date.now())],
      ["addSignal", () => store.addSignal("p", { kind: "k", severity: "high", expires_at: nowS + 10 })],
      ["getApproval", () => store.getApproval("a")],
      ["decideApproval", () => store.decideApproval("a", "granted", null, null, nowS)],
      ["ping", () => store.ping()],
    ];
    const timings: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [name, call] of calls) {
        const started = performance.now();
        await assert.rejects(call(), StateUnavailableError, name);
        const took = performance.now() - started;
        assert.ok(took < 1000, `${name} took ${took} ms`);
        if (round === 2) timings.push(`${name} ${took.toFixed(1)} ms`);
      }
      await sleep(300);
    }
    const down = createRedisStore({ url: redis.url });
    const started = performance.now();
    await assert.rejects(down.ping(), StateUnavailableError);
    timings.push(`new store while down ${(performance.now() - started).toFixed(1)} ms`);
    await down.close();
    t.diagnostic(`rejections with Redis down: ${timings.join(", ")}`);
    assert.ok(errors.length >= 1 && errors.length <= 2, `connection errors reported once per outage, got ${errors.length}`);

    await redis.restart();
    const restartedAt = Date.now();
    while (!(await store.getSession(s).then(() => true, () => false))) {
      assert.ok(Date.now() - restartedAt < 5000, "store did not reconnect within 5 s");
      await sleep(50);
    }
    t.diagnostic(`back ${Date.now() - restartedAt} ms after the restart`);
    const after = await store.apply(update(s, { violation: true }));
    assert.equal(after.violations, 1, "a fresh Redis: the ledger starts again");
    assert.equal((await store.getSession(s)).violations, 1);
    // This Redis persists nothing: the restart lost the ledger, and readiness (ping) says so until Custos restarts.
    await assert.rejects(store.ping(), /state was lost/);
  });
});
