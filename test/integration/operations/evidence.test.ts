// Evidence of every decision: the hash-chained decision log, Prometheus metrics and JSON logs, none of which ever
// holds a secret, a personal value or a token.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import { verifyChain } from "../../../src/audit/index.js";
import { createLogger } from "../../../src/observability/logger.js";
import { startApp, type RunningApp } from "../../helpers/app.js";

const TOKEN = "evidence-admin-token-0123456789";
// Synthetic values shaped like real ones (not real credentials).
const SECRET = "AKIA" + "Q7RZ4KX2M9WPL3VB";
const GITHUB = "ghp_" + "n8Kq2Lr5Vx9Tz3Wb6Yc1Hd4Jf7Mg0Ps2Qa5R";
const EMAIL = "maria.kowalska@" + "example.org";

describe("decision evidence", () => {
  let svc: RunningApp;
  const logLines: string[] = [];
  before(async () => {
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
    svc = await startApp({ CUSTOS_ADMIN_TOKEN: TOKEN, LOG_LEVEL: "debug" }, { logger: createLogger("debug", stream) });
  });
  after(() => svc.close());

  test("metrics, decision log and logs agree and leak nothing", async () => {
    const requests = [
      { session: { id: "s-ev-1" }, event: "prompt", identity: { id: "user:nobody", type: "human" }, data: { text: `my key is ${SECRET}` } },
      { session: { id: "s-ev-1" }, event: "output", identity: { id: "user:nobody", type: "human" }, data: { text: `mail ${EMAIL} now` } },
      {
        session: { id: "s-ev-2" },
        event: "tool_call",
        identity: { id: "user:nobody", type: "human" },
        tool: { server: "github", name: "create_issue", arguments: { body: `token ${GITHUB}` } },
      },
    ];
    let count = 0;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const r of requests) {
        const res = await svc.post("/decide", r);
        assert.equal(res.status, 200);
        ids.push(res.body.decision_id);
        count++;
      }
    }
    await svc.post("/admin/sessions/s-ev-1/terminate", { reason: "evidence test" }, { authorization: `Bearer ${TOKEN}` });
    await svc.post("/decide", { bad: "request" });

    const metrics = (await svc.get("/metrics")).text;
    for (const name of [
      "custos_decisions_total",
      "custos_decision_duration_seconds",
      "custos_policy_eval_duration_seconds",
      "custos_sessions_terminated_total",
      "custos_state_errors_total",
      "custos_bundle_info",
      "custos_bundle_loads_total",
      "custos_bundle_load_duration_seconds",
      "custos_inspection_duration_seconds",
      "process_cpu_seconds_total",
    ]) {
      assert.match(metrics, new RegExp(`^# TYPE ${name} `, "m"), name);
    }
    const total = [...metrics.matchAll(/^custos_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
    assert.equal(total, count, "custos_decisions_total sums to the decisions made");
    assert.match(metrics, /custos_bundle_info\{revision="[0-9a-f]+"\} 1/);
    assert.match(metrics, /custos_decision_duration_seconds_bucket\{le="0.0005"\}/, "sub-millisecond buckets");

    await svc.app.evidence.flush();
    const audit = readFileSync(svc.auditPath, "utf8");
    const records = audit.trim().split("\n").map((l) => JSON.parse(l) as Record<string, any>);
    const decisions = records.filter((r) => r.type === "decision");
    assert.deepEqual(decisions.map((r) => r.decision_id), ids);
    for (const r of decisions) {
      assert.ok(r.revision && r.time && r.result.decision && typeof r.latency_ms === "number");
      assert.equal(r.input.request.data?.text, undefined, "no text in the record");
    }
    assert.match(decisions[0]!.input.request.data.text_digest, /^hmac-sha256:[0-9a-f]{64}$/);
    assert.ok(decisions[0]!.input.facts.findings.length > 0, "findings are recorded");
    assert.ok(records.some((r) => r.type === "admin" && r.action === "session.terminate"), "admin actions are in the chain");
    const verdict = await verifyChain([svc.auditPath]);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));

    const logs = logLines.join("\n");
    for (const secret of [SECRET, GITHUB, EMAIL, TOKEN]) {
      assert.ok(!audit.includes(secret), "the decision log holds no secret or personal value");
      assert.ok(!logs.includes(secret), "the logs hold no secret, personal value or token");
      assert.ok(!metrics.includes(secret), "the metrics hold none either");
    }
    for (const line of logLines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.ok(entry.level && entry.message && entry.timestamp);
      if (entry.event === "decision") assert.match(String(entry.decision_id), /^[0-9a-f-]{36}$/);
    }
    assert.equal(logLines.filter((l) => l.includes('"event":"decision"')).length, count, "one log line per decision");
  });
});
