// Real responses of every documented endpoint validate against docs/openapi.yaml.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";
import { assertConforms } from "../../helpers/openapi.js";

const ADMIN = { authorization: "Bearer openapi-admin-token" };
const OPS = writeOperatorsFile([{ id: "t:approver", roles: ["approver"] }, { id: "ops:reader", roles: ["auditor"] }]);
let svc: RunningApp;
before(async () => {
  svc = await startApp({ CUSTOS_ADMIN_TOKEN: "openapi-admin-token", CUSTOS_ADMIN_TOKENS_FILE: OPS.path, CUSTOS_DATA: "test/fixtures/ledger-registry.json" });
});
after(() => svc.close());

const agent = { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] };

test("responses of /decide, health, metrics and the admin API conform to the OpenAPI description", async () => {
  const checked: string[] = [];
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = await svc.post(path, body, headers);
    assertConforms("POST", path, r.status, r.body);
    checked.push(`POST ${path} ${r.status}`);
    return r;
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await svc.get(path, headers);
    if (path === "/metrics") assertConforms("GET", path, r.status, r.text, "text/plain");
    else assertConforms("GET", path, r.status, r.body);
    checked.push(`GET ${path} ${r.status}`);
    return r;
  };
  const deploy = {
    session: { id: "s-oas" },
    event: "model_access",
    identity: agent,
    action: "deploy",
    resource: { id: "model:t-model", type: "model" },
    purpose: "testing",
  };
  const esc = await post("/decide", deploy);
  assert.equal(esc.body.decision, "escalate");
  await post("/decide", { ...deploy, identity: { id: "t:nobody", type: "human" } });
  await post("/decide?explain=1", deploy, ADMIN);
  await post("/decide", { session: {} });
  await post("/decide?explain=1", deploy);
  await get("/health/live");
  await get("/health/ready");
  await get("/metrics");
  await get("/admin/sessions/s-oas", ADMIN);
  await post("/admin/sessions/s-oas/terminate", { reason: "test" }, ADMIN);
  await post("/admin/sessions/s-oas/resume", {}, ADMIN);
  await post("/admin/credentials/key-1/revoke", { reason: "leaked" }, ADMIN);
  await post("/admin/principals/t:agent/signals", { kind: "x", severity: "low", ttl_seconds: 60 }, ADMIN);
  const id = esc.body.obligations.find((o: { type: string }) => o.type === "approval").approval_id as string;
  await get(`/admin/approvals/${id}`, ADMIN);
  await post(`/admin/approvals/${id}/grant`, {}, OPS.as["t:approver"]);
  await post(`/admin/sessions/s-oas/terminate`, { reason: "no role" }, OPS.as["ops:reader"]);
  await post(`/admin/approvals/${id}/deny`, {}, ADMIN);
  await get(`/admin/approvals/apr-missing`, ADMIN);
  await post("/admin/bundle/reload", {}, ADMIN);
  await svc.app.operations.settle();
  await get("/admin/approvals?status=pending&limit=5", ADMIN);
  await get("/admin/approvals?limit=0", ADMIN);
  await get("/admin/reviews?status=open", ADMIN);
  await get("/admin/reviews/rev-missing", ADMIN);
  await post("/admin/reviews/rev-missing/resolve", { verdict: "benign" }, ADMIN);
  await get("/admin/sessions?status=active&min_risk=0", ADMIN);
  await get("/admin/principals?registered=false", ADMIN);
  await get("/admin/credentials/key-1/usage", ADMIN);
  await post("/admin/principals/t:agent/terminate-sessions", { reason: "test" }, ADMIN);
  await post("/admin/credentials/key-2/revoke", { reason: "leaked", terminate_sessions: true }, ADMIN);
  await get("/admin/sessions/x");
  assert.ok(checked.length >= 19);
});
