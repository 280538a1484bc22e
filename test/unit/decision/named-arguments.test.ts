// Secrets in tool arguments known by their names, through the same walker and inspector /decide uses: the shapes
// agents send (env maps, name/value lists in any case, AWS tags, CloudFormation parameters, nested maps, argv and
// header tuples) are found whole, and ordinary arguments whose names share a word with a credential are not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspectedFields } from "../../../src/decision/decide.js";
import { createInspector } from "../../../src/inspect/index.js";

const inspector = createInspector({ fingerprintKey: "test-key" });
// Synthetic values, split so no scanner flags this file.
const P = "Tr0ub4dor" + "&3xQ!zz";
const T = "Xk9mQ2pL7v" + "R4tY8wZ3nB6cF1";

function secretsIn(args: Record<string, unknown>): string[] {
  return inspector.inspect(inspectedFields({ tool: { server: "s", name: "t", arguments: args } } as never)).filter((f) => f.kind === "secret").map((f) => f.location.field);
}

test("credentials known only by their names are found, in every shape agents send them", () => {
  const shapes: Record<string, unknown>[] = [
    { password: P },
    { password_for_the_production_db: P },
    { "password ": P },
    { "Password (prod)": P },
    { "password[0]": P },
    { "password\u2028": P },
    { password: `Tr"0ub4dor&3xQ!zz` },
    { password: `line1\n${P}` },
    { SECRET_KEY: "django-insecure-1ubsg-3m@&i#qc#g$qc$lty_qo(x9" },
    { env: [{ Name: "DB_PASSWORD", Value: P }] },
    { Tags: [{ Key: "DB_PASSWORD", Value: P }] },
    { env: [{ key: "DB_PASSWORD", val: P }] },
    { Parameters: [{ ParameterKey: "DBPassword", ParameterValue: P }] },
    { items: [{ name: "db-config", key: "DB_PASSWORD", value: P }] },
    { password: { prod: P } },
    { headers: [["X-Api-Key", T]] },
    { cmd: ["mysql", "-u", "root", "--password", P] },
    { env: { AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzzKEYq9a3b" } },
    { client_secret: T },
    { db_passwords: ["hunter2" + "Hunter2X!"] },
    { DB_PASS: "s3cr3t-" + "Pa55" },
    { apiKey: "9f8e7d6c5b4a3928" + "1706f5e4d3c2b1a0" },
  ];
  for (const args of shapes) assert.equal(secretsIn(args).length, 1, JSON.stringify(args));
});

test("ordinary arguments whose names share a word with a credential are not secrets", () => {
  const shapes: Record<string, unknown>[] = [
    { compass: "N45.2E" },
    { passwordLastChanged: "2026-06-01T10:00:00Z" },
    { translation_key: "Errors.Login.InvalidPassword2" },
    { key: "reports/2026/Q4/Summary-Final.pdf" },
    { compass_heading: "NNE-22.5deg" },
    { bypass_reason: "P1-Incident#4821" },
    { pass_through: "X-Forwarded-For;X-Real-IP" },
    { hockey_team: "Maple-Leafs_2026" },
    { turkey: "Roast/Gravy+Stuffing=Yum" },
    { key: "HKEY_LOCAL_MACHINE/Software/Vendor" },
    { sha_key: "3f786850e387550fdab836ed7e6dc881de23001b" },
    { pagination_token: "AAMA-EFRSURBSGhJNTZuOHB3STQ5V05R" },
    { password_policy: "MinLength=12;RequireUpper=true" },
    { password_hint: "Blue#42sky" },
    { password_hint: "the name of my first dog" },
    { token_count: "1234" },
    { secret_santa: "Bob Marley" },
    { max_tokens: "4096" },
    { credentials: { username: "sam.smith", host: "db.internal" } },
    { labels: { password: "Mot de passe" } },
    { password: "${DB_PASSWORD}" },
    { password: "required" },
    { token: { type: "Bearer", expires_in: "3600" } },
    { secret: "process.env.STRIPE_KEY" },
    { next_token: "eyJvZmZzZXQiOjEwMH0" },
    { token_url: "https://auth.example.com/oauth/token" },
    { passwordField: "#login-password" },
    { secrets: { ANTHROPIC_BASE_URL: "https://api.example.com" } },
    { cmd: ["ls", "-la", "/tmp"] },
    { token_type: "access_token" },
  ];
  for (const args of shapes) assert.deepEqual(secretsIn(args), [], JSON.stringify(args));
});

test("a name repeated over thousands of values costs one reading, and a key's own findings stay the key's", () => {
  const key = "@0+q~ska3t:aasg.-ussk-hf_r8_://eyja3-oy2patsl.eaakeypwdssn0:0";
  const args = { [key]: Array.from({ length: 19_000 }, () => "Ab1-Ab1-Ab1") };
  const t = process.cpuUsage();
  const found = inspector.inspect(inspectedFields({ tool: { server: "s", name: "t", arguments: args } } as never));
  const used = process.cpuUsage(t);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < 400, `${ms} ms of CPU`);
  assert.ok(found.every((f) => f.location.field.endsWith(":key")), "no value is a finding by a hostile key's words");
  // An e-mail address as the key of 8 200 values is one finding (the key's), not 8 200 (nor a 413).
  const mail = "alice@" + "example.com";
  const many = inspector.inspect(inspectedFields({ tool: { server: "s", name: "t", arguments: { [mail]: Array.from({ length: 8200 }, () => "x") } } } as never));
  assert.equal(many.length, 1);
});
