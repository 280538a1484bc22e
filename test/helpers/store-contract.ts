// The behaviour every SessionStore must show, as one suite run against the in-memory store (fake clock) and the
// Redis store (real time, real redis-server), so the two cannot drift apart.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { afterEach, describe, test } from "node:test";
import {
  MAX_SESSION_EVENTS,
  StateUnavailableError,
  emptySession,
  type ApprovalRecord,
  type Classification,
  type SessionStore,
  type SessionUpdate,
} from "../../src/decision/ports.js";

/** A store under test and its notion of time. */
export interface StoreHarness {
  store: SessionStore;
  /** The store's clock, Unix milliseconds. */
  now(): number;
  /** Lets `ms` pass for the store: moves a fake clock, or waits. */
  advance(ms: number): Promise<void>;
}

/** Options the suite varies; a factory maps them onto its store. */
export interface HarnessOptions {
  sessionTtlSeconds?: number;
  approvalGraceSeconds?: number;
}

export type MakeHarness = (options?: HarnessOptions) => Promise<StoreHarness>;

/** A neutral decision update (an allow, no risk) for `sessionId` at `now`; `patch` changes what a test is about. */
export function sessionUpdate(sessionId: string, patch: Partial<SessionUpdate> = {}, now = Date.now()): SessionUpdate {
  return {
    sessionId,
    riskDelta: 0,
    violation: false,
    terminate: null,
    riskThreshold: 100,
    classification: null,
    event: { at: now, kind: "decision", ref: randomUUID(), detail: "allow", event: "prompt" },
    approval: null,
    now,
    ...patch,
  };
}

