// Generates the labelled inspection corpus (test/fixtures/inspect-corpus.json): synthetic secrets and personal data
// shaped like the real thing (random, never real credentials), and look-alikes that must not be reported.
// Deterministic (seeded), so the committed file is reproducible: `node dist/scripts/gen-inspect-corpus.js`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type Kind = "secret" | "pii";
interface Expect {
  type: string;
  kind: Kind;
}
/** One corpus entry: a text and the findings (by type) it must produce; negatives expect none. */
export interface CorpusItem {
  id: string;
  text: string;
  expect: Expect[];
}

// ── Seeded randomness ─────────────────────────────────────────────────────────────────────────────────────────
let state = 0x9e3779b9;
function random(): number {
  // mulberry32
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGIT = "0123456789";
const HEX = "0123456789abcdef";
const B62 = UPPER + LOWER + DIGIT;
const B64 = B62 + "+/";
const B64URL = B62 + "-_";
function chars(alphabet: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}
/** Random characters with at least one upper, lower and digit (so entropy and class checks see a real token). */
function mixed(alphabet: string, n: number): string {
  for (;;) {
    const s = chars(alphabet, n);
    if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /\d/.test(s)) return s;
  }
}
const hex = (n: number): string => chars(HEX, n);
const digits = (n: number): string => chars(DIGIT, n);
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`;
const b64url = (s: string): string => Buffer.from(s).toString("base64url");
const lines64 = (body: string, sep = "\n"): string => body.match(/.{1,64}/g)!.join(sep);

// ── Corpus assembly ───────────────────────────────────────────────────────────────────────────────────────────
const items: CorpusItem[] = [];
const counters = new Map<string, number>();
function add(family: string, text: string, expect: Expect[]): void {
  const n = (counters.get(family) ?? 0) + 1;
  counters.set(family, n);
  items.push({ id: `${family}/${n}`, text, expect });
}
const secret = (type: string): Expect => ({ type, kind: "secret" });
const pii = (type: string): Expect => ({ type, kind: "pii" });

/** Ways a named credential shows up: env files, shells, JSON, YAML, code, CI config, chat. */
const NAMED: ((name: string, value: string) => string)[] = [
  (n, v) => `${n}=${v}`,
  (n, v) => `export ${n}="${v}"`,
  (n, v) => `{"${n.toLowerCase()}": "${v}", "region": "eu-west-1", "retries": 3}`,
  (n, v) => `${n.toLowerCase()}: ${v}`,
  (n, v) => `env:\n  - name: ${n}\n    value: "${v}"`,
  (n, v) => `Can you check why the deploy fails? I set ${n}=${v} in the pipeline settings but it still returns 401.`,
  (n, v) => `settings.${n.toLowerCase()} = '${v}'`,
  (n, v) => `docker run -e ${n}=${v} -p 8080:8080 ghcr.io/acme/worker:1.4.2`,
];
/** Ways a self-describing token (distinctive prefix) shows up without its name. */
const BARE: ((value: string) => string)[] = [
  (v) => `Here is the token for the staging job: ${v} - please rotate it after the demo.`,
  (v) => `curl -s https://api.internal.acme.dev/v2/items -H "X-Api-Key: ${v}"`,
  (v) => `client = Client("${v}", timeout=30)`,
  (v) => `I pasted ${v} into the config by mistake, is that a problem?`,
  (v) => `2024-05-02 10:11:12 WARN request failed credential=${v} attempt=2`,
];

/** Adds `count` positives of one secret rule family, each a fresh value in a rotating context. */
function secrets(family: string, type: string, count: number, make: () => string, names?: readonly string[]): void {
  for (let i = 0; i < count; i++) {
    const v = make();
    const text = names ? pick(NAMED)(pick(names), v) : i % 2 === 0 ? pick(BARE)(v) : pick(NAMED)(pick(["API_TOKEN", "ACCESS_TOKEN", "CREDENTIAL", "AUTH"]), v);
    add(`secret/${family}`, text, [secret(type)]);
  }
}

// ── Secret positives ──────────────────────────────────────────────────────────────────────────────────────────
function pemBody(bytes: number): string {
  return chars(B64, Math.ceil((bytes * 4) / 3));
}
for (const [label, bytes] of [["RSA ", 1190], ["EC ", 121], ["", 1216], ["ENCRYPTED ", 1298], ["OPENSSH ", 399], ["DSA ", 448]] as const) {
  const body = lines64(`MII${pemBody(bytes)}`);
  add("secret/private-key", `-----BEGIN ${label}PRIVATE KEY-----\n${body}\n-----END ${label}PRIVATE KEY-----\n`, [secret("private-key")]);
}
add("secret/private-key", `Here's the deploy key, can you add it to the runner?\n\n\`\`\`\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${lines64(pemBody(380))}\n-----END OPENSSH PRIVATE KEY-----\n\`\`\``, [secret("private-key")]);
add("secret/private-key", `ssl:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    ${lines64(`MHcCAQEE${pemBody(110)}`, "\n    ")}\n    -----END EC PRIVATE KEY-----`, [secret("private-key")]);
add("secret/private-key", `{"tls_key": "-----BEGIN RSA PRIVATE KEY-----\\n${lines64(`MIIEpA${pemBody(1100)}`, "\\n")}\\n-----END RSA PRIVATE KEY-----\\n"}`, [secret("private-key")]);
add("secret/private-key", `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,${hex(32).toUpperCase()}\n\n${lines64(pemBody(1200))}\n-----END RSA PRIVATE KEY-----`, [secret("private-key")]);
add("secret/private-key", `the file was cut off but it starts like this:\n-----BEGIN PRIVATE KEY-----\n${lines64(`MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${pemBody(400)}`)}`, [secret("private-key")]);
for (let i = 0; i < 3; i++) {
  const project = `${pick(["acme", "globex", "initech", "umbrella"])}-${pick(["prod", "data", "ml"])}-${digits(6)}`;
  const key = `-----BEGIN PRIVATE KEY-----\\n${lines64(`MIIEvgIBADANBgkqhkiG9w0BAQEFAASC${pemBody(1180)}`, "\\n")}\\n-----END PRIVATE KEY-----\\n`;
  add("secret/gcp-service-account-key", `{\n  "type": "service_account",\n  "project_id": "${project}",\n  "private_key": "${key}",\n  "client_id": "${digits(21)}",\n  "auth_uri": "https://accounts.google.com/o/oauth2/auth"\n}`, [secret("gcp-service-account-key")]);
}
for (let i = 0; i < 3; i++) {
  add("secret/pgp-private-key", `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\nComment: backup of the release signing key\n\nlQOYBG${lines64(pemBody(900))}\n=${chars(B64, 4)}\n-----END PGP PRIVATE KEY BLOCK-----`, [secret("pgp-private-key")]);
}
secrets("age-secret-key", "age-secret-key", 3, () => `AGE-SECRET-KEY-1${chars("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)}`);

