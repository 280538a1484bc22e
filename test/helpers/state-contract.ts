// The store contract of the state beyond one session (principal risk, quotas, credential principals, sub-agent
// sessions, taint and labels), run against both stores. Time is the `now` each call passes (the stores judge
// windows by the service's clock), so windows are crossed by passing a later `now`, on both stores alike.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { afterEach, describe, test } from "node:test";
import {
  CREDENTIAL_MISUSE_SIGNAL,
  MAX_CHILD_SESSIONS,
  MAX_LABELS_SEEN,
  RISK_THRESHOLD_SIGNAL,
  type PrincipalUpdate,
  type QuotaRef,
  type SessionStore,
  type StateQuery,
} from "../../src/decision/ports.js";
import { sessionUpdate, type MakeHarness } from "./store-contract.js";

const id = (p: string) => `${p}-${randomUUID()}`;

function principalUpdate(principalId: string, now: number, patch: Partial<PrincipalUpdate> = {}): PrincipalUpdate {
  return {
    principalId,
    riskDelta: 0,
    riskWindowSeconds: 0,
    riskThreshold: 0,
    quotas: [],
    credentialId: null,
    credentialWindowSeconds: 0,
    now,
    ...patch,
  };
}

function query(sessionId: string, principalId: string, nowMs: number, patch: Partial<StateQuery> = {}): StateQuery {
  return { sessionId, principalId, credentialId: null, approvalId: null, now: Math.floor(nowMs / 1000), ...patch };
}

