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

test("a value under a credential's name is a secret as a whole: found by its name alone, located and redacted whole", () => {
  const password = "Tr0ub4dor" + "&3xQ!zz";
  const alone = inspector.inspect([{ field: "tool.arguments.password", text: password }]);
  assert.deepEqual(alone, [], "without its name the value is not a secret");
  const named = inspector.inspect([{ field: "tool.arguments.password", text: password, name: "password" }]);
  assert.deepEqual(named.map((f) => [f.rule, f.type, f.location.start, f.location.end]), [["password-by-name", "password", 0, password.length]]);
  assert.equal(inspector.redact(password, named), "[REDACTED:password]");
  // Characters the rules' value syntax stops at (a comma, a quote, a space) no longer leave part of it behind.
  for (const value of ["Tr0ub4,dor&3xQ!zz", 'Tr0ub4dor"3xQ!zz', "Tr0ub4dor 3xQ!zz", " Tr0ub4dor;3xQ!zz\n"]) {
    const f = inspector.inspect([{ field: "f", text: value, name: "db_password" }]);
    assert.equal(inspector.redact(value, f).trim(), "[REDACTED:password]", JSON.stringify(value));
  }
  // A rule's finding that covers the whole value keeps its precise type.
  assert.deepEqual(inspector.inspect([{ field: "f", text: GITHUB, name: "GITHUB_TOKEN" }]).map((f) => f.type), ["github-token"]);
  // The fingerprint is the value's, whatever name it is known by.
  const a = inspector.inspect([{ field: "f", text: password, name: "password" }])[0]!;
  const b = inspector.inspect([{ field: "f", text: password, name: "SMTP_PASS" }])[0]!;
  assert.equal(a.fingerprint, b.fingerprint);
});

test("a name is read as words: a metadata word after the credential word, or a word glued around it, names nothing", () => {
  const value = "Xk9mQ2pL7v" + "R4tY8wZ3nB6cF1";
  for (const name of ["compass", "turkey", "hockey_team", "password_hint", "token_count", "passwordLastChanged", "pagination_token", "public_key", "translation_key", "credentials.username", "token.expires_in", "pass_through"]) {
    assert.deepEqual(inspector.inspect([{ field: "f", text: value, name }]), [], name);
  }
  for (const name of ["password", "DB_PASSWORD", "clientSecret", "api-key", "X-Api-Key", "Password (prod)", "password.prod", "cmd.--password", `${"X".repeat(500)}_DB_PASSWORD`]) {
    assert.equal(inspector.inspect([{ field: "f", text: value, name }]).length, 1, name);
  }
});
