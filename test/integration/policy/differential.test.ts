// The same policy inputs give the same decision under WebAssembly (opa-wasm) and under OPA's own evaluator
// (`opa eval` over the rego/ sources, topdown), so a WASM-only divergence cannot hide. The bundle freshness test ties
// the bundle to those sources. Needs the pinned opa (npm test installs it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { emptySession } from "../../../src/decision/ports.js";
import { bindingOf, buildPolicyInput } from "../../../src/decision/policy-contract.js";
import type { DecideRequest } from "../../../src/decision/request.js";
import { readBundle } from "../../../src/policy/bundle-reader.js";
import { GOVERNANCE_ENTRYPOINT, loadPolicyInstance } from "../../../src/policy/policy-engine.js";
import { withTimes } from "../../helpers/app.js";

const BUNDLE = "bundles/governance.tar.gz";
const opa = process.env.CUSTOS_OPA ?? ".tools/bin/opa";

interface Case {
  name: string;
  input: Record<string, unknown>;
  expect: { decision: string; codes: string[] };
}

function cases(): Case[] {
  const nowMs = Date.UTC(2026, 10, 20, 10, 5, 0);
  const fromRequests = (JSON.parse(readFileSync("test/fixtures/decisions.json", "utf8")) as { name: string; request: DecideRequest; expect: Case["expect"] }[]).map(
    (f) => {
      const request = withTimes(f.request, nowMs);
      const state = { session: emptySession(request.session.id), credential: { revoked: false }, principal: { signals: [] }, approval: null };
      return { name: f.name, input: buildPolicyInput(request, Math.floor(nowMs / 1000), [], state, bindingOf(request)), expect: f.expect };
    },
  );
  const direct = JSON.parse(readFileSync("test/fixtures/policy-inputs.json", "utf8")) as Case[];
  return [...fromRequests, ...direct];
}

test("every fixture decides alike in WASM and in opa eval, and as expected", async () => {
  const all = cases();
  assert.ok(all.length >= 40, `enough fixtures (${all.length})`);
  const policy = await loadPolicyInstance(await readBundle(BUNDLE), null);
  const wasm = all.map((c) => policy.evaluate(GOVERNANCE_ENTRYPOINT, c.input));

  const dir = mkdtempSync(join(tmpdir(), "custos-diff-"));
  const inputFile = join(dir, "inputs.json");
  writeFileSync(inputFile, JSON.stringify(all.map((c) => c.input)));
  const out = execFileSync(
    opa,
    ["eval", "--format", "json", "--data", "rego", "--input", inputFile, "[d | some x in input; d := data.custos.main.decision with input as x]"],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const topdown = (JSON.parse(out) as { result: { expressions: { value: unknown[] }[] }[] }).result[0]?.expressions[0]?.value ?? [];
  assert.equal(topdown.length, all.length);

  all.forEach((c, i) => {
    assert.deepEqual(wasm[i], topdown[i], `${c.name}: WASM and topdown agree`);
    const got = wasm[i] as { decision: string; reasons: { code: string }[] };
    assert.deepEqual(
      { decision: got.decision, codes: got.reasons.map((r) => r.code).sort() },
      { decision: c.expect.decision, codes: [...c.expect.codes].sort() },
      c.name,
    );
  });
});
