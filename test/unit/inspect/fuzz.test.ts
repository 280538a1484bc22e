// Property-based tests of the detectors (fast-check): whatever the text — corpus secrets and personal data cut up
// and glued to keyword-laden noise, or arbitrary Unicode — the inspector answers, deterministically, with findings
// that are well-formed (in bounds, sorted, non-overlapping, no value in them), and redaction replaces exactly the
// findings' spans and leaves no finding's value behind.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { createInspector, type Finding } from "../../../src/inspect/index.js";

const inspector = createInspector({ fingerprintKey: "fuzz-key" });
const texts = (JSON.parse(readFileSync("test/fixtures/inspect-corpus.json", "utf8")) as { text: string }[]).map((i) => i.text);

// Pieces that wake the keyword prefilter and sit at rule boundaries.
const keywords = ["AKIA", "ghp_", "xoxb-", "sk_live_", "sk-", "eyJ", "-----BEGIN ", "PRIVATE KEY-----", "password", "=", ": ", "\"", "'", "@", ".", "+1 ", "-", "postgres://", ":", "/", "Bearer ", "DE89", "4111", " ", "\n", "\t", "ü", "🔑"];
const piece = fc.oneof(
  fc.constantFrom(...texts),
  fc.constantFrom(...texts).chain((t) => fc.tuple(fc.nat(t.length), fc.nat(t.length)).map(([a, b]) => t.slice(Math.min(a, b), Math.max(a, b)))),
  fc.constantFrom(...keywords),
  fc.string({ maxLength: 24 }),
  fc.stringMatching(/^[A-Za-z0-9+/_-]{8,48}$/),
);
const text = fc.oneof(fc.array(piece, { maxLength: 12 }).map((ps) => ps.join("")), fc.string({ unit: "binary", maxLength: 300 }));

function checkWellFormed(t: string, findings: Finding[]): void {
  let lastEnd = -1;
  for (const f of findings) {
    assert.deepEqual(Object.keys(f).sort(), ["fingerprint", "kind", "location", "rule", "severity", "type"]);
    assert.deepEqual(Object.keys(f.location).sort(), ["end", "field", "start"]);
    assert.equal(f.location.field, "data.text");
    assert.ok(f.location.start >= 0 && f.location.start < f.location.end && f.location.end <= t.length, JSON.stringify(f.location));
    assert.ok(f.location.start >= lastEnd, "sorted and non-overlapping");
    lastEnd = f.location.end;
    assert.ok(f.kind === "secret" || f.kind === "pii");
    assert.ok(["low", "medium", "high", "critical"].includes(f.severity));
    assert.match(f.fingerprint, /^[0-9a-f]{32}$/);
  }
}

test("any text: findings are well-formed and deterministic; redaction replaces exactly their spans", () => {
  let withFindings = 0;
  fc.assert(
    fc.property(text, (t) => {
      const findings = inspector.inspect([{ field: "data.text", text: t }]);
      checkWellFormed(t, findings);
      assert.deepEqual(inspector.inspect([{ field: "data.text", text: t }]), findings, "deterministic");
      if (findings.length > 0) withFindings++;

      let expected = "";
      let at = 0;
      for (const f of findings) {
        expected += t.slice(at, f.location.start) + `[REDACTED:${f.type}]`;
        at = f.location.end;
      }
      expected += t.slice(at);
      const redacted = inspector.redact(t, findings);
      assert.equal(redacted, expected);

      // No finding's value survives: inspecting the redacted text never yields a fingerprint seen before.
      const before = new Set(findings.map((f) => f.fingerprint));
      for (const f of inspector.inspect([{ field: "data.text", text: redacted }])) {
        assert.ok(!before.has(f.fingerprint), `value of ${f.rule} survived redaction`);
      }
    }),
    { numRuns: 1500, seed: 20261127 },
  );
  assert.ok(withFindings > 300, `the generator reaches the rules (${withFindings} of 1500 texts had findings)`);
});

test("several fields at once: each finding names its own field and stays inside that field's text", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom("data.text", "tool.arguments.query", "tool.arguments.body.0"), text), { maxLength: 4 }), (fields) => {
      const input = fields.map(([field, t]) => ({ field, text: t }));
      const findings = inspector.inspect(input);
      const fieldsSorted = findings.map((f) => f.location.field);
      assert.deepEqual(fieldsSorted, [...fieldsSorted].sort(), "sorted by field");
      for (const f of findings) {
        assert.ok(input.some((i) => i.field === f.location.field && f.location.end <= i.text.length));
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});