/** Registers the suite under `name`. */
export function describeCrossSessionContract(name: string, make: MakeHarness): void {
  describe(`SessionStore contract, beyond one session: ${name}`, () => {
    const open: SessionStore[] = [];
    const harness = async () => {
      const h = await make();
      open.push(h.store);
      return h;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    test("principal risk sums across sessions over the window, flags once at the threshold, and an operator clears it", async () => {
      const { store, now } = await harness();
      const p = id("agent");
      const t0 = now();
      const window = 600;
      const add = (delta: number, at: number) => store.applyPrincipal(principalUpdate(p, at, { riskDelta: delta, riskWindowSeconds: window, riskThreshold: 100 }));
      assert.deepEqual(await add(40, t0), { risk: 40, flaggedNow: false, quotaExceeded: null, misuseOwner: null });
      assert.equal((await add(40, t0 + 1000)).risk, 80);
      const third = await add(40, t0 + 2000);
      assert.deepEqual([third.risk, third.flaggedNow], [120, true]);
      assert.equal((await add(10, t0 + 3000)).flaggedNow, false, "flagged once while the signal lasts");
      const snap = await store.read(query(id("s"), p, t0 + 3000, { principalRiskWindowSeconds: window }));
      assert.equal(snap.principal.risk, 130);
      assert.deepEqual(snap.principal.signals.map((s) => [s.kind, s.severity]), [[RISK_THRESHOLD_SIGNAL, "critical"]]);
      const view = await store.getPrincipal(p, t0 + 3000);
      assert.deepEqual([view.risk, view.window_seconds, view.signals.length], [130, window, 1]);
      const cleared = await store.clearPrincipal(p, t0 + 3000);
      assert.equal(cleared.risk, 130);
      const after = await store.getPrincipal(p, t0 + 3000);
      assert.deepEqual([after.risk, after.signals], [0, []]);
      // Windowed: what was added ages out (within one bucket of window / 60).
      await add(50, t0 + 4000);
      const later = await store.read(query(id("s"), p, t0 + 4000 + (window + window / 60 + 1) * 1000, { principalRiskWindowSeconds: window }));
      assert.equal(later.principal.risk, 0);
    });

    test("quotas admit exactly max per fixed window, all or nothing, and a new window starts again", async () => {
      const { store, now } = await harness();
      const p = id("agent");
      const start = Math.ceil(now() / 60_000) * 60_000 + 60_000;
      const small: QuotaRef = { id: "q-small", per: "principal", owner: p, max: 3, window_seconds: 60 };
      const big: QuotaRef = { id: "q-big", per: "principal", owner: p, max: 100, window_seconds: 60 };
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await store.applyPrincipal(principalUpdate(p, start + i, { quotas: [big, small] })));
      assert.deepEqual(results.map((r) => r.quotaExceeded?.id ?? null), [null, null, null, "q-small", "q-small"]);
      const snap = await store.read(query(id("s"), p, start + 10, { quotas: [big, small] }));
      assert.deepEqual(snap.quotas, [3, 3], "a refused decision counts against none of its quotas");
      const next = await store.applyPrincipal(principalUpdate(p, start + 60_000, { quotas: [big, small] }));
      assert.equal(next.quotaExceeded, null);
      const c = id("key");
      const perCredential: QuotaRef = { id: "q-cred", per: "credential", owner: c, max: 1, window_seconds: 60 };
      const u = (who: string) => principalUpdate(who, start, { quotas: [perCredential], credentialId: c });
      assert.equal((await store.applyPrincipal(u(id("a")))).quotaExceeded, null);
      assert.equal((await store.applyPrincipal(u(id("b")))).quotaExceeded?.id, "q-cred", "per credential, whoever presents it");
    });

    test("a credential presented by a second principal within the window names the first, which gets a review signal", async () => {
      const { store, now } = await harness();
      const c = id("key");
      const [first, second] = [id("agent-a"), id("agent-b")];
      const t0 = now();
      const use = (who: string, at: number) => store.applyPrincipal(principalUpdate(who, at, { credentialId: c, credentialWindowSeconds: 60 }));
      assert.equal((await use(first, t0)).misuseOwner, null);
      assert.equal((await use(first, t0 + 1000)).misuseOwner, null);
      assert.equal((await use(second, t0 + 2000)).misuseOwner, first);
      assert.equal((await use(first, t0 + 3000)).misuseOwner, null, "the first principal keeps using it");
      const snap = await store.read(query(id("s"), first, t0 + 3000, { credentialId: c, credentialWindowSeconds: 60 }));
      assert.deepEqual(snap.credential.principals?.map((x) => x.id), [first, second]);
      assert.deepEqual(snap.principal.signals.map((s) => [s.kind, s.severity]), [[CREDENTIAL_MISUSE_SIGNAL, "medium"]]);
      // Once the first has not used it for a window, it is nobody's but the one using it.
      const late = t0 + 3000 + 61_000;
      assert.equal((await use(second, late)).misuseOwner, null);
      assert.equal((await use(first, late + 1000)).misuseOwner, second);
    });

    test("sub-agent sessions: the read links a child, a termination of the parent ends its children and theirs", async () => {
      const { store, now } = await harness();
      const [parent, child, grandchild] = [id("parent"), id("child"), id("grandchild")];
      const t = now();
      await store.applyDecision(sessionUpdate(parent, { classification: "restricted", taint: "d-taint", labels: ["payroll"] }, t));
      const snap = await store.read(query(child, "agent", t, { parentId: parent }));
      assert.deepEqual(snap.parent, { id: parent, terminated: false, max_classification: "restricted", labels_seen: ["payroll"], tainted: true, tainted_by: "d-taint", full: false });
      const own = await store.applyDecision(sessionUpdate(child, { parentId: parent, classification: "restricted", taint: "d-taint", labels: ["payroll", "x"] }, t));
      assert.deepEqual([own.session.parent_id, own.session.tainted_by, own.session.labels_seen, own.session.max_classification], [parent, "d-taint", ["payroll", "x"], "restricted"]);
      await store.read(query(grandchild, "agent", t, { parentId: child }));
      await store.terminate(parent, "compromised", "soc:alice", t);
      for (const s of [child, grandchild]) {
        const view = await store.getSession(s);
        assert.deepEqual([view.terminated, view.terminated_reason], [true, "parent session terminated"], s);
      }
      // A policy termination cascades too.
      const [p2, c2] = [id("parent"), id("child")];
      await store.read(query(c2, "agent", t, { parentId: p2 }));
      const ended = await store.applyDecision(sessionUpdate(p2, { terminate: "PRINCIPAL_FLAGGED" }, t));
      assert.equal(ended.terminatedNow, true);
      assert.equal((await store.getSession(c2)).terminated, true);
    });

    test("a parent links at most MAX_CHILD_SESSIONS children; labels seen are bounded; taint keeps its first decision", async () => {
      const { store, now } = await harness();
      const parent = id("parent");
      const t = now();
      for (let i = 0; i < MAX_CHILD_SESSIONS; i++) await store.read(query(`${parent}-c${i}`, "agent", t, { parentId: parent }));
      assert.equal((await store.read(query(`${parent}-c0`, "agent", t, { parentId: parent }))).parent?.full, false, "a linked child stays linked");
      assert.equal((await store.read(query(`${parent}-extra`, "agent", t, { parentId: parent }))).parent?.full, true);
      const s = id("s");
      const labels = Array.from({ length: MAX_LABELS_SEEN + 10 }, (_, i) => `l${String(i).padStart(3, "0")}`);
      await store.applyDecision(sessionUpdate(s, { labels, taint: "d-1" }, t));
      const view = (await store.applyDecision(sessionUpdate(s, { taint: "d-2" }, t))).session;
      assert.equal(view.labels_seen.length, MAX_LABELS_SEEN);
      assert.deepEqual([view.tainted, view.tainted_by], [true, "d-1"]);
    });
  });
}