const awsId = (): string => `${pick(["AKIA", "AKIA", "ASIA"])}${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
secrets("aws-access-key-id", "aws-access-key", 6, awsId, ["AWS_ACCESS_KEY_ID", "aws_access_key_id", "AccessKeyId"]);
secrets("aws-access-key-id-bare", "aws-access-key", 3, awsId);
secrets("aws-secret-access-key", "aws-secret-key", 5, () => mixed(B64, 40), ["AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "SecretAccessKey"]);
for (let i = 0; i < 3; i++) {
  add("secret/aws-credentials-file", `[default]\naws_access_key_id = ${awsId()}\naws_secret_access_key = ${mixed(B64, 40)}\nregion = us-east-1`, [secret("aws-access-key"), secret("aws-secret-key")]);
}
secrets("gcp-api-key", "gcp-api-key", 4, () => `AIza${mixed(B64URL, 35)}`);
secrets("gcp-oauth-client-secret", "gcp-oauth-secret", 3, () => `GOCSPX-${mixed(B64URL, 28)}`);
for (let i = 0; i < 3; i++) {
  const cs = `DefaultEndpointsProtocol=https;AccountName=acmestore${digits(2)};AccountKey=${mixed(B64, 86)}==;EndpointSuffix=core.windows.net`;
  add("secret/azure-storage-account-key", pick([`AZURE_STORAGE_CONNECTION_STRING="${cs}"`, `"ConnectionStrings": { "Blob": "${cs}" }`, `connection string: ${cs}`]), [secret("azure-storage-key")]);
}
for (let i = 0; i < 3; i++) {
  add("secret/azure-shared-access-key", `Endpoint=sb://acme-${pick(["orders", "events", "telemetry"])}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${mixed(B64, 43)}=`, [secret("azure-shared-access-key")]);
}
for (let i = 0; i < 3; i++) {
  const sig = mixed(B64, 43).replace(/\+/g, "%2B").replace(/\//g, "%2F") + "%3D";
  add("secret/azure-sas-token", `https://acmebackup.blob.core.windows.net/exports/report-${digits(4)}.csv?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2025-06-30T18:00:00Z&spr=https&sig=${sig}`, [secret("azure-sas-token")]);
}
secrets("azure-ad-client-secret", "azure-client-secret", 3, () => `${chars(B62, 3)}${digits(1)}Q~${mixed(B62 + "_~.-", 34)}`, ["AZURE_CLIENT_SECRET", "client_secret"]);
secrets("alibaba-access-key-id", "alibaba-key", 3, () => `LTAI${mixed(B62, 20)}`);
secrets("digitalocean-token", "digitalocean-token", 3, () => `${pick(["dop", "doo"])}_v1_${hex(64)}`);
secrets("heroku-api-key-v2", "heroku-key", 2, () => `HRKU-${mixed(B64URL, 60)}`);
secrets("heroku-api-key", "heroku-key", 3, uuid, ["HEROKU_API_KEY", "heroku_api_key"]);
secrets("vault-token", "vault-token", 3, () => `hvs.${mixed(B64URL, 90)}`);
secrets("vault-token-legacy", "vault-token", 2, () => `s.${mixed(B62, 24)}`, ["VAULT_TOKEN", "vault_token"]);
secrets("terraform-cloud-token", "terraform-token", 3, () => `${mixed(B62, 14)}.atlasv1.${mixed(B64URL, 67)}`);
secrets("doppler-token", "doppler-token", 2, () => `dp.${pick(["pt", "st"])}.${mixed(B62, 43)}`);
secrets("pulumi-token", "pulumi-token", 2, () => `pul-${hex(40)}`);
secrets("databricks-token", "databricks-token", 3, () => `dapi${hex(32)}`);
secrets("cloudflare-api-token", "cloudflare-token", 2, () => mixed(B64URL, 40), ["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"]);

secrets("github-pat", "github-token", 5, () => `ghp_${mixed(B62, 36)}`);
secrets("github-fine-grained-pat", "github-token", 3, () => `github_pat_${mixed(B62, 22)}_${mixed(B62, 59)}`);
secrets("github-oauth-token", "github-token", 2, () => `gho_${mixed(B62, 36)}`);
secrets("github-app-token", "github-token", 3, () => `${pick(["ghu", "ghs"])}_${mixed(B62, 36)}`);
secrets("github-refresh-token", "github-token", 2, () => `ghr_${mixed(B62, 76)}`);
secrets("gitlab-pat", "gitlab-token", 4, () => `glpat-${mixed(B64URL, 20)}`);
secrets("gitlab-token", "gitlab-token", 3, () => pick([`glptt-${hex(40)}`, `glrt-${mixed(B64URL, 20)}`, `gldt-${mixed(B64URL, 20)}`]));
secrets("bitbucket-app-password", "bitbucket-token", 3, () => `ATBB${mixed(B62, 32)}`);
secrets("atlassian-api-token", "atlassian-token", 3, () => `ATATT3${mixed(B64URL, 183)}=${hex(8).toUpperCase()}`);
secrets("atlassian-api-token-legacy", "atlassian-token", 2, () => mixed(B62, 24), ["JIRA_API_TOKEN", "CONFLUENCE_TOKEN"]);
secrets("npm-token", "npm-token", 3, () => `npm_${mixed(B62, 36)}`);
add("secret/npm-token", `//registry.npmjs.org/:_authToken=npm_${mixed(B62, 36)}`, [secret("npm-token")]);
secrets("pypi-token", "pypi-token", 3, () => `pypi-AgEIcHlwaS5vcmc${mixed(B64URL, 150)}`);
secrets("rubygems-token", "rubygems-token", 2, () => `rubygems_${hex(48)}`);
secrets("docker-hub-token", "docker-token", 3, () => `dckr_pat_${mixed(B64URL, 27)}`);
secrets("circleci-token", "ci-token", 2, () => `CCIPAT_${mixed(B62, 22)}_${hex(40)}`);
secrets("circleci-token-legacy", "ci-token", 2, () => hex(40), ["CIRCLECI_TOKEN", "CIRCLE_TOKEN"]);
secrets("travis-token", "ci-token", 2, () => mixed(B62, 22), ["TRAVIS_API_TOKEN", "TRAVIS_TOKEN"]);
secrets("buildkite-token", "ci-token", 2, () => `bkua_${hex(40)}`);

secrets("slack-bot-token", "slack-token", 4, () => `xoxb-${digits(11)}-${digits(13)}-${mixed(B62, 24)}`);
secrets("slack-user-token", "slack-token", 3, () => `xoxp-${digits(11)}-${digits(11)}-${digits(13)}-${hex(32)}`);
secrets("slack-app-token", "slack-token", 2, () => `xapp-1-A${chars(UPPER + DIGIT, 10)}-${digits(13)}-${hex(64)}`);
for (let i = 0; i < 3; i++) {
  const url = `https://hooks.slack.com/services/T${chars(UPPER + DIGIT, 8)}/B${chars(UPPER + DIGIT, 10)}/${mixed(B62, 24)}`;
  add("secret/slack-webhook-url", pick([`SLACK_WEBHOOK_URL=${url}`, `Post alerts to ${url} when the job fails.`, `webhook: "${url}"`]), [secret("slack-webhook")]);
}
for (let i = 0; i < 3; i++) {
  const url = `https://${pick(["", "ptb.", "canary."])}discord.com/api/webhooks/${digits(18)}/${mixed(B64URL, 68)}`;
  add("secret/discord-webhook-url", pick([`DISCORD_WEBHOOK=${url}`, `send the build status to ${url}`]), [secret("discord-webhook")]);
}
const discordToken = (): string => `${b64url(`1${digits(17)}`)}.${mixed(B64URL, 6)}.${mixed(B64URL, 38)}`;
add("secret/discord-bot-token", `DISCORD_BOT_TOKEN=${discordToken()}`, [secret("discord-token")]);
add("secret/discord-bot-token", `headers = {"Authorization": "Bot ${discordToken()}"}`, [secret("discord-token")]);
add("secret/discord-bot-token", `My discord bot won't log in: client.login("${discordToken()}") just hangs.`, [secret("discord-token")]);
for (let i = 0; i < 3; i++) {
  const url = `https://acme${pick(["corp", "labs", ""])}.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`;
  add("secret/teams-webhook-url", pick([`TEAMS_WEBHOOK_URL=${url}`, `The Teams connector posts to ${url}`]), [secret("teams-webhook")]);
}
for (let i = 0; i < 2; i++) {
  add("secret/teams-workflow-url", `https://prod-${int(10, 99)}.westeurope.logic.azure.com:443/workflows/${hex(32)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${mixed(B64URL, 43)}`, [secret("teams-webhook")]);
}
secrets("telegram-bot-token", "telegram-bot-token", 3, () => `${int(1, 9)}${digits(9)}:AA${mixed(B64URL, 33)}`);
secrets("linear-api-key", "linear-key", 2, () => `lin_api_${mixed(B62, 40)}`);
secrets("notion-token", "notion-token", 3, () => pick([`secret_${mixed(B62, 43)}`, `ntn_${digits(11)}${mixed(B62, 35)}`]));
secrets("okta-api-token", "okta-token", 2, () => `00${mixed(B64URL, 40)}`, ["OKTA_API_TOKEN", "okta_token"]);
secrets("postman-api-key", "postman-key", 2, () => `PMAK-${hex(24)}-${hex(34)}`);

secrets("stripe-secret-key", "stripe-key", 5, () => `${pick(["sk_live", "sk_live", "rk_live", "sk_test"])}_${mixed(B62, 99)}`);
secrets("stripe-webhook-secret", "stripe-key", 2, () => `whsec_${mixed(B62, 32)}`);
secrets("square-token", "square-token", 3, () => pick([`EAAA${mixed(B64URL, 60)}`, `sq0csp-${mixed(B64URL, 43)}`, `sq0atp-${mixed(B64URL, 22)}`]));
secrets("braintree-access-token", "paypal-braintree-token", 2, () => `access_token$production$${chars(LOWER + DIGIT, 16)}$${hex(32)}`);
secrets("paypal-client-secret", "paypal-braintree-token", 2, () => `E${mixed(B64URL, 79)}`, ["PAYPAL_CLIENT_SECRET", "paypal_secret"]);
secrets("shopify-token", "shopify-token", 3, () => `${pick(["shpat", "shpss", "shpca"])}_${hex(32)}`);
secrets("twilio-api-key", "twilio-key", 3, () => `SK${hex(32)}`);
secrets("twilio-auth-token", "twilio-key", 2, () => hex(32), ["TWILIO_AUTH_TOKEN", "twilio_auth_token"]);
secrets("sendgrid-api-key", "sendgrid-key", 3, () => `SG.${mixed(B64URL, 22)}.${mixed(B64URL, 43)}`);
secrets("mailgun-api-key", "mailgun-key", 2, () => `key-${hex(32)}`);
secrets("mailgun-private-key", "mailgun-key", 2, () => `${hex(32)}-${hex(8)}-${hex(8)}`, ["MAILGUN_API_KEY", "mailgun_key"]);
secrets("mailchimp-api-key", "mailchimp-key", 2, () => `${hex(32)}-us${int(1, 21)}`);
secrets("brevo-api-key", "brevo-key", 2, () => `xkeysib-${hex(64)}-${mixed(B62, 16)}`);

secrets("anthropic-api-key", "anthropic-key", 4, () => `sk-ant-api03-${mixed(B64URL, 93)}AA`);
secrets("openai-api-key", "openai-key", 4, () => pick([`sk-proj-${mixed(B64URL, 74)}T3BlbkFJ${mixed(B64URL, 74)}`, `sk-${mixed(B62, 20)}T3BlbkFJ${mixed(B62, 20)}`]));
secrets("openai-project-key", "openai-key", 2, () => `sk-proj-${mixed(B64URL, 120)}`);
secrets("openai-legacy-key", "openai-key", 3, () => `sk-${mixed(B62, pick([32, 48]))}`, ["OPENAI_API_KEY", "DEEPSEEK_API_KEY", "LLM_API_KEY"]);
secrets("huggingface-token", "huggingface-token", 3, () => `hf_${chars(UPPER, 3)}${chars(LOWER, 3)}${chars(UPPER + LOWER, 28)}`);
secrets("groq-api-key", "groq-key", 2, () => `gsk_${mixed(B62, 52)}`);
secrets("replicate-token", "replicate-token", 2, () => `r8_${mixed(B62, 37)}`);
secrets("perplexity-api-key", "perplexity-key", 2, () => `pplx-${mixed(B62, 48)}`);
secrets("xai-api-key", "xai-key", 2, () => `xai-${mixed(B62, 80)}`);
secrets("langsmith-api-key", "langsmith-key", 2, () => `lsv2_${pick(["pt", "sk"])}_${hex(32)}_${hex(10)}`);
secrets("cohere-api-key", "cohere-key", 2, () => mixed(B62, 40), ["COHERE_API_KEY", "CO_API_KEY"]);

secrets("datadog-api-key", "datadog-key", 3, () => pick([hex(32), hex(40)]), ["DD_API_KEY", "DATADOG_API_KEY", "DD_APP_KEY"]);
secrets("newrelic-key", "newrelic-key", 3, () => pick([`NRAK-${chars(UPPER + DIGIT, 27)}`, `${hex(36)}NRAL`]));
for (let i = 0; i < 3; i++) {
  const dsn = `https://${hex(32)}@o${digits(6)}.ingest.${pick(["", "us.", "de."])}sentry.io/${digits(7)}`;
  add("secret/sentry-dsn", pick([`SENTRY_DSN=${dsn}`, `Sentry.init({ dsn: "${dsn}", tracesSampleRate: 0.2 })`]), [secret("sentry-dsn")]);
}
secrets("sentry-auth-token", "sentry-token", 2, () => pick([`sntrys_eyJ${mixed(B64, 150)}_${mixed(B64, 43)}`, `sntryu_${hex(64)}`]));
secrets("grafana-token", "grafana-token", 2, () => pick([`glsa_${mixed(B62, 32)}_${hex(8)}`, `glc_${mixed(B64, 120)}`]));

const password = (): string => `${pick(["Tr0ub4dor", "Blue-Falcon", "Sp1ce&Rain", "Kx9#mQ", "Winter", "Nebula"])}${pick(["&3", "!77", "#2024", "$8x", "-Q9z", "_41"])}${chars(B62, int(2, 6))}`;
for (const scheme of ["postgres", "postgresql", "mysql", "mongodb+srv", "mongodb", "redis", "rediss", "amqp", "amqps", "mssql"]) {
  const host = pick(["db.internal.acme.io", "10.0.12.7", "cluster0.x7k2p.mongodb.net", "prod-pg.c9xyz.eu-west-1.rds.amazonaws.com", "rabbit.svc.cluster.local"]);
  const user = pick(["app", "svc_reporting", "admin", "etl", ""]);
  const url = `${scheme}://${user}:${encodeURIComponent(password())}@${host}${pick([":5432/orders", ":3306/app", "/analytics?retryWrites=true&w=majority", ":6379/0", "/vhost", ""])}`;
  add("secret/database-url", pick([`DATABASE_URL=${url}`, `connect with ${url} and run the migration`, `"url": "${url}"`]), [secret("database-url")]);
}
for (let i = 0; i < 3; i++) {
  const url = `${pick(["https", "ftp", "ssh"])}://${pick(["deploy", "ci-bot", "jenkins"])}:${mixed(B62, 14)}@${pick(["git.internal.acme.io", "ftp.partner.example.net", "builds.acme.dev"])}`;
  add("secret/url-credentials", pick([`git clone ${url}/platform/api.git`, `mirror: ${url}/releases/`]), [secret("url-credentials")]);
}
function jwt(): string {
  const header = b64url(JSON.stringify({ alg: pick(["HS256", "RS256", "ES256"]), typ: "JWT" }));
  const payload = b64url(JSON.stringify({ sub: `user_${digits(6)}`, iat: 1714650000 + int(0, 9999999), exp: 1714653600 + int(0, 9999999), scope: pick(["read:cases", "admin", "openid profile"]) }));
  return `${header}.${payload}.${mixed(B64URL, 43)}`;
}
for (let i = 0; i < 5; i++) {
  const t = jwt();
  add("secret/jwt", pick([`Authorization: Bearer ${t}`, `the id_token was ${t} - why is it rejected?`, `{"access_token": "${t}", "token_type": "Bearer"}`, `Cookie: session=${t}; Path=/`]), [secret("jwt")]);
}
for (let i = 0; i < 3; i++) {
  const cred = Buffer.from(`${pick(["admin", "svc-backup", "grafana"])}:${password()}`).toString("base64");
  add("secret/basic-auth-header", pick([`curl -H "Authorization: Basic ${cred}" https://registry.internal/v2/_catalog`, `headers: {"Authorization": "Basic ${cred}"}`]), [secret("basic-auth")]);
}
for (let i = 0; i < 3; i++) {
  add("secret/bearer-token", `curl https://api.partner.example.net/v1/orders -H "Authorization: Bearer ${mixed(B62, int(32, 48))}"`, [secret("bearer-token")]);
}
const genericNames = ["API_KEY", "api_key", "apiKey", "SECRET_KEY", "client_secret", "ACCESS_TOKEN", "auth_token", "app_secret", "signing_key"];
for (let i = 0; i < 8; i++) {
  const v = pick([mixed(B62, 32), hex(40), mixed(B64, 44), mixed(B62 + "-_", 28)]);
  const n = pick(genericNames);
  add("secret/generic-api-key", pick([`${n}=${v}`, `${n} = "${v}"`, `"${n}": "${v}",`, `${n}: ${v}`, `const ${n} = '${v}';`]), [secret("generic-secret")]);
}
for (let i = 0; i < 8; i++) {
  const v = password();
  const n = pick(["DB_PASSWORD", "password", "PGPASSWORD", "admin_pass", "smtp_passwd", "redis_password", "passphrase"]);
  add("secret/password-assignment", pick([`${n}=${v}`, `${n}: "${v}"`, `"${n}": "${v}"`, `Login is admin, ${n}: ${v} (don't share)`]), [secret("password")]);
}

// ── Personal data positives ───────────────────────────────────────────────────────────────────────────────────
const FIRST = ["jane", "maria", "li", "omar", "anna", "tomasz", "priya", "kofi", "sofia", "lucas", "yuki", "fatima"];
const LAST = ["doe", "kowalska", "wei", "haddad", "svensson", "nowak", "sharma", "mensah", "rossi", "martin", "tanaka", "ali"];
const DOMAINS = ["example.com", "example.org", "acme-corp.io", "mail.contoso.com", "fabrikam.net", "uni-heidelberg.de", "gmail.com", "outlook.co.uk", "startup.ai"];
const email = (): string => `${pick(FIRST)}${pick([".", "_", "", "+billing."])}${pick(LAST)}${pick(["", digits(2)])}@${pick(DOMAINS)}`;
for (let i = 0; i < 20; i++) {
  const e = email();
  add("pii/email", pick([
    `Customer wrote from ${e} today asking about the refund.`,
    `From: ${pick(FIRST)} <${e}>\nSubject: invoice question`,
    `Please forward the contract to ${e}.`,
    `{"user": {"email": "${e}", "plan": "pro"}}`,
    `contact=${e}`,
  ]), [pii("email")]);
}
for (let i = 0; i < 4; i++) add("pii/email-pair", `cc: ${email()}, ${email()}`, [pii("email"), pii("email")]);

const nanp = (): [string, string, string] => [`${int(2, 9)}${digits(2)}`, `${int(2, 9)}${digits(2)}`, digits(4)];
const phones: (() => string)[] = [
  () => { const [a, b, c] = nanp(); return `+1 (${a}) ${b}-${c}`; },
  () => { const [a, b, c] = nanp(); return `+1-${a}-${b}-${c}`; },
  () => { const [a, b, c] = nanp(); return `(${a}) ${b}-${c}`; },
  () => { const [a, b, c] = nanp(); return `${a}-${b}-${c}`; },
  () => { const [a, b, c] = nanp(); return `${a}.${b}.${c}`; },
  () => `+44 20 ${digits(4)} ${digits(4)}`,
  () => `+44 7${digits(3)} ${digits(6)}`,
  () => `020 7${digits(3)} ${digits(4)}`,
  () => `07${digits(3)} ${digits(6)}`,
  () => `+49 30 ${digits(8)}`,
  () => `+49 171 ${digits(7)}`,
  () => `030 ${digits(8)}`,
  () => `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  () => `06 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  () => `+91 98${digits(3)} ${digits(5)}`,
  () => `+61 4${digits(2)} ${digits(3)} ${digits(3)}`,
  () => `+81 3-${digits(4)}-${digits(4)}`,
  () => `+55 11 9${digits(4)}-${digits(4)}`,
  () => `+14155${digits(6)}`,
  () => `+44 (0)20 ${digits(4)} ${digits(4)}`,
];
for (let i = 0; i < 30; i++) {
  const p = phones[i % phones.length]!();
  add("pii/phone", pick([`Call me at ${p} after 5pm.`, `Tel: ${p}`, `mobile: ${p}`, `You can reach the site manager on ${p}.`, `{"name": "${pick(FIRST)}", "phone": "${p}"}`]), [pii("phone")]);
}

function luhnComplete(prefix: string, length: number): string {
  return luhnDigit(prefix + digits(length - prefix.length - 1));
}
/** `body` with the check digit that makes it pass Luhn appended (no randomness: later items stay as they were). */
function luhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const candidate = body + d;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let x = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return candidate;
  }
  return body;
}
const cards: (() => string)[] = [
  () => luhnComplete("4", 16),
  () => luhnComplete(`5${int(1, 5)}`, 16),
  () => luhnComplete(`2${int(221, 720)}`, 16),
  () => luhnComplete(pick(["34", "37"]), 15),
  () => luhnComplete("6011", 16),
  () => luhnComplete(`35${int(28, 89)}`, 16),
  () => luhnComplete("36", 14),
  () => luhnComplete("62", 16),
];
const groupCard = (n: string, sep: string): string => (n.length === 15 ? `${n.slice(0, 4)}${sep}${n.slice(4, 10)}${sep}${n.slice(10)}` : n.length === 14 ? `${n.slice(0, 4)}${sep}${n.slice(4, 10)}${sep}${n.slice(10)}` : n.match(/.{1,4}/g)!.join(sep));
for (let i = 0; i < 24; i++) {
  const n = cards[i % cards.length]!();
  const shown = groupCard(n, pick([" ", "-", ""]));
  add("pii/payment-card", pick([`Please charge my card ${shown}, exp 09/27.`, `card_number: ${shown}`, `I paid with ${shown} but was billed twice.`, `Card: ${shown} CVV 123`]), [pii("payment-card")]);
}

