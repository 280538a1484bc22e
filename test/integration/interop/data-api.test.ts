// The OPA Data API subset, driven by the real OPA client (@styra/opa) against Custos: the governance entrypoint
// with the raw policy input (as OPA would be called), a plain bundle's entrypoint, undefined results and unknown
// paths, plus the Rego AuthZEN adapter agreeing with the AuthZEN API.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OPAClient } from "@styra/opa";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { buildBundle } from "../../helpers/build-bundle.js";
import { interopSet } from "./interop-sets.js";

const ADMIN = { authorization: "Bearer data-api-admin-token" };
let gov: RunningApp;
let todo: RunningApp;
before(async () => {
  gov = await startApp({ CUSTOS_ADMIN_TOKEN: "data-api-admin-token", CUSTOS_DATA: "test/fixtures/ledger-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
  const bundle = await buildBundle({
    sources: ["test/fixtures/authzen-todo"],
    entrypoints: ["custos/authzen/evaluation", "authzen_todo/allow"],
    data: { todo_pip: { users: interopSet("todo-users-pip.json") } },
  });
  todo = await startApp({ CUSTOS_BUNDLE: bundle, CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
});
after(async () => {
  await gov.close();
  await todo.close();
});

const deploy = {
  session: { id: "s-data-api" },
  event: "model_access",
  identity: { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] },
  action: "deploy",
  resource: { id: "model:t-model", type: "model" },
  purpose: "testing",
};

test("@styra/opa evaluates custos/main/decision with the raw policy input and gets what the policy returns", async () => {
  const explained = await gov.post("/decide?explain=1", { ...deploy, identity: { id: "t:nobody", type: "human" } }, ADMIN);
  assert.equal(explained.status, 200);
  const { input, output } = explained.body.explain;
  const opa = new OPAClient(gov.url);
  const result = await opa.evaluate<Record<string, unknown>, Record<string, unknown>>("custos/main/decision", input);
  assert.deepEqual(result, output);
  assert.equal(result.decision, "deny");
});

test("the Data API answers {result, decision_id}; undefined is 200 without result; an unknown path is 404", async () => {
  const rick = interopSet("todo-decisions-authorization-api-1_0-02.json").evaluation[0].request;
  const raw = await todo.post("/v1/data/custos/authzen/evaluation", { input: rick });
  assert.equal(raw.status, 200);
  assert.deepEqual(raw.body.result, { decision: true });
  assert.match(raw.body.decision_id, /^[0-9a-f-]{36}$/);

  const opa = new OPAClient(todo.url);
  assert.deepEqual(await opa.evaluate("custos/authzen/evaluation", rick), { decision: true });
  assert.equal(await opa.evaluate("authzen_todo/allow", rick), true);
  const stranger = { ...rick, subject: { type: "user", id: "nobody" } };
  assert.equal(await opa.evaluate("authzen_todo/allow", stranger), undefined);
  assert.deepEqual(await opa.evaluate("custos/authzen/evaluation"), { decision: false });

  const undefinedResult = await todo.post("/v1/data/authzen_todo/allow", { input: stranger });
  assert.equal(undefinedResult.status, 200);
  assert.deepEqual(Object.keys(undefinedResult.body), ["decision_id"]);
  const falsy = await todo.post("/v1/data/custos/authzen/evaluation", { input: false });
  assert.deepEqual(falsy.body.result, { decision: false });

  const unknown = await todo.post("/v1/data/custos/main/decision", { input: {} });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, "resource_not_found");
  await assert.rejects(opa.evaluate("no/such/rule", {}));
  assert.equal((await todo.post("/v1/data/custos/authzen/evaluation", [1])).status, 400);
});

test("the Rego AuthZEN adapter (custos/authzen/evaluation in the governance bundle) agrees with the AuthZEN API", async () => {
  const ready = await gov.get("/health/ready");
  assert.equal(ready.status, 200);
  const opa = new OPAClient(gov.url);
  const requests = [
    { subject: { type: "user", id: "t:nobody" }, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" } },
    {
      subject: { type: "agent", id: "t:agent", properties: { on_behalf_of: [{ type: "user", id: "t:owner" }] } },
      action: { name: "read" },
      resource: { type: "dataset", id: "dataset:t-internal" },
      context: { purpose: "testing" },
    },
    {
      subject: { type: "agent", id: "t:agent", properties: { on_behalf_of: [{ type: "user", id: "t:owner" }] } },
      action: { name: "deploy" },
      resource: { type: "model", id: "model:t-model" },
      context: { purpose: "testing" },
    },
  ];
  for (const [i, request] of requests.entries()) {
    const viaApi = (await gov.post("/access/v1/evaluation", { ...request, context: { ...request.context, session: `s-adapter-${i}` } })).body;
    const viaRego = await opa.evaluate<Record<string, unknown>, { decision: boolean; context?: Record<string, any> }>("custos/authzen/evaluation", {
      ...request,
      context: { ...request.context, session: `s-adapter-rego-${i}` },
      custos: { now: Math.floor(Date.now() / 1000) },
    });
    assert.equal(viaRego.decision, viaApi.decision, `request ${i}`);
    const codes = (r: { context?: Record<string, any> }) => (r.context?.reasons ?? []).map((x: { code: string }) => x.code);
    assert.deepEqual(codes(viaRego), codes(viaApi), `request ${i}`);
    if (viaApi.context?.access_request) assert.deepEqual(viaRego.context?.access_request, {});
  }
});

test("direct evaluations (a plain AuthZEN bundle, the Data API) record their input with secrets and personal data redacted, wherever they are", async () => {
  const bundle = await buildBundle({
    sources: ["test/fixtures/authzen-todo"],
    entrypoints: ["custos/authzen/evaluation", "authzen_todo/allow"],
    data: { todo_pip: { users: interopSet("todo-users-pip.json") } },
  });
  const svc = await startApp({ CUSTOS_BUNDLE: bundle, CUSTOS_WATCH_INTERVAL_MS: "0" });
  const aws = "AKIA" + "Q7RZ4KX2M9WPL3VB";
  const mail = "maria.kowalska@" + "example.org";
  try {
    const authzen = await svc.post("/access/v1/evaluation", {
      subject: { type: "user", id: "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs" },
      action: { name: "can_read_user" },
      resource: { type: "user", id: "beth@the-smiths.com" },
      context: { note: `use ${aws} and write to ${mail}` },
    });
    assert.equal(authzen.status, 200);
    const data = await svc.post("/v1/data/authzen_todo/allow", { input: { deep: [{ token: aws }], contact: mail } });
    assert.equal(data.status, 200);
  } finally {
    await svc.app.close();
  }
  const log = (await import("node:fs")).readFileSync(svc.auditPath, "utf8");
  assert.equal(log.trim().split("\n").length, 2, "both evaluations are recorded");
  assert.ok(!log.includes(aws) && !log.includes(mail), "no value in the decision log");
  assert.ok(log.includes("[REDACTED:aws-access-key]") && log.includes("[REDACTED:email]"));
  await svc.close();
});
