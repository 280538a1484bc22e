// Vendor families and format variants: each rule reports its own shape in a realistic carrier (code, .env, YAML, a
// CI log line, a chat message) and leaves a look-alike alone (wrong length, wrong alphabet, a placeholder).
// Every value is synthetic and assembled at run time, so this file holds no complete literal token.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInspector } from "../../../src/inspect/index.js";
import { VENDOR_RULES } from "../../../src/inspect/vendor-rules.js";

const inspector = createInspector({ fingerprintKey: "vendor-rules-test" });
const rules = (text: string): string[] => inspector.inspect([{ field: "f", text }]).map((f) => f.rule);

/** Deterministic characters of `alphabet`, with at least one upper, lower and digit when the alphabet has them. */
function chars(alphabet: string, n: number, seed: number): string {
  for (let attempt = 0; ; attempt++) {
    let s = "";
    let x = seed * 7919 + attempt * 104729 + 1;
    for (let i = 0; i < n; i++) s += alphabet[(x = (x * 48271) % 2147483647) % alphabet.length];
    const wants = [/[A-Z]/, /[a-z]/, /\d/].filter((re) => re.test(alphabet));
    if (wants.every((re) => re.test(s))) return s;
  }
}
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGIT = "0123456789";
const B62 = UPPER + LOWER + DIGIT;
const b62 = (n: number, seed: number): string => chars(B62, n, seed);
const b64 = (n: number, seed: number): string => chars(B62 + "+/", n, seed);
const b64url = (n: number, seed: number): string => chars(B62 + "-_", n, seed);
const hex = (n: number, seed: number): string => chars("0123456789abcdef", n, seed);
const upperAlnum = (n: number, seed: number): string => chars(UPPER + DIGIT, n, seed);
const lowerAlnum = (n: number, seed: number): string => chars(LOWER + DIGIT, n, seed);
const digits = (n: number, seed: number): string => chars(DIGIT, n, seed);
const uuid = (seed: number): string => `${hex(8, seed)}-${hex(4, seed + 1)}-4${hex(3, seed + 2)}-a${hex(3, seed + 3)}-${hex(12, seed + 4)}`;
const jsonB64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");

