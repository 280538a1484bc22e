// The session ledger over real HTTP and a real redis-server: replicas share terminations, revocations, signals,
// risk and approvals; concurrent violations are never lost; a Redis outage fails closed and heals by itself.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";
import { startRedis } from "../../helpers/redis-server.js";

const TOKEN = "ledger-admin-token";
const ADMIN = { authorization: `Bearer ${TOKEN}` };
// Approvers are operators: the approver of an approval is whoever authenticates, never a name in the body.
const OPS = writeOperatorsFile([
  { id: "t:owner", roles: ["approver"], groups: ["ai-governance"] },
  { id: "t:outsider", roles: ["approver"], groups: ["ai-governance"] },
  { id: "t:approver", roles: ["approver"] },
  { id: "user:grace", roles: ["approver"] },
  { id: "soc:alice", roles: ["responder"] },
  { id: "soc:bob", roles: ["responder"] },
]);
const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as Record<string, any>;

function overlayFile(patch: (r: Record<string, any>) => void = () => {}): string {
  const r = structuredClone(registry);
  patch(r);
  const path = join(mkdtempSync(join(tmpdir(), "custos-ledger-")), "data.json");
  writeFileSync(path, JSON.stringify(r));
  return path;
}

let n = 0;
const sid = (name: string) => `s-${name}-${process.pid}-${++n}`;
const agent = { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] };
const read = (session: string, extra: Record<string, unknown> = {}) => ({
  session: { id: session },
  event: "retrieval",
  identity: agent,
  action: "read",
  resource: { id: "dataset:t-internal", type: "dataset" },
  purpose: "testing",
  ...extra,
});
const violation = (session: string) => ({ session: { id: session }, event: "prompt", identity: { id: "t:nobody", type: "human" }, purpose: "testing" });
const codes = (body: any) => (body.reasons as { code: string }[]).map((r) => r.code).sort();

