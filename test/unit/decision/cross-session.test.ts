// The cross-session settings (defaults, malformed quota entries ignored, bounds), which quotas apply to a request,
// and the reasons the service adds from the ledger carrying the catalogue's severity and controls.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { crossSessionSettings, MAX_QUOTAS, quotasFor, quotaWindowStart } from "../../../src/decision/cross-session.js";
import { LEDGER_REASONS } from "../../../src/decision/decide.js";
import type { DecideRequest } from "../../../src/decision/request.js";

test("defaults are DESIGN.md's; malformed quota entries are ignored; at most MAX_QUOTAS", () => {
  const d = crossSessionSettings({});
  assert.deepEqual([d.principalRiskThreshold, d.principalRiskWindowSeconds, d.credentialWindowSeconds, d.quotas], [300, 86400, 3600, []]);
  const s = crossSessionSettings({
    principal_risk_threshold: -5,
    quotas: [
      { per: "principal", max: 5, window_seconds: 60 },
      { per: "nobody", max: 5, window_seconds: 60 },
      { per: "principal", max: 1.5, window_seconds: 60 },
      { per: "principal", max: 5, window_seconds: 0 },
      { per: "principal", max: 5, window_seconds: 10 ** 9 },
      null,
      "x",
    ],
  });
  assert.equal(s.principalRiskThreshold, 0);
  assert.equal(s.quotas.length, 1);
  const many = crossSessionSettings({ quotas: Array.from({ length: 40 }, () => ({ per: "principal", max: 1, window_seconds: 60 })) });
  assert.equal(many.quotas.length, MAX_QUOTAS);
});

test("a quota applies when its event and action match; per credential only with a credential id", () => {
  const { quotas } = crossSessionSettings({
    quotas: [
      { event: "model_access", per: "principal", max: 1, window_seconds: 60 },
      { action: "export", per: "credential", max: 1, window_seconds: 60 },
    ],
  });
  const req = (patch: Partial<DecideRequest>): DecideRequest => ({ session: { id: "s" }, event: "prompt", identity: { id: "a", type: "agent" }, ...patch });
  assert.deepEqual(quotasFor(req({ event: "model_access" }), quotas).map((q) => [q.per, q.owner]), [["principal", "a"]]);
  assert.deepEqual(quotasFor(req({ action: "export" }), quotas), [], "no credential id");
  const withKey = req({ action: "export", identity: { id: "a", type: "agent", credential: { id: "k" } } });
  assert.deepEqual(quotasFor(withKey, quotas).map((q) => [q.per, q.owner]), [["credential", "k"]]);
  assert.notEqual(quotas[0]!.id, quotas[1]!.id);
  assert.equal(quotaWindowStart(Date.UTC(2030, 0, 1, 0, 0, 59, 999), 60), Date.UTC(2030, 0, 1) / 1000);
});

test("the reasons the ledger adds carry the catalogue's severity and controls", () => {
  const catalogue = JSON.parse(readFileSync("rego/custos/catalogue/data.json", "utf8")) as Record<string, { severity: string; controls: string[] }>;
  for (const [code, r] of Object.entries(LEDGER_REASONS)) {
    assert.deepEqual({ severity: r.severity, controls: [...r.controls] }, { severity: catalogue[code]!.severity, controls: catalogue[code]!.controls }, code);
  }
});