/** [rule id, a positive in a carrier, a look-alike that rule must not report]. */
const CASES: readonly [string, string, string][] = [
  ["supabase-token", `SUPABASE_ACCESS_TOKEN=sbp_${hex(40, 901)}`, `SUPABASE_ACCESS_TOKEN=sbp_${hex(30, 901)}`],
  ["tailscale-key", `TS_AUTHKEY=tskey-auth-${b62(12, 902)}-${b62(32, 903)}`, `tskey-auth-${b62(12, 902)}`],
  ["castai-api-key", `CASTAI_API_TOKEN="castai_v1_${hex(64, 904)}_${hex(8, 905)}"`, `castai_v1_${hex(64, 904)}`],
  ["readme-api-key", `README_API_KEY=rdme_${lowerAlnum(70, 906)}`, `rdme_${lowerAlnum(40, 906)}`],
  ["settlemint-token", `export SETTLEMINT_ACCESS_TOKEN=sm_pat_${b62(16, 907)}`, `sm_pat_${b62(8, 907)}`],
  ["openrouter-api-key", `OPENROUTER_API_KEY=sk-or-v1-${hex(64, 912)}`, `sk-or-v1-${hex(40, 912)}`],
  ["pinecone-api-key", `PINECONE_API_KEY="pcsk_${b62(5, 920)}_${b62(64, 921)}"`, `pinecone_api_key = "pcsk_abcde_tooShort"`],
  ["resend-api-key", `RESEND_API_KEY=re_${b62(8, 922)}_${b62(24, 923)}`, `m = re_compile_pattern_for_all_words(text)`],
  ["chieftools-token", `CHIEF_TOKEN: ctp_${b62(36, 924)}`, `ctp_${b62(20, 924)}`],
  ["claude-code-session-url", `see https://claude.ai/code/session_${b62(24, 925)} for the run`, `https://claude.ai/code/`],
  ["mercadopago-access-token", `MP_ACCESS_TOKEN=APP_USR-${digits(16, 926)}-${digits(6, 927)}-${hex(32, 928)}-${digits(9, 929)}`, `MP_PUBLIC_KEY=APP_USR-${uuid(930)}`],
  ["zhipu-api-key", `ZHIPU_API_KEY = "${hex(32, 931)}.${b62(16, 932)}"`, `zhipu model glm-4 at ${hex(32, 931)}`],
  ["django-insecure-secret-key", `SECRET_KEY = "django-insecure-${lowerAlnum(40, 933)}!@#"`, `SECRET_KEY = "django-insecure-"`],
  ["azure-data-factory-ir-key", `IR@${uuid(934)}@adf-prod-01@we@${b64(44, 935)}=`, `IR@${uuid(934)}@adf-prod-01`],
  ["maxmind-license-key", `MAXMIND_LICENSE_KEY=${b62(6, 936)}_${b62(29, 937)}_mmk`, `file_name_mmk`],
  ["meraki-api-key", `MERAKI_DASHBOARD_API_KEY=${hex(40, 938)}`, `meraki network ${hex(20, 938)}`],
  ["looker-client-credentials", `LOOKERSDK_CLIENT_SECRET="${b62(24, 939)}"`, `looker dashboard ${b62(12, 939)}`],
  ["sendbird-access-token", `SENDBIRD_API_TOKEN=${hex(40, 940)}`, `SENDBIRD_APP_ID=${uuid(941)}`],
  ["razorpay-key-secret", `RAZORPAY_KEY_SECRET=${b62(24, 942)}`, `RAZORPAY_KEY_ID=rzp_live_${b62(14, 943)}`],
  ["chargebee-api-key", `CHARGEBEE_API_KEY=live_${b62(32, 944)}`, `chargebee site acme-test`],
  ["adyen-api-key", `ADYEN_API_KEY=AQE${b62(6, 945)}.${b64(80, 946)}`, `ADYEN_CLIENT_KEY=test_${upperAlnum(32, 947)}`],
  ["messagebird-client-id", `MESSAGEBIRD_CLIENT_ID="${uuid(501)}"`, `MESSAGEBIRD_CLIENT_ID="${hex(8, 501)}-${hex(4, 502)}"`],
  ["discord-client-id", `DISCORD_CLIENT_ID="${digits(18, 503)}"`, `discord invite code ${digits(6, 503)}`],
  ["discord-client-secret", `DISCORD_CLIENT_SECRET=${b64url(32, 504)}`, `DISCORD_CLIENT_SECRET=\${DISCORD_SECRET}`],
  ["slack-legacy-token", `slack_token: xoxs-${digits(12, 505)}-${digits(9, 506)}-${digits(10, 507)}-${hex(10, 508)}`, `the xoxs- prefix is a legacy token`],
  ["slack-legacy-workspace-token", `token = "xoxa-2-${digits(9, 509)}-${digits(11, 510)}-${digits(13, 511)}-${hex(18, 512)}"`, `xoxa-${b62(4, 513)}`],
  ["age-secret-key", `AGE_KEY=AGE-SECRET-KEY-1${"Q".repeat(58)}`, `AGE-SECRET-KEY-1${"Q".repeat(20)}`],
  ["1password-service-account-token", `OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ${b64(300, 1)}`, `OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ${b64(120, 1)}`],
  ["1password-service-account-token", `    "sourceContent": "ops_eyJ${b64(1100, 114)}\\n\\nops_token is secret.\\n",`, `export OP_SERVICE_ACCOUNT_TOKEN=ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...`],
  ["1password-secret-key", `My 1Password Secret Key is A3-${upperAlnum(6, 2)}-${upperAlnum(11, 3)}-${upperAlnum(5, 4)}-${upperAlnum(5, 5)}-${upperAlnum(5, 6)}, keep it safe`, `A3-${upperAlnum(6, 2)}-${upperAlnum(11, 3)}-${upperAlnum(5, 4)}`],
  ["openshift-token", `oc login --token=sha256~${b64url(43, 7)} --server=https://api.cluster.example:6443`, `oc login --token=sha256~${b64url(20, 7)}`],
  ["kubernetes-secret", `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${Buffer.from(`S3cr3t-${b62(12, 8)}`).toString("base64")}\n`, `apiVersion: v1\nkind: ConfigMap\ndata:\n  password: ${Buffer.from(`S3cr3t-${b62(12, 8)}`).toString("base64")}\n`],
  ["cloudflare-global-api-key", `CLOUDFLARE_API_KEY=${hex(37, 9)}`, `CLOUDFLARE_API_KEY=${hex(36, 9)}`],
  ["cloudflare-origin-ca-key", `origin_ca_key = "v1.0-${hex(24, 10)}-${hex(146, 11)}"`, `origin_ca_key = "v1.0-${hex(24, 10)}-${hex(40, 11)}"`],
  ["flyio-token", `FLY_API_TOKEN=fo1_${b64url(43, 12)}`, `FLY_API_TOKEN=fo1_${b64url(20, 12)}`],
  ["flyio-token", `Authorization: FlyV1 fm2_${b64(180, 13)},fm2_${b64(160, 14)}`, `FlyV1 fm2_${b64(40, 13)}`],
  ["flyio-token", `fly tokens create deploy -> fm1r_${b64(200, 15)}==`, `fm1r_${b64(30, 15)}`],
  ["netlify-pat", `NETLIFY_AUTH_TOKEN=nfp_${b62(36, 16)}`, `NETLIFY_AUTH_TOKEN=nfp_${b62(20, 16)}`],
  ["netlify-token", `netlify_token: ${b64url(43, 17)}`, `netlify_token: ${"x".repeat(43)}`],
  ["scalingo-api-token", `SCALINGO_API_TOKEN=tk-us-${b64url(48, 18)}`, `SCALINGO_API_TOKEN=tk-us-${b64url(30, 18)}`],
  ["planetscale-token", `DATABASE_PASSWORD=pscale_pw_${b64url(43, 19)}`, `DATABASE_PASSWORD=pscale_pw_${b64url(12, 19)}`],
  ["planetscale-token", `PLANETSCALE_SERVICE_TOKEN=pscale_tkn_${b64url(43, 20)}`, `pscale_tkn_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`],
  ["clickhouse-cloud-api-secret", `clickhouse:\n  key_secret: 4b1d${b62(38, 21)}`, `sha: 4b1d${hex(38, 21)}`],
  ["yandex-token", `YANDEX_API_KEY=AQVN${b64url(36, 22)}`, `YANDEX_API_KEY=AQVN${b64url(12, 22)}`],
  ["yandex-token", `yandex_static_key: YC${b64url(38, 23)}`, `yandex_static_key: YC${b64url(20, 23)}`],
  ["yandex-token", `yandex_iam_token = "t1.${b64url(60, 24)}.${b64url(86, 25)}"`, `yandex_iam_token = "t1.${b64url(60, 24)}.${b64url(30, 25)}"`],
  ["jfrog-api-key", `curl -H "X-JFrog-Art-Api: AKCp${b62(69, 26)}" https://acme.jfrog.io/artifactory/api/repositories`, `AKCp${b62(40, 26)}`],
  ["jfrog-reference-token", `ARTIFACTORY_ACCESS_TOKEN=cmVmd${b62(59, 27)}`, `ARTIFACTORY_ACCESS_TOKEN=cmVmd${b62(20, 27)}`],
  ["nuget-api-key", `dotnet nuget push pkg.nupkg --api-key oy2${lowerAlnum(43, 28)} --source https://api.nuget.org/v3/index.json`, `--api-key oy2${b62(43, 28)}`],
  ["nuget-config-password", `<packageSourceCredentials>\n  <acme>\n    <add key="Username" value="ci" />\n    <add key="ClearTextPassword" value="Pa55-${b62(10, 29)}" />\n  </acme>\n</packageSourceCredentials>`, `<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />`],
  ["octopus-deploy-api-key", `octo push --apiKey API-${upperAlnum(26, 30)} --server https://deploy.acme.io`, `the API-GATEWAY-IS-DOWN-FOR-MAINTENANCE route`],
  ["sonar-token", `- run: sonar-scanner -Dsonar.token=squ_${hex(40, 31)}`, `sonar.token=squ_${hex(20, 31)}`],
  ["sonar-token-legacy", `SONAR_LOGIN=${hex(40, 32)}`, `SONAR_LOGIN=${b62(40, 32)}`],
  ["sourcegraph-token", `SRC_ACCESS_TOKEN=sgp_${hex(16, 33)}_${hex(40, 34)}`, `SRC_ACCESS_TOKEN=sgp_${b62(40, 34)}`],
  ["sourcegraph-token", `src login with sgp_local_${hex(40, 35)}`, `sgp_local_${hex(20, 35)}`],
  ["codecov-token", `CODECOV_TOKEN=${uuid(36)}`, `CODECOV_URL=https://codecov.io/gh/acme/api`],
  ["snyk-token", `- name: SNYK_TOKEN\n  value: "${uuid(37)}"`, `snyk_org: acme-platform`],
  ["prefect-api-key", `PREFECT_API_KEY=pnu_${b62(36, 38)}`, `PREFECT_API_KEY=pnu_${b62(20, 38)}`],
  ["sidekiq-credentials", `export BUNDLE_ENTERPRISE__CONTRIBSYS__COM=${hex(8, 39)}:${hex(8, 40)}`, `BUNDLE_ENTERPRISE__CONTRIBSYS__COM=username:password`],
  ["launchdarkly-access-token", `LAUNCHDARKLY_SDK_KEY=sdk-${uuid(41)}`, `LAUNCHDARKLY_SDK_KEY=sdk-${hex(12, 41)}`],
  ["contentful-pat", `CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-${b64url(43, 42)}`, `CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-${b64url(20, 42)}`],
  ["dynatrace-api-token", `DT_API_TOKEN=dt0c01.${upperAlnum(24, 43)}.${upperAlnum(64, 44)}`, `DT_API_TOKEN=dt0c01.${upperAlnum(24, 43)}.${upperAlnum(30, 44)}`],
  ["sumologic-access-id", `SUMO_ACCESS_ID=su${b62(12, 45)}`, `SUMO_ACCESS_ID=su${b62(6, 45)}`],
  ["sumologic-access-key", `sumo_access_key: ${b62(64, 46)}`, `sumo_access_key: ${lowerAlnum(30, 46)}`],
  ["airtable-pat", `const base = new Airtable({ apiKey: "pat${b62(14, 47)}.${hex(64, 48)}" })`, `pattern${b62(14, 47)}.${hex(20, 48)}`],
  ["airtable-api-key", `AIRTABLE_API_KEY=key${b62(14, 49)}`, `AIRTABLE_API_KEY=key${b62(8, 49)}`],
  ["asana-pat", `ASANA_ACCESS_TOKEN=1/${digits(16, 50)}:${hex(32, 51)}`, `ASANA_ACCESS_TOKEN=1/${digits(8, 50)}:${hex(32, 51)}`],
  ["asana-pat", `asana_pat: 2/${digits(16, 52)}/${digits(16, 53)}:${hex(32, 54)}`, `asana_pat: 2/${digits(16, 52)}`],
  ["hubspot-private-app-token", `HUBSPOT_ACCESS_TOKEN=pat-na1-${uuid(55)}`, `pat-na1-${hex(12, 55)}`],
  ["hubspot-api-key", `hubspot.api_key = '${uuid(56)}'`, `hubspot.portal_id = 4412`],
  ["intercom-access-token", `INTERCOM_ACCESS_TOKEN=${b64url(59, 57)}=`, `INTERCOM_ACCESS_TOKEN=${b64url(30, 57)}`],
  ["mattermost-access-token", `mattermost_token: ${lowerAlnum(26, 58)}`, `mattermost_token: ${lowerAlnum(20, 58)}`],
  ["zendesk-api-token", `ZENDESK_API_TOKEN=${b62(40, 59)}`, `ZENDESK_API_TOKEN=${b62(24, 59)}`],
  ["typeform-pat", `TYPEFORM_TOKEN=tfp_${b64url(59, 60)}`, `TYPEFORM_TOKEN=tfp_${b64url(20, 60)}`],
  ["dropbox-short-lived-token", `headers: {"Authorization": "sl.${b64url(138, 61)}"}`, `see sl.${b64url(40, 61)}`],
  ["dropbox-long-lived-token", `DROPBOX_TOKEN=${b62(11, 62)}AAAAAAAAAA${b64url(43, 63)}`, `DROPBOX_TOKEN=${b62(11, 62)}${b64url(43, 63)}`],
  ["adobe-client-secret", `ADOBE_CLIENT_SECRET=p8e-${b62(32, 64)}`, `ADOBE_CLIENT_SECRET=p8e-${b62(16, 64)}`],
  ["adobe-client-id", `adobe_client_id: ${hex(32, 65)}`, `adobe_client_id: ${b62(32, 65)}`],
  ["algolia-api-key", `ALGOLIA_ADMIN_KEY=${hex(32, 66)}`, `ALGOLIA_APP_ID=${upperAlnum(10, 66)}`],
  ["mapbox-secret-token", `MAPBOX_SECRET_TOKEN=sk.eyJ${b64url(60, 67)}.${b64url(22, 68)}`, `MAPBOX_SECRET_TOKEN=sk.eyJ${b64url(10, 67)}`],
  ["facebook-access-token", `FB_PAGE_TOKEN=EAAG${b62(180, 69)}`, `FB_PAGE_TOKEN=EAAG${b62(40, 69)}`],
  ["facebook-app-secret", `facebook_app_secret = "${hex(32, 70)}"`, `facebook_app_id = "${digits(15, 70)}"`],
  ["twitter-bearer-token", `TWITTER_BEARER_TOKEN=${"A".repeat(22)}${b62(60, 71)}%3D${b62(30, 72)}`, `TWITTER_BEARER_TOKEN=${"A".repeat(22)}${b62(20, 71)}`],
  ["twitter-api-secret", `twitter_api_secret: ${b62(50, 73)}`, `twitter_api_secret: ${b62(30, 73)}`],
  ["twitter-api-key", `TWITTER_API_KEY=${b62(25, 74)}`, `TWITTER_API_KEY=${b62(20, 74)}`],
  ["twitch-api-token", `TWITCH_CLIENT_SECRET=${lowerAlnum(30, 75)}`, `TWITCH_CLIENT_SECRET=${lowerAlnum(20, 75)}`],
  ["linkedin-client-secret", `LINKEDIN_CLIENT_SECRET=${b62(16, 76)}`, `LINKEDIN_CLIENT_SECRET=${b62(10, 76)}`],
  ["linkedin-client-id", `linkedin_client_id: ${lowerAlnum(14, 77)}`, `linkedin_client_id: ${lowerAlnum(9, 77)}`],
  ["messagebird-api-key", `MESSAGEBIRD_API_KEY=${b62(25, 78)}`, `MESSAGEBIRD_API_KEY=${b62(18, 78)}`],
  ["rapidapi-key", `headers = {"X-RapidAPI-Key": "${b64url(50, 79)}"}`, `headers = {"X-RapidAPI-Host": "weather.p.rapidapi.com"}`],
  ["fastly-api-token", `FASTLY_API_TOKEN=${b64url(32, 80)}`, `FASTLY_API_TOKEN=${b64url(20, 80)}`],
  ["plaid-access-token", `access_token = "access-sandbox-${uuid(81)}"`, `access-sandbox-${hex(12, 81)}`],
  ["plaid-secret", `PLAID_SECRET=${hex(30, 82)}`, `PLAID_SECRET=${hex(20, 82)}`],
  ["plaid-client-id", `PLAID_CLIENT_ID=${hex(24, 83)}`, `PLAID_CLIENT_ID=${hex(12, 83)}`],
  ["coinbase-access-token", `COINBASE_API_SECRET=${b64url(64, 84)}`, `COINBASE_API_SECRET=${b64url(32, 84)}`],
  ["confluent-secret", `confluent_api_secret: ${b64(64, 85)}`, `confluent_api_secret: ${b64(40, 85)}`],
  ["confluent-access-key", `CONFLUENT_API_KEY=${upperAlnum(16, 86)}`, `CONFLUENT_API_KEY=${upperAlnum(10, 86)}`],
  // Format variants of families the inspector knew before.
  ["aws-bedrock-api-key", `AWS_BEARER_TOKEN_BEDROCK=ABSK${b64(132, 87)}=`, `AWS_BEARER_TOKEN_BEDROCK=ABSK${b64(60, 87)}`],
  ["slack-user-token", `SLACK_CONFIG_TOKEN=xoxe.xoxp-1-${b62(163, 88)}`, `xoxe.xoxp-1-${b62(12, 88)}`],
  ["slack-user-token", `SLACK_REFRESH_TOKEN=xoxe-1-${b62(146, 89)}`, `xoxe-1-${b62(12, 89)}`],
  ["slack-user-token", `legacy token xoxs-${digits(10, 90)}-${digits(10, 91)}-${digits(12, 92)}-${hex(64, 93)}`, `xoxs-${digits(10, 90)}`],
  ["gitlab-token", `GITLAB_OAUTH_SECRET=gloas-${hex(64, 94)}`, `gloas-${hex(10, 94)}`],
  ["gitlab-token", `unleash: { instanceId: "glffct-${b64url(20, 95)}" }`, `glffct-${b64url(8, 95)}`],
  ["gitlab-token", `runner token glrtr-${b64url(20, 96)} registered`, `glrtr-${b64url(6, 96)}`],
  ["gitlab-token", `gitlab-runner register --registration-token GR1348941${b64url(20, 97)}`, `GR1348941${b64url(8, 97)}`],
  ["gitlab-token", `GITLAB_FEED_TOKEN=glft-${b64url(20, 98)}`, `glft-${b64url(8, 98)}`],
  ["gitlab-token", `scim token glsoat-${b64url(20, 99)}`, `glsoat-${b64url(8, 99)}`],
  ["sentry-auth-token", `SENTRY_AUTH_TOKEN=sntrys_eyJ${b64(380, 100)}_${b64(43, 101)}`, `SENTRY_AUTH_TOKEN=sntrys_${b64(20, 100)}`],
  ["sentry-auth-token", `SENTRY_AUTH_TOKEN=sntryu_${hex(64, 102)}`, `sntryu_${hex(30, 102)}`],
];

