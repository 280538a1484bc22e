// The inspector's contract with the decision core: findings by field and position, never overlapping, carrying
// a keyed fingerprint and no value; redaction to `[REDACTED:<type>]`.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { createInspector, type Finding } from "../../../src/inspect/index.js";

// Synthetic values shaped like real ones (not real credentials); split so no scanner flags this file.
const AWS_ID = "AKIA" + "Q7RZ4KX2M9WPL3VB";
const GITHUB = "ghp_" + "n8Kq2Lr5Vx9Tz3Wb6Yc1Hd4Jf7Mg0Ps2Qa5R";
const EMAIL = "maria.kowalska@" + "example.org";
const inspector = createInspector({ fingerprintKey: "test-key" });

test("redacts each finding with its type placeholder", () => {
  const text = "Customer wrote from jane.doe@example.com today";
  const findings = inspector.inspect([{ field: "data.text", text }]);
  assert.equal(inspector.redact(text, findings), "Customer wrote from [REDACTED:email] today");
  const mixed = `key ${AWS_ID}, mail ${EMAIL}, call +44 20 7946 0958`;
  assert.equal(inspector.redact(mixed, inspector.inspect([{ field: "f", text: mixed }])), "key [REDACTED:aws-access-key], mail [REDACTED:email], call [REDACTED:phone]");
});

test("a finding's span is the secret itself, so the name beside it survives redaction", () => {
  const text = `export GITHUB_TOKEN="${GITHUB}"\npassword: Tr0ub4dor&3x`;
  const findings = inspector.inspect([{ field: "f", text }]);
  assert.equal(inspector.redact(text, findings), `export GITHUB_TOKEN="[REDACTED:github-token]"\npassword: [REDACTED:password]`);
});

test("findings are sorted by field then start, and never overlap within a field", () => {
  const findings = inspector.inspect([
    { field: "tool.arguments.query", text: `${EMAIL} and ${GITHUB}` },
    { field: "data.text", text: `postgres://app:Sp1ce%26Rain99@db.internal:5432/orders?sslmode=require ${EMAIL}` },
  ]);
  assert.deepEqual(findings.map((f) => [f.location.field, f.type]), [
    ["data.text", "database-url"],
    ["data.text", "email"],
    ["tool.arguments.query", "email"],
    ["tool.arguments.query", "github-token"],
  ]);
  for (let i = 1; i < findings.length; i++) {
    const [a, b] = [findings[i - 1]!, findings[i]!];
    if (a.location.field === b.location.field) assert.ok(a.location.end <= b.location.start);
  }
});

test("a specific rule wins an overlap with a generic one", () => {
  const [f] = inspector.inspect([{ field: "f", text: `api_key = "${AWS_ID}"` }]);
  assert.equal(f?.rule, "aws-access-key-id");
});

test("fingerprints are HMAC-SHA256 of the value under the key, truncated, never the value", () => {
  const text = `token ${GITHUB}`;
  const [a] = inspector.inspect([{ field: "f", text }]);
  const [b] = createInspector({ fingerprintKey: Buffer.from("another-key") }).inspect([{ field: "f", text }]);
  assert.ok(a && b);
  assert.equal(a.fingerprint, createHmac("sha256", "test-key").update(GITHUB).digest("hex").slice(0, 32));
  assert.match(a.fingerprint, /^[0-9a-f]{32}$/);
  assert.notEqual(a.fingerprint, b.fingerprint, "differs by key");
  assert.equal(inspector.inspect([{ field: "other", text: `again: ${GITHUB}` }])[0]?.fingerprint, a.fingerprint, "stable for one key");
  for (const value of [GITHUB, GITHUB.slice(4), GITHUB.slice(0, 12)]) assert.ok(!a.fingerprint.includes(value) && a.fingerprint !== value);
});

test("findings hold no value, not even a piece of one", () => {
  const values = [AWS_ID, GITHUB, EMAIL, "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "203.0.113.77"];
  const findings: Finding[] = inspector.inspect(values.map((v, i) => ({ field: `f${i}`, text: `value: ${v}` })));
  assert.equal(findings.length, values.length);
  const json = JSON.stringify(findings);
  for (const v of values) {
    assert.ok(!json.includes(v));
    for (let i = 0; i + 8 <= v.length; i += 4) assert.ok(!json.includes(v.slice(i, i + 8)) || /^[0-9a-f]+$/.test(v.slice(i, i + 8)), v);
  }
  for (const f of findings) assert.deepEqual(Object.keys(f).sort(), ["fingerprint", "kind", "location", "rule", "severity", "type"]);
});

test("redact ignores spans that do not fit the text and overlapping duplicates", () => {
  const text = "hello world";
  const f = (start: number, end: number): Finding => ({ rule: "r", kind: "pii", type: "t", severity: "low", location: { field: "f", start, end }, fingerprint: "x" });
  assert.equal(inspector.redact(text, [f(0, 5), f(3, 8), f(6, 99)]), "[REDACTED:t] world");
  assert.equal(inspector.redact(text, []), text);
});

test("empty fields and empty input give no findings", () => {
  assert.deepEqual(inspector.inspect([]), []);
  assert.deepEqual(inspector.inspect([{ field: "data.text", text: "" }]), []);
});

test("an empty fingerprint key is refused", () => {
  assert.throws(() => createInspector({ fingerprintKey: "" }));
});

test("a value under a key is read in the key's context: found by its name alone, located and redacted in the value", () => {
  const password = "Tr0ub4dor" + "&3xQ!zz";
  const alone = inspector.inspect([{ field: "tool.arguments.password", text: password }]);
  assert.deepEqual(alone, [], "without its name the value is not a secret");
  const named = inspector.inspect([{ field: "tool.arguments.password", text: password, name: "password" }]);
  assert.deepEqual(named.map((f) => [f.type, f.location.start, f.location.end]), [["password", 0, password.length]]);
  assert.equal(inspector.redact(password, named), "[REDACTED:password]");
  // A finding in the name itself is the name field's, never reported against the value (nor with shifted offsets).
  assert.deepEqual(inspector.inspect([{ field: "f", text: "note", name: EMAIL }]), []);
  // The same value keeps its offsets when it carries its own secret beside the name's context.
  const text = `id ${AWS_ID}`;
  assert.deepEqual(
    inspector.inspect([{ field: "f", text, name: "aws" }]).map((f) => [f.type, f.location.start, f.location.end]),
    [["aws-access-key", 3, 3 + AWS_ID.length]],
  );
});

test("a key cannot end its context early: quotes and line breaks in it do not open a value of their own", () => {
  const password = "Tr0ub4dor" + "&3xQ!zz";
  for (const name of ['x": "y\npassword', 'password"\n', "a".repeat(1000)]) {
    for (const f of inspector.inspect([{ field: "f", text: password, name }])) {
      assert.ok(f.location.start >= 0 && f.location.end <= password.length, JSON.stringify([name.slice(0, 20), f.location]));
    }
  }
  // The end of a long key is what names the value (`…_PASSWORD`).
  const long = inspector.inspect([{ field: "f", text: password, name: `${"X".repeat(500)}_DB_PASSWORD` }]);
  assert.deepEqual(long.map((f) => f.type), ["password"]);
});
