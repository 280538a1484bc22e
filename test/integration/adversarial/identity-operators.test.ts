// Adversarial: the admin API under named operators. A role an operator lacks is a 403; the actor of every action and
// the approver of every approval is the authenticated operator, whatever the body says; separation of duties holds
// against that operator (an approver standing in the request's chain cannot approve it, whatever name the body gives).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";

const BREAK_GLASS = "identity-break-glass-token";
const OPS = writeOperatorsFile([
  { id: "soc:alice", roles: ["approver"], groups: ["ai-governance"] },
  { id: "soc:reader", roles: ["auditor"] },
  { id: "soc:responder", roles: ["responder"] },
  { id: "t:owner", roles: ["approver", "auditor"], groups: ["ai-governance"] },
]);
const codes = (body: any) => (body.reasons as { code: string }[]).map((r) => r.code).sort();
let n = 0;
const sid = (name: string) => `s-ops-${name}-${process.pid}-${++n}`;
const agent = { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] };
const deploy = (session: string, approvalId?: string) => ({
  session: { id: session },
  event: "model_access",
  identity: agent,
  action: "deploy",
  resource: { id: "model:t-model", type: "model" },
  purpose: "testing",
  ...(approvalId ? { context: { approval_id: approvalId } } : {}),
});

describe("operators and roles", () => {
  let app: RunningApp;
  before(async () => {
    app = await startApp({ CUSTOS_ADMIN_TOKEN: BREAK_GLASS, CUSTOS_ADMIN_TOKENS_FILE: OPS.path, CUSTOS_DATA: "test/fixtures/ledger-registry.json" });
  });
  after(() => app.close());

  const pendingApproval = async (s: string) => {
    const esc = await app.post("/decide", deploy(s));
    assert.equal(esc.body.decision, "escalate", JSON.stringify(esc.body.reasons));
    return esc.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
  };

  test("an operator without approver cannot grant (403), one without responder cannot terminate, one without auditor cannot read", async () => {
    const s = sid("roles");
    const id = await pendingApproval(s);
    const grant = await app.post(`/admin/approvals/${id}/grant`, {}, OPS.as["soc:reader"]);
    assert.equal(grant.status, 403);
    assert.equal(grant.body.code, "forbidden");
    assert.equal((await app.get(`/admin/approvals/${id}`, OPS.as["soc:reader"])).body.status, "pending", "nothing changed");
    assert.equal((await app.post(`/admin/sessions/${s}/terminate`, { reason: "x" }, OPS.as["soc:alice"])).status, 403);
    assert.equal((await app.post(`/admin/credentials/k/revoke`, { reason: "x" }, OPS.as["soc:reader"])).status, 403);
    assert.equal((await app.post(`/admin/principals/t:agent/signals`, { kind: "x", severity: "high", ttl_seconds: 5 }, OPS.as["soc:alice"])).status, 403);
    assert.equal((await app.post(`/admin/bundle/reload`, {}, OPS.as["soc:responder"])).status, 403);
    assert.equal((await app.get(`/admin/sessions/${s}`, OPS.as["soc:responder"])).status, 403);
    assert.equal((await app.post("/decide?explain=1", deploy(sid("x")), OPS.as["soc:responder"])).status, 403, "explain needs auditor");
    assert.equal((await app.post("/decide?explain=1", deploy(sid("x")), OPS.as["soc:reader"])).status, 200);
    assert.equal((await app.get(`/admin/sessions/${s}`, { authorization: "Bearer not-an-operator" })).status, 401);
  });

  test("the actor is the authenticated operator: a body naming another actor or approver is ignored or refused", async () => {
    const s = sid("actor");
    assert.equal((await app.post("/decide", deploy(s))).status, 200);
    const t = await app.post(`/admin/sessions/${s}/terminate`, { reason: "suspected", actor: "soc:someone-else" }, OPS.as["soc:responder"]);
    assert.equal(t.status, 200);
    assert.equal(t.body.terminated_by, "soc:responder");
    const id = await pendingApproval(sid("approver-body"));
    const forged = await app.post(`/admin/approvals/${id}/grant`, { approver: { id: "user:grace", groups: ["ai-governance"] } }, OPS.as["soc:alice"]);
    assert.equal(forged.status, 403);
    assert.equal(forged.body.errors[0].field, "approver.id");
    const ok = await app.post(`/admin/approvals/${id}/grant`, { approver: { id: "soc:alice", groups: ["root"] } }, OPS.as["soc:alice"]);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.approver, { id: "soc:alice", groups: ["ai-governance"] }, "groups from the operators file, not the body");
  });

  test("an approver in the request's delegation chain cannot approve it, whatever the body says", async () => {
    const s = sid("sod");
    const id = await pendingApproval(s);
    assert.equal((await app.post(`/admin/approvals/${id}/grant`, { approver: { id: "soc:alice" } }, OPS.as["t:owner"])).status, 403);
    assert.equal((await app.post(`/admin/approvals/${id}/grant`, {}, OPS.as["t:owner"])).status, 200);
    const repeat = await app.post("/decide", deploy(s, id));
    assert.equal(repeat.body.decision, "deny");
    assert.ok(codes(repeat.body).includes("SEPARATION_OF_DUTIES"), JSON.stringify(repeat.body.reasons));
  });

  test("the break-glass token is operator admin with every role", async () => {
    const s = sid("break-glass");
    const t = await app.post(`/admin/sessions/${s}/terminate`, { reason: "x" }, { authorization: `Bearer ${BREAK_GLASS}` });
    assert.equal(t.status, 200);
    assert.equal(t.body.terminated_by, "admin");
    assert.equal((await app.post(`/admin/bundle/reload`, {}, { authorization: `Bearer ${BREAK_GLASS}` })).status, 200);
  });
});