test("every vendor rule has a positive and a negative case", () => {
  const covered = new Set(CASES.map(([id]) => id));
  assert.deepEqual(VENDOR_RULES.map((r) => r.id).filter((id) => !covered.has(id)), []);
});

for (const [id, positive, negative] of CASES) {
  test(`${id}: reports its format, not a look-alike`, () => {
    assert.deepEqual(rules(positive), [id], positive);
    assert.ok(!rules(negative).includes(id), negative);
  });
}

test("Discord bot tokens are found without the word discord nearby", () => {
  const id = Buffer.from(`1${digits(18, 103)}`).toString("base64url");
  const tok = `${id}.${b64url(6, 104)}.${b64url(38, 105)}`;
  assert.deepEqual(rules(`2024-05-02 10:11:12 INFO client ready token=${tok}`), ["discord-bot-token"]);
  assert.deepEqual(rules(`TOKEN=${tok}`), ["discord-bot-token"]);
  // The first part must decode to a snowflake: base64 of letters is not one.
  const notId = Buffer.from(`abc${digits(15, 106)}`).toString("base64url");
  assert.ok(!rules(`TOKEN=${notId}.${b64url(6, 104)}.${b64url(38, 105)}`).includes("discord-bot-token"));
  // Prose with the snowflake-start keywords ("today", "Monday") stays clean.
  assert.deepEqual(rules("Today and on Monday the syntax review runs; the node mode is fine."), []);
});

