// canonicalJson: sorted keys at every depth, no whitespace, values exactly as JSON.stringify writes them, and a
// parse → serialize round trip that gives back the same bytes (which is what lets a verifier recompute a hash).
import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../../src/audit/index.js";

test("keys are sorted recursively and there is no whitespace", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ 10: "a", 9: "b", B: 1, a: 2 }), '{"10":"a","9":"b","B":1,"a":2}');
});

test("values follow JSON.stringify", () => {
  const value = { s: 'quote " \\ \u2028 é \u0001', n: [0, -0, 1e21, 1.5e-7, 0.1 + 0.2], f: [NaN, Infinity], u: undefined, arr: [undefined, () => 1], d: new Date(0), b: true, nil: null };
  assert.deepEqual(JSON.parse(canonicalJson(value)!), JSON.parse(JSON.stringify(value)));
  assert.equal(canonicalJson(undefined), undefined);
  assert.throws(() => canonicalJson({ big: 1n }), TypeError);
  const cyclic: Record<string, unknown> = {};
  cyclic.me = cyclic;
  assert.throws(() => canonicalJson(cyclic), TypeError);
  const shared = { x: 1 };
  assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}', "a repeated object is not a cycle");
});

test("parse then serialize again gives the same bytes", () => {
  const samples: unknown[] = [
    { type: "decision", input: { data: { labels: ["𝒳", "naïve"], n: 12345678901234567890 } }, latency_ms: 0.1234, z: [[], {}] },
    { "": 1, "__proto__": { polluted: true }, "\t": "tab" },
  ];
  for (const s of samples) {
    const once = canonicalJson(JSON.parse(JSON.stringify(s)))!;
    assert.equal(canonicalJson(JSON.parse(once)), once);
  }
});
