// Adversarial: concurrency against the ledger on a real redis-server. The atomic update, not the read before it,
// decides the answer: no allow on a session its own update found terminated, exactly one answer carries the
// termination, the metric counts one, the decision log says what the answer said; single-use approvals pass once;
// the approval binding and the flag rule cover the whole delegation chain.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeOperatorsFile } from "../../helpers/operators.js";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";

const TOKEN = "races-admin-token";
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const OPS = writeOperatorsFile([{ id: "t:approver", roles: ["approver"] }]);
const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as Record<string, any>;
// The default threshold: 100 risky requests of 10 points each cross it.
registry.settings = { ...registry.settings, risk_threshold: 100 };

let n = 0;
const sid = (name: string) => `s-${name}-${process.pid}-${++n}`;
const agent = { id: "t:agent", type: "agent", on_behalf_of: [{ id: "t:owner", type: "human" }] };
const read = (session: string) => ({
  session: { id: session },
  event: "retrieval",
  identity: agent,
  action: "read",
  resource: { id: "dataset:t-internal", type: "dataset" },
  purpose: "testing",
});
const violation = (session: string) => ({ session: { id: session }, event: "prompt", identity: { id: "t:nobody", type: "human" }, purpose: "testing" });
const codes = (body: any): string[] => (body.reasons as { code: string }[]).map((r) => r.code).sort();
const terminates = (body: any) => (body.obligations as { type: string }[]).some((o) => o.type === "session_termination");

