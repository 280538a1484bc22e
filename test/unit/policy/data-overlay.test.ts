// The CUSTOS_DATA overlay deep-merges over bundle data without prototype pollution.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOverlay, deepMerge } from "../../../src/policy/data-overlay.js";

test("objects merge, arrays and scalars replace, null removes", () => {
  const base = { governance: { principals: { a: { scopes: ["x"], clearance: "internal" }, b: { scopes: [] } }, settings: { risk_threshold: 100 } } };
  const merged = applyOverlay(base, { principals: { a: { scopes: ["y"] }, b: null, c: { scopes: ["z"] } }, settings: { risk_threshold: 50 } });
  assert.deepEqual(merged, {
    governance: { principals: { a: { scopes: ["y"], clearance: "internal" }, c: { scopes: ["z"] } }, settings: { risk_threshold: 50 } },
  });
  assert.deepEqual(base.governance.principals.a.scopes, ["x"], "base is not modified");
});

test("an overlay with a governance key merges at the data root", () => {
  assert.deepEqual(applyOverlay({ governance: { settings: { a: 1 } } }, { governance: { settings: { b: 2 } } }), {
    governance: { settings: { a: 1, b: 2 } },
  });
});

test("__proto__ and constructor keys change nothing", () => {
  const overlay = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "ok": 1}');
  const merged = deepMerge({ a: 1 }, overlay) as Record<string, unknown>;
  assert.deepEqual(merged, { a: 1, ok: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
