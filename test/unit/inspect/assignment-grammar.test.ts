// The generic-assignment grammar: each syntax secrets are written in (operators of several languages, type words,
// values on the next line, call arguments, environment writes, CLI flags, Authorization schemes, registry and
// manifest credentials) is found, and the same syntax holding a placeholder is not; identifiers, hashes,
// references, ciphertext and documentation samples under a key name are not reported.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInspector } from "../../../src/inspect/index.js";

const inspector = createInspector({ fingerprintKey: "assignment-grammar-test" });
/** `type:value` of each finding, so a case checks both what was found and where. */
const found = (text: string): string[] => inspector.inspect([{ field: "f", text }]).map((f) => `${f.type}:${text.slice(f.location.start, f.location.end)}`);

// Synthetic values, assembled so that this file holds no complete literal secret.
const V = "Q7xK2m9P" + "4r8T6w3Z" + "aB1cD2eF";
const PW = "S3cr3t" + "!Pw9x";
const UUID = "1f0c6a3e-5b7d-" + "4c2a-9e8f-0a1b2c3d4e5f";

/** [syntax, text with the value at `@`, reported type, placeholders that must not be reported]. */
const CASES: [string, string, string, string[]][] = [
  ["::=", `API_KEY ::= "@"`, "generic-secret", ["${API_KEY}", "<your-api-key>"]],
  [":::=", `API_KEY :::= "@"`, "generic-secret", ["${API_KEY}"]],
  ["?=", "API_TOKEN ?= @", "generic-secret", ["$(API_TOKEN)"]],
  [".=", `$secret .= "@";`, "generic-secret", ["${SECRET}"]],
  ["+=", `token += "@"`, "generic-secret", ["${TOKEN}"]],
  ["<-", `api_key <- "@"`, "generic-secret", ["${API_KEY}"]],
  ["Go type word", `var apiToken string = "@"`, "generic-secret", ["${API_TOKEN}"]],
  ["Java type word", `String apiKey = "@";`, "generic-secret", ["${API_KEY}"]],
  ["TypeScript annotation", `const token: string = "@";`, "generic-secret", ["${TOKEN}"]],
  ["XML value on the next line", "<apiToken>\n    @\n</apiToken>", "generic-secret", ["${API_TOKEN}"]],
  ["YAML block scalar", "api_key: |\n  @\n", "generic-secret", ["${API_KEY}"]],
  ["System.setProperty", `System.setProperty("SERVICE_TOKEN", "@");`, "generic-secret", ["${SERVICE_TOKEN}"]],
  ["os.environ write", `os.environ["SERVICE_TOKEN"] = "@"`, "generic-secret", ["${SERVICE_TOKEN}"]],
  ["setenv", `setenv("SERVICE_TOKEN", "@", 1);`, "generic-secret", ["${SERVICE_TOKEN}"]],
  ["csh setenv", "setenv SERVICE_TOKEN @", "generic-secret", ["${SERVICE_TOKEN}", "changeme", "$SERVICE_TOKEN"]],
  ["Windows setx", "setx DEPLOY_KEY @", "generic-secret", ["%DEPLOY_KEY%", "changeme"]],
  ["Authorization: Token", "Authorization: Token @", "authorization-header", ["${TOKEN}", "<token>"]],
  ["Authorization: Api-Key", "Authorization: Api-Key @", "authorization-header", ["${API_KEY}"]],
  ["Authorization: ApiKey", `"Authorization": "ApiKey @"`, "authorization-header", ["$API_KEY"]],
  ["Authorization: custom scheme", "authorization: SSWS @", "authorization-header", ["{{okta_token}}"]],
  ["JSON held in a string (escaped quotes)", `{\\"api_token\\": \\"@\\"}`, "generic-secret", ["${API_TOKEN}"]],
  ["escaped quotes around a name only", `\\"service_secret\\"=@`, "generic-secret", ["${SERVICE_SECRET}"]],
];

for (const [syntax, template, type, placeholders] of CASES) {
  test(`assignment syntax ${syntax}: the value is found, a placeholder is not`, () => {
    assert.deepEqual(found(template.replace("@", V)), [`${type}:${V}`]);
    for (const p of placeholders) assert.deepEqual(found(template.replace("@", p)), [], p);
  });
}

test("Authorization: Digest reports the response hash", () => {
  const response = "6629fae4" + "9393a054" + "97450978" + "507c4ef1";
  const header = `Authorization: Digest username="bob", realm="api", nonce="dcd98b7102dd2f0e", uri="/", response="${response}"`;
  assert.deepEqual(found(header), [`authorization-header:${response}`]);
  assert.deepEqual(found(`Authorization: Digest username="bob", response="\${RESPONSE}"`), []);
});

