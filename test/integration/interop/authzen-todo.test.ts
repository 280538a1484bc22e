// Every case of the AuthZEN Todo interop decision sets (1.0-01 and 1.0-02, single and batch) and of the API gateway
// set, over real HTTP, against the Todo scenario bundle (test/fixtures/authzen-todo + the scenario's PIP users).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { buildTodoBundle, interopSet } from "./interop-sets.js";

interface Case {
  request: Record<string, unknown>;
  expected: unknown;
}

let svc: RunningApp;
before(async () => {
  svc = await startApp({ CUSTOS_BUNDLE: await buildTodoBundle(), CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
});
after(() => svc.close());

/** Runs single evaluations; returns how many matched. */
async function runEvaluations(cases: Case[]): Promise<number> {
  let passed = 0;
  for (const [i, c] of cases.entries()) {
    const r = await svc.post("/access/v1/evaluation", c.request);
    assert.equal(r.status, 200, `case ${i}: status`);
    assert.deepEqual(r.body, { decision: c.expected }, `case ${i}: ${JSON.stringify(c.request)}`);
    passed++;
  }
  return passed;
}

/** The same cases as one batch: decisions in request order. */
async function runAsBatch(cases: Case[]): Promise<void> {
  const r = await svc.post("/access/v1/evaluations", { evaluations: cases.map((c) => c.request) });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { evaluations: cases.map((c) => ({ decision: c.expected })) });
}

for (const name of ["todo-decisions-authorization-api-1_0-01.json", "todo-decisions-authorization-api-1_0-02.json"]) {
  test(`AuthZEN Todo interop: every evaluation of ${name}`, async (t) => {
    const cases = interopSet<{ evaluation: Case[] }>(name).evaluation;
    const passed = await runEvaluations(cases);
    await runAsBatch(cases);
    t.diagnostic(`${name} evaluation: ${passed}/${cases.length} passed`);
    assert.equal(passed, cases.length);
  });
}

test("AuthZEN Todo interop: every batch of todo-decisions-authorization-api-1_0-02.json", async (t) => {
  const cases = interopSet<{ evaluations: Case[] }>("todo-decisions-authorization-api-1_0-02.json").evaluations;
  let passed = 0;
  for (const [i, c] of cases.entries()) {
    const r = await svc.post("/access/v1/evaluations", c.request);
    assert.equal(r.status, 200, `batch ${i}: status`);
    assert.deepEqual(r.body, { evaluations: c.expected }, `batch ${i}`);
    passed++;
  }
  t.diagnostic(`todo-decisions-authorization-api-1_0-02.json evaluations: ${passed}/${cases.length} passed`);
  assert.equal(passed, cases.length);
});

test("AuthZEN API gateway interop: every evaluation of gateway-decisions-authorization-api-1_0-02.json", async (t) => {
  const cases = interopSet<{ evaluation: Case[] }>("gateway-decisions-authorization-api-1_0-02.json").evaluation;
  const passed = await runEvaluations(cases);
  await runAsBatch(cases);
  t.diagnostic(`gateway-decisions-authorization-api-1_0-02.json evaluation: ${passed}/${cases.length} passed`);
  assert.equal(passed, cases.length);
});

test("batch semantics: deny_on_first_deny and permit_on_first_permit stop at the deciding item, in order", async () => {
  const rick = { type: "user", id: "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs" };
  const beth = { type: "user", id: "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs" };
  const resource = { type: "todo", id: "todo-1" };
  const evaluations = [{ subject: rick }, { subject: beth }, { subject: rick }];
  const body = (semantic?: string) => ({
    action: { name: "can_create_todo" },
    resource,
    evaluations,
    ...(semantic ? { options: { evaluations_semantic: semantic } } : {}),
  });
  assert.deepEqual((await svc.post("/access/v1/evaluations", body())).body, {
    evaluations: [{ decision: true }, { decision: false }, { decision: true }],
  });
  assert.deepEqual((await svc.post("/access/v1/evaluations", body("execute_all"))).body.evaluations.length, 3);
  assert.deepEqual((await svc.post("/access/v1/evaluations", body("deny_on_first_deny"))).body, {
    evaluations: [{ decision: true }, { decision: false }],
  });
  assert.deepEqual((await svc.post("/access/v1/evaluations", body("permit_on_first_permit"))).body, { evaluations: [{ decision: true }] });
  const bad = await svc.post("/access/v1/evaluations", body("first_come"));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].field, "options.evaluations_semantic");
});