/** Registers the shared suite under `name`. */
export function describeStoreContract(name: string, make: MakeHarness): void {
  describe(`SessionStore contract: ${name}`, () => {
    const open: SessionStore[] = [];
    const harness = async (options?: HarnessOptions) => {
      const h = await make(options);
      open.push(h.store);
      return h;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    const id = (label: string) => `${label}:${randomUUID()}`;
    const secs = (h: StoreHarness) => Math.floor(h.now() / 1000);
    const update = (h: StoreHarness, sessionId: string, patch: Partial<SessionUpdate> = {}): SessionUpdate => sessionUpdate(sessionId, patch, h.now());
    type ReadExtra = { principalId?: string; credentialId?: string; approvalId?: string; now?: number };
    const read = (h: StoreHarness, sessionId: string, extra: ReadExtra = {}) =>
      h.store.read({
        sessionId,
        principalId: extra.principalId ?? id("p"),
        credentialId: extra.credentialId ?? null,
        approvalId: extra.approvalId ?? null,
        now: extra.now ?? secs(h),
      });
    const approvalFor = (h: StoreHarness, sessionId: string, ttlSeconds = 3600): ApprovalRecord => ({
      id: id("apr"),
      status: "pending",
      binding: { session: sessionId, identity: "agent:a", chain: [], event: "model_access", action: "deploy", resource: "model:m", tool: "", purpose: "", arguments_digest: "" },
      created_at: secs(h),
      expires_at: secs(h) + ttlSeconds,
      approver: null,
      decided_at: null,
      reason: null,
    });

    test("an unknown session, credential, principal and approval read as empty", async () => {
      const h = await harness();
      const s = id("s{odd}:id");
      const snap = await read(h, s, { credentialId: id("cred"), approvalId: id("apr") });
      assert.deepEqual(snap, { session: emptySession(s), credential: { revoked: false }, principal: { signals: [] }, delegators: [], approval: null });
      assert.deepEqual(await h.store.getSession(s), emptySession(s));
      assert.equal(await h.store.getApproval(id("apr")), null);
      await h.store.ping();
    });

    test("apply accumulates risk and violations, keeps events newest first, and returns the session after", async () => {
      const h = await harness();
      const s = id("s");
      const u1 = update(h, s, { riskDelta: 10, violation: true });
      const u2 = update(h, s, { riskDelta: 5, event: { at: h.now(), kind: "decision", ref: "d-2", detail: "deny", event: "output" } });
      const after1 = await h.store.apply(u1);
      assert.deepEqual([after1.risk, after1.violations, after1.events.length], [10, 1, 1]);
      const after2 = await h.store.apply(u2);
      assert.deepEqual([after2.risk, after2.violations, after2.terminated], [15, 1, false]);
      assert.deepEqual(after2.events, [u2.event, u1.event]);
      assert.deepEqual((await read(h, s)).session, after2);
      assert.deepEqual(await h.store.getSession(s), after2);
    });

    test("an admin event without an event type round-trips without one", async () => {
      const h = await harness();
      const s = id("s");
      const at = h.now();
      const after = await h.store.terminate(s, "why", "soc:alice", at);
      assert.deepEqual(after.events, [{ at, kind: "terminate", ref: "soc:alice", detail: "why" }]);
      assert.equal("event" in after.events[0]!, false);
    });

    test("the classification high-water mark rises and never falls", async () => {
      const h = await harness();
      const s = id("s");
      const seen: (Classification | null)[] = [];
      for (const c of ["internal", null, "restricted", "public", "confidential"] as const) {
        seen.push((await h.store.apply(update(h, s, { classification: c }))).max_classification);
      }
      assert.deepEqual(seen, ["internal", "internal", "restricted", "restricted", "restricted"]);
    });

    test("terminate in an update ends the session by policy; a later reason does not replace the first", async () => {
      const h = await harness();
      const s = id("s");
      const t = await h.store.apply(update(h, s, { terminate: "principal flagged", violation: true }));
      assert.deepEqual([t.terminated, t.terminated_reason, t.terminated_by], [true, "principal flagged", "policy"]);
      const again = await h.store.apply(update(h, s, { terminate: "something else" }));
      assert.deepEqual([again.terminated_reason, again.terminated_by, again.violations], ["principal flagged", "policy", 1]);
      assert.equal((await read(h, s)).session.terminated, true);
    });

    test("reaching the risk threshold terminates; a threshold of 0 never does", async () => {
      const h = await harness();
      const s = id("s");
      const r1 = await h.store.apply(update(h, s, { riskDelta: 40, riskThreshold: 100 }));
      assert.equal(r1.terminated, false);
      const r2 = await h.store.apply(update(h, s, { riskDelta: 60, riskThreshold: 100 }));
      assert.deepEqual([r2.risk, r2.terminated, r2.terminated_reason, r2.terminated_by], [100, true, "risk threshold reached", "policy"]);
      const off = id("s");
      const r3 = await h.store.apply(update(h, off, { riskDelta: 1000, riskThreshold: 0 }));
      assert.deepEqual([r3.risk, r3.terminated], [1000, false]);
    });

    test(`a session keeps its ${MAX_SESSION_EVENTS} newest events`, async () => {
      const h = await harness();
      const s = id("s");
      let last = emptySession(s);
      for (let i = 0; i < MAX_SESSION_EVENTS + 5; i++) {
        last = await h.store.apply(update(h, s, { event: { at: i, kind: "decision", ref: `d-${i}`, detail: "allow", event: "prompt" } }));
      }
      assert.equal(last.events.length, MAX_SESSION_EVENTS);
      assert.equal(last.events[0]!.ref, `d-${MAX_SESSION_EVENTS + 4}`);
      assert.equal(last.events.at(-1)!.ref, "d-5");
    });

    test("admin terminate and resume record who and why; resume clears termination and risk, keeps violations", async () => {
      const h = await harness();
      const s = id("s");
      await h.store.apply(update(h, s, { riskDelta: 150, violation: true, riskThreshold: 100 }));
      const t = await h.store.terminate(s, "exfiltration suspected", "soc:alice", h.now());
      assert.deepEqual([t.terminated, t.terminated_reason, t.terminated_by], [true, "risk threshold reached", "policy"], "first reason kept");
      const r = await h.store.resume(s, "soc:bob", "cleared", h.now());
      assert.deepEqual([r.terminated, r.terminated_reason, r.terminated_by, r.risk, r.violations], [false, null, null, 0, 1]);
      assert.deepEqual(
        r.events.slice(0, 2).map((e) => [e.kind, e.ref, e.detail]),
        [
          ["resume", "soc:bob", "cleared"],
          ["terminate", "soc:alice", "exfiltration suspected"],
        ],
      );
      const fresh = id("s");
      const pre = await h.store.terminate(fresh, "pre-emptive", "soc:alice", h.now());
      assert.deepEqual([pre.terminated, pre.terminated_reason, pre.terminated_by], [true, "pre-emptive", "soc:alice"]);
      assert.equal((await read(h, fresh)).session.terminated, true);
    });

    test("100 concurrent applies on one session lose no increment", async () => {
      const h = await harness();
      const s = id("s");
      await Promise.all(Array.from({ length: 100 }, () => h.store.apply(update(h, s, { riskDelta: 1, violation: true, riskThreshold: 0 }))));
      const after = await h.store.getSession(s);
      assert.deepEqual([after.violations, after.risk, after.events.length], [100, 100, MAX_SESSION_EVENTS]);
    });

    test("concurrent applies crossing the threshold terminate exactly once, with the threshold reason", async () => {
      const h = await harness();
      const s = id("s");
      const results = await Promise.all(Array.from({ length: 20 }, () => h.store.apply(update(h, s, { riskDelta: 10, riskThreshold: 100 }))));
      assert.equal(results.filter((r) => r.terminated).length, 11, "the 10th and every later one see it terminated");
      assert.equal((await h.store.getSession(s)).terminated_reason, "risk threshold reached");
    });

    test("a revoked credential reads as revoked, others do not; a revocation expires with its TTL", async () => {
      const h = await harness();
      const s = id("s");
      const [short, long, other] = [id("key"), id("key"), id("key")];
      await h.store.revokeCredential(short, "leaked", 1, h.now());
      await h.store.revokeCredential(long, "leaked", 0, h.now());
      assert.equal((await read(h, s, { credentialId: short })).credential.revoked, true);
      assert.equal((await read(h, s, { credentialId: other })).credential.revoked, false);
      assert.equal((await read(h, s)).credential.revoked, false, "no credential presented");
      await h.advance(1100);
      assert.equal((await read(h, s, { credentialId: short })).credential.revoked, false, "ttl 1 s passed");
      assert.equal((await read(h, s, { credentialId: long })).credential.revoked, true, "ttl 0 means the long default");
    });

    test("signals are read while unexpired at the query's time; re-adding a (kind, severity) moves its expiry", async () => {
      const h = await harness();
      const s = id("s");
      const p = id("agent");
      const t0 = secs(h);
      // Expiries at least 2 s ahead: with a real clock (Redis) the writes may cross a second boundary, and a store
      // may prune by its own clock when it writes.
      await h.store.addSignal(p, { kind: "unusual_privilege_use", severity: "high", expires_at: t0 + 2 });
      await h.store.addSignal(p, { kind: "impossible_travel", severity: "medium", expires_at: t0 + 3600 });
      await h.store.addSignal(p, { kind: "stale", severity: "low", expires_at: t0 - 1 });
      assert.deepEqual((await read(h, s, { principalId: p, now: t0 })).principal.signals, [
        { kind: "unusual_privilege_use", severity: "high", expires_at: t0 + 2 },
        { kind: "impossible_travel", severity: "medium", expires_at: t0 + 3600 },
      ]);
      const later = (await read(h, s, { principalId: p, now: t0 + 2 })).principal.signals;
      assert.deepEqual(later.map((x) => x.kind), ["impossible_travel"], "expired at expires_at");
      await h.store.addSignal(p, { kind: "impossible_travel", severity: "medium", expires_at: t0 + 10 });
      assert.deepEqual((await read(h, s, { principalId: p, now: t0 + 2 })).principal.signals, [
        { kind: "impossible_travel", severity: "medium", expires_at: t0 + 10 },
      ]);
    });

    test("a principal's signals are dropped once the last one expired", async () => {
      const h = await harness();
      const p = id("agent");
      await h.store.addSignal(p, { kind: "burst", severity: "critical", expires_at: secs(h) + 1 });
      await h.advance(1100);
      const now = secs(h);
      // Ask with a stale time: what remains is what the store still holds.
      assert.deepEqual((await read(h, id("s"), { principalId: p, now: now - 100 })).principal.signals, []);
    });

    test("approvals: created with an update, read, granted once; a second decision changes nothing", async () => {
      const h = await harness();
      const s = id("s");
      const a = approvalFor(h, s);
      await h.store.apply(update(h, s, { approval: a }));
      assert.deepEqual(await h.store.getApproval(a.id), a);
      assert.deepEqual((await read(h, s, { approvalId: a.id })).approval, a);
      const nowS = secs(h);
      const granted = await h.store.decideApproval(a.id, "granted", { id: "sec:carol", groups: [] }, "ticket 42", nowS);
      const expected = { ...a, status: "granted", approver: { id: "sec:carol", groups: [] }, decided_at: nowS, reason: "ticket 42" };
      assert.deepEqual(granted, expected);
      assert.deepEqual(await h.store.decideApproval(a.id, "denied", { id: "sec:dave", groups: ["x"] }, "no", nowS + 1), expected);
      assert.deepEqual(await h.store.getApproval(a.id), expected);
      assert.equal(await h.store.decideApproval(id("apr"), "granted", null, null, nowS), null, "unknown");
    });

    test("approvals by binding digest: the latest one, while pending and unexpired; decided or expired, none", async () => {
      const h = await harness();
      const s = id("s");
      const key = id("hmac-sha256:binding");
      assert.equal(await h.store.findPendingApproval(key, secs(h)), null, "unknown digest");
      const a = approvalFor(h, s);
      await h.store.apply(update(h, s, { approval: a, approvalKey: key }));
      assert.deepEqual(await h.store.findPendingApproval(key, secs(h)), a);
      const b = approvalFor(h, s, 60);
      await h.store.apply(update(h, s, { approval: b, approvalKey: key }));
      assert.deepEqual(await h.store.findPendingApproval(key, secs(h)), b, "the latest wins");
      assert.equal(await h.store.findPendingApproval(key, b.expires_at), null, "expired");
      await h.store.decideApproval(b.id, "denied", null, null, secs(h));
      assert.equal(await h.store.findPendingApproval(key, secs(h)), null, "decided");
      const c = approvalFor(h, s);
      await h.store.apply(update(h, s, { approval: c }));
      assert.equal(await h.store.findPendingApproval(key, secs(h)), null, "an approval created without a digest is not found by one");
    });

    test("approvals: a deny without approver or reason; an expired pending one cannot be decided", async () => {
      const h = await harness();
      const s = id("s");
      const a = approvalFor(h, s);
      const b = approvalFor(h, s, 1);
      await h.store.apply(update(h, s, { approval: a }));
      await h.store.apply(update(h, s, { approval: b }));
      const nowS = secs(h);
      const denied = await h.store.decideApproval(a.id, "denied", null, null, nowS);
      assert.deepEqual([denied?.status, denied?.approver, denied?.reason, denied?.decided_at], ["denied", null, null, nowS]);
      const late = await h.store.decideApproval(b.id, "granted", { id: "sec:carol", groups: ["ai-governance"] }, null, b.expires_at);
      assert.deepEqual(late, b, "expired: unchanged");
    });

    test("an expired approval is kept for the grace period, then forgotten", async () => {
      const h = await harness({ approvalGraceSeconds: 1 });
      const s = id("s");
      const a = approvalFor(h, s, 1);
      await h.store.apply(update(h, s, { approval: a }));
      await h.advance(1100);
      const kept = await read(h, s, { approvalId: a.id });
      assert.ok(kept.approval && kept.approval.expires_at <= secs(h), "expired but still known");
      await h.advance(1100);
      assert.equal(await h.store.getApproval(a.id), null);
    });

    test("an idle session expires after its TTL; every write restarts it", async () => {
      const h = await harness({ sessionTtlSeconds: 1 });
      const s = id("s");
      await h.store.apply(update(h, s, { violation: true }));
      await h.advance(600);
      await h.store.terminate(s, "hold", "soc:alice", h.now());
      await h.advance(600);
      assert.equal((await read(h, s)).session.violations, 1, "refreshed by the terminate");
      await h.advance(1100);
      assert.deepEqual((await read(h, s)).session, emptySession(s));
    });

    test("applyDecision says what the write found: terminated before it, terminated by it (one write only)", async () => {
      const h = await harness();
      const s = id("s");
      const first = await h.store.applyDecision(update(h, s, { riskDelta: 60 }));
      assert.deepEqual([first.wasTerminated, first.terminatedNow, first.consumed], [false, false, null]);
      const results = await Promise.all(Array.from({ length: 10 }, () => h.store.applyDecision(update(h, s, { riskDelta: 20, violation: true }))));
      assert.equal(results.filter((r) => r.terminatedNow).length, 1, "exactly one write crosses the threshold");
      const crossing = results.findIndex((r) => r.terminatedNow);
      assert.equal(results[crossing]!.wasTerminated, false);
      assert.equal(results.filter((r) => r.wasTerminated).length, 8, "60+20 does not terminate, +20 does, the 8 after it find it terminated");
      const s2 = id("s");
      await h.store.terminate(s2, "admin", "soc:alice", h.now());
      const late = await h.store.applyDecision(update(h, s2, { terminate: "principal flagged" }));
      assert.deepEqual([late.wasTerminated, late.terminatedNow, late.session.terminated_reason], [true, false, "admin"]);
    });

    test("a granted approval is consumed once: concurrent writes, one succeeds; pending or unknown ones are not consumed", async () => {
      const h = await harness();
      const s = id("s");
      const a = approvalFor(h, s);
      await h.store.apply(update(h, s, { approval: a }));
      const early = await h.store.applyDecision(update(h, s, { consume: a.id }));
      assert.equal(early.consumed, false, "pending is not consumable");
      await h.store.decideApproval(a.id, "granted", { id: "soc:bob", groups: [] }, null, secs(h));
      const results = await Promise.all(Array.from({ length: 10 }, () => h.store.applyDecision(update(h, s, { consume: a.id }))));
      assert.equal(results.filter((r) => r.consumed === true).length, 1);
      assert.equal((await h.store.getApproval(a.id))!.status, "consumed");
      assert.equal((await h.store.decideApproval(a.id, "denied", null, null, secs(h)))!.status, "consumed", "not decided again");
      assert.equal((await h.store.applyDecision(update(h, s, { consume: id("apr") }))).consumed, false);
    });

    test("the read fetches the signals of every delegator in the chain, in order", async () => {
      const h = await harness();
      const [p, d1, d2] = [id("p"), id("d"), id("d")];
      const exp = secs(h) + 600;
      await h.store.addSignal(d2, { kind: "unusual_privilege_use", severity: "high", expires_at: exp });
      await h.store.addSignal(d2, { kind: "old", severity: "critical", expires_at: secs(h) - 1 });
      const snap = await h.store.read({ sessionId: id("s"), principalId: p, delegatorIds: [d1, d2], credentialId: null, approvalId: null, now: secs(h) });
      assert.deepEqual(snap.principal.signals, []);
      assert.deepEqual(snap.delegators, [
        { id: d1, signals: [] },
        { id: d2, signals: [{ kind: "unusual_privilege_use", severity: "high", expires_at: exp }] },
      ]);
    });

    test("a closed store rejects with StateUnavailableError", async () => {
      const h = await make();
      await h.store.close();
      await assert.rejects(h.store.getSession(id("s")), StateUnavailableError);
      await assert.rejects(h.store.ping(), StateUnavailableError);
    });
  });
}