test("Basic and Bearer stay with their own rules", () => {
  const basic = Buffer.from(`admin:${PW}`).toString("base64");
  assert.deepEqual(found(`Authorization: Basic ${basic}`), [`basic-auth:${basic}`]);
  assert.deepEqual(found(`Authorization: Bearer ${V}`), [`bearer-token:${V}`]);
});

test("passwords: NuGet ClearTextPassword, curl -u / --user, Bundler and Sidekiq gem credentials", () => {
  // NuGet and Sidekiq have vendor rules of their own, listed before these: they report the same values.
  assert.deepEqual(found(`<add key="ClearTextPassword" value="${PW}" />`), [`nuget-key:${PW}`]);
  assert.deepEqual(found(`<add key="ClearTextPassword" value="changeme" />`), []);
  assert.deepEqual(found(`curl -s -u admin:${PW} https://ci.internal/api`), [`password:admin:${PW}`]);
  assert.deepEqual(found(`curl --user=deploy:${PW} https://ci.internal/api`), [`password:deploy:${PW}`]);
  for (const p of ["$PASSWORD", "${PASSWORD}", "password", "<password>"]) assert.deepEqual(found(`curl -u admin:${p} https://ci.internal/api`), [], p);
  const gem = "cafebabe" + ":" + "deadbeef";
  assert.deepEqual(found(`BUNDLE_ENTERPRISE__CONTRIBSYS__COM: "${gem}"`), [`sidekiq-secret:${gem}`]);
  assert.deepEqual(found(`export BUNDLE_GEMS__ACME__IO=deploy:${PW}`), [`password:deploy:${PW}`]);
  assert.deepEqual(found("BUNDLE_GEMS__ACME__IO: ${GEM_USER}:${GEM_PASSWORD}"), []);
});

test("passwords with < inside, in escaped JSON and in markup end where the value ends", () => {
  const lt = "UFw1" + "<Y9q!";
  assert.deepEqual(found(`db_password="${lt}"`), [`password:${lt}`]);
  assert.deepEqual(found(`<dbPassword>${lt}</dbPassword>`), [`password:${lt}`]);
  assert.deepEqual(found(`{\\"db_password\\": \\"${PW}\\"}`), [`password:${PW}`]);
  assert.deepEqual(found(`<td>password: ${PW}</td>`), [`password:${PW}`]);
  // A value that opens with < is a placeholder; so is a value cut short by a closing tag.
  for (const text of ["password=<secret>", "password = <your password>", "<password><!-- set me --></password>"]) assert.deepEqual(found(text), [], text);
});

test("curl: continued command lines, quoted parts, empty users, credential headers", () => {
  assert.deepEqual(found(`curl -k -X POST https://ci.internal/api \\\n  -H 'Content-type: text/plain' \\\n  -u deploy:${PW}`), [`password:deploy:${PW}`]);
  assert.deepEqual(found(`curl --user deploy:'${PW}' -X PATCH https://ci.internal/api`), [`password:deploy:'${PW}`]);
  assert.deepEqual(found(`curl -u ":${PW}" https://ci.internal:9200`), [`password::${PW}`]);
  for (const p of ["<user:password>", "username:token", '"xxx:yyy"', "admin:${PASSWORD}"]) assert.deepEqual(found(`curl -u ${p} https://ci.internal/api`), [], p);
  const hexToken = "3fea6af1" + "349166ea";
  assert.deepEqual(found(`curl -X POST -H "Token: ${hexToken}" https://ci.internal/api`), [`generic-secret:${hexToken}`]);
  assert.deepEqual(found(`curl --header "X-Api-Key: ${V}" https://ci.internal/api`), [`generic-secret:${V}`]);
  for (const h of ['-H "X-Auth-Token: $TOKEN"', '-H "Content-Type: application/json"', '-H "X-Api-Key: abcdefgh"']) assert.deepEqual(found(`curl ${h} https://ci.internal/api`), [], h);
  // A hex bearer token (two character classes) is a bearer token.
  const bearer = hexToken + "b7c2d94e" + "05a18f3c";
  assert.deepEqual(found(`-H "Authorization: Bearer ${bearer}"`), [`bearer-token:${bearer}`]);
});