test("Kubernetes Secret data: after comments, as a block scalar, or before the kind line", () => {
  const value = Buffer.from(`pw-${b62(14, 113)}`).toString("base64");
  assert.deepEqual(rules(`apiVersion: v1\nkind: Secret\ndata:\n  # base64 of the password\n  key: ${value}`), ["kubernetes-secret"]);
  assert.deepEqual(rules(`apiVersion: v1\ndata:\n  .dockercfg: |\n    ${value}\nkind: Secret\n`), ["kubernetes-secret"]);
  assert.deepEqual(rules(`apiVersion: "v1"\ndata:\n\textra: "${value}"\nkind: "Secret"`), ["kubernetes-secret"]);
  // Empty values, templates and short values are not secrets; neither is another kind's data.
  assert.deepEqual(rules(`kind: Secret\ndata:\n  csrf: ""\n`), []);
  assert.deepEqual(rules(`kind: Secret\ndata:\n  password: {{ .Values.Password }}\n`), []);
  assert.deepEqual(rules(`kind: secret\ndata:\n\textra: YmFyCg==\n`), []);
  assert.deepEqual(rules(`kind: SopsSecret\nspec:\n  data:\n    data-name1: ${value}`), []);
});

test("unsigned JWTs (alg none) and JWTs base64-encoded as a whole", () => {
  const payload = jsonB64({ sub: `user_${digits(6, 107)}`, admin: true, iat: 1714650000 });
  const unsigned = `${jsonB64({ alg: "none", typ: "JWT" })}.${payload}.`;
  assert.deepEqual(rules(`curl -H "X-Auth: ${unsigned}" https://api.internal/v1/admin`), ["jwt"]);
  // An empty signature with a real algorithm is a truncated token, not an unsigned one.
  assert.deepEqual(rules(`X-Auth: ${jsonB64({ alg: "HS256", typ: "JWT" })}.${payload}.`), []);
  const signed = `${jsonB64({ alg: "RS256", typ: "JWT" })}.${payload}.${b64url(43, 108)}`;
  const whole = Buffer.from(signed).toString("base64");
  assert.deepEqual(rules(`apiVersion: v1\nkind: ConfigMap\ndata:\n  token: ${whole}`), ["jwt-base64"]);
  assert.deepEqual(rules(`SESSION_B64=${Buffer.from(unsigned).toString("base64")}`), ["jwt-base64"]);
  // Base64 of something else that starts like "eyJ" text is not reported.
  assert.deepEqual(rules(`blob: ${Buffer.from(`eyJ-not-a-token ${b62(60, 109)}`).toString("base64")}`), []);
});

test("Sidekiq credentials in a gem server URL are reported (by url-credentials, which runs first)", () => {
  assert.deepEqual(rules(`source "https://${hex(8, 110)}:${hex(8, 111)}@gems.contribsys.com/" do`), ["url-credentials"]);
});

test("an Octopus-style key needs upper case: lower-case api- words are prose", () => {
  assert.deepEqual(rules(`see the api-${lowerAlnum(26, 112)} docs`), []);
});
