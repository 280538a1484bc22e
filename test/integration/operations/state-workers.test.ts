// State beyond one session, over the real process with two cluster workers sharing one redis-server: risk that
// follows a principal into a fresh session until an operator clears it, a quota enforced exactly under concurrency,
// a credential presented by a second identity, and sub-agent sessions that inherit their parent's termination and
// high-water mark.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startRedis, type RedisServer } from "../../helpers/redis-server.js";
import { startService, type StartedService as Started } from "../../helpers/service.js";

const TOKEN = "state-workers-admin-token";
const admin = { authorization: `Bearer ${TOKEN}` };


describe("state beyond one session, two workers on one Redis", () => {
  let redis: RedisServer;
  let dir: string;
  let service: Started;
  const run = `${process.pid}-${Date.now()}`;

  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "custos-state-workers-"));
    const registry = JSON.parse(readFileSync("test/fixtures/ledger-registry.json", "utf8")) as { settings: Record<string, unknown> };
    registry.settings = {
      ...registry.settings,
      risk_points: { PURPOSE_NOT_APPROVED: 40 },
      principal_risk_threshold: 100,
      quotas: [{ event: "model_access", per: "principal", max: 50, window_seconds: 60 }],
    };
    const data = join(dir, "data.json");
    writeFileSync(data, JSON.stringify(registry));
    service = await startService(
      { REDIS_URL: redis.url, CUSTOS_WORKERS: "2", CUSTOS_ADMIN_TOKEN: TOKEN, CUSTOS_DATA: data, CUSTOS_AUDIT_LOG: join(dir, "audit.jsonl"), CUSTOS_STATE_TIMEOUT_MS: "2000" },
      2,
    );
  });
  after(async () => {
    service?.kill("SIGTERM");
    await service?.exited;
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function decide(body: unknown): Promise<{ status: number; decision: string; codes: string[]; obligations: string[] }> {
    const r = await fetch(`${service.url}/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const b = (await r.json()) as { decision: string; reasons: { code: string }[]; obligations: { type: string }[] };
    return { status: r.status, decision: b.decision, codes: b.reasons.map((x) => x.code), obligations: b.obligations.map((o) => o.type) };
  }
  const read = (session: string, extra: Record<string, unknown> = {}) => ({
    session: { id: session },
    event: "retrieval",
    identity: { id: "t:agent", type: "agent" },
    action: "read",
    resource: { id: "dataset:t-internal" },
    purpose: "testing",
    ...extra,
  });

  test("a terminated agent's fresh session is denied once its principal crossed the threshold, and allowed again after an operator clears the flag", { timeout: 60_000 }, async () => {
    const s1 = `s-risk-1-${run}`;
    assert.equal((await decide(read(s1))).decision, "allow");
    // Three violations of 40 points each, spread over both workers: 120 >= 100 across the principal's sessions.
    const bad = await Promise.all([1, 2, 3].map(() => decide(read(s1, { purpose: "marketing" }))));
    assert.ok(bad.every((b) => b.decision === "deny"));
    assert.ok(bad.some((b) => b.codes.includes("PRINCIPAL_FLAGGED") && b.obligations.includes("session_termination")), JSON.stringify(bad));
    const fresh = await decide(read(`s-risk-2-${run}`));
    assert.deepEqual([fresh.decision, fresh.codes], ["deny", ["PRINCIPAL_FLAGGED"]]);
    const view = (await (await fetch(`${service.url}/admin/principals/t:agent`, { headers: admin })).json()) as { risk: number; signals: { kind: string }[] };
    assert.ok(view.risk >= 120, JSON.stringify(view));
    assert.deepEqual(view.signals.map((s) => s.kind), ["principal_risk_threshold"]);
    const cleared = await fetch(`${service.url}/admin/principals/t:agent/signals`, { method: "DELETE", headers: admin });
    assert.equal(cleared.status, 200);
    assert.deepEqual((await decide(read(`s-risk-3-${run}`))).decision, "allow");
  });

  test("a quota of 50 per minute under 200 concurrent requests over both workers admits exactly 50", { timeout: 60_000 }, async () => {
    // Not across a minute's edge (fixed windows: the bound is per window).
    while (Date.now() % 60_000 > 50_000) await sleep(500);
    const body = { session: { id: `s-quota-${run}` }, event: "model_access", identity: { id: "t:owner", type: "human" }, action: "deploy", resource: { id: "model:t-model" }, purpose: "testing", context: { mtls: true } };
    const answers = await Promise.all(Array.from({ length: 200 }, () => decide(body)));
    const admitted = answers.filter((a) => a.decision !== "deny");
    const refused = answers.filter((a) => a.codes.includes("QUOTA_EXCEEDED"));
    assert.equal(admitted.length, 50, JSON.stringify(answers.filter((a) => a.decision === "deny" && !a.codes.includes("QUOTA_EXCEEDED")).slice(0, 2)));
    assert.equal(refused.length, 150);
  });

  test("a credential presented by a second identity is refused and its session ended; its first principal gets a review signal", { timeout: 30_000 }, async () => {
    const credential = { id: `key-${run}`, type: "api_key" };
    const first = await decide({ ...read(`s-cred-1-${run}`), identity: { id: "t:agent", type: "agent", credential } });
    assert.equal(first.decision, "allow");
    const second = await decide({ ...read(`s-cred-2-${run}`), identity: { id: "t:owner", type: "human", credential } });
    assert.equal(second.decision, "deny");
    assert.ok(second.codes.includes("CREDENTIAL_MISUSE"));
    assert.ok(second.obligations.includes("session_termination"));
    const view = (await (await fetch(`${service.url}/admin/principals/t:agent`, { headers: admin })).json()) as { signals: { kind: string; severity: string }[] };
    assert.deepEqual(view.signals.map((s) => [s.kind, s.severity]), [["credential_misuse", "medium"]]);
    assert.equal((await decide({ ...read(`s-cred-3-${run}`), identity: { id: "t:agent", type: "agent", credential } })).decision, "allow", "the first keeps working");
  });

  test("a child of a terminated session is denied; a restricted read in the parent blocks external egress from the child", { timeout: 30_000 }, async () => {
    const parent = `s-parent-${run}`;
    assert.equal((await decide(read(parent, { resource: { id: "dataset:t-restricted" } }))).decision, "allow");
    const egress = await decide({ session: { id: `s-child-1-${run}`, parent_id: parent }, event: "output", identity: { id: "t:agent", type: "agent" }, purpose: "testing", data: { destination: "external" } });
    assert.deepEqual([egress.decision, egress.codes.includes("RESTRICTED_DATA_EGRESS")], ["deny", true]);
    const child = `s-child-2-${run}`;
    assert.equal((await decide({ ...read(child), session: { id: child, parent_id: parent } })).decision, "allow");
    const ended = await fetch(`${service.url}/admin/sessions/${parent}/terminate`, { method: "POST", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify({ reason: "compromised" }) });
    assert.equal(ended.status, 200);
    const after = await decide({ ...read(child), session: { id: child, parent_id: parent } });
    assert.deepEqual([after.decision, after.codes], ["deny", ["SESSION_TERMINATED"]]);
    const newChild = await decide({ ...read(`s-child-3-${run}`), session: { id: `s-child-3-${run}`, parent_id: parent } });
    assert.deepEqual([newChild.decision, newChild.codes], ["deny", ["SESSION_TERMINATED"]]);
  });
});
