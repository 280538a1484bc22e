// The shadow evaluator's bounds: a full queue drops, a spent time share skips, and neither ever delays the caller.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createShadowEvaluator, type ShadowResult } from "../../../src/decision/shadow.js";
import type { PolicyInstance } from "../../../src/policy/policy-engine.js";

const OUTPUT = { decision: "allow", reasons: [], obligations: [], monitored: [] };

/** A policy that agrees with every input and takes `costMs` of the fake clock per evaluation. */
function clocked(costMs: number) {
  const clock = { t: 0 };
  const policy = {
    revision: "shadow",
    evaluate: () => {
      clock.t += costMs;
      return OUTPUT;
    },
  } as unknown as PolicyInstance;
  return { clock, policy };
}

function offerMany(n: number, share: number, costMs: number, queueSize = 100_000) {
  const { clock, policy } = clocked(costMs);
  const results: ShadowResult[] = [];
  const evaluator = createShadowEvaluator({
    policy: () => policy,
    queueSize,
    maxShare: share,
    now: () => clock.t,
    onResult: (r) => results.push(r),
    onDisagreement: () => undefined,
  });
  for (let i = 0; i < n; i++) evaluator.offer({ decision_id: `d${i}`, time: 0, revision: "live", input: {}, output: OUTPUT });
  return { evaluator, results, clock };
}

const count = (results: ShadowResult[], r: ShadowResult) => results.filter((x) => x === r).length;

describe("shadow evaluator bounds", () => {
  test("within its share it spends at most the saved second plus share × the time it ran; the rest is skipped", async () => {
    // 2 ms per evaluation, 5 %: 50 ms saved = 25 evaluations, then 1 earned per 40 ms, and time only passes while
    // it evaluates here, so the backlog is mostly skipped.
    const { evaluator, results, clock } = offerMany(2000, 0.05, 2);
    await evaluator.idle();
    const agreed = count(results, "agree");
    const skipped = count(results, "skipped");
    assert.equal(agreed + skipped, 2000);
    assert.ok(skipped > 0, "over its share, inputs are skipped");
    const spent = agreed * 2;
    assert.ok(spent <= 50 + 2 + 0.05 * clock.t, `spent ${spent} ms of ${clock.t} ms`);
    assert.ok(agreed >= 25, `the saved second's worth is used (${agreed})`);
  });

  test("time that passes refills the budget: after a pause the shadow evaluates again", async () => {
    const { evaluator, results, clock } = offerMany(200, 0.05, 2);
    await evaluator.idle();
    const before = count(results, "agree");
    clock.t += 1000; // a quiet second earns 50 ms: 25 more evaluations
    for (let i = 0; i < 100; i++) evaluator.offer({ decision_id: `e${i}`, time: 0, revision: "live", input: {}, output: OUTPUT });
    await evaluator.idle();
    const added = count(results, "agree") - before;
    assert.ok(added >= 25 && added <= 27, `evaluated after the pause: ${added}`);
  });

  test("a share of 1 evaluates every queued input; a full queue drops, counted, never waited for", async () => {
    const { evaluator, results } = offerMany(50, 1, 2, 10);
    assert.equal(count(results, "dropped"), 40);
    await evaluator.idle();
    assert.equal(count(results, "agree"), 10);
    assert.equal(count(results, "skipped"), 0);
  });
});
