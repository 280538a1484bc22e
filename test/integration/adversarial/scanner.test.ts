// Operator secret rules in gitleaks' format (CUSTOS_SECRET_RULES) through the real service: a rule finds what it
// describes and denies, a hostile or broken rules file is refused at start naming the rule, a bad reload keeps the
// rules in force, a catastrophic-backtracking pattern cannot hold the event loop (RE2 has no backtracking), and no
// matched value reaches the answer or the decision log.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";

const ACME = "acme_" + "q7Zr2LkP9xWm4TbN8vCd3YhJ6sFg1RuA";
const RULES = `
title = "operator rules"
[extend]
useDefault = true
[allowlist]
description = "published fixtures"
regexes = ['''^acme_0{32}$''']
[[rules]]
id = "acme-api-key"
description = "Acme API key"
regex = '''(?i)\\b(acme_[a-z0-9]{32})\\b'''
keywords = ["acme_"]
entropy = 3.0
[[rules.allowlists]]
stopwords = ["fixture"]
[[rules]]
id = "redos-shaped"
description = "a pattern that is exponential on a backtracking engine"
regex = '''(a+)+$'''
keywords = ["aaaa"]
`;

let sessions = 0;
const request = (text: string) => ({ session: { id: `s-scanner-${++sessions}` }, event: "prompt", identity: { id: "user:dana", type: "human" }, purpose: "customer_support", data: { text } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The rule ids of the findings the decision log recorded for `decisionId`. */
async function loggedRules(auditPath: string, decisionId: string): Promise<string[]> {
  for (let i = 0; i < 40; i++) {
    const line = readFileSync(auditPath, "utf8").split("\n").find((l) => l.includes(decisionId));
    if (line) {
      const input = (JSON.parse(line) as { input: { findings?: { rule: string }[]; facts?: { findings?: { rule: string }[] } } }).input;
      return (input.facts?.findings ?? input.findings ?? []).map((f) => f.rule);
    }
    await sleep(25);
  }
  throw new Error("decision not logged");
}

describe("operator secret rules (gitleaks TOML) through POST /decide", () => {
  let dir: string;
  let path: string;
  let svc: RunningApp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "custos-rules-"));
    path = join(dir, "gitleaks.toml");
    writeFileSync(path, RULES);
    svc = await startApp({ CUSTOS_SECRET_RULES: path, CUSTOS_WATCH_INTERVAL_MS: "50" });
  });
  after(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("an operator rule's secret denies, reported under the rule's id, the value in no answer or log", async () => {
    const r = await svc.post("/decide", request(`deploy with key ${ACME} please`));
    assert.equal(r.status, 200);
    assert.equal(r.body.decision, "deny");
    assert.deepEqual(await loggedRules(svc.auditPath, r.body.decision_id), ["acme-api-key"]);
    assert.ok(!JSON.stringify(r.body).includes(ACME.slice(5)));
    assert.ok(!readFileSync(svc.auditPath, "utf8").includes(ACME.slice(5)));
  });

  test("global allowlist and rule stopwords discard a match", async () => {
    const r = await svc.post("/decide", request(`key acme_${"0".repeat(32)} and acme_fixture${"x7".repeat(13)}q`));
    assert.equal(r.status, 200);
    assert.equal(r.body.decision, "allow");
    assert.deepEqual(await loggedRules(svc.auditPath, r.body.decision_id), []);
  });

  test("(a+)+$ over 256 KiB of a's followed by b: answered fast (RE2 does not backtrack)", async () => {
    const text = "a".repeat(256 * 1024) + "b";
    await svc.post("/decide", request(text));
    const t = performance.now();
    const r = await svc.post("/decide", request(text));
    assert.ok(r.status === 200 || r.status === 413, `status ${r.status}`);
    assert.ok(performance.now() - t < 2000, `took ${performance.now() - t} ms`);
  });

  test("a broken reload keeps the rules in force; a good one replaces them", async () => {
    writeFileSync(path, RULES.replace("(?i)\\\\b(acme_", "(?<=x)(acme_"));
    await sleep(400);
    let r = await svc.post("/decide", request(`key ${ACME}`));
    assert.deepEqual(await loggedRules(svc.auditPath, r.body.decision_id), ["acme-api-key"], "the previous rules stay after a refused reload");
    writeFileSync(path, RULES.replaceAll("acme_", "zeta_"));
    await sleep(400);
    r = await svc.post("/decide", request(`key ${ACME}`));
    assert.deepEqual(await loggedRules(svc.auditPath, r.body.decision_id), [], "the reloaded rules are in force");
  });
});

describe("a rules file refused at start names the rule", () => {
  const cases: Record<string, [string, RegExp]> = {
    "lookbehind": [`[[rules]]\nid = "look"\nregex = '''(?<=key=)[a-z]{8}'''\n`, /rule look: regex is not RE2 syntax/],
    "backreference": [`[[rules]]\nid = "backref"\nregex = '''(a)\\1'''\n`, /rule backref: regex is not RE2 syntax/],
    "secretGroup out of range": [`[[rules]]\nid = "grp"\nregex = '''a(b)'''\nsecretGroup = 3\n`, /rule grp: secretGroup 3 is out of range/],
    "built-in id": [`[[rules]]\nid = "github-pat"\nregex = '''x'''\n`, /rule github-pat: id is a built-in rule's/],
    "not TOML": [`[[rules]\nid=`, /not valid TOML/],
    "path-only rule": [`[[rules]]\nid = "pkcs12"\npath = '''\\.p12$'''\n`, /rule pkcs12: a path-only rule cannot apply to content/],
    "non-ASCII keyword": [`[[rules]]\nid = "kw"\nregex = '''x'''\nkeywords = ["clé"]\n`, /rule kw: keyword/],
  };
  for (const [name, [toml, message]] of Object.entries(cases)) {
    test(name, async () => {
      const dir = mkdtempSync(join(tmpdir(), "custos-rules-"));
      const path = join(dir, "gitleaks.toml");
      writeFileSync(path, toml);
      try {
        await assert.rejects(startApp({ CUSTOS_SECRET_RULES: path }), (err: Error & { code?: string; errors?: { field: string }[] }) => {
          assert.equal(err.code, "config_invalid");
          assert.equal(err.errors?.[0]?.field, "CUSTOS_SECRET_RULES");
          assert.match(err.message, message);
          return true;
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