test("Docker config.json auth and Kubernetes Secret data are found; their look-alikes are not", () => {
  const auth = Buffer.from(`ci-bot:${PW}`).toString("base64");
  assert.deepEqual(found(`{"auths": {"registry.gitlab.com": {"auth": "${auth}"}}}`), [`basic-auth:${auth}`]);
  assert.deepEqual(found(`{"auths": {"registry.gitlab.com": {"auth": "${Buffer.from("no colon at all").toString("base64")}"}}}`), []);
  const data = Buffer.from(PW + "-db").toString("base64");
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${data}\n  username: YWRtaW4=\n`;
  assert.deepEqual(found(secret), [`kubernetes-secret:${data}`]);
  // `kubectl get -o yaml` order: data before kind.
  assert.deepEqual(found(`apiVersion: v1\ndata:\n  token: ${data}\nkind: Secret\n`), [`kubernetes-secret:${data}`]);
  assert.deepEqual(found("apiVersion: v1\nkind: ConfigMap\ndata:\n  level: debug\n"), []);
  assert.deepEqual(found("kind: Secret\ndata:\n  mode: production\n"), [], "not base64");
});

test("a UUID under a token, secret or API-key name is a credential; under an id name it is an identifier", () => {
  // Snyk and HubSpot have vendor rules, listed before the generic ones.
  for (const [text, type] of [[`SNYK_TOKEN=${UUID}`, "snyk-token"], [`HUBSPOT_API_KEY: ${UUID}`, "hubspot-token"], [`//registry.npmjs.org/:_authToken=${UUID}`, "generic-secret"], [`VAULT_TOKEN="${UUID}"`, "generic-secret"], [`"client_secret": "${UUID}"`, "generic-secret"]]) {
    assert.deepEqual(found(text!), [`${type}:${UUID}`], text);
  }
  for (const text of [`client_id=${UUID}`, `token_id: ${UUID}`, `key_id = "${UUID}"`, `request_id=${UUID}`, `idempotency_key: ${UUID}`, `next_token=${UUID}`, `"key": "${UUID}"`, `secret_name: ${UUID}`]) {
    assert.deepEqual(found(text), [], text);
  }
});

test("constant names are not values; upper-case values without word structure are", () => {
  const upper = "A1B2C3D4" + "E5F6G7H8";
  assert.deepEqual(found(`api_key=${upper}`), [`generic-secret:${upper}`]);
  for (const name of ["MY_CONSTANT_NAME_VALUE", "DEFAULT_API_TOKEN_ENV", "OAUTH2_CLIENT_SECRET_V2", "AES_256_GCM_KEY_SIZE"]) {
    assert.deepEqual(found(`token = ${name}`), [], name);
  }
});

test("identifiers, hashes, references, ciphertext, masked values and documentation samples under key names", () => {
  for (const text of [
    "pubkey = struct_X509_pubkey_st",
    "issuerKeyHash=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    "public_key_fingerprint: 3b4f8e2a9c1d7e6f5a4b3c2d1e0f9a8b",
    "tokenDigest = 5d41402abc4b2a76b9719d911017c592aa",
    "key_checksum=e3b0c44298fc1c149afbf4c8996fb92427ae41e4",
    "password: ENC[AES256_GCM,data:Tr7oXk9q2w==,iv:1y2ZabcdEFGH=,tag:AbCdEf12==,type:str]",
    "api_key: ENC[AES256_GCM,data:Tr7oXk9q2wPq8R3s,iv:1y2Z=,type:str]",
    "api_key: process.env.STRIPE_API_KEY_LIVE",
    "const token = process.env.GITHUB_TOKEN_VALUE;",
    "secret_key = os.environ[\"DJANGO_SECRET_KEY\"]",
    "password = os.getenv('DB_PASSWORD_PROD')",
    "SLACK_TOKEN=xoxp-XXXXXXXXXXXX-XXXXXXXXXXXX-####",
    "api_token: ****************1234",
    "secret_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
    "apiKey: \"AIzaSyDOCAbC123dEf456GhI789jKl012-MnO\",",
  ]) {
    assert.deepEqual(found(text), [], text);
  }
});

test("the widened grammar does not read prose or settings as assignments", () => {
  for (const text of [
    "The token, once issued, expires after an hour.",
    "api_key:\n  enabled: true\n  rotation_days: 30",
    "password:\n  min_length: 12\n  require_symbol: true",
    "Set the secret += the salt, then hash it.",
    "if (token <- 0) return;",
    "setenv SSH_KEY_PATH ~/.ssh/id_rsa_deploy_2024",
    "setenv PATH /usr/local/bin:/usr/bin",
  ]) {
    assert.deepEqual(found(text), [], text);
  }
});
