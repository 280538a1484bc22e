// The AuthZEN → governance mapping: the service's (src/interop/authzen-mapping.ts) and the Rego adapter's
// (rego/custos/authzen, compiled to WebAssembly) give the same governance request, and the service's answers
// translate allow, deny and escalate as documented.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { readBundle } from "../../../src/policy/bundle-reader.js";
import { loadPolicyInstance, type PolicyInstance } from "../../../src/policy/policy-engine.js";
import { authzenField, fromDecision, toDecideCandidate } from "../../../src/interop/authzen-mapping.js";
import type { EvaluationRequest } from "../../../src/interop/authzen-request.js";
import { buildBundle } from "../../helpers/build-bundle.js";

let rego: PolicyInstance;
before(async () => {
  const bundle = await buildBundle({ sources: ["rego/custos/authzen"], entrypoints: ["custos/authzen/request"] });
  rego = await loadPolicyInstance(await readBundle(bundle), null);
});

const requests: EvaluationRequest[] = [
  {
    subject: { type: "agent", id: "agent:coder", properties: { scopes: ["repo:read"], on_behalf_of: [{ type: "user", id: "user:dana" }] } },
    action: { name: "invoke" },
    resource: { type: "tool", id: "github/read_file", properties: { arguments: { path: "src/app.ts" } } },
    context: { session: { id: "s-1" }, purpose: "coding", mtls: true, network: "vpn", ip: "10.0.0.1" },
  },
  {
    subject: { type: "user", id: "user:dana", properties: { credential: { id: "k-1", type: "api_key" } } },
    action: { name: "output", properties: { action: "export" } },
    resource: { type: "document", id: "doc:1" },
    context: { session: "s-2", data: { classification: "internal", labels: ["x"], destination: "external" } },
  },
  {
    subject: { type: "service", id: "svc:etl" },
    action: { name: "read", properties: { event: "retrieval" } },
    resource: { type: "endpoint", id: "https://api" },
    context: { session: { id: "s-3" }, approval_id: "apr-1", device: { managed: true } },
  },
  {
    subject: { type: "workload", id: "wl:1" },
    action: { name: "deploy" },
    resource: { type: "model", id: "model:m" },
    context: { session: { id: "s-4" } },
  },
  {
    subject: { type: "ai_agent", id: "a:2" },
    action: { name: "execute" },
    resource: { type: "tool", id: "shell", properties: { server: "local" } },
    context: { session: { id: "s-5" } },
  },
];

test("the service's mapping and the Rego adapter's give the same governance request", () => {
  for (const r of requests) {
    assert.deepEqual(rego.evaluate("custos/authzen/request", r), toDecideCandidate(r), JSON.stringify(r));
  }
});

test("mapping details: types, events, tools, sessions and recorded time", () => {
  const m = toDecideCandidate({
    subject: { type: "user", id: "u" },
    action: { name: "read" },
    resource: { type: "dataset", id: "d" },
    context: { time: "2025-06-27T18:03-07:00" },
  });
  assert.equal((m.identity as { type: string }).type, "human");
  assert.equal(m.event, "retrieval");
  assert.equal(m.action, "read");
  assert.match((m.session as { id: string }).id, /^authzen-/);
  assert.deepEqual(m.context, { time: "2025-06-28T01:03:00.000Z" });
  assert.deepEqual(toDecideCandidate(requests[4]!).tool, { server: "local", name: "shell" });
  assert.equal(authzenField("identity.on_behalf_of.0.type"), "subject.properties.on_behalf_of.0.type");
  assert.equal(authzenField("tool.arguments"), "resource.properties.arguments");
  assert.equal(authzenField("data.classification"), "context.data.classification");
});

test("answers: allow is true, deny carries reasons, escalate is an access request, state unavailable fails closed", () => {
  const body = (decision: "allow" | "deny" | "escalate", obligations: any[] = [], reasons: any[] = []) => ({
    outcome: "decided" as const,
    body: { decision, decision_id: "d-1", reasons, obligations, session: {} as any, policy: { revision: "r" } },
  });
  const reason = { code: "SCOPE_MISSING", message: "m", severity: "high" as const, controls: ["c"] };
  assert.deepEqual(fromDecision(body("allow")), { decision: true });
  assert.deepEqual(fromDecision(body("allow", [{ type: "redact", text: "x" }])), {
    decision: true,
    context: { decision_id: "d-1", obligations: [{ type: "redact", text: "x" }] },
  });
  assert.deepEqual(fromDecision(body("deny", [{ type: "session_termination" }], [reason])), {
    decision: false,
    context: {
      decision_id: "d-1",
      obligations: [{ type: "session_termination" }],
      reasons: [{ id: "SCOPE_MISSING", code: "SCOPE_MISSING", message: "m", severity: "high", controls: ["c"], reason_admin: { en: "m" } }],
    },
  });
  const approval = { type: "approval", approval_id: "apr-1", expires_at: "2030-01-01T00:00:00.000Z" };
  const esc = fromDecision(body("escalate", [approval], [{ ...reason, code: "APPROVAL_REQUIRED" }]));
  assert.equal(esc.decision, false);
  assert.deepEqual(esc.context?.access_request, { approval_id: "apr-1", expires_at: "2030-01-01T00:00:00.000Z" });
  assert.throws(() => fromDecision({ ...body("deny"), outcome: "state_unavailable" }), /state store/);
});