describe("session ledger on Redis, two replicas", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: RunningApp;
  let b: RunningApp;
  /** A third replica with the default 250 ms state timeout, for the outage test (a and b allow more under load). */
  let c: RunningApp;
  before(async () => {
    // Persisting, as a deployment must: a restart keeps the ledger, so readiness comes back with it.
    redis = await startRedis({ persist: true });
    const env = { REDIS_URL: redis.url, CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_ADMIN_TOKENS_FILE: OPS.path, CUSTOS_DATA: overlayFile(), CUSTOS_STATE_TIMEOUT_MS: "2000" };
    a = await startApp(env);
    b = await startApp(env);
    c = await startApp({ ...env, CUSTOS_STATE_TIMEOUT_MS: "250" });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await c?.close();
    await redis?.stop();
  });

  test("an allowed request on one replica; the session is shared", async () => {
    const s = sid("basic");
    const r = await a.post("/decide", read(s));
    assert.equal(r.body.decision, "allow", JSON.stringify(r.body.reasons));
    const view = await b.get(`/admin/sessions/${s}`, ADMIN);
    assert.equal(view.status, 200);
    assert.equal(view.body.events[0].ref, r.body.decision_id);
  });

  test("a termination on one replica is seen by the next request on the other, until resumed", async () => {
    const s = sid("terminate");
    assert.equal((await a.post("/decide", read(s))).body.decision, "allow");
    const t = await a.post(`/admin/sessions/${s}/terminate`, { reason: "exfiltration suspected" }, OPS.as["soc:alice"]);
    assert.equal(t.status, 200);
    assert.equal(t.body.terminated, true);
    const denied = await b.post("/decide", read(s));
    assert.equal(denied.body.decision, "deny");
    assert.ok(codes(denied.body).includes("SESSION_TERMINATED"));
    const resumed = await b.post(`/admin/sessions/${s}/resume`, { reason: "cleared" }, OPS.as["soc:bob"]);
    assert.equal(resumed.body.terminated, false);
    assert.equal((await a.post("/decide", read(s))).body.decision, "allow");
    const view = await a.get(`/admin/sessions/${s}`, ADMIN);
    const admin = view.body.events.filter((e: any) => e.kind !== "decision");
    assert.deepEqual(
      admin.map((e: any) => [e.kind, e.ref, e.detail]),
      [
        ["resume", "soc:bob", "cleared"],
        ["terminate", "soc:alice", "exfiltration suspected"],
      ],
    );
  });

  test("100 parallel violations across two replicas leave exactly 100 violations", async () => {
    const s = sid("count");
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).post("/decide", violation(s))));
    assert.deepEqual(
      results.filter((r) => r.status !== 200 || r.body.decision !== "deny").map((r) => [r.status, r.body?.code]),
      [],
    );
    const view = await a.get(`/admin/sessions/${s}`, ADMIN);
    assert.equal(view.body.violations, 100);
  });

  test("a revoked credential is refused at once on every replica", async () => {
    const s = sid("revoke");
    const withCred = read(s, { identity: { ...agent, credential: { id: "key-ledger-1", type: "oauth_token", expires_at: new Date(Date.now() + 600_000).toISOString() } } });
    assert.equal((await a.post("/decide", withCred)).body.decision, "allow");
    assert.equal((await b.post("/admin/credentials/key-ledger-1/revoke", { reason: "leaked" }, ADMIN)).status, 200);
    const r = await a.post("/decide", withCred);
    assert.deepEqual(codes(r.body), ["CREDENTIAL_REVOKED"]);
  });

  test("a high-severity signal flags the principal and terminates its session", async () => {
    const s = sid("flag");
    const terminatedTotal = async () => Number(/^custos_sessions_terminated_total (\d+)$/m.exec((await a.get("/metrics")).text)?.[1]);
    const before = await terminatedTotal();
    const r0 = await b.post("/admin/principals/t:agent/signals", { kind: "unusual_privilege_use", severity: "high", ttl_seconds: 2 }, ADMIN);
    assert.equal(r0.status, 200);
    const r = await a.post("/decide", read(s));
    assert.equal(r.body.decision, "deny");
    assert.ok(codes(r.body).includes("PRINCIPAL_FLAGGED"));
    assert.ok(r.body.obligations.some((o: any) => o.type === "session_termination"));
    assert.equal(r.body.session.terminated, true);
    // Further decisions of the flagged principal and an admin terminate do not end the session again.
    assert.equal((await a.post("/decide", read(s))).body.session.terminated, true);
    assert.equal((await a.post(`/admin/sessions/${s}/terminate`, { reason: "again" }, ADMIN)).status, 200);
    assert.equal(await terminatedTotal(), before + 1, "custos_sessions_terminated_total counts sessions, not events");
    // The signal expires, but the session stays terminated.
    await new Promise((res) => setTimeout(res, 2100));
    assert.deepEqual(codes((await b.post("/decide", read(s))).body), ["SESSION_TERMINATED"]);
    assert.equal((await b.post("/decide", read(sid("after-flag")))).body.decision, "allow", "other sessions pass once the signal expired");
  });

  test("after restricted data was seen, external egress is denied", async () => {
    const s = sid("egress");
    const seen = await a.post("/decide", read(s, { resource: { id: "dataset:t-restricted", type: "dataset" } }));
    assert.equal(seen.body.decision, "allow", JSON.stringify(seen.body.reasons));
    assert.equal(seen.body.session.max_classification, "restricted");
    const out = await b.post("/decide", {
      session: { id: s },
      event: "output",
      identity: agent,
      purpose: "testing",
      data: { destination: "external" },
    });
    assert.ok(codes(out.body).includes("RESTRICTED_DATA_EGRESS"), JSON.stringify(out.body.reasons));
  });

  test("approvals: escalate, bound to the request, separation of duties, approver groups, grant", async () => {
    const s = sid("approval");
    const deploy = (approvalId?: string, resource = "model:t-model") => ({
      session: { id: s },
      event: "model_access",
      identity: agent,
      action: "deploy",
      resource: { id: resource, type: "model" },
      purpose: "testing",
      ...(approvalId ? { context: { approval_id: approvalId } } : {}),
    });
    const esc = await a.post("/decide", deploy());
    assert.equal(esc.body.decision, "escalate", JSON.stringify(esc.body.reasons));
    assert.deepEqual(codes(esc.body), ["APPROVAL_REQUIRED"]);
    const ob = esc.body.obligations.find((o: any) => o.type === "approval");
    assert.match(ob.approval_id, /^apr-/);
    assert.ok(Date.parse(ob.expires_at) > Date.now());
    const id = ob.approval_id as string;

    const pending = await b.get(`/admin/approvals/${id}`, ADMIN);
    assert.equal(pending.body.status, "pending");
    assert.equal(pending.body.binding.resource, "model:t-model");
    assert.equal((await b.post("/decide", deploy(id))).body.decision, "escalate", "still pending");

    // The delegator approving its own agent's request: separation of duties.
    assert.equal((await b.post(`/admin/approvals/${id}/grant`, {}, OPS.as["t:owner"])).status, 200);
    assert.ok(codes((await a.post("/decide", deploy(id))).body).includes("SEPARATION_OF_DUTIES"));
    assert.equal((await b.post(`/admin/approvals/${id}/grant`, {}, OPS.as["t:approver"])).status, 409, "decided once");

    // An approver outside the approver groups.
    const id2 = (await a.post("/decide", deploy(undefined, "model:t-other"))).body.obligations.find((o: any) => o.type === "approval").approval_id;
    await b.post(`/admin/approvals/${id2}/grant`, {}, OPS.as["t:outsider"]);
    assert.ok(codes((await a.post("/decide", deploy(id2, "model:t-other"))).body).includes("APPROVAL_INVALID"), "registered groups win");

    // A proper approver; then the approval only works for the request it is bound to.
    const s3 = deploy();
    const id3 = (await a.post("/decide", s3)).body.obligations.find((o: any) => o.type === "approval").approval_id;
    assert.notEqual(id3, id);
    const g = await b.post(`/admin/approvals/${id3}/grant`, { reason: "change ticket 42" }, OPS.as["t:approver"]);
    assert.equal(g.body.status, "granted");
    const ok = await a.post("/decide", deploy(id3));
    assert.equal(ok.body.decision, "allow", JSON.stringify(ok.body.reasons));
    assert.ok(codes((await a.post("/decide", deploy(id3, "model:t-other"))).body).includes("APPROVAL_INVALID"), "bound to the resource");
    assert.ok(codes((await a.post("/decide", deploy("apr-unknown"))).body).includes("APPROVAL_INVALID"), "unknown id");

    // A denied approval.
    const id4 = (await a.post("/decide", deploy(undefined, "model:t-other"))).body.obligations.find((o: any) => o.type === "approval").approval_id;
    assert.equal((await b.post(`/admin/approvals/${id4}/deny`, { reason: "no" }, OPS.as["t:approver"])).body.status, "denied");
    assert.ok(codes((await a.post("/decide", deploy(id4, "model:t-other"))).body).includes("APPROVAL_INVALID"));
    assert.equal((await a.get(`/admin/approvals/apr-nope`, ADMIN)).status, 404);
  });

  test("personal data in a restricted context: escalate with an approval; once granted, the repeat is allowed and redacted", async () => {
    const s = sid("pii-approval");
    const ssn = "219-" + "09-" + "9999";
    const retrieval = (approvalId?: string) => ({
      session: { id: s },
      event: "retrieval",
      identity: { id: "user:priya", type: "human" },
      action: "read",
      resource: { id: "dataset:payroll", type: "dataset" },
      purpose: "payroll_review",
      data: { classification: "restricted", text: `employee SSN ${ssn}` },
      context: { device: { managed: true, compliant: true }, ...(approvalId ? { approval_id: approvalId } : {}) },
    });
    const esc = await a.post("/decide", retrieval());
    assert.equal(esc.body.decision, "escalate", JSON.stringify(esc.body.reasons));
    assert.deepEqual(codes(esc.body), ["PII_IN_CONTENT"]);
    assert.deepEqual(esc.body.obligations.map((o: any) => o.type), ["review", "approval"]);
    const id = esc.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
    assert.equal((await b.post("/decide", retrieval(id))).body.decision, "escalate", "still pending");

    assert.equal((await b.post(`/admin/approvals/${id}/grant`, { reason: "payroll audit" }, OPS.as["user:grace"])).status, 200);
    const ok = await a.post("/decide", retrieval(id));
    assert.equal(ok.body.decision, "allow", JSON.stringify(ok.body.reasons));
    assert.deepEqual(codes(ok.body), ["PII_IN_CONTENT"]);
    assert.deepEqual(ok.body.obligations, [{ type: "redact", text: "employee SSN [REDACTED:us-ssn]" }]);
  });

  test("the admin API wants its token and names bad fields", async () => {
    assert.equal((await a.get(`/admin/sessions/x`)).status, 401);
    assert.equal((await a.get(`/admin/sessions/x`, { authorization: "Bearer wrong" })).status, 401);
    const bad = await a.post(`/admin/principals/t:agent/signals`, { kind: "x", severity: "extreme", ttl_seconds: 5 }, ADMIN);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: any) => e.field), ["severity"]);
    const missing = await a.post(`/admin/sessions/x/terminate`, {}, ADMIN);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors[0].field, "reason");
    const plain = await fetch(`${a.url}/admin/sessions/x/terminate`, { method: "POST", headers: { ...ADMIN, "content-type": "text/plain" }, body: '{"reason":"x"}' });
    assert.equal(plain.status, 415, "a body that is not JSON is refused, not read as empty");
    assert.equal(((await plain.json()) as { code: string }).code, "unsupported_media_type");
    const wrongMethod = await fetch(`${a.url}/admin/bundle/reload`, { headers: ADMIN });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    assert.equal((await fetch(`${a.url}/admin/sessions/x/terminate`, { method: "DELETE", headers: ADMIN })).status, 405);
    assert.equal((await fetch(`${a.url}/admin/nowhere`, { headers: ADMIN })).status, 404);
  });

  test("Redis down: 503 deny STATE_UNAVAILABLE fast, not ready but live; back by itself when Redis returns", async () => {
    const s = sid("outage");
    await redis.kill();
    const started = Date.now();
    const r = await c.post("/decide", read(s));
    const took = Date.now() - started;
    assert.equal(r.status, 503);
    assert.equal(r.body.decision, "deny");
    assert.deepEqual(codes(r.body), ["STATE_UNAVAILABLE"]);
    assert.ok(took < 1000, `answered in ${took} ms`);
    assert.equal((await c.get("/health/ready")).status, 503);
    assert.equal((await c.get("/health/live")).status, 200);
    assert.match((await c.get("/metrics")).text, /custos_state_errors_total [1-9]/);
    await redis.restart();
    const deadline = Date.now() + 10_000;
    let back = await c.post("/decide", read(s));
    while (back.status !== 200 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      back = await c.post("/decide", read(s));
    }
    assert.equal(back.status, 200);
    assert.equal(back.body.decision, "allow");
    assert.equal((await b.get("/health/ready")).status, 200);
  });
});