const IBAN_FORMATS: [string, () => string][] = [
  ["DE", () => digits(18)], ["GB", () => `${pick(["NWBK", "BARC", "LOYD", "HBUK"])}${digits(14)}`], ["FR", () => `${digits(10)}${chars(UPPER + DIGIT, 11)}${digits(2)}`],
  ["ES", () => digits(20)], ["IT", () => `${chars(UPPER, 1)}${digits(10)}${chars(UPPER + DIGIT, 12)}`], ["NL", () => `${pick(["ABNA", "INGB", "RABO"])}${digits(10)}`],
  ["BE", () => digits(12)], ["CH", () => `${digits(5)}${chars(UPPER + DIGIT, 12)}`], ["AT", () => digits(16)], ["PL", () => digits(24)],
  ["SE", () => digits(20)], ["IE", () => `${pick(["AIBK", "BOFI"])}${digits(14)}`],
];
function ibanOf(country: string, bban: string): string {
  const numeric = (bban + country + "00").replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return `${country}${String(98 - rem).padStart(2, "0")}${bban}`;
}
for (let i = 0; i < 18; i++) {
  const [country, bban] = IBAN_FORMATS[i % IBAN_FORMATS.length]!;
  const iban = ibanOf(country, bban());
  const shown = i % 2 === 0 ? iban.match(/.{1,4}/g)!.join(" ") : iban;
  add("pii/iban", pick([`Please transfer the deposit to IBAN ${shown}.`, `iban: ${shown}`, `Bank details: ${shown} (BIC on request)`]), [pii("iban")]);
}

