// decide() on its own: the in-memory store, a real bundle compiled from a small policy, an injected clock (time
// passes by the clock, never by sleeping), and the records it hands to the evidence sink.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { createDecider, type DeciderDeps } from "../../../src/decision/decide.js";
import type { DecisionRecord } from "../../../src/decision/ports.js";
import type { DecideRequest } from "../../../src/decision/request.js";
import { createInspector } from "../../../src/inspect/index.js";
import { readBundle } from "../../../src/policy/bundle-reader.js";
import { loadPolicyInstance, type PolicyInstance } from "../../../src/policy/policy-engine.js";
import { createMemoryStore } from "../../../src/session/memory-store.js";
import { buildBundle } from "../../helpers/build-bundle.js";

const START = Date.UTC(2026, 10, 20, 10, 0, 0);
const AWS_KEY = ["AKIA", "QYLPMN5HFIQR7B3X"].join("");

let policy: PolicyInstance;
before(async () => {
  const path = await buildBundle({
    sources: ["test/fixtures/decide-unit"],
    entrypoints: ["custos/main/decision"],
    data: { governance: { settings: { risk_threshold: 100, deny_at: 6 } } },
  });
  policy = await loadPolicyInstance(await readBundle(path), null);
});

/** A decider over a fresh in-memory store on a clock the test moves. */
function setup(overrides: Partial<DeciderDeps> = {}, sessionTtlSeconds = 60) {
  let now = START;
  const clock = () => now;
  const store = createMemoryStore({ sessionTtlSeconds, clock, sweepIntervalMs: 0 });
  const records: DecisionRecord[] = [];
  const decide = createDecider({
    policy: () => policy,
    store,
    inspector: createInspector({ fingerprintKey: "k".repeat(32) }),
    sink: (r) => records.push(r),
    textDigest: (text) => `digest:${text.length}`,
    clock,
    ...overrides,
  });
  return { decide, store, records, clock, advance: (ms: number) => void (now += ms) };
}

const request = (session: string, extra: Partial<DecideRequest> = {}): DecideRequest => ({
  session: { id: session },
  event: "prompt",
  identity: { id: "agent-1", type: "agent" },
  ...extra,
});

describe("decide()", () => {
  test("an allowed decision is tagged decided, carries no status, and is recorded at the clock's time", async () => {
    const { decide, records } = setup();
    const o = await decide(request("s-allow"));
    assert.equal(o.outcome, "decided");
    assert.equal("status" in o, false);
    assert.equal(o.body.decision, "allow");
    assert.equal(o.body.session.risk, 1);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.outcome, "decided");
    assert.equal(records[0]!.time, new Date(START).toISOString());
    assert.equal(records[0]!.decision_id, o.body.decision_id);
  });

  test("content with a secret is redacted in the answer and never reaches the record in clear", async () => {
    const { decide, records } = setup();
    const text = `deploy with ${AWS_KEY} please`;
    const o = await decide(request("s-redact", { data: { text } }));
    const redact = o.body.obligations.find((x) => x.type === "redact") as { text?: string } | undefined;
    assert.ok(redact?.text && !redact.text.includes(AWS_KEY) && redact.text.includes("[REDACTED:"), JSON.stringify(o.body.obligations));
    assert.equal(o.body.session.violations, 1);
    const recorded = JSON.stringify(records[0]);
    assert.ok(!recorded.includes(AWS_KEY), "the record holds no secret");
    assert.equal(((records[0]!.input.request as { data: { text_digest?: string } }).data).text_digest, `digest:${text.length}`);
    assert.deepEqual(records[0]!.result.obligations, [{ type: "redact" }]);
  });

  test("risk accumulates until the policy terminates the session, once, and the record says so", async () => {
    const { decide, records } = setup();
    await decide(request("s-risk", { data: { text: `key ${AWS_KEY}` } }));
    assert.equal((await decide(request("s-risk"))).body.session.risk, 6);
    const end = await decide(request("s-risk"));
    assert.equal(end.body.decision, "deny");
    assert.equal(end.body.session.terminated, true);
    assert.equal(records.at(-1)!.session_terminated, true);
    const after = await decide(request("s-risk"));
    assert.deepEqual(after.body.reasons.map((r) => r.code), ["SESSION_TERMINATED"]);
    assert.equal(records.at(-1)!.session_terminated, undefined, "only the decision that ended it is marked");
  });

  test("an idle session's ledger expires by the injected clock (no sleeping)", async () => {
    const { decide, store, advance, clock } = setup({}, 1);
    await store.terminate("s-ttl", "hold", "soc", clock());
    assert.equal((await decide(request("s-ttl"))).body.decision, "deny");
    advance(999);
    assert.equal((await decide(request("s-ttl"))).body.decision, "deny", "within the TTL");
    advance(1_001);
    assert.equal((await decide(request("s-ttl"))).body.decision, "allow", "expired");
  });

  test("a store that cannot answer fails closed, tagged state_unavailable; fail open decides without state", async () => {
    const closed = setup();
    await closed.store.close();
    const o = await closed.decide(request("s-down"));
    assert.equal(o.outcome, "state_unavailable");
    assert.equal(o.body.decision, "deny");
    assert.deepEqual(o.body.reasons.map((r) => r.code), ["STATE_UNAVAILABLE"]);
    assert.equal(closed.records[0]!.outcome, "state_unavailable");

    const open = setup({ failMode: "open" });
    await open.store.close();
    const o2 = await open.decide(request("s-down"));
    assert.equal(o2.outcome, "decided");
    assert.equal(o2.body.decision, "allow");
  });

  test("without an active policy decide() refuses with policy_unavailable and records nothing", async () => {
    const { decide, records } = setup({ policy: () => null });
    await assert.rejects(decide(request("s-none")), (err: unknown) => (err as { code?: string }).code === "policy_unavailable");
    assert.equal(records.length, 0);
  });
});
