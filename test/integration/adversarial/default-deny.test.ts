// Attacks on what the registry does not know, over real HTTP against the committed bundle: look-alike resource ids,
// actions a resource does not list, missing resources, egress without a destination after restricted data,
// inconsistent credential times, and request values echoed in reason messages.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startApp, withTimes, type RunningApp } from "../../helpers/app.js";

type Reason = { code: string; message: string };
const codes = (body: { reasons: Reason[] }): string[] => body.reasons.map((r) => r.code);
const compliant = { device: { managed: true, compliant: true } };

const trainer = { id: "service:model-trainer", type: "service" };
const priya = { id: "user:priya", type: "human" };
const sam = { id: "user:sam", type: "human" };

describe("adversarial: default deny for what the registry does not know", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp();
  });
  after(async () => {
    await svc?.close();
  });

  const decide = async (body: unknown) => {
    const r = await svc.post("/decide", withTimes(body));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { decision: string; reasons: Reason[] };
  };

  test("look-alike resource ids (whitespace, case, invisible characters) are RESOURCE_UNREGISTERED", async () => {
    const ids = ["model:fin-forecaster ", " model:fin-forecaster", "Model:fin-forecaster", "model:FIN-forecaster", "model:fin-forecaster\u200b", "model:fin-forecaster\t"];
    for (const [i, id] of ids.entries()) {
      const d = await decide({ session: { id: `s-dd-lk-${i}` }, event: "model_access", identity: trainer, action: "deploy", resource: { id, type: "model" }, purpose: "model_training" });
      assert.equal(d.decision, "deny", JSON.stringify(id));
      assert.ok(codes(d).includes("RESOURCE_UNREGISTERED"), `${JSON.stringify(id)}: ${codes(d)}`);
    }
    // The registered id itself still needs mTLS and approval.
    const real = await decide({ session: { id: "s-dd-lk-real" }, event: "model_access", identity: trainer, action: "deploy", resource: { id: "model:fin-forecaster", type: "model" }, purpose: "model_training" });
    assert.deepEqual(codes(real), ["APPROVAL_REQUIRED", "MTLS_REQUIRED"]);
  });

  test("exporting a case variant of a protected dataset outward is denied", async () => {
    for (const id of ["dataset:Payroll", "dataset:payroll ", "DATASET:PAYROLL"]) {
      const d = await decide({ session: { id: "s-dd-export" }, event: "output", identity: priya, action: "export", resource: { id, type: "dataset" }, purpose: "payroll_review", data: { destination: "external" }, context: compliant });
      assert.equal(d.decision, "deny", id);
      assert.ok(codes(d).includes("RESOURCE_UNREGISTERED"), `${id}: ${codes(d)}`);
    }
  });

  test("actions a resource does not list are ACTION_NOT_PERMITTED, not allowed for lack of a scope rule", async () => {
    for (const action of ["delete", "execute", "deploy", "train", "export"]) {
      const d = await decide({ session: { id: `s-dd-act-${action}` }, event: "tool_call", identity: { ...sam, scopes: ["repo:read"] }, action, resource: { id: "repository:custos-app", type: "repository" }, purpose: "software_development", tool: { server: "github", name: "read_file", arguments: { path: "src/app.ts" } } });
      assert.equal(d.decision, "deny", action);
      assert.ok(codes(d).includes("ACTION_NOT_PERMITTED"), `${action}: ${codes(d)}`);
    }
    const write = await decide({ session: { id: "s-dd-act-write" }, event: "retrieval", identity: { ...sam, scopes: ["repo:read"] }, action: "write", resource: { id: "repository:custos-app", type: "repository" }, purpose: "software_development" });
    assert.deepEqual(codes(write), ["SCOPE_MISSING"]);
  });

  test("model_access and retrieval without a resource, and any event naming an unknown one, are RESOURCE_UNREGISTERED", async () => {
    for (const event of ["model_access", "retrieval"]) {
      const d = await decide({ session: { id: `s-dd-none-${event}` }, event, identity: trainer, action: "train", purpose: "model_training" });
      assert.equal(d.decision, "deny", event);
      assert.ok(codes(d).includes("RESOURCE_UNREGISTERED"), `${event}: ${codes(d)}`);
    }
    for (const event of ["prompt", "output", "tool_call"]) {
      const d = await decide({ session: { id: `s-dd-unk-${event}` }, event, identity: trainer, action: "read", resource: { id: "dataset:training-corpus2", type: "dataset" }, purpose: "model_training", data: { destination: "internal" } });
      assert.equal(d.decision, "deny", event);
      assert.ok(codes(d).includes("RESOURCE_UNREGISTERED"), `${event}: ${codes(d)}`);
    }
  });

  test("a missing action never widens access", async () => {
    const d = await decide({ session: { id: "s-dd-noact" }, event: "model_access", identity: trainer, resource: { id: "model:fin-forecaster", type: "model" }, purpose: "model_training", context: { mtls: true } });
    assert.equal(d.decision, "deny");
    assert.ok(codes(d).includes("SCOPE_MISSING"), String(codes(d)));
  });

  test("after restricted data, egress without an internal destination is RESTRICTED_DATA_EGRESS", async () => {
    // Each attempt in its own session that has just read payroll (restricted), so risk does not end it first.
    let n = 0;
    const restrictedSession = async () => {
      const session = { id: `s-dd-egress-${n++}` };
      const read = await decide({ session, event: "retrieval", identity: priya, action: "read", resource: { id: "dataset:payroll", type: "dataset" }, purpose: "payroll_review", context: compliant });
      assert.equal(read.decision, "allow", JSON.stringify(read.reasons));
      return session;
    };
    const attempts: [string, unknown][] = [
      ["output without a destination", { event: "output", data: { text: "summary" } }],
      ["tool_call without a destination", { event: "tool_call", tool: { server: "crm", name: "get_case" } }],
      ["prompt to an external model", { event: "prompt", action: "invoke", resource: { id: "model:partner-llm", type: "model" } }],
      ["prompt with destination external", { event: "prompt", data: { destination: "external" } }],
      ["model_access to no registered model", { event: "model_access", action: "invoke" }],
    ];
    for (const [name, extra] of attempts) {
      const d = await decide({ session: await restrictedSession(), identity: priya, purpose: "payroll_review", context: compliant, ...(extra as object) });
      assert.equal(d.decision, "deny", name);
      assert.ok(codes(d).includes("RESTRICTED_DATA_EGRESS"), `${name}: ${codes(d)}`);
    }
    const internal = await decide({ session: await restrictedSession(), event: "output", identity: priya, purpose: "payroll_review", context: compliant, data: { destination: "internal" } });
    assert.equal(internal.decision, "allow", JSON.stringify(internal.reasons));
  });

  test("inconsistent credential times are CREDENTIAL_INVALID; a token without expiry is CREDENTIAL_REQUIRED", async () => {
    const base = { event: "retrieval", action: "read", resource: { id: "dataset:support-cases", type: "dataset" }, purpose: "customer_support" };
    const agent = { id: "agent:support-summarizer", type: "agent", on_behalf_of: [{ id: "user:dana", type: "human" }] };
    const cases: [string, unknown, string][] = [
      ["issued in the future", { id: "t-f", type: "jwt", issued_at: "{{now+600}}", expires_at: "{{now+1200}}" }, "CREDENTIAL_INVALID"],
      ["expires before issued", { id: "t-b", type: "oauth_token", issued_at: "{{now-60}}", expires_at: "{{now-120}}" }, "CREDENTIAL_INVALID"],
      ["key issued in the future", { id: "k-f", type: "api_key", issued_at: "{{now+86400}}" }, "CREDENTIAL_INVALID"],
      ["jwt without expiry", { id: "t-n", type: "jwt", issued_at: "{{now-60}}" }, "CREDENTIAL_REQUIRED"],
      ["workload identity without expiry", { id: "t-w", type: "workload_identity" }, "CREDENTIAL_REQUIRED"],
    ];
    for (const [name, credential, code] of cases) {
      const d = await decide({ ...base, session: { id: `s-dd-cred-${code}` }, identity: { ...agent, credential } });
      assert.equal(d.decision, "deny", name);
      assert.ok(codes(d).includes(code), `${name}: ${codes(d)}`);
    }
    const ok = await decide({ ...base, session: { id: "s-dd-cred-ok" }, identity: { ...agent, credential: { id: "t-ok", type: "jwt", issued_at: "{{now+30}}", expires_at: "{{now+600}}" } } });
    assert.equal(ok.decision, "allow", JSON.stringify(ok.reasons));
  });

  test("no reason message quotes a value from the request (response and decision log)", async () => {
    const M = "Zq7MARKER";
    const marked = (i: number) => `${M}${i}`;
    const requests = [
      // Nothing registered: every string field carries a marker.
      {
        session: { id: marked(1), parent_id: marked(2) },
        event: "tool_call",
        identity: {
          id: marked(3), type: "agent", scopes: [marked(4)],
          credential: { id: marked(5), type: "jwt", issued_at: "{{now+600}}", expires_at: "{{now-600}}" },
          on_behalf_of: [{ id: marked(6), type: "human", scopes: [marked(7)] }],
        },
        action: "read",
        resource: { id: marked(8), type: "dataset" },
        tool: { server: marked(9), name: marked(10), arguments: { path: `../${marked(11)}`, [marked(12)]: marked(13) } },
        data: { classification: "restricted", labels: [marked(14)], text: marked(15), destination: "external" },
        purpose: marked(16),
        context: { approval_id: marked(17), network: "public" },
      },
      // A registered identity and tool, so the path, purpose, scope, delegation and approval rules fire too.
      {
        session: { id: marked(20) },
        event: "tool_call",
        identity: { id: "agent:coding-assistant", type: "agent", scopes: ["repo:read", marked(21)], credential: { id: marked(22), type: "api_key", issued_at: "{{now+86400}}" }, on_behalf_of: [{ id: "user:sam", type: "human" }, { id: marked(23), type: "human" }] },
        action: "deploy",
        resource: { id: "model:support-llm", type: "model" },
        tool: { server: "github", name: "read_file", arguments: { path: `docs/../${marked(24)}/.env`, ref: `${marked(25)}/x`, nested: { file: `/${marked(26)}` } } },
        data: { labels: ["compensation", marked(27)] },
        purpose: marked(28),
        context: { approval_id: marked(29) },
      },
    ];
    for (const body of requests) {
      const d = await decide(body);
      assert.equal(d.decision, "deny");
      assert.ok(d.reasons.length >= 4, String(codes(d)));
      for (const r of d.reasons) assert.ok(!r.message.includes(M), `${r.code} quotes request content: ${r.message}`);
    }
    await svc.app.close();
    // Every `reasons` array anywhere in the decision log records.
    const logged: unknown[] = [];
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) k === "reasons" ? logged.push(x) : collect(x);
    };
    for (const line of readFileSync(svc.auditPath, "utf8").trim().split("\n")) collect(JSON.parse(line));
    assert.ok(logged.length >= 2 && JSON.stringify(logged).includes("PATH_NOT_ALLOWED"), "the log records the reasons");
    assert.ok(!JSON.stringify(logged).includes(M), "no marker in a logged reason");
    svc = await startApp();
  });
});