const ssn = (): string => {
  let area = int(1, 899);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, "0")}-${String(int(1, 99)).padStart(2, "0")}-${String(int(1, 9999)).padStart(4, "0")}`;
};
for (let i = 0; i < 12; i++) add("pii/us-ssn", pick([`SSN: ${ssn()}`, `Employee social security number ${ssn()} on the W-4.`, `{"ssn": "${ssn()}"}`]), [pii("us-ssn")]);
for (let i = 0; i < 4; i++) add("pii/us-ssn-labeled", `ssn=${ssn().replace(/-/g, "")}`, [pii("us-ssn")]);

const ipv4 = (): string => `${pick([int(11, 126), int(128, 191), int(193, 223)])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
for (let i = 0; i < 16; i++) {
  add("pii/ipv4", pick([`Failed login from ${ipv4()} at 03:14 UTC.`, `client_ip=${ipv4()} status=403`, `The user's address was ${ipv4()}.`, `X-Forwarded-For: ${ipv4()}`]), [pii("ip-address")]);
}
const ipv6s: (() => string)[] = [
  () => `2001:db8:${hex(4)}:${hex(4)}::${hex(3)}`,
  () => `2a02:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}`,
  () => `fe80::${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}`,
  () => `2606:4700:${hex(4)}::${hex(4)}`,
  () => `::ffff:${ipv4()}`,
];
for (let i = 0; i < 10; i++) add("pii/ipv6", pick([`Connection from ${ipv6s[i % ipv6s.length]!()} refused.`, `remote_addr="${ipv6s[i % ipv6s.length]!()}"`]), [pii("ip-address")]);

// Mixed: several findings of different kinds in one text.
for (let i = 0; i < 6; i++) {
  add("mixed", `Hi team, ${pick(FIRST)} here (${email()}, ${phones[i]!()}). The staging key is ghp_${mixed(B62, 36)} and the server is ${ipv4()}.`, [pii("email"), pii("phone"), secret("github-token"), pii("ip-address")]);
}

// Vendors' published samples in the vendor's exact format are reported: a value in that format is treated as the
// credential it looks like (the rule is distinctive), and test data stands in for real numbers.
add("secret/documentation-sample", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", [secret("aws-access-key")]);
add("secret/documentation-sample", "Use AKIAIOSFODNN7EXAMPLE as the access key in the examples.", [secret("aws-access-key")]);
add("secret/documentation-sample", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", [secret("aws-secret-key")]);
add("secret/documentation-sample", "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'", [secret("stripe-key")]);
add("secret/documentation-sample", "GITHUB_TOKEN=ghp_1234567890abcdefghijklmnopqrstuvwxyz", [secret("github-token")]);
add("pii/documentation-sample", "My SSN is 123-45-6789, please update my record.", [pii("us-ssn")]);
add("pii/documentation-sample", "ssn: 078-05-1120", [pii("us-ssn")]);

// ── Negatives: look-alikes that must not be reported ──────────────────────────────────────────────────────────
function negative(family: string, count: number, make: () => string): void {
  for (let i = 0; i < count; i++) add(`negative/${family}`, make(), []);
}
negative("uuid", 14, () => pick([`request_id: ${uuid()}`, `Trace ${uuid()} failed after 3 retries.`, `{"id": "${uuid()}", "status": "queued"}`, `idempotency_key = "${uuid()}"`, `session ${uuid()} expired`]));
negative("git-sha", 14, () => pick([`commit ${hex(40)}\nAuthor: CI`, `Merged in ${hex(7)}, reverted in ${hex(7)}.`, `git checkout ${hex(40)}`, `"sha": "${hex(40)}"`, `fixed by ${hex(12)} (see PR #${int(100, 9999)})`]));
negative("sha256", 14, () => pick([`sha256: ${hex(64)}`, `${hex(64)}  dist/app.tar.gz`, `digest: sha256:${hex(64)}`, `checksum=${hex(64)}`, `The file hash is ${hex(64)}.`]));
negative("md5-sha1", 10, () => pick([`md5sum: ${hex(32)}`, `ETag: "${hex(32)}"`, `sha1 ${hex(40)}`, `cache_key = "${hex(32)}"`, `content_hash: ${hex(40)}`]));
negative("base64-blob", 12, () => pick([`data:image/png;base64,iVBORw0KGgo${chars(B64, 120)}==`, `{"payload": "${chars(B64, 96)}="}`, `attachment (base64): ${chars(B64, 200)}`, `nonce=${chars(B64, 24)}==`]));
negative("documentation-placeholder", 30, () => pick([
  "STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx",
  "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "OPENAI_API_KEY=<your-openai-api-key>",
  "export OPENAI_API_KEY=${OPENAI_API_KEY}",
  "api_key: YOUR_API_KEY_HERE",
  "api_key = 'your-api-key-here'",
  "SLACK_BOT_TOKEN=xoxb-your-bot-token",
  "DATABASE_URL=postgres://user:password@localhost:5432/mydb",
  "mongodb+srv://<username>:<password>@cluster0.example.mongodb.net/test",
  "redis://:${REDIS_PASSWORD}@redis:6379/0",
  "password: ********",
  "PASSWORD=changeme",
  "token: REDACTED",
  "Authorization: Bearer <token>",
  "Authorization: Bearer YOUR_ACCESS_TOKEN",
  "SECRET_KEY={{ secret_key }}",
  "client_secret: %CLIENT_SECRET%",
  "api_key=$API_KEY",
  "Set SENDGRID_API_KEY to SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN}",
  "password = os.environ['DB_PASSWORD']",
  "password: process.env.DB_PASSWORD",
  "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "ANTHROPIC_API_KEY=sk-ant-...",
  "private_key = \"-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----\"",
  "-----BEGIN PRIVATE KEY-----\n<paste your key here>\n-----END PRIVATE KEY-----",
]));
negative("card-failing-luhn", 16, () => {
  const n = cards[int(0, cards.length - 1)]!();
  const bad = n.slice(0, -1) + String((Number(n.slice(-1)) + int(1, 9)) % 10);
  return pick([`Use ${groupCard(bad, " ")} for the demo checkout.`, `card: ${groupCard(bad, "-")}`, `Try ${bad} in the sandbox.`]);
});
// A context word does not hide a real card (issuer, length and Luhn decide), so the order numbers here pass Luhn
// under a prefix no issuer uses (9).
const noIssuer = (n: string): string => luhnDigit(`9${n.slice(1, -1)}`);
negative("order-number", 20, () => {
  const luhnLike = noIssuer(cards[int(0, cards.length - 1)]!());
  const [a, b, c] = nanp();
  return pick([
    `Order number ${groupCard(luhnLike, " ")} has shipped.`,
    `Your order #${a}-${b}-${c} is on the way.`,
    `Tracking number: 9400 1${digits(3)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)}`,
    `Invoice no. ${digits(4)}-${digits(6)} is overdue.`,
    `Ref: ${a} ${b} ${c}`,
    `Case ID ${a}-${b}-${c} was escalated.`,
    `Transaction ${luhnLike} settled.`,
    `order_id=${digits(10)}`,
    `SKU ${digits(3)}-${digits(3)}-${digits(4)}`,
    `Confirmation: ${digits(3)}.${digits(3)}.${digits(4)}`,
  ]);
});
negative("version", 18, () => pick([
  `Upgrade to version ${int(1, 9)}.${int(0, 20)}.${int(0, 9)}.${int(0, 99)} before Friday.`,
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/${int(100, 130)}.0.${int(1000, 6999)}.${int(10, 200)} Safari/537.36`,
  `Running on build ${int(1, 9)}.${int(1, 30)}.${int(0, 9)}.${int(1, 99)}`,
  `Release ${int(1, 5)}.${int(0, 9)}.${int(0, 9)}.${int(0, 9)} fixes the crash.`,
  `node v20.${int(0, 19)}.${int(0, 9)}, npm ${int(8, 10)}.${int(0, 9)}.${int(0, 9)}`,
  `See section ${int(1, 9)}.${int(1, 9)}.${int(1, 9)}.${int(1, 9)} of the spec.`,
  `firmware ${int(1, 9)}.${int(0, 9)}.${int(0, 99)}.${int(0, 99)}`,
  `"version": "${int(0, 9)}.${int(0, 30)}.${int(0, 30)}-beta.${int(1, 9)}"`,
]));
negative("date-time", 18, () => pick([
  `Meeting on 2024-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")} at ${int(8, 18)}:${pick(["00", "15", "30", "45"])}.`,
  `Due ${int(1, 28)}/${int(1, 12)}/2025`,
  `timestamp: 2024-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")}T${String(int(0, 23)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}.${digits(3)}Z`,
  `Uptime 12:34:56, load 0.42`,
  `Epoch ${int(1600000000, 1800000000)}${digits(3)} ms`,
  `${int(1, 28)}.${int(1, 12)}.2024 - ${int(1, 28)}.${int(1, 12)}.2024`,
]));
negative("isbn", 10, () => pick([`ISBN 978-${int(0, 1)}-${digits(3)}-${digits(5)}-${int(0, 9)}`, `ISBN-13: 978${digits(10)}`, `isbn: 0-${digits(3)}-${digits(5)}-${int(0, 9)}`, `ISBN ${digits(9)}X`]));
negative("code-and-ids", 30, () => pick([
  `std::vector<int> v; std::map<std::string, int> m;`,
  `use crate::config::Settings;`,
  `MAC address 00:1A:2B:${hex(2).toUpperCase()}:${hex(2).toUpperCase()}:${hex(2).toUpperCase()}`,
  `color: #${hex(6)};`,
  `"@types/node": "^20.11.${int(0, 30)}"`,
  `npm install lodash@4.17.21 react@18.2.0`,
  `docker pull nginx@sha256:${hex(64)}`,
  `git@github.com:acme/platform.git`,
  `<img src="logo@2x.png" srcset="logo@3x.png 3x">`,
  `Follow @acme_support for updates.`,
  `@app.route("/health")`,
  `arn:aws:iam::${digits(12)}:role/deploy`,
  `Coordinates 52.5200, 13.4050`,
  `Total: $1,234,567.89 (up 12.5%)`,
  `ZIP 94103-${digits(4)}`,
  `Listening on 127.0.0.1:8080 and [::1]:8080`,
  `netmask 255.255.255.0 broadcast 0.0.0.0`,
  `pk_live_${mixed(B62, 24)} is the publishable key (safe in the browser).`,
  `Account SID AC${hex(32)}`,
  `Foo::Bar::baz() and a::b`,
  `Population: 8,336,817 (2020)`,
  `Score 10-12-2024 final`,
  `chmod 0755 ./run.sh && ./run.sh --threads 16`,
  `https://example.com:8443/path?page=2&sort=desc`,
  `postgres://localhost/analytics`,
  `redis://cache.internal:6379/2`,
  `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${chars(B64, 43)} ops@bastion`,
  `public_key: ssh-rsa AAAAB3NzaC1yc2E`,
  `file:///srv/www/projects/${hex(8)}/index.html`,
  `Phone extension 4412, room 3.14`,
]));
negative("prose-with-words", 20, () => pick([
  "The password must be at least 12 characters long and include a symbol.",
  "Rotate the token every 90 days and never commit it.",
  "A key: value pair per line; the secret: see the vault docs.",
  "Set `api_key` in the config file, not in code.",
  "password: required",
  "token: expired",
  "Passed: 12 of 14 tests",
  "The secret to good soup is patience.",
  "api_key_id: 7",
  "key = value",
  "We passed the audit; the keyboard: a mechanical one.",
  "session_token_ttl: 3600",
  "Our customer success team reviewed 1,200 tickets last quarter.",
  "Bearer tokens are sent in the Authorization header.",
  "access_token_lifetime = 3600s",
  "Please set password_min_length: 12 and password_history: 5",
  "The token endpoint is https://login.example.com/oauth2/token",
  "secret_name: prod/db/credentials",
  "signing_key_path = /etc/custos/keys/signing.pem",
  "private_key_id: key-2024-05",
]));
negative("hash-assignments", 14, () => pick([
  `cache_key = "${hex(32)}"`,
  `sort_key: ${hex(24)}`,
  `"primary_key": "${uuid()}"`,
  `partition_key=${hex(16)}-${hex(16)}`,
  `"key": "${uuid()}"`,
  `api_key_id = "${uuid()}"`,
  `next_page_token: ${chars(B62, 12)}`,
  `"kid": "${hex(40)}"`,
]));
negative("jwt-like", 8, () => pick([`eyJ${chars(B64URL, 30)}.eyJ${chars(B64URL, 40)}.${chars(B64URL, 43)}`, `token eyJhbGciOiJIUzI1NiJ9 is only a header`, `eyJ${chars(B64URL, 20)}`]));
negative("iban-failing-mod97", 10, () => {
  const [country, bban] = IBAN_FORMATS[int(0, IBAN_FORMATS.length - 1)]!;
  const iban = ibanOf(country, bban());
  const bad = iban.slice(0, 2) + String((Number(iban.slice(2, 4)) + int(1, 50)) % 100).padStart(2, "0") + iban.slice(4);
  return pick([`IBAN ${bad.match(/.{1,4}/g)!.join(" ")}`, `account: ${bad}`]);
});
negative("ssn-invalid", 12, () => pick([`000-${int(10, 99)}-${digits(4)}`, `666-${int(10, 99)}-${digits(4)}`, `9${digits(2)}-${int(10, 99)}-${digits(4)}`, `${int(100, 899)}-00-${digits(4)}`, `${int(100, 665)}-${int(10, 99)}-0000`]).replace(/^/, pick(["SSN ", "id ", "number "])));
negative("ip-like", 14, () => pick([
  `version 1.2.3.4`, `v${int(1, 9)}.${int(0, 9)}.${int(0, 9)}.${int(0, 9)}`, `${int(256, 999)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
  `10.0.0.${int(256, 400)}`, `127.0.0.1`, `0.0.0.0/0`, `255.255.${int(0, 255)}.0`, `OID 1.3.6.1.4.1.${digits(4)}`,
  `1.2.3.4.5.6`, `Table 3.2.1.4 lists the limits.`, `time 10:30:45 and 23:59:59`, `ratio 1:2:3:4`,
]));
negative("long-numbers", 12, () => pick([
  `Your tracking ID is 1Z${chars(UPPER + DIGIT, 16)}.`,
  `Order 1${digits(15)} confirmed.`.replace(/^Order /, pick(["Order ", "Invoice ", "Shipment "])),
  `batch_id=${digits(18)}`,
  `Build #${digits(6)} passed in ${int(1, 59)}m`,
  `The answer is ${digits(9)}.`,
  `serial number: ${digits(4)}-${digits(4)}-${digits(4)}-${digits(4)}`,
]));

// More look-alikes: everyday prose, logs and code with numbers, short or truncated prefixes, near-miss e-mails.
negative("everyday-prose", 16, () => pick([
  `In ${int(2015, 2024)} we shipped ${int(2, 40)} releases and closed ${int(1, 9)},${digits(3)} issues.`,
  `The meeting moved from room ${int(100, 499)} to ${int(100, 499)}; bring ${int(2, 9)} copies.`,
  `Our NPS rose from ${int(10, 40)} to ${int(41, 80)} after the ${pick(["March", "June", "autumn"])} redesign.`,
  `Flight LH${int(100, 999)} departs at ${int(6, 22)}:${pick(["05", "20", "45"])} from gate B${int(1, 60)}.`,
  `Add ${int(2, 5)} cups of flour, bake ${int(20, 45)} minutes at ${int(160, 220)} degrees.`,
  `The invoice total was EUR ${int(100, 9999)}.${digits(2)}, due in ${int(14, 60)} days.`,
  `Please skip step ${int(2, 9)}; the skeleton key is in the top drawer.`,
  `She ran ${int(5, 42)} km in ${int(1, 4)}:${int(10, 59)}:${int(10, 59)} last Sunday.`,
]));
negative("logs-and-metrics", 14, () => pick([
  `pid=${int(100, 65000)} port=${int(1024, 65000)} took ${int(1, 999)}ms rss=${int(50, 900)}MB`,
  `GET /api/v1/orders/${int(1000, 99999)} 200 ${int(1, 900)}ms`,
  `[${int(10, 23)}:${int(10, 59)}:${int(10, 59)}.${digits(3)}] worker-${int(1, 16)} processed ${int(10, 9999)} jobs`,
  `latency_p99_ms=${int(10, 999)} error_rate=0.${digits(3)} qps=${int(100, 99999)}`,
  `kernel: [${int(1000, 99999)}.${digits(6)}] eth0: link up, ${pick(["1000", "10000"])} Mbps`,
  `2024-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")} ${int(10, 23)}:${int(10, 59)}:${int(10, 59)},${digits(3)} INFO session closed after ${int(1, 999)}s`,
]));
negative("short-or-truncated-prefixes", 16, () => pick([
  `ghp_${chars(B62, 10)}`, `AKIA${chars(UPPER, 8)}`, `sk_live_${chars(B62, 6)}`, `xoxo, see you soon`, `npm_config_cache=~/.npm`,
  `hf_hub_download(repo_id="${pick(["bert-base-uncased", "gpt2"])}")`, `glpat-${chars(B62, 8)}`, `The sk-... prefix marks a secret key.`,
  `AIza is the prefix of Google API keys.`, `eyJ is how base64 JSON starts.`, `dapi${hex(8)}`, `SG.${chars(B62, 5)}`,
]));
negative("near-miss-email", 12, () => pick([
  `write to jane at example dot com`, `ssh ${pick(FIRST)}@bastion`, `${pick(FIRST)}@localhost`, `mention @${pick(FIRST)} in the channel`,
  `user@[redacted]`, `pkg@${int(1, 9)}.${int(0, 9)}.${int(0, 9)}`, `icon@2x.png`, `@decorator(name="x")`,
]));
negative("big-ids", 12, () => pick([
  `const MAX_SAFE = 9007199254740991;`, `"id": 1${digits(18)}`, `0000 0000 0000 0000`, `1111 2222 3333 4444`,
  `snowflake ${int(1, 9)}${digits(17)}`, `PIN ${digits(4)}`, `Call 911 or 112 in an emergency.`, `ext. ${digits(4)}`,
]));

// More positive contexts: XML, query strings, properties, TOML, Go, Markdown tables.
for (let i = 0; i < 3; i++) add("secret/password-xml", `<datasource><user>app</user><password>${password()}</password></datasource>`, [secret("password")]);
for (let i = 0; i < 3; i++) add("secret/generic-query", `GET https://api.partner.example.net/v1/report?format=csv&api_key=${mixed(B62, 32)}`, [secret("generic-secret")]);
for (let i = 0; i < 3; i++) add("secret/password-properties", pick([`spring.datasource.password=${password()}`, `[database]\npassword = "${password()}"`, `cfg := Config{User: "app", Password: "${password()}"}`]), [secret("password")]);
for (let i = 0; i < 3; i++) add("pii/table", `| name | email | phone |\n|---|---|---|\n| ${pick(FIRST)} | ${email()} | ${phones[int(0, 4)]!()} |`, [pii("email"), pii("phone")]);

// Assignment syntaxes, UUID tokens, Authorization schemes and registry credentials (generic-assignment rules).
const bundlerAuth = (): string => `${pick(["deploy", "ci-bot", "cafebabe"])}:${hex(8)}${chars(B62, 6)}`;
for (let i = 0; i < 3; i++) add("secret/generic-grammar", pick([`var apiToken string = "${mixed(B62, 28)}"`, `API_TOKEN ?= ${mixed(B62, 28)}`, `System.setProperty("SERVICE_TOKEN", "${mixed(B62, 28)}");`, `<apiToken>\n    ${mixed(B62, 28)}\n</apiToken>`]), [secret("generic-secret")]);
for (let i = 0; i < 3; i++) add("secret/generic-uuid-token", pick([`VAULT_TOKEN=${uuid()}`, `//registry.npmjs.org/:_authToken=${uuid()}`, `"client_secret": "${uuid()}"`]), [secret("generic-secret")]);
for (let i = 0; i < 3; i++) add("secret/authorization-header", `Authorization: ${pick(["Token", "Api-Key", "ApiKey", "SSWS"])} ${mixed(B62, 32)}`, [secret("authorization-header")]);
for (let i = 0; i < 2; i++) add("secret/curl-user", `curl ${pick(["-s", "-fsSL", "-X POST"])} -u ${pick(["admin", "deploy"])}:${password()} https://ci.internal.example.net/api`, [secret("password")]);
for (let i = 0; i < 2; i++) add("secret/docker-config-auth", `{"auths": {"registry.gitlab.com": {"auth": "${Buffer.from(`${pick(["deploy", "ci"])}:${password()}`).toString("base64")}"}}}`, [secret("basic-auth")]);
for (let i = 0; i < 2; i++) add("secret/kubernetes-secret", `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-creds\ntype: Opaque\ndata:\n  password: ${Buffer.from(password()).toString("base64")}\n`, [secret("kubernetes-secret")]);
for (let i = 0; i < 2; i++) add("secret/bundler-credentials", `BUNDLE_ENTERPRISE__CONTRIBSYS__COM: "${bundlerAuth()}"`, [secret("password")]);
for (let i = 0; i < 2; i++) add("secret/shell-setenv", `${pick(["setenv", "setx"])} ${pick(["API_TOKEN", "DEPLOY_KEY", "SMTP_PASSWORD"])} ${mixed(B62, 24)}`, [secret("generic-secret")]);
for (let i = 0; i < 2; i++) add("pii/iban-before-word", `IBAN ${ibanOf("BE", digits(12)).match(/.{1,4}/g)!.join(" ")} ${pick(["SEPA", "EUR"])}`, [pii("iban")]);

// ── Vendor families (vendor-rules.ts) and format variants; last, so the items above keep their random values ──
const LOWER_DIGIT = LOWER + DIGIT;
const UPPER_DIGIT = UPPER + DIGIT;
const dashed = (groups: number[]): string => groups.map((n) => chars(UPPER_DIGIT, n)).join("-");
secrets("1password-service-account-token", "1password-token", 2, () => `ops_eyJ${mixed(B64, 320)}`);
secrets("1password-secret-key", "1password-secret-key", 2, () => `A3-${dashed(pick([[6, 11, 5, 5, 5], [6, 6, 5, 5, 5, 5]]))}`);
secrets("openshift-token", "openshift-token", 2, () => `sha256~${mixed(B64URL, 43)}`);
for (let i = 0; i < 2; i++) {
  const value = Buffer.from(`${pick(["db-", "smtp-", "api-"])}${mixed(B62, int(12, 24))}`).toString("base64");
  add("secret/kubernetes-secret", `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${pick(["db", "smtp", "api"])}-credentials\ntype: Opaque\ndata:\n  ${pick(["password", "token", "DB_PASSWORD"])}: ${value}\n`, [secret("kubernetes-secret")]);
}
secrets("cloudflare-global-api-key", "cloudflare-token", 2, () => hex(37), ["CLOUDFLARE_API_KEY", "CF_API_KEY"]);
secrets("cloudflare-origin-ca-key", "cloudflare-token", 2, () => `v1.0-${hex(24)}-${hex(146)}`);
secrets("flyio-token", "flyio-token", 3, () => pick([`fo1_${mixed(B64URL, 43)}`, `fm1r_${mixed(B64, 180)}==`, `FlyV1 fm2_${mixed(B64, 200)}`]));
secrets("netlify-pat", "netlify-token", 2, () => `nfp_${mixed(B62, 36)}`);
secrets("netlify-token", "netlify-token", 2, () => mixed(B64URL, 43), ["NETLIFY_AUTH_TOKEN", "netlify_token"]);
secrets("scalingo-api-token", "scalingo-token", 2, () => `tk-us-${mixed(B64URL, 48)}`);
secrets("planetscale-token", "planetscale-token", 3, () => `pscale_${pick(["tkn", "pw", "oauth"])}_${mixed(B64URL, 43)}`);
secrets("clickhouse-cloud-api-secret", "clickhouse-key", 2, () => `4b1d${mixed(B62, 38)}`);
secrets("yandex-token", "yandex-token", 3, () => pick([`AQVN${mixed(B64URL, 36)}`, `YC${mixed(B64URL, 38)}`, `t1.${mixed(B64URL, 80)}.${mixed(B64URL, 86)}`]), ["YANDEX_API_KEY", "yandex_token"]);
secrets("jfrog-api-key", "jfrog-token", 2, () => `AKCp${mixed(B62, 69)}`);
secrets("jfrog-reference-token", "jfrog-token", 2, () => `cmVmd${mixed(B62, 59)}`);
secrets("nuget-api-key", "nuget-key", 2, () => `oy2${chars(LOWER_DIGIT, 43)}`);
add("secret/nuget-config-password", `<packageSourceCredentials>\n  <acme>\n    <add key="Username" value="ci" />\n    <add key="ClearTextPassword" value="${password()}" />\n  </acme>\n</packageSourceCredentials>`, [secret("nuget-key")]);
secrets("octopus-deploy-api-key", "octopus-key", 2, () => `API-${chars(UPPER_DIGIT, 26)}`);
secrets("sonar-token", "sonar-token", 2, () => `${pick(["sqp", "squ", "sqa"])}_${hex(40)}`);
secrets("sonar-token-legacy", "sonar-token", 2, () => hex(40), ["SONAR_TOKEN", "sonar.login"]);
secrets("sourcegraph-token", "sourcegraph-token", 2, () => pick([`sgp_${hex(16)}_${hex(40)}`, `sgp_local_${hex(40)}`, `sgp_${hex(40)}`]));
secrets("codecov-token", "codecov-token", 2, uuid, ["CODECOV_TOKEN", "codecov_token"]);
secrets("snyk-token", "snyk-token", 2, uuid, ["SNYK_TOKEN", "snyk_api_token"]);
secrets("prefect-api-key", "prefect-key", 2, () => `pnu_${mixed(B62, 36)}`);
for (let i = 0; i < 2; i++) add("secret/sidekiq-credentials", pick([`export BUNDLE_${pick(["GEMS", "ENTERPRISE"])}__CONTRIBSYS__COM=${hex(8)}:${hex(8)}`, `bundle config --local BUNDLE_GEMS__CONTRIBSYS__COM ${hex(8)}:${hex(8)}`]), [secret("sidekiq-secret")]);
secrets("launchdarkly-access-token", "launchdarkly-token", 2, () => `${pick(["sdk", "api"])}-${uuid()}`, ["LAUNCHDARKLY_SDK_KEY", "LAUNCHDARKLY_ACCESS_TOKEN"]);
secrets("contentful-pat", "contentful-token", 2, () => `CFPAT-${mixed(B64URL, 43)}`);
secrets("dynatrace-api-token", "dynatrace-token", 2, () => `dt0c01.${chars(UPPER_DIGIT, 24)}.${chars(UPPER_DIGIT, 64)}`);
secrets("sumologic-access-id", "sumologic-key", 2, () => `su${mixed(B62, 12)}`, ["SUMO_ACCESS_ID", "sumologic_access_id"]);
secrets("sumologic-access-key", "sumologic-key", 2, () => mixed(B62, 64), ["SUMO_ACCESS_KEY", "sumologic_access_key"]);
secrets("airtable-pat", "airtable-token", 2, () => `pat${mixed(B62, 14)}.${hex(64)}`);
secrets("airtable-api-key", "airtable-token", 2, () => `key${mixed(B62, 14)}`, ["AIRTABLE_API_KEY"]);
secrets("asana-pat", "asana-token", 2, () => pick([`1/${digits(16)}:${hex(32)}`, `2/${digits(16)}/${digits(16)}:${hex(32)}`, `0/${hex(32)}`]), ["ASANA_ACCESS_TOKEN", "asana_pat"]);
secrets("hubspot-private-app-token", "hubspot-token", 2, () => `pat-${pick(["na1", "eu1"])}-${uuid()}`);
secrets("hubspot-api-key", "hubspot-token", 2, uuid, ["HUBSPOT_API_KEY", "hubspot_key"]);
secrets("intercom-access-token", "intercom-token", 2, () => `${mixed(B64URL, 59)}=`, ["INTERCOM_ACCESS_TOKEN"]);
secrets("mattermost-access-token", "mattermost-token", 2, () => `${chars(LOWER, 3)}${digits(2)}${chars(LOWER_DIGIT, 21)}`, ["MATTERMOST_TOKEN", "mattermost_access_token"]);
secrets("zendesk-api-token", "zendesk-token", 2, () => mixed(B62, 40), ["ZENDESK_API_TOKEN"]);
secrets("typeform-pat", "typeform-token", 2, () => `tfp_${mixed(B64URL, 59)}`);
secrets("dropbox-short-lived-token", "dropbox-token", 2, () => `sl.${mixed(B64URL, 138)}`);
secrets("dropbox-long-lived-token", "dropbox-token", 2, () => `${mixed(B62, 11)}AAAAAAAAAA${mixed(B64URL, 43)}`, ["DROPBOX_ACCESS_TOKEN"]);
secrets("adobe-client-secret", "adobe-secret", 2, () => `p8e-${mixed(B62, 32)}`);
secrets("adobe-client-id", "adobe-secret", 2, () => hex(32), ["ADOBE_CLIENT_ID"]);
secrets("algolia-api-key", "algolia-key", 2, () => hex(32), ["ALGOLIA_API_KEY", "ALGOLIA_ADMIN_KEY"]);
secrets("mapbox-secret-token", "mapbox-token", 2, () => `sk.eyJ${mixed(B64URL, 60)}.${mixed(B64URL, 22)}`);
secrets("facebook-access-token", "facebook-token", 2, () => `EAA${pick(["G", "C", "M"])}${mixed(B62, 180)}`);
secrets("facebook-app-secret", "facebook-token", 2, () => hex(32), ["FACEBOOK_APP_SECRET"]);
secrets("twitter-bearer-token", "twitter-token", 2, () => `${"A".repeat(22)}${mixed(B62, 70)}%3D${mixed(B62, 14)}`);
secrets("twitter-api-secret", "twitter-token", 2, () => mixed(B62, 50), ["TWITTER_API_SECRET", "TWITTER_ACCESS_TOKEN_SECRET"]);
secrets("twitter-api-key", "twitter-token", 2, () => mixed(B62, 25), ["TWITTER_API_KEY", "TWITTER_CONSUMER_KEY"]);
secrets("twitch-api-token", "twitch-token", 2, () => `${chars(LOWER, 4)}${digits(2)}${chars(LOWER_DIGIT, 24)}`, ["TWITCH_CLIENT_SECRET"]);
secrets("linkedin-client-secret", "linkedin-secret", 2, () => mixed(B62, 16), ["LINKEDIN_CLIENT_SECRET"]);
secrets("linkedin-client-id", "linkedin-secret", 2, () => `${chars(LOWER, 4)}${digits(3)}${chars(LOWER_DIGIT, 7)}`, ["LINKEDIN_CLIENT_ID"]);
secrets("messagebird-api-key", "messagebird-key", 2, () => mixed(B62, 25), ["MESSAGEBIRD_API_KEY"]);
secrets("rapidapi-key", "rapidapi-key", 2, () => mixed(B64URL, 50), ["RAPIDAPI_KEY", "X-RapidAPI-Key"]);
secrets("fastly-api-token", "fastly-token", 2, () => mixed(B64URL, 32), ["FASTLY_API_TOKEN"]);
secrets("plaid-access-token", "plaid-token", 2, () => `access-${pick(["sandbox", "development", "production"])}-${uuid()}`);
secrets("plaid-secret", "plaid-token", 2, () => hex(30), ["PLAID_SECRET"]);
secrets("plaid-client-id", "plaid-token", 2, () => hex(24), ["PLAID_CLIENT_ID"]);
secrets("coinbase-access-token", "coinbase-token", 2, () => mixed(B64URL, 64), ["COINBASE_API_SECRET"]);
secrets("confluent-secret", "confluent-key", 2, () => mixed(B64, 64), ["CONFLUENT_API_SECRET"]);
secrets("confluent-access-key", "confluent-key", 2, () => `${chars(UPPER, 3)}${digits(3)}${chars(UPPER_DIGIT, 10)}`, ["CONFLUENT_API_KEY"]);
secrets("aws-bedrock-api-key", "aws-bedrock-key", 2, () => `ABSK${mixed(B64, 132)}=`);
secrets("slack-config-token", "slack-token", 2, () => pick([`xoxe.xoxp-1-${mixed(B62, 163)}`, `xoxe-1-${mixed(B62, 146)}`]));
secrets("gitlab-token-variants", "gitlab-token", 3, () => pick([`gloas-${hex(64)}`, `glffct-${mixed(B64URL, 20)}`, `GR1348941${mixed(B64URL, 20)}`]));
for (let i = 0; i < 2; i++) add("secret/discord-bot-token-bare", `2024-05-02 10:11:12 INFO gateway connected token=${discordToken()}`, [secret("discord-token")]);
for (let i = 0; i < 2; i++) {
  const t = jwt();
  add("secret/jwt-base64", pick([`apiVersion: v1\nkind: ConfigMap\ndata:\n  id_token: ${Buffer.from(t).toString("base64")}`, `SESSION_TOKEN_B64=${Buffer.from(t).toString("base64")}`]), [secret("jwt")]);
}
add("secret/jwt-unsigned", `X-Forwarded-Token: ${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify({ sub: `user_${digits(6)}`, role: "admin" }))}.`, [secret("jwt")]);
negative("vendor-look-alikes", 16, () => pick([
  `sha256~${chars(B64URL, 20)}`,
  `kind: Secret\nstringData:\n  password: \${DB_PASSWORD}`,
  `kind: ConfigMap\ndata:\n  config: ${chars(B64, 40)}`,
  `The API-GATEWAY-SERVICE-IS-DOWN-TODAY banner`,
  `pattern matching with pat${chars(B62, 6)}`,
  `Authorization: FlyV1 <token>`,
  `ops_eyJ is how a 1Password service token begins`,
  `A3-${chars(UPPER_DIGIT, 6)} is the start of a Secret Key`,
  `sonar.projectKey=acme_${chars(LOWER, 10)}`,
  `PLAID_ENV=sandbox`,
  `hubspot_portal_id: ${digits(8)}`,
  `tk-us-${chars(B62, 8)}`,
  `twitter_handle: @acme_${chars(LOWER, 6)}`,
  `the eaa of ${chars(LOWER, 8)}`,
  `${"A".repeat(40)}`,
  `nfp_${chars(B62, 10)}`,
]));

// Legacy Slack forms, MessageBird client ids, Discord application credentials, age filler keys.
for (let i = 0; i < 2; i++) add("secret/slack-legacy", pick([`slack_token: xoxs-${digits(12)}-${digits(9)}-${digits(10)}-${hex(10)}`, `SLACK_TOKEN=xoxo-${digits(10)}-${digits(11)}-${digits(11)}-${hex(32)}`]), [secret("slack-token")]);
for (let i = 0; i < 2; i++) add("secret/slack-legacy-workspace", pick([`token = "xoxa-2-${digits(9)}-${digits(11)}-${digits(13)}-${hex(18)}"`, `SLACK_REFRESH=xoxr-${mixed(B62, 24)}`]), [secret("slack-token")]);
for (let i = 0; i < 2; i++) add("secret/messagebird-client-id", `MESSAGEBIRD_CLIENT_ID="${uuid()}"`, [secret("messagebird-key")]);
for (let i = 0; i < 2; i++) add("secret/discord-client-id", `discord_client_id: ${int(1, 9)}${digits(17)}`, [secret("discord-token")]);
for (let i = 0; i < 2; i++) add("secret/discord-client-secret", `DISCORD_CLIENT_SECRET=${mixed(B62 + "_-", 32)}`, [secret("discord-token")]);
add("secret/age-filler", `AGE_KEY=AGE-SECRET-KEY-1${"Q".repeat(58)}`, [secret("age-secret-key")]);
negative("slack-legacy-lookalikes", 2, () => pick([`xoxs-${digits(4)}`, `the xoxa- prefix marks workspace tokens`, `discord_user: ${pick(FIRST)}#${digits(4)}`]));

// Families added from their documented formats: Supabase, Tailscale, CAST AI, ReadMe, SettleMint, OpenRouter.
secrets("supabase-token", "supabase-token", 2, () => `sbp_${hex(40)}`);
secrets("tailscale-key", "tailscale-key", 2, () => `tskey-${pick(["auth", "api", "client"])}-${mixed(B62, 12)}-${mixed(B62, 32)}`);
secrets("castai-api-key", "castai-key", 2, () => `castai_v1_${hex(64)}_${hex(8)}`);
secrets("readme-api-key", "readme-key", 2, () => `rdme_${chars(LOWER_DIGIT, 70)}`);
secrets("settlemint-token", "settlemint-token", 2, () => `sm_${pick(["aat", "pat", "sat"])}_${mixed(B62, 16)}`);
secrets("openrouter-api-key", "openrouter-key", 2, () => `sk-or-v1-${hex(64)}`);

// Second batch of families, from their documented formats (Pinecone, Resend, Chief Tools, Claude Code session links,
// Mercado Pago, Zhipu, Django, Azure Data Factory, MaxMind, Meraki, Looker, Sendbird, Razorpay, Chargebee, Adyen).
secrets("pinecone-api-key", "pinecone-key", 2, () => `pcsk_${mixed(B62, 5)}_${mixed(B62, 64)}`);
secrets("resend-api-key", "resend-key", 2, () => `re_${mixed(B62, 8)}_${mixed(B62, 24)}`);
secrets("chieftools-token", "chieftools-token", 2, () => `${pick(["ctp", "cto", "ctr"])}_${mixed(B62, 36)}`);
secrets("claude-code-session-url", "session-url", 2, () => `https://claude.ai/code/session_${mixed(B62, 24)}`);
secrets("mercadopago-access-token", "mercadopago-token", 2, () => `APP_USR-${digits(16)}-${digits(6)}-${hex(32)}-${digits(9)}`);
secrets("zhipu-api-key", "zhipu-key", 2, () => `${hex(32)}.${mixed(B62, 16)}`, ["ZHIPU_API_KEY", "zhipuai_api_key"]);
secrets("django-insecure-secret-key", "django-secret-key", 2, () => `django-insecure-${chars(LOWER_DIGIT + "!@#$%^&*(-_=+)", 50)}`);
secrets("azure-data-factory-ir-key", "azure-ir-key", 2, () => `IR@${uuid()}@adf-${pick(["prod", "etl", "shared"])}-0${int(1, 9)}@${pick(["we", "ne", "eus"])}@${mixed(B64, 44)}=`);
secrets("maxmind-license-key", "maxmind-key", 2, () => `${mixed(B62, 6)}_${mixed(B62, 29)}_mmk`);
secrets("meraki-api-key", "meraki-key", 2, () => hex(40), ["MERAKI_DASHBOARD_API_KEY", "meraki_api_key"]);
secrets("looker-client-credentials", "looker-credential", 2, () => mixed(B62, 24), ["LOOKERSDK_CLIENT_SECRET", "looker_client_secret"]);
secrets("sendbird-access-token", "sendbird-token", 2, () => hex(40), ["SENDBIRD_API_TOKEN", "sendbird_token"]);
secrets("razorpay-key-secret", "razorpay-key", 2, () => mixed(B62, 24), ["RAZORPAY_KEY_SECRET", "razorpay_secret"]);
secrets("chargebee-api-key", "chargebee-key", 2, () => `${pick(["live", "test"])}_${mixed(B62, 32)}`, ["CHARGEBEE_API_KEY", "chargebee_key"]);
secrets("adyen-api-key", "adyen-key", 2, () => `AQE${mixed(B62, 6)}.${mixed(B64, 80)}`);

// A credential header on a command line whose value has no vendor format of its own.
for (let i = 0; i < 2; i++) add("secret/curl-header", `curl -X ${pick(["GET", "POST"])} ${pick(["-H", "--header"])} "${pick(["Token", "X-Auth-Token", "Api-Token"])}: ${mixed(B62, int(12, 30))}" https://ops.internal.example.net/v1/jobs`, [secret("generic-secret")]);

// ── Output ────────────────────────────────────────────────────────────────────────────────────────────────────
const out = fileURLToPath(new URL("../../test/fixtures/inspect-corpus.json", import.meta.url));
writeFileSync(out, `${JSON.stringify(items, null, 1)}\n`);
const positives = items.filter((i) => i.expect.length > 0).length;
console.log(`wrote ${items.length} items (${positives} positives, ${items.length - positives} negatives)`);
