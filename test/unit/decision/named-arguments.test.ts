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
    // The second attack on the names: sign-up forms, glued and foreign names, key qualifiers, auth values, form
    // controls, deeper maps, Secret manifests, values the first reading took for references, numbers, headers.
    { password: "Tr0ub4dor3", password_confirmation: "Tr0ub4dor3" },
    { passwordConfirm: "Tr0ub4dor3" },
    { passPhrase: "Tr0ub4dor3" },
    { pass_word: "Tr0ub4dor3" },
    { requirepass: "Tr0ub4dor3" },
    { masterauth: "Tr0ub4dor3" },
    { cmd: ["keytool", "-storepass", "Tr0ub4dor3"] },
    { pw: "Tr0ub4dor3" },
    { mot_de_passe: "Tr0ub4dor3" },
    { wachtwoord: "Tr0ub4dor3" },
    { headers: { "Ocp-Apim-Subscription-Key": "3f9a8b7c6d5e4f3a" + "2b1c0d9e8f7a6b5c" } },
    { accountKey: "k9Xm2Lq7Vr4Ty8Wz" + "3Nb6Cf1Gh5Jd0Ps2Qa5Re8Ut==" },
    { primaryMasterKey: "9fK2mQ7xLp" + "Zx81kqPq" },
    { auths: { "ghcr.io": { auth: "YWRtaW46VHIw" + "dWI0ZG9yMw==" } } },
    { auth: "elastic:" + "Tr0ub4dor3" },
    { url: "https://search.internal", auth: ["admin", "Tr0ub4dor3"] },
    { element: "Password field", ref: "e12", text: "Tr0ub4dor3" },
    { selector: "#password", value: "Tr0ub4dor3" },
    { secrets: { prod: { db: "Tr0ub4dor3" } } },
    { kind: "Secret", data: { "tls.key": "LS0tLS1CRUdJTiBDRVJU" + "SUZJQ0FURS0tLS0tCk1JSUM" } },
    { password: "Fluffy.Cat99" },
    { api_token: "prod.a8Kf93Jd" + "kQ02mZx" },
    { password: "MyPass!2024" },
    { password: "Maxxxx2024!" },
    { password: "83920174" },
    { token: "8472910384" + "7562019384" },
    { headers: { Cookie: "session=9fK2mQ7xLp; csrftoken=Zx81kqPq" } },
    { Authorization: "Bearer  9fK2mQ7x" + "LpZx81kqPq" },
    { args: ["-H", "Authorization: Bearer 9fK2mQ7x" + "LpZx81kqPq"] },
    // The review's: a sample word inside a password with symbols, numbered names, plural tokens.
    { password: "Hunter123456789!" },
    { password: "Example!2024" },
    { password: "Redacted#99" },
    { password1: "Tr0ub4dor3" },
    { dbPassword2: "Tr0ub4dor3" },
    { access_tokens: ["9fK2mQ7xLp" + "Zx81kqPq"] },
  ];
  for (const args of shapes) assert.ok(secretsIn(args).length >= 1, JSON.stringify(args));
  // Both copies of a sign-up form's password.
  assert.equal(secretsIn({ password: "Tr0ub4dor3", password_confirmation: "Tr0ub4dor3" }).length, 2);
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
    // Form messages, labels, validation rules and policies; names and references of secrets; element lists;
    // pagination and usage counters; plain values and hashes.
    { errors: { password: "Password is required." } },
    { errors: { password: "Must be at least 8 characters." } },
    { auth: { password: "Passwort:" } },
    { passcode: "Enter code:" },
    { login: { password: "Password (8+ chars)" } },
    { password: "Weak (score 1/4)" },
    { rules: { password: "required|string|min:8|confirmed" } },
    { validation: { password: "min:8,max:64" } },
    { policies: { password: "^(?=.*[A-Z]).{12,}$" } },
    { auth: { existingSecret: "postgres-credentials" } },
    { webhookSecret: "stripe-webhook-prod" },
    { token: "GITHUB_TOKEN" },
    { apiKeySecret: "OPENAI_API_KEY" },
    { secrets: ["DB_PASSWORD", "STRIPE_API_KEY"] },
    { variable: { db_password: { default: "managed-by-vault" } } },
    { password: "$(DB_PASSWORD)" },
    { password: "#{DbPassword}" },
    { apiKey: "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/k)" },
    { columns: ["email", "password", "created_at"] },
    { tags: ["secret", "prod-cluster-01"] },
    { cmd: ["pg_dump", "--no-password", "--host", "db1"] },
    { cmd: ["op", "item", "get", "--fields", "password", "--reveal"] },
    { tokens: ["The", "Transformer", "Tokenization", "Attention"] },
    { StartingToken: "eyJNYXJrZXIiOiBudWxsfQ==" },
    { deltaToken: "LztZwWjo5IivWBhyxw5rYA" },
    { usage: { tokens: "12,345,678" } },
    { credentials: "prod-admin" },
    { authorization: "role-based" },
    { cookie: "SameSite=Lax" },
    { privateKey: "RSA-2048" },
    { tokenSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
    { secrets: Array.from({ length: 300 }, (_, i) => `SERVICE_${i}_API_KEY`) },
    // Names in camel or Pascal case, a sentence after a `Name:`.
    { primaryKey: "userAccountId" },
    { primary_key: "CustomerOrderId" },
    { auth: "GoogleOAuth2" },
    { auth: "AzureActiveDirectory" },
    { body: "Password: Reset at 9am Monday" },
    { note: "production_database_connectionstring" },
  ];
  for (const args of shapes) assert.deepEqual(secretsIn(args), [], JSON.stringify(args));
});

test("a `Name: value` line is read to its end only: the next line keeps its own findings", () => {
  const text = "Password: hunter2x\nUsername: bob";
  const found = inspector.inspect(inspectedFields({ tool: { server: "s", name: "t", arguments: { body: text } } } as never));
  assert.equal(inspector.redact(text, found), "Password: [REDACTED:password]\nUsername: bob");
});

test("names are built of bounded parts: keys of hundreds of kilobytes over thousands of values cost no more than short ones", () => {
  const leaves: Record<string, string> = {};
  for (let i = 0; i < 10_000; i++) leaves[`k${i}`] = "x";
  const args = { ["A".repeat(400_000)]: { ["B".repeat(100_000)]: leaves } };
  const before = process.memoryUsage().heapUsed;
  const t = process.cpuUsage();
  const fields = inspectedFields({ tool: { server: "s", name: "t", arguments: args } } as never);
  inspector.inspect(fields);
  const used = process.cpuUsage(t);
  assert.ok((used.user + used.system) / 1000 < 1500, `${(used.user + used.system) / 1000} ms of CPU`);
  assert.ok(fields.every((f) => (f.name ?? "").length <= 3 * 128 + 2), "every name is at most three bounded keys");
  assert.ok(process.memoryUsage().heapUsed - before < 256 * 1024 * 1024, "no copy of the keys per value");
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
