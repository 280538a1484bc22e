// Real responses of the AuthZEN and OPA Data API endpoints validate against docs/openapi.yaml, over the governance
// bundle and over a plain AuthZEN bundle with search.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { assertConforms } from "../../helpers/openapi.js";
import { buildCertBundle } from "./interop-sets.js";

let gov: RunningApp;
let cert: RunningApp;
before(async () => {
  gov = await startApp({ CUSTOS_DATA: "test/fixtures/ledger-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
  cert = await startApp({ CUSTOS_BUNDLE: await buildCertBundle(), CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
});
after(async () => {
  await gov.close();
  await cert.close();
});

test("AuthZEN and Data API responses conform to the OpenAPI description", async () => {
  const checked = new Set<string>();
  const post = async (svc: RunningApp, path: string, body: unknown) => {
    const r = await svc.post(path, body);
    assertConforms("POST", path, r.status, r.body);
    checked.add(`POST ${path} ${r.status}`);
    return r;
  };
  const get = async (svc: RunningApp, path: string) => {
    const r = await svc.get(path);
    assertConforms("GET", path, r.status, r.body);
    checked.add(`GET ${path} ${r.status}`);
    return r;
  };
  const agent = { type: "agent", id: "t:agent", properties: { on_behalf_of: [{ type: "user", id: "t:owner" }] } };
  const deploy = { subject: agent, action: { name: "deploy" }, resource: { type: "model", id: "model:t-model" }, context: { purpose: "testing" } };
  const read = { subject: agent, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" }, context: { purpose: "testing" } };
  const nobody = { ...read, subject: { type: "user", id: "t:nobody" } };

  assert.equal((await post(gov, "/access/v1/evaluation", deploy)).body.context.access_request.approval_id.slice(0, 4), "apr-");
  assert.deepEqual((await post(gov, "/access/v1/evaluation", read)).body, { decision: true });
  assert.equal((await post(gov, "/access/v1/evaluation", nobody)).body.decision, false);
  assert.equal((await post(gov, "/access/v1/evaluation", { subject: agent })).status, 400);
  const batch = await post(gov, "/access/v1/evaluations", { evaluations: [read, nobody, deploy, { action: { name: "read" } }] });
  assert.equal(batch.body.evaluations.length, 4);
  await post(gov, "/access/v1/evaluations", read);
  assert.equal((await post(gov, "/access/v1/search/subject", { subject: { type: "user" }, action: { name: "read" }, resource: read.resource })).status, 404);
  await get(gov, "/.well-known/authzen-configuration");
  await get(gov, "/health/ready");

  const raw = await post(gov, "/v1/data/custos%2Fmain%2Fdecision", { input: { request: {}, now: 0, facts: {}, state: {} } });
  assert.equal(raw.status, 200);
  assert.equal((await post(gov, "/v1/data/no%2Fsuch", { input: {} })).status, 404);
  assert.equal((await post(gov, "/v1/data/custos%2Fauthzen%2Fevaluation", "[1]")).status, 400);
  await get(gov, "/v1/data/custos%2Fauthzen%2Fevaluation");

  const search = { subject: { type: "user" }, action: { name: "read" }, resource: { type: "record", id: "record-1" } };
  await post(cert, "/access/v1/search/subject", search);
  await post(cert, "/access/v1/search/subject", { ...search, page: { limit: 1 } });
  await post(cert, "/access/v1/search/resource", { subject: { type: "user", id: "alice" }, action: { name: "read" }, resource: { type: "record" } });
  await post(cert, "/access/v1/search/action", { subject: { type: "user", id: "alice" }, resource: { type: "record", id: "record-1" } });
  await post(cert, "/access/v1/search/action", { subject: { type: "user", id: "alice" } });
  await post(cert, "/access/v1/evaluations", {
    subject: { type: "user", id: "alice" },
    action: { name: "read" },
    evaluations: [{ resource: { type: "record", id: "record-1" } }, {}],
  });
  await get(cert, "/.well-known/authzen-configuration");
  assert.equal((await post(cert, "/decide", { session: { id: "s" }, event: "prompt", identity: { id: "u", type: "human" } })).status, 404);
  assert.ok(checked.size >= 15, [...checked].join("\n"));
});