describe("risk accumulates to termination", () => {
  test("reaching settings.risk_threshold denies with RISK_THRESHOLD_EXCEEDED and terminates the session", async () => {
    const data = overlayFile((r) => {
      r.settings.risk_threshold = 3;
      r.settings.risk_points = { UNREGISTERED_IDENTITY: 1 };
    });
    const svc = await startApp({ CUSTOS_DATA: data });
    try {
      const s = sid("risk");
      const r1 = await svc.post("/decide", violation(s));
      const r2 = await svc.post("/decide", violation(s));
      assert.deepEqual([r1.body.session.risk, r2.body.session.risk], [1, 2]);
      const r3 = await svc.post("/decide", violation(s));
      assert.ok(codes(r3.body).includes("RISK_THRESHOLD_EXCEEDED"), JSON.stringify(r3.body.reasons));
      assert.ok(r3.body.obligations.some((o: any) => o.type === "session_termination"));
      assert.equal(r3.body.session.terminated, true);
      const r4 = await svc.post("/decide", read(s));
      assert.deepEqual(codes(r4.body), ["SESSION_TERMINATED"]);
    } finally {
      await svc.close();
    }
  });

  test("an idle session's ledger expires after CUSTOS_SESSION_TTL_SECONDS", async () => {
    // The app's clock reaches the in-memory store: time passes by the clock, not by sleeping.
    let now = Date.now();
    const svc = await startApp({ CUSTOS_DATA: overlayFile(), CUSTOS_SESSION_TTL_SECONDS: "1", CUSTOS_ADMIN_TOKEN: TOKEN }, { clock: () => now });
    try {
      const s = sid("ttl");
      await svc.post(`/admin/sessions/${s}/terminate`, { reason: "test" }, ADMIN);
      assert.equal((await svc.post("/decide", read(s))).body.decision, "deny");
      now += 900;
      assert.equal((await svc.post("/decide", read(s))).body.decision, "deny", "still within the TTL");
      now += 2200;
      assert.equal((await svc.post("/decide", read(s))).body.decision, "allow");
    } finally {
      await svc.close();
    }
  });
});