describe("adversarial: races on the Redis ledger", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let app: RunningApp;
  /** A second replica on the same Redis: requests alternate between the two, as behind a load balancer. */
  let other: RunningApp;
  before(async () => {
    redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), "custos-races-"));
    writeFileSync(join(dir, "data.json"), JSON.stringify(registry));
    const env = { REDIS_URL: redis.url, CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_ADMIN_TOKENS_FILE: OPS.path, CUSTOS_DATA: join(dir, "data.json"), CUSTOS_STATE_TIMEOUT_MS: "5000" };
    app = await startApp(env);
    other = await startApp(env);
  });
  after(async () => {
    await other?.close();
    await app?.close();
    await redis?.stop();
  });

  const metric = async (r: RunningApp) => Number(/^custos_sessions_terminated_total (\d+)$/m.exec((await r.get("/metrics")).text)?.[1] ?? 0);
  const terminatedTotal = async () => (await metric(app)) + (await metric(other));
  /** The decision log's records by decision id (after the log has been flushed). */
  const logged = async (ids: string[]) => {
    for (let i = 0; ; i++) {
      const records = new Map<string, any>();
      for (const line of [app, other].flatMap((r) => readFileSync(r.auditPath, "utf8").trim().split("\n"))) {
        if (!line) continue;
        const r = JSON.parse(line);
        if (r.decision_id) records.set(r.decision_id, r);
      }
      if (ids.every((id) => records.has(id)) || i > 100) return records;
      await sleep(50);
    }
  };
  const assertLogMatches = async (bodies: any[]) => {
    const records = await logged(bodies.map((b) => b.decision_id));
    for (const b of bodies) {
      const r = records.get(b.decision_id);
      assert.ok(r, `decision ${b.decision_id} logged`);
      assert.equal(r.result.decision, b.decision);
      assert.deepEqual(r.result.reasons.map((x: any) => x.code), b.reasons.map((x: any) => x.code));
      assert.equal(terminates(r.result), terminates(b));
      assert.equal(r.session.terminated, b.session.terminated);
    }
  };

  test("stale answers: 200 concurrent requests (100 risky) on one session; one termination, no allow after it", async () => {
    const s = sid("stale");
    const before = await terminatedTotal();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 4 < 2 ? app : other).post("/decide", i % 2 ? violation(s) : read(s))));
    const bodies = answers.map((a) => {
      assert.equal(a.status, 200, JSON.stringify(a.body));
      return a.body;
    });
    for (const b of bodies) if (b.decision === "allow") assert.equal(b.session.terminated, false, "an allow never shows a terminated session");
    const obliged = bodies.filter(terminates);
    assert.equal(obliged.length, 1, "exactly one answer carries session_termination");
    assert.equal(obliged[0].decision, "deny");
    assert.ok(codes(obliged[0]).includes("RISK_THRESHOLD_EXCEEDED"), JSON.stringify(obliged[0].reasons));
    for (const b of bodies) if (b.session.terminated && b !== obliged[0]) assert.ok(codes(b).includes("SESSION_TERMINATED"), JSON.stringify(b.reasons));
    assert.equal(await terminatedTotal(), before + 1, "custos_sessions_terminated_total counts one");
    const view = await app.get(`/admin/sessions/${s}`, ADMIN);
    assert.equal((view.body as any).terminated, true);
    await assertLogMatches(bodies);
  });

  test("an admin terminate racing in-flight requests: nothing is allowed once it is acknowledged", async () => {
    const s = sid("admin-race");
    await app.post("/decide", read(s));
    let ackedAt = Infinity;
    const inFlight = Array.from({ length: 120 }, async (_, i) => {
      await sleep(i % 40);
      const startedAt = Date.now();
      const a = await (i % 2 ? app : other).post("/decide", read(s));
      return { startedAt, answeredAt: Date.now(), body: a.body, status: a.status };
    });
    await sleep(10);
    const t = await app.post(`/admin/sessions/${s}/terminate`, { reason: "exfiltration suspected" }, ADMIN);
    assert.equal(t.status, 200);
    ackedAt = Date.now();
    const results = await Promise.all(inFlight);
    for (const r of results) {
      assert.equal(r.status, 200);
      if (r.body.decision === "allow") assert.equal(r.body.session.terminated, false, "an allow never shows a terminated session");
      if (r.startedAt > ackedAt) assert.deepEqual([r.body.decision, codes(r.body).includes("SESSION_TERMINATED")], ["deny", true]);
      if (r.body.session.terminated) {
        assert.equal(r.body.decision, "deny");
        assert.ok(codes(r.body).includes("SESSION_TERMINATED"));
        assert.equal(terminates(r.body), false, "the admin ended the session, not this decision");
      }
    }
    await assertLogMatches(results.map((r) => r.body));
  });

  const deploy = (session: string, approvalId?: string, identity: Record<string, unknown> = agent) => ({
    session: { id: session },
    event: "model_access",
    identity,
    action: "deploy",
    resource: { id: "model:t-model", type: "model" },
    purpose: "testing",
    ...(approvalId ? { context: { approval_id: approvalId } } : {}),
  });
  const grantedApproval = async (s: string) => {
    const esc = await app.post("/decide", deploy(s));
    assert.equal(esc.body.decision, "escalate", JSON.stringify(esc.body.reasons));
    const id = esc.body.obligations.find((o: any) => o.type === "approval").approval_id as string;
    assert.equal((await app.post(`/admin/approvals/${id}/grant`, {}, OPS.as["t:approver"])).status, 200);
    return id;
  };

  test("single-use approval: 20 concurrent repeats of the approved request, exactly one passes; the approval is consumed", async () => {
    const s = sid("single-use");
    const id = await grantedApproval(s);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? app : other).post("/decide", deploy(s, id))));
    const allowed = answers.filter((a) => a.body.decision === "allow");
    assert.equal(allowed.length, 1, JSON.stringify(answers.map((a) => [a.body.decision, codes(a.body)])));
    for (const a of answers) if (a !== allowed[0]) assert.ok(codes(a.body).includes("APPROVAL_INVALID"), JSON.stringify(a.body.reasons));
    assert.equal(((await app.get(`/admin/approvals/${id}`, ADMIN)).body as any).status, "consumed");
    assert.ok(codes((await app.post("/decide", deploy(s, id))).body).includes("APPROVAL_INVALID"), "a later repeat too");
    await assertLogMatches(answers.map((a) => a.body));
  });

  test("approval binding: the approval granted for an agent acting for a delegator does not pass with the chain dropped or changed", async () => {
    const s = sid("binding-chain");
    const id = await grantedApproval(s);
    const pending = (await app.get(`/admin/approvals/${id}`, ADMIN)).body as any;
    assert.deepEqual([pending.binding.chain, pending.binding.event, pending.binding.purpose], [["t:owner"], "model_access", "testing"]);
    const dropped = await app.post("/decide", deploy(s, id, { id: "t:agent", type: "agent" }));
    assert.ok(codes(dropped.body).includes("APPROVAL_INVALID"), JSON.stringify(dropped.body.reasons));
    const other = await app.post("/decide", deploy(s, id, { ...agent, on_behalf_of: [{ id: "t:approver", type: "human" }] }));
    assert.ok(codes(other.body).includes("APPROVAL_INVALID"), JSON.stringify(other.body.reasons));
    const ok = await app.post("/decide", deploy(s, id));
    assert.equal(ok.body.decision, "allow", JSON.stringify(ok.body.reasons));
  });

  test("flags through the chain: a high signal on the delegator stops the agent acting for her (deny + session_termination)", async () => {
    const s = sid("flag-chain");
    assert.equal((await app.post("/decide", read(s))).body.decision, "allow");
    const sig = await app.post("/admin/principals/t:owner/signals", { kind: "unusual_privilege_use", severity: "high", ttl_seconds: 60 }, ADMIN);
    assert.equal(sig.status < 300, true, JSON.stringify(sig.body));
    const r = await app.post("/decide", read(s));
    assert.equal(r.body.decision, "deny");
    assert.ok(codes(r.body).includes("PRINCIPAL_FLAGGED"), JSON.stringify(r.body.reasons));
    assert.equal(terminates(r.body), true);
    assert.equal(r.body.session.terminated, true);
  });
});
