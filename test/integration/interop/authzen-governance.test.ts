// The AuthZEN API over the governance bundle: each evaluation is mapped to a /decide request and decided by the
// same pipeline (ledger, approvals, evidence); and which APIs a bundle serves follows from its entrypoints.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";
import { buildBundle } from "../../helpers/build-bundle.js";
import { buildTodoBundle } from "./interop-sets.js";

const ADMIN = { authorization: "Bearer authzen-admin-token" };
const OPS = writeOperatorsFile([{ id: "t:approver", roles: ["approver"], groups: ["ai-governance"] }]);
let svc: RunningApp;
before(async () => {
  svc = await startApp({ CUSTOS_ADMIN_TOKEN: "authzen-admin-token", CUSTOS_ADMIN_TOKENS_FILE: OPS.path, CUSTOS_DATA: "test/fixtures/ledger-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
});
after(() => svc.close());

const agent = (properties: Record<string, unknown> = {}) => ({
  type: "agent",
  id: "t:agent",
  properties: { on_behalf_of: [{ type: "user", id: "t:owner" }], ...properties },
});
const deploy = (session: string, context: Record<string, unknown> = {}) => ({
  subject: agent(),
  action: { name: "deploy" },
  resource: { type: "model", id: "model:t-model" },
  context: { session: { id: session }, purpose: "testing", ...context },
});

test("escalate is an AuthZEN access request; the granted approval then permits the same request", async () => {
  const first = await svc.post("/access/v1/evaluation", deploy("s-az-approval"));
  assert.equal(first.status, 200);
  assert.equal(first.body.decision, false);
  const { access_request: ar, reasons, obligations, decision_id: id } = first.body.context;
  assert.match(ar.approval_id, /^apr-/);
  assert.ok(Number.isFinite(Date.parse(ar.expires_at)));
  assert.equal(typeof id, "string");
  assert.ok(obligations.some((o: { type: string }) => o.type === "approval"));
  assert.deepEqual(
    reasons.map((r: { id: string; code: string }) => [r.id, r.code]),
    [["APPROVAL_REQUIRED", "APPROVAL_REQUIRED"]],
  );
  assert.equal(typeof reasons[0].reason_admin.en, "string");
  const granted = await svc.post(`/admin/approvals/${ar.approval_id}/grant`, {}, OPS.as["t:approver"]);
  assert.equal(granted.status, 200);
  const again = await svc.post("/access/v1/evaluation", deploy("s-az-approval", { approval_id: ar.approval_id }));
  assert.deepEqual(again.body, { decision: true });
});

test("deny is false with the reasons; a flagged identity's session is terminated and stays so", async () => {
  const unknown = await svc.post("/access/v1/evaluation", {
    subject: { type: "user", id: "t:nobody" },
    action: { name: "read" },
    resource: { type: "dataset", id: "dataset:t-internal" },
    context: { purpose: "testing" },
  });
  assert.equal(unknown.status, 200);
  assert.equal(unknown.body.decision, false);
  assert.ok(unknown.body.context.reasons.some((r: { code: string }) => r.code === "UNREGISTERED_IDENTITY"));

  const signal = await svc.post("/admin/principals/t:outsider/signals", { kind: "unusual_privilege_use", severity: "high", ttl_seconds: 60 }, ADMIN);
  assert.equal(signal.status, 200);
  const outsider = { subject: { type: "user", id: "t:outsider" }, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" } };
  const flagged = await svc.post("/access/v1/evaluation", { ...outsider, context: { session: { id: "s-az-flagged" }, purpose: "testing" } });
  assert.equal(flagged.body.decision, false);
  assert.ok(flagged.body.context.obligations.some((o: { type: string }) => o.type === "session_termination"));
  assert.ok(flagged.body.context.reasons.some((r: { code: string }) => r.code === "PRINCIPAL_FLAGGED"));
  const session = await svc.get("/admin/sessions/s-az-flagged", ADMIN);
  assert.equal(session.body.terminated, true);
});

test("batch over the governance bundle: items in order, an answer without context is exactly {decision}", async () => {
  const r = await svc.post("/access/v1/evaluations", {
    subject: agent(),
    context: { purpose: "testing" },
    evaluations: [
      { action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" }, context: { purpose: "testing", session: "s-az-batch" } },
      { subject: { type: "user", id: "t:nobody" }, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" } },
      { action: { name: "fly" }, resource: { type: "dataset", id: "dataset:t-internal" } },
    ],
  });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.evaluations[0], { decision: true });
  assert.equal(r.body.evaluations[1].decision, false);
  assert.ok(r.body.evaluations[1].context.reasons.length > 0);
  assert.equal(r.body.evaluations[2].decision, false);
  assert.equal(r.body.evaluations[2].context.error.status, 400);
  assert.equal(r.body.evaluations[2].context.error.errors[0].field, "action.name");
});

test("a request the governance policy cannot judge is a 400 naming the AuthZEN field", async () => {
  const base = { subject: { type: "user", id: "t:owner" }, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" } };
  const cases: [Record<string, unknown>, string][] = [
    [{ ...base, subject: { type: "robot", id: "r" } }, "subject.type"],
    [{ ...base, action: { name: "fly" } }, "action.name"],
    [{ ...base, resource: { type: "endpoint", id: "chat" } }, "action.properties.event"],
    [{ ...base, context: { data: { classification: "secret" } } }, "context.data.classification"],
    [{ ...base, subject: { type: "user", id: "t:owner", properties: { scopes: "all" } } }, "subject.properties.scopes"],
  ];
  for (const [body, field] of cases) {
    const r = await svc.post("/access/v1/evaluation", body);
    assert.equal(r.status, 400, field);
    assert.equal(r.body.errors[0].field, field);
  }
});

test("AuthZEN over the governance bundle agrees with /decide on the same requests", async () => {
  const pairs: [Record<string, unknown>, Record<string, unknown>][] = [
    [
      { subject: agent(), action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-restricted" }, context: { session: "s-az-d1", purpose: "testing" } },
      {
        session: { id: "s-az-d2" },
        event: "retrieval",
        identity: { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] },
        action: "read",
        resource: { id: "dataset:t-restricted", type: "dataset" },
        purpose: "testing",
      },
    ],
    [
      { subject: { type: "user", id: "t:approver" }, action: { name: "read" }, resource: { type: "dataset", id: "dataset:t-internal" }, context: { session: "s-az-d3" } },
      { session: { id: "s-az-d4" }, event: "retrieval", identity: { id: "t:approver", type: "human" }, action: "read", resource: { id: "dataset:t-internal", type: "dataset" } },
    ],
  ];
  for (const [authzen, decide] of pairs) {
    const a = await svc.post("/access/v1/evaluation", authzen);
    const d = await svc.post("/decide", decide);
    assert.equal(a.body.decision, d.body.decision === "allow");
    const codes = (a.body.context?.reasons ?? []).map((r: { code: string }) => r.code);
    assert.deepEqual(codes, d.body.reasons.map((r: { code: string }) => r.code));
  }
});

test("a bundle is served by the APIs its entrypoints support; one with neither known entrypoint is refused", async () => {
  const ready = await svc.get("/health/ready");
  assert.deepEqual(ready.body.checks.apis, ["decide", "authzen", "data"]);

  const plain = await startApp({ CUSTOS_BUNDLE: await buildTodoBundle(), CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
  try {
    const d = await plain.post("/decide", { session: { id: "s" }, event: "prompt", identity: { id: "u", type: "human" } });
    assert.equal(d.status, 404);
    assert.deepEqual(d.body, { code: "not_found", message: "the active bundle has no governance entrypoint" });
    assert.deepEqual((await plain.get("/health/ready")).body.checks.apis, ["authzen", "data"]);
  } finally {
    await plain.close();
  }

  const dir = mkdtempSync(join(tmpdir(), "custos-other-"));
  writeFileSync(join(dir, "other.rego"), 'package other\n\nevaluation := {"decision": input.action.name == "ok"}\n');
  const other = await buildBundle({ sources: [join(dir, "other.rego")], entrypoints: ["other/evaluation"] });
  await assert.rejects(
    startApp({ CUSTOS_BUNDLE: other, CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" }),
    (err: { code?: string; message?: string }) => err.code === "bundle_invalid" && /custos\/main\/decision, custos\/authzen\/evaluation/.test(err.message ?? ""),
  );
  const renamed = await startApp({
    CUSTOS_BUNDLE: other,
    CUSTOS_AUTHZEN_ENTRYPOINT: "other/evaluation",
    CUSTOS_WATCH_INTERVAL_MS: "0",
    CUSTOS_AUDIT_LOG: "off",
  });
  try {
    const ask = (name: string) => renamed.post("/access/v1/evaluation", { subject: { type: "user", id: "x" }, action: { name }, resource: { type: "t", id: "1" } });
    assert.deepEqual((await ask("ok")).body, { decision: true });
    assert.deepEqual((await ask("no")).body, { decision: false });
  } finally {
    await renamed.close();
  }
});
