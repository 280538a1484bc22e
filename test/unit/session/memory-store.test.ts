// The in-memory store: the shared contract on a fake clock, plus its own expiry mechanics (lazy and swept).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMemoryStore, type MemoryStoreOptions } from "../../../src/session/memory-store.js";
import { describeCrossSessionContract } from "../../helpers/state-contract.js";
import { describeStoreContract } from "../../helpers/store-contract.js";

function fakeClock(start = Date.UTC(2026, 10, 20, 10, 0, 0, 250)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describeStoreContract("memory", async (options = {}) => {
  const clock = fakeClock();
  const store = createMemoryStore({ ...options, clock: clock.now });
  return { store, now: clock.now, advance: async (ms) => clock.advance(ms) };
});

describeCrossSessionContract("memory", async () => {
  const clock = fakeClock();
  const store = createMemoryStore({ clock: clock.now });
  return { store, now: clock.now, advance: async (ms) => clock.advance(ms) };
});

describe("memory store expiry", () => {
  const make = (options: MemoryStoreOptions = {}) => {
    const clock = fakeClock();
    return { clock, store: createMemoryStore({ clock: clock.now, ...options }) };
  };

  test("defaults: a session lives a day idle, a revocation 30 days, an approval a day past its expiry", async () => {
    const { clock, store } = make();
    const nowS = Math.floor(clock.now() / 1000);
    await store.terminate("s-1", "hold", "soc:alice", clock.now());
    await store.revokeCredential("key-1", "leaked", 0, clock.now());
    await store.apply({
      sessionId: "s-2",
      riskDelta: 0,
      violation: false,
      terminate: null,
      riskThreshold: 100,
      classification: null,
      event: { at: clock.now(), kind: "decision", ref: "d", detail: "escalate" },
      approval: {
        id: "apr-1",
        status: "pending",
        binding: { session: "s-2", identity: "a", chain: [], event: "model_access", action: "deploy", resource: "m", tool: "", purpose: "", arguments_digest: "" },
        created_at: nowS,
        expires_at: nowS + 3600,
        approver: null,
        decided_at: null,
        reason: null,
      },
      now: clock.now(),
    });
    const snapshot = () =>
      store.read({ sessionId: "s-1", principalId: "p", credentialId: "key-1", approvalId: "apr-1", now: Math.floor(clock.now() / 1000) });

    clock.advance(86_399_000);
    let snap = await snapshot();
    assert.deepEqual([snap.session.terminated, snap.credential.revoked, snap.approval?.status], [true, true, "pending"]);
    clock.advance(1000);
    snap = await snapshot();
    assert.deepEqual([snap.session.terminated, snap.credential.revoked, snap.approval?.status], [false, true, "pending"]);
    clock.advance(3600_000);
    assert.equal((await snapshot()).approval, null, "1 h approval + 1 day grace");
    clock.advance(29 * 86_400_000 - 3600_000 - 1000);
    assert.equal((await snapshot()).credential.revoked, true, "just under 30 days");
    clock.advance(1000);
    assert.equal((await snapshot()).credential.revoked, false, "30 days");
    await store.close();
  });

  test("the periodic sweep reclaims expired entries nobody reads again", async () => {
    const { clock, store } = make({ sessionTtlSeconds: 1, sweepIntervalMs: 5 });
    await store.terminate("s-1", "hold", "soc:alice", clock.now());
    await store.revokeCredential("key-1", "leaked", 1, clock.now());
    await store.addSignal("p-1", { kind: "k", severity: "high", expires_at: Math.floor(clock.now() / 1000) + 1 });
    assert.equal(store.size(), 3);
    clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(store.size(), 0);
    await store.close();
  });

  test("close stops the sweep and empties the store", async () => {
    const { clock, store } = make({ sweepIntervalMs: 5 });
    await store.terminate("s-1", "hold", "soc:alice", clock.now());
    await store.close();
    assert.equal(store.size(), 0);
  });

  test("returned sessions and approvals are copies: mutating them changes nothing stored", async () => {
    const { clock, store } = make();
    const s = await store.terminate("s-1", "hold", "soc:alice", clock.now());
    s.events[0]!.detail = "tampered";
    s.terminated = false;
    const again = await store.getSession("s-1");
    assert.deepEqual([again.terminated, again.events[0]!.detail], [true, "hold"]);
    await store.close();
  });
});

describe("memory store bounds", () => {
  const decision = (sessionId: string, at: number) => ({
    sessionId,
    riskDelta: 0,
    violation: false,
    terminate: null,
    riskThreshold: 100,
    classification: null,
    event: { at, kind: "decision", ref: "d", detail: "allow", event: "prompt" },
    approval: null,
    now: at,
  });

  test("past maxSessions the least recently written session goes first; terminated sessions only last", async () => {
    const store = createMemoryStore({ maxSessions: 3, sweepIntervalMs: 0 });
    await store.terminate("t-1", "hold", "soc:alice", Date.now());
    for (const s of ["a", "b"]) await store.apply(decision(s, Date.now()));
    await store.apply(decision("a", Date.now())); // a is now the most recent
    await store.apply(decision("c", Date.now()));
    assert.equal((await store.getSession("t-1")).terminated, true, "terminated kept, though oldest");
    assert.equal((await store.getSession("b")).events.length, 0, "b (least recently written) evicted");
    assert.equal((await store.getSession("a")).events.length, 2);
    assert.equal((await store.getSession("c")).events.length, 1);
    assert.deepEqual(store.evictions(), { sessions: 1, terminated_sessions: 0, approvals: 0 });
    for (const s of ["t-2", "t-3", "t-4"]) await store.terminate(s, "hold", "soc:alice", Date.now());
    assert.ok(store.evictions().terminated_sessions >= 1, "only terminated left: the oldest of them goes, counted apart");
    await store.close();
  });

  test("maxBytes bounds the estimated size: 20 000 sessionless evaluations stay under 1 MiB", async () => {
    const store = createMemoryStore({ maxBytes: 1024 * 1024, sweepIntervalMs: 0 });
    for (let i = 0; i < 20_000; i++) await store.apply(decision(`authzen-${i}`, Date.now()));
    assert.ok(store.bytes() <= 1024 * 1024, String(store.bytes()));
    assert.ok(store.evictions().sessions > 0);
    assert.ok(store.size() < 20_000);
    await store.close();
  });
});
