// The detection rules, as data: every secret and personal-data pattern the inspector knows, in priority order
// (when two matches overlap, the rule listed first wins, so specific rules precede generic ones).
import { NAMED_WINDOW, named, OP, QUOTE, r, token, UUID } from "./rule-syntax.js";
import type { RuleSpec } from "./types.js";
import { VENDOR_RULES } from "./vendor-rules.js";

/** A type between a name and its `=` (`var token string = …`, `const token: string = …`). */
const TYPE_WORD = r`(?:str(?:ing)?|String|&(?:'static )?str|text|bytes|\[\]byte|Sec(?:ure|ret)String)`;
/** Operators after a name, with a type annotation (`: string =`) taken as one long `:`. */
const OP_TYPED = r`(?::(?:=|:=|::=|[ \t]{0,3}${TYPE_WORD}[ \t]{0,3}=)?|=>?|[?+]=|<-)`;
/** A value on the next line, indented (`key: |` YAML block scalars, `<apiToken>` then the value). */
const NEXT_LINE = r`[ \t]{0,3}\r?\n[ \t]{0,16}`;
/** After an operator: spaces, then an opening quote or a YAML block indicator and the next line. */
const OP_TAIL = r`[ \t]{0,3}(?:${QUOTE}|[|>][+-]?${NEXT_LINE})?`;
/**
 * Like `ASSIGN`, but a separator is required (for rules whose names are common words): an operator, optionally
 * after a closing `]` (`os.environ["X_TOKEN"] = …`) or a type word (`token string = …`); an XML tag's `>` with the
 * value on the same or the next line; a quoted pair of call arguments (`setProperty("X_TOKEN", "…")`,
 * `setenv("X_TOKEN", "…")`); or an XML `key="…" value="…"` attribute pair (NuGet, .NET `appSettings`). The
 * pieces are kept disjoint for the linear-time gate: a type word and `.=` only after a space (the name's own
 * characters include letters and `.`). Quotes may be escaped (`QUOTE`).
 */
const ASSIGN_OP = r`(?:${QUOTE}(?:\]?[ \t]{0,3},|[ \t]{1,3}value[ \t]{0,3}=)[ \t]{0,3}${QUOTE}|(?:${QUOTE})?\]?(?:[ \t]{1,3}(?:${TYPE_WORD}[ \t]{0,3})?(?:${OP_TYPED}${OP_TAIL}|\.=${OP_TAIL}|>(?:${NEXT_LINE})?)|${OP_TYPED}${OP_TAIL}|>(?:${NEXT_LINE})?))`;

/**
 * Before a value of at most 128 characters of `chars` (plus a closing `.`): fails at once when 130 of them follow, so
 * a long run is refused in one scan instead of being tried at every length (a text of `passwd:` repeated, 1 MiB
 * in one request, cost 265 ms that way). Such a run can never be the value: it would have to end within 129.
 */
const tooLong = (chars: string): string => r`(?![${chars}]{130})`;

/**
 * A password's value: 6 to 128 characters without spaces, quotes, `\`, `,` `;` or `>`, ending in no `.` and followed
 * by none of its characters. A `<` may stand inside it (`UFw1<Y`) but neither first (`<your password>` is a
 * placeholder) nor before `/` or `!` (`pw</td>` ends at the tag). Without `\` the value of `\"password\": \"…\"`
 * ends at its escaped quote.
 */
const PW_FIRST = r`[^\s"'${"`"},;<>\\]`;
const PW_LAST = r`[^\s"'${"`"},;<>.\\]`;
const PASSWORD_VALUE = r`${PW_FIRST}(?:${PW_FIRST}|<(?![/!])){4,126}${PW_LAST}(?!${PW_LAST}|<(?![/!])|\.[^\s"'${"`"},;<>])`;

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/** Every `x:y` with x and y a hex digit or a colon: any IPv6 address holds one, prose ("Note: ") rarely does. */
const HEX_COLON_HEX = [..."0123456789abcdef:"].flatMap((x) => [..."0123456789abcdef:"].map((y) => `${x}:${y}`));
const HEX32 = "[a-f0-9]{32}";
/**
 * How the base64 of a decimal snowflake (a Discord user id, the first part of a bot token) can begin: each 3 digits
 * encode to [MNO][DTjz][AEIMQUYcgk][w-z0-5]. Matched case-insensitively, these keep the rule off prose.
 */
const SNOWFLAKE_BASE64_STARTS = [..."MNO"].flatMap((a) => [..."DTjz"].flatMap((b) => [..."AEIMQUYcgk"].flatMap((c) => [..."wxyz012345"].map((d) => a + b + c + d))));
/** Passwords in URLs that are placeholders or defaults in documentation, not credentials. */
const PLACEHOLDER_PASSWORD = r`(?i)^(?:pass(?:word)?|passwd|pwd|secret|token|api[_-]?key|changeme|user(?:name)?|admin|root|guest|test|postgres|mysql|redis|mongo|x+|\*+|\.+|([a-z0-9])\1{2,}|<[^>]*>|\w{1,32}>|\[[^\]]*\]|\{[^}]*\}|\$\{[^}]*\}|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%?|:[a-z_]+)$`;
/** Context before a number that says it is a reference, not a phone, card or SSN ("Order no. 4111…"). */
const REFERENCE_CONTEXT = r`(?:\b(?:order|tracking|invoice|ref|reference|ticket|confirmation|serial|sku|shipment|parcel|consignment|transaction|txn|isbn|issn|po)\b(?:[ _-]?(?:no|num|number|id|code|ref))?|\b(?:case|customer|item|part|model|batch|lot|build|job|run|request|account|acct|package|conf|member|policy|claim|booking|reservation|record)[ _-]?(?:no|num|number|id|code|ref))\.?\s{0,2}[:#=]?\s{0,2}#?\s{0,2}(?:is\s{1,2})?$|#\s?$`;

/** Context before a generic key name that makes the value an identifier (`cache_key`, `primary key`, `key_id`). */
const ID_CONTEXT = r`(?:cache|sort|primary|foreign|partition|shard|idempotency|public|row|map|dict|lookup|hash|cursor|page|next|continuation|registry|index|kid|key[_-]?id|dedup|group|routing|object|s3|bucket|api[_-]?key[_-]?id)[_ .-]?$`;
/** A value that names where a secret lives (an environment variable, a secrets store), not the secret. */
const ENV_REFERENCE = r`(?i)^(?:process\.env|os\.environ|os\.getenv|getenv|System\.getenv|import\.meta\.env|ENV\[|env\.|secrets\.|vault:)`;
/** A SOPS-encrypted value (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`): ciphertext whose key is elsewhere. */
const SOPS_VALUE = r`^ENC\[`;

/** Every rule, highest priority first. Secret rules, then personal data. */
export const RULES: readonly RuleSpec[] = [
  // ── Private keys ─────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: "gcp-service-account-key",
    description: "Private key inside a Google Cloud service-account JSON key file",
    kind: "secret", type: "gcp-service-account-key", severity: "critical",
    distinctive: true,
    keywords: ["private_key"],
    regex: r`"private_key"\s{0,3}:\s{0,3}"(-----BEGIN PRIVATE KEY-----(?:\\n|[A-Za-z0-9+/=]){64,8192}-----END PRIVATE KEY-----(?:\\n)?)"`,
    window: { before: 1, after: 8400 },
    entropy: 4, noGlobalAllowlist: true,
  },
  {
    id: "private-key",
    description: "PEM private key (PKCS#1 RSA, SEC1 EC, DSA, PKCS#8, encrypted PKCS#8, OpenSSH), with or without its END line",
    kind: "secret", type: "private-key", severity: "critical",
    distinctive: true,
    keywords: ["private key-----"],
    // The body takes the line breaks itself, so the optional encryption header is the only other way on: each piece
    // ends where the next cannot start (linear; see linear.ts).
    regex: r`-----BEGIN (?:(RSA|EC|DSA|ENCRYPTED|OPENSSH) )?PRIVATE KEY-----(?:(?:\s|\\[rn]){1,4}Proc-Type: 4,ENCRYPTED(?:\s|\\[rn]){1,4}DEK-Info: [A-Z0-9-]{1,32},[A-Fa-f0-9]{16,32}(?:\s|\\[rn]))?((?:[A-Za-z0-9+/=\s]|\\[rn]){16,16384})(?:-----END (?:\1 )?PRIVATE KEY-----)?`,
    secretGroup: 0, checkGroup: 2, entropy: 3, noGlobalAllowlist: true,
  },
  {
    id: "pgp-private-key",
    description: "ASCII-armoured PGP private key block",
    kind: "secret", type: "pgp-private-key", severity: "critical",
    distinctive: true,
    keywords: ["pgp private key block-----"],
    // Armor headers ("Version: …") end at a line break, which their values cannot hold; the body takes the blank
    // line and every other line break. (Overlapping whitespace runs around the headers were exponential.)
    regex: r`-----BEGIN PGP PRIVATE KEY BLOCK-----(?:(?:\s|\\[rn]){1,4}(?:[A-Za-z]{1,20}: [^\r\n\\]{0,200}(?:\r?\n|\\r?\\n)){1,6})?((?:[A-Za-z0-9+/=\s]|\\[rn]){64,65536})(?:-----END PGP PRIVATE KEY BLOCK-----)?`,
    secretGroup: 0, checkGroup: 1, entropy: 4, noGlobalAllowlist: true,
  },
  {
    id: "age-secret-key",
    description: "age encryption secret key",
    kind: "secret", type: "age-secret-key", severity: "critical",
    distinctive: true,
    keywords: ["age-secret-key-1"],
    regex: token("AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
    // A 16-character prefix and 58 bech32 characters are evidence enough: no entropy floor, so a filler key is
    // reported like any other (as the other distinctive formats are).
    window: { before: 0, after: 200 },
  },
  // ── Cloud providers ──────────────────────────────────────────────────────────────────────────────────────────
  {
    id: "aws-access-key-id",
    description: "AWS access key id (long-term AKIA, temporary ASIA, and other IAM unique-id prefixes)",
    kind: "secret", type: "aws-access-key", severity: "critical",
    distinctive: true,
    keywords: ["akia", "asia", "abia", "acca", "a3t"],
    regex: token("(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}", "A-Za-z0-9"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key next to its name",
    kind: "secret", type: "aws-secret-key", severity: "critical",
    distinctive: true,
    keywords: ["aws_secret", "aws-secret", "awssecret", "aws secret", "secret_access_key", "secret-access-key", "secretaccesskey"],
    regex: named(r`aws[_ -]?secret(?:[_ -]?access)?(?:[_ -]?key)?|secret[_-]?access[_-]?key`, "[A-Za-z0-9/+]{40}", "[A-Za-z0-9/+=]"),
    flags: "i", window: NAMED_WINDOW, entropy: 4,
  },
  {
    id: "aws-bedrock-api-key",
    description: "Amazon Bedrock long-term API key (ABSK and a base64 body)",
    kind: "secret", type: "aws-bedrock-key", severity: "critical",
    distinctive: true,
    keywords: ["absk"],
    regex: token("ABSK[A-Za-z0-9+/]{109,269}={0,2}", "A-Za-z0-9+/="),
    window: { before: 0, after: 280 },
    entropy: 4,
  },
  {
    id: "gcp-api-key",
    description: "Google Cloud / Google API key",
    kind: "secret", type: "gcp-api-key", severity: "high",
    distinctive: true,
    keywords: ["aiza"],
    regex: token("AIza[0-9A-Za-z_-]{35}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "gcp-oauth-client-secret",
    description: "Google OAuth client secret",
    kind: "secret", type: "gcp-oauth-secret", severity: "high",
    distinctive: true,
    keywords: ["gocspx-"],
    regex: token("GOCSPX-[A-Za-z0-9_-]{28}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "azure-storage-account-key",
    description: "Azure storage account key in a connection string",
    kind: "secret", type: "azure-storage-key", severity: "critical",
    distinctive: true,
    keywords: ["accountkey="],
    regex: r`AccountKey=([A-Za-z0-9+/]{86}==)`,
    flags: "i", entropy: 4.5,
  },
  {
    id: "azure-shared-access-key",
    description: "Azure Service Bus / Event Hubs / IoT shared access key in a connection string",
    kind: "secret", type: "azure-shared-access-key", severity: "critical",
    distinctive: true,
    keywords: ["sharedaccesskey="],
    regex: r`SharedAccessKey=([A-Za-z0-9+/]{43}=)`,
    flags: "i", entropy: 4,
  },
  {
    id: "azure-ad-client-secret",
    description: "Microsoft Entra ID (Azure AD) application client secret",
    kind: "secret", type: "azure-client-secret", severity: "critical",
    distinctive: true,
    keywords: ["q~"],
    regex: r`(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])`,
    window: { before: 4, after: 36 }, entropy: 3.5,
  },
  {
    id: "alibaba-access-key-id",
    description: "Alibaba Cloud access key id",
    kind: "secret", type: "alibaba-key", severity: "high",
    distinctive: true,
    keywords: ["ltai"],
    regex: token("LTAI[A-Za-z0-9]{12,20}", "A-Za-z0-9"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "digitalocean-token",
    description: "DigitalOcean personal access, OAuth or refresh token",
    kind: "secret", type: "digitalocean-token", severity: "critical",
    distinctive: true,
    keywords: ["dop_v1_", "doo_v1_", "dor_v1_"],
    regex: token("do[opr]_v1_[a-f0-9]{64}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "heroku-api-key-v2",
    description: "Heroku API key (HRKU- format)",
    kind: "secret", type: "heroku-key", severity: "high",
    distinctive: true,
    keywords: ["hrku-"],
    regex: token("HRKU-[A-Za-z0-9_-]{60}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "heroku-api-key",
    description: "Heroku API key (UUID) next to the word heroku",
    kind: "secret", type: "heroku-key", severity: "high",
    keywords: ["heroku"],
    regex: named("heroku", UUID),
    flags: "i", window: NAMED_WINDOW,
  },
  {
    id: "vault-token",
    description: "HashiCorp Vault service or batch token",
    kind: "secret", type: "vault-token", severity: "critical",
    distinctive: true,
    keywords: ["hvs.", "hvb."],
    regex: token(r`hv[sb]\.[A-Za-z0-9_-]{24,400}`),
    window: { before: 0, after: 410 },
    entropy: 3.5,
  },
  {
    id: "vault-token-legacy",
    description: "HashiCorp Vault legacy service token (s.…) next to the word vault",
    kind: "secret", type: "vault-token", severity: "critical",
    keywords: ["vault"],
    regex: named("vault", r`s\.[A-Za-z0-9]{24}`, "[A-Za-z0-9]"),
    flags: "i", window: NAMED_WINDOW, entropy: 3.5,
  },
  {
    id: "terraform-cloud-token",
    description: "Terraform Cloud / Enterprise API token",
    kind: "secret", type: "terraform-token", severity: "critical",
    distinctive: true,
    keywords: [".atlasv1."],
    regex: token(r`[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}`),
    window: { before: 16, after: 72 }, entropy: 3.5,
  },
  {
    id: "doppler-token",
    description: "Doppler personal, service, service-account or CLI token",
    kind: "secret", type: "doppler-token", severity: "high",
    distinctive: true,
    keywords: ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct."],
    regex: token(r`dp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{40,44}`),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "pulumi-token",
    description: "Pulumi access token",
    kind: "secret", type: "pulumi-token", severity: "high",
    distinctive: true,
    keywords: ["pul-"],
    regex: token("pul-[a-f0-9]{40}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "databricks-token",
    description: "Databricks personal access token",
    kind: "secret", type: "databricks-token", severity: "high",
    distinctive: true,
    keywords: ["dapi"],
    regex: token(r`dapi[a-f0-9]{32}(?:-\d)?`),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "cloudflare-api-token",
    description: "Cloudflare API token next to its name",
    kind: "secret", type: "cloudflare-token", severity: "high",
    keywords: ["cloudflare", "cf_api", "cf-api"],
    regex: named(r`cloudflare|cf[_-]api`, "[A-Za-z0-9_-]{40}"),
    flags: "i", window: NAMED_WINDOW, entropy: 4, charClasses: 3,
  },
  // ── Source hosting, packages, CI ─────────────────────────────────────────────────────────────────────────────
  {
    id: "github-pat",
    description: "GitHub personal access token (classic)",
    kind: "secret", type: "github-token", severity: "critical",
    distinctive: true,
    keywords: ["ghp_"],
    regex: token("ghp_[A-Za-z0-9]{36}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "github-fine-grained-pat",
    description: "GitHub fine-grained personal access token",
    kind: "secret", type: "github-token", severity: "critical",
    distinctive: true,
    keywords: ["github_pat_"],
    regex: token("github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "github-oauth-token",
    description: "GitHub OAuth access token",
    kind: "secret", type: "github-token", severity: "critical",
    distinctive: true,
    keywords: ["gho_"],
    regex: token("gho_[A-Za-z0-9]{36}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "github-app-token",
    description: "GitHub App user-to-server or server-to-server token",
    kind: "secret", type: "github-token", severity: "critical",
    distinctive: true,
    keywords: ["ghu_", "ghs_"],
    regex: token("gh[us]_[A-Za-z0-9]{36}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "github-refresh-token",
    description: "GitHub App refresh token",
    kind: "secret", type: "github-token", severity: "critical",
    distinctive: true,
    keywords: ["ghr_"],
    regex: token("ghr_[A-Za-z0-9]{36,76}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "gitlab-pat",
    description: "GitLab personal, project or group access token",
    kind: "secret", type: "gitlab-token", severity: "critical",
    distinctive: true,
    keywords: ["glpat-"],
    regex: token("glpat-[A-Za-z0-9_-]{20,64}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "gitlab-token",
    description: "GitLab pipeline trigger, runner (and its registration token), deploy, feed, feature-flag client, CI build, incoming mail, agent, OAuth application secret or SCIM token",
    kind: "secret", type: "gitlab-token", severity: "high",
    distinctive: true,
    keywords: ["glptt-", "glrt-", "glrtr-", "gldt-", "glft-", "glffct-", "glcbt-", "glimt-", "glagent-", "gloas-", "glsoat-", "gr1348941"],
    regex: token("gl(?:ptt|rtr?|dt|ft|ffct|cbt|imt|agent|oas|soat)-[A-Za-z0-9_-]{20,64}|GR1348941[A-Za-z0-9_-]{20}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "bitbucket-app-password",
    description: "Bitbucket app password",
    kind: "secret", type: "bitbucket-token", severity: "high",
    distinctive: true,
    keywords: ["atbb"],
    regex: token("ATBB[A-Za-z0-9_=.-]{32}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "atlassian-api-token",
    description: "Atlassian (Jira, Confluence) API token",
    kind: "secret", type: "atlassian-token", severity: "high",
    distinctive: true,
    keywords: ["atatt3"],
    regex: token("ATATT3[A-Za-z0-9_=-]{180,200}", "A-Za-z0-9_=-"),
    window: { before: 0, after: 210 },
    entropy: 4,
  },
  {
    id: "atlassian-api-token-legacy",
    description: "Atlassian legacy 24-character API token next to its product name",
    kind: "secret", type: "atlassian-token", severity: "high",
    keywords: ["atlassian", "jira", "confluence"],
    regex: named("atlassian|jira|confluence", "[A-Za-z0-9]{24}"),
    flags: "i", window: NAMED_WINDOW, entropy: 3.5, charClasses: 3,
  },
  {
    id: "npm-token",
    description: "npm access token",
    kind: "secret", type: "npm-token", severity: "critical",
    distinctive: true,
    keywords: ["npm_"],
    regex: token("npm_[A-Za-z0-9]{36}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "pypi-token",
    description: "PyPI upload token",
    kind: "secret", type: "pypi-token", severity: "critical",
    distinctive: true,
    keywords: ["pypi-ageichlwas5vcmc"],
    regex: token("pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}"),
    window: { before: 0, after: 330 },
    entropy: 4,
  },
  {
    id: "rubygems-token",
    description: "RubyGems API key",
    kind: "secret", type: "rubygems-token", severity: "high",
    distinctive: true,
    keywords: ["rubygems_"],
    regex: token("rubygems_[a-f0-9]{48}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "docker-hub-token",
    description: "Docker Hub personal or organization access token",
    kind: "secret", type: "docker-token", severity: "high",
    distinctive: true,
    keywords: ["dckr_pat_", "dckr_oat_"],
    regex: token("dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,36}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "circleci-token",
    description: "CircleCI personal or project API token",
    kind: "secret", type: "ci-token", severity: "high",
    distinctive: true,
    keywords: ["ccipat_", "cciprj_"],
    regex: token("CCI(?:PAT|PRJ)_[A-Za-z0-9]{22}_[a-f0-9]{40}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "circleci-token-legacy",
    description: "CircleCI legacy 40-hex API token next to the word circle",
    kind: "secret", type: "ci-token", severity: "high",
    keywords: ["circle"],
    regex: named("circle(?:ci)?", "[a-f0-9]{40}"),
    flags: "i", window: NAMED_WINDOW, entropy: 3,
  },
  {
    id: "travis-token",
    description: "Travis CI API token next to the word travis",
    kind: "secret", type: "ci-token", severity: "high",
    keywords: ["travis"],
    regex: named("travis", "[A-Za-z0-9_-]{22}"),
    flags: "i", window: NAMED_WINDOW, entropy: 3.5, charClasses: 3,
  },
  {
    id: "buildkite-token",
    description: "Buildkite API access token",
    kind: "secret", type: "ci-token", severity: "high",
    distinctive: true,
    keywords: ["bkua_"],
    regex: token("bkua_[a-f0-9]{40}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  // ── Chat and collaboration ───────────────────────────────────────────────────────────────────────────────────
  {
    id: "slack-bot-token",
    description: "Slack bot token",
    kind: "secret", type: "slack-token", severity: "critical",
    distinctive: true,
    keywords: ["xoxb-"],
    regex: token(r`xoxb-\d{8,13}-\d{8,13}-[A-Za-z0-9]{24,34}`),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "slack-user-token",
    description: "Slack user, legacy workspace, refresh or configuration token",
    kind: "secret", type: "slack-token", severity: "critical",
    distinctive: true,
    keywords: ["xoxp-", "xoxa-", "xoxe-", "xoxr-", "xoxs-"],
    regex: token(r`xox[paers](?:\.xox[bp])?-(?:\d{1,13}-){1,3}[A-Za-z0-9]{24,170}`),
    window: { before: 0, after: 210 },
    entropy: 3.5,
  },
  {
    id: "slack-legacy-token",
    description: "Slack legacy token (xoxs-/xoxo-: numeric parts and a hex tail)",
    kind: "secret", type: "slack-token", severity: "critical",
    distinctive: true,
    keywords: ["xoxs-", "xoxo-"],
    regex: token(r`xox[os]-\d{1,13}-\d{1,13}-\d{1,13}-[a-fA-F0-9]{8,64}`),
    window: { before: 0, after: 120 },
  },
  {
    id: "slack-legacy-workspace-token",
    description: "Slack legacy workspace or refresh token (xoxa-/xoxr-) shorter than the user-token form",
    kind: "secret", type: "slack-token", severity: "critical",
    distinctive: true,
    keywords: ["xoxa-", "xoxr-"],
    regex: token(r`xox[ar]-(?:\d-)?\d{1,13}-\d{1,13}-\d{1,13}-[a-fA-F0-9]{8,64}|xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}`),
    window: { before: 0, after: 120 },
  },
  {
    id: "slack-app-token",
    description: "Slack app-level token",
    kind: "secret", type: "slack-token", severity: "critical",
    distinctive: true,
    keywords: ["xapp-"],
    regex: token(r`xapp-\d-[A-Z0-9]{9,11}-\d{10,13}-[a-f0-9]{64}`),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "slack-webhook-url",
    description: "Slack incoming webhook or workflow trigger URL",
    kind: "secret", type: "slack-webhook", severity: "high",
    distinctive: true,
    keywords: ["hooks.slack.com"],
    regex: r`(https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{8,11}/[A-Z0-9]{8,12}/[A-Za-z0-9]{24,32})(?![A-Za-z0-9])`,
  },
  {
    id: "discord-webhook-url",
    description: "Discord webhook URL",
    kind: "secret", type: "discord-webhook", severity: "high",
    distinctive: true,
    keywords: ["discord"],
    regex: r`(https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,68})(?![A-Za-z0-9_-])`,
    window: { before: 24, after: 140 },
  },
  {
    id: "discord-bot-token",
    description: "Discord bot token (three dot-separated parts, the first a base64 snowflake), with or without the word discord",
    kind: "secret", type: "discord-token", severity: "critical",
    distinctive: true,
    keywords: SNOWFLAKE_BASE64_STARTS,
    regex: token(r`[MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}`),
    window: { before: 0, after: 80 }, validate: "discord-token", entropy: 4,
  },
  {
    id: "discord-client-secret",
    description: "Discord application client secret (32 characters) next to the word discord",
    kind: "secret", type: "discord-token", severity: "high",
    keywords: ["discord"],
    regex: named("discord", "[A-Za-z0-9=_-]{32}", "[A-Za-z0-9=_-]"),
    flags: "i", window: NAMED_WINDOW, entropy: 3, charClasses: 2,
  },
  {
    id: "discord-client-id",
    description: "Discord application client id (an 18-digit snowflake) next to the word discord",
    kind: "secret", type: "discord-token", severity: "medium",
    keywords: ["discord"],
    regex: named("discord", r`\d{17,19}`, r`\d`),
    flags: "i", window: NAMED_WINDOW, entropy: 2,
  },
  {
    id: "teams-webhook-url",
    description: "Microsoft Teams incoming webhook URL",
    kind: "secret", type: "teams-webhook", severity: "high",
    distinctive: true,
    keywords: ["webhook.office.com/webhookb2/"],
    regex: r`(https://[a-z0-9-]{1,63}\.webhook\.office\.com/webhookb2/[0-9a-f-]{36}@[0-9a-f-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f-]{36}(?:/[A-Za-z0-9_-]{1,64})?)`,
    window: { before: 80, after: 240 },
  },
  {
    id: "teams-workflow-url",
    description: "Power Automate / Teams workflow trigger URL with its signature",
    kind: "secret", type: "teams-webhook", severity: "high",
    distinctive: true,
    keywords: ["logic.azure.com"],
    regex: r`(https://[A-Za-z0-9.-]{1,100}\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/[A-Za-z0-9_]{1,64}/paths/invoke\?[A-Za-z0-9%&=._/-]{0,300}?sig=[A-Za-z0-9_-]{43})`,
    window: { before: 120, after: 600 },
  },
  {
    id: "telegram-bot-token",
    description: "Telegram bot API token",
    kind: "secret", type: "telegram-bot-token", severity: "high",
    distinctive: true,
    keywords: [":aa"],
    regex: r`(?<![A-Za-z0-9])(\d{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])`,
    window: { before: 11, after: 36 }, entropy: 3.5,
  },
  {
    id: "linear-api-key",
    description: "Linear API key",
    kind: "secret", type: "linear-key", severity: "high",
    distinctive: true,
    keywords: ["lin_api_"],
    regex: token("lin_api_[A-Za-z0-9]{40}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "notion-token",
    description: "Notion integration token",
    kind: "secret", type: "notion-token", severity: "high",
    distinctive: true,
    keywords: ["secret_", "ntn_"],
    regex: token(r`secret_[A-Za-z0-9]{43}|ntn_\d{11}[A-Za-z0-9]{35}`),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "okta-api-token",
    description: "Okta API token next to the word okta",
    kind: "secret", type: "okta-token", severity: "critical",
    keywords: ["okta"],
    regex: named("okta", "00[A-Za-z0-9_-]{40}"),
    flags: "i", window: NAMED_WINDOW, entropy: 3.5,
  },
  {
    id: "postman-api-key",
    description: "Postman API key",
    kind: "secret", type: "postman-key", severity: "high",
    distinctive: true,
    keywords: ["pmak-"],
    regex: token("PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  // ── Payments and commerce ────────────────────────────────────────────────────────────────────────────────────
  {
    id: "stripe-secret-key",
    description: "Stripe secret or restricted API key",
    kind: "secret", type: "stripe-key", severity: "critical",
    distinctive: true,
    keywords: ["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
    regex: token("[sr]k_(?:live|test)_[A-Za-z0-9]{24,247}", "A-Za-z0-9_"),
    window: { before: 0, after: 260 },
    entropy: 3.5,
  },
  {
    id: "stripe-webhook-secret",
    description: "Stripe webhook signing secret",
    kind: "secret", type: "stripe-key", severity: "high",
    distinctive: true,
    keywords: ["whsec_"],
    regex: token("whsec_[A-Za-z0-9]{32,64}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "square-token",
    description: "Square access token or OAuth secret",
    kind: "secret", type: "square-token", severity: "critical",
    distinctive: true,
    keywords: ["eaaa", "sq0atp-", "sq0csp-"],
    regex: token("EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "braintree-access-token",
    description: "PayPal Braintree access token",
    kind: "secret", type: "paypal-braintree-token", severity: "critical",
    distinctive: true,
    keywords: ["access_token$production$", "access_token$sandbox$"],
    regex: token(r`access_token\$(?:production|sandbox)\$[a-z0-9]{16}(?:\$[a-f0-9]{32})?`, "A-Za-z0-9_$"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "paypal-client-secret",
    description: "PayPal REST client secret next to its name",
    kind: "secret", type: "paypal-braintree-token", severity: "critical",
    keywords: ["paypal"],
    regex: named("paypal", "[A-Za-z0-9_-]{80}"),
    flags: "i", window: NAMED_WINDOW, entropy: 4, charClasses: 3,
  },
  {
    id: "shopify-token",
    description: "Shopify access, custom app, private app or shared secret token",
    kind: "secret", type: "shopify-token", severity: "critical",
    distinctive: true,
    keywords: ["shpat_", "shpca_", "shppa_", "shpss_"],
    regex: token("shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  // ── Messaging and e-mail APIs ────────────────────────────────────────────────────────────────────────────────
  {
    id: "twilio-api-key",
    description: "Twilio API key SID (SK…)",
    kind: "secret", type: "twilio-key", severity: "high",
    distinctive: true,
    keywords: ["sk"],
    regex: token("SK[0-9a-f]{32}", "A-Za-z0-9"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "twilio-auth-token",
    description: "Twilio auth token next to the word twilio",
    kind: "secret", type: "twilio-key", severity: "critical",
    keywords: ["twilio"],
    regex: named("twilio", HEX32, "[A-Za-z0-9]"),
    flags: "i", window: NAMED_WINDOW, entropy: 3,
  },
  {
    id: "sendgrid-api-key",
    description: "SendGrid API key",
    kind: "secret", type: "sendgrid-key", severity: "critical",
    distinctive: true,
    keywords: ["sg."],
    regex: token(r`SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`),
    window: { before: 0, after: 200 },
    entropy: 4,
  },
  {
    id: "mailgun-api-key",
    description: "Mailgun API key (key-…)",
    kind: "secret", type: "mailgun-key", severity: "high",
    distinctive: true,
    keywords: ["key-"],
    regex: token("key-[0-9a-f]{32}", "A-Za-z0-9"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "mailgun-private-key",
    description: "Mailgun private API key (hex-hex-hex) next to the word mailgun",
    kind: "secret", type: "mailgun-key", severity: "high",
    keywords: ["mailgun"],
    regex: named("mailgun", "[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}", "[A-Za-z0-9]"),
    flags: "i", window: NAMED_WINDOW, entropy: 3,
  },
  {
    id: "mailchimp-api-key",
    description: "Mailchimp API key",
    kind: "secret", type: "mailchimp-key", severity: "high",
    distinctive: true,
    keywords: ["-us"],
    regex: token(r`[0-9a-f]{32}-us\d{1,2}`, "A-Za-z0-9"),
    window: { before: 33, after: 3 }, entropy: 3,
  },
  {
    id: "brevo-api-key",
    description: "Brevo (Sendinblue) API key",
    kind: "secret", type: "brevo-key", severity: "high",
    distinctive: true,
    keywords: ["xkeysib-"],
    regex: token("xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  // ── AI providers ─────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: "anthropic-api-key",
    description: "Anthropic API or admin key",
    kind: "secret", type: "anthropic-key", severity: "critical",
    distinctive: true,
    keywords: ["sk-ant-"],
    regex: token(r`sk-ant-[a-z]{3,6}\d{2}-[A-Za-z0-9_-]{80,120}`),
    window: { before: 0, after: 200 },
    entropy: 4,
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key (user, project, service-account or admin; carries the T3BlbkFJ marker)",
    kind: "secret", type: "openai-key", severity: "critical",
    distinctive: true,
    keywords: ["t3blbkfj"],
    regex: token(r`sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}`),
    window: { before: 220, after: 210 }, entropy: 4,
  },
  {
    id: "openai-project-key",
    description: "OpenAI project, service-account or admin key",
    kind: "secret", type: "openai-key", severity: "critical",
    distinctive: true,
    keywords: ["sk-proj-", "sk-svcacct-", "sk-admin-"],
    regex: token(r`sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,200}`),
    window: { before: 0, after: 200 },
    entropy: 4,
  },
  {
    id: "openai-legacy-key",
    description: "OpenAI-style secret key without the T3BlbkFJ marker (older user keys; OpenAI-compatible providers)",
    kind: "secret", type: "openai-key", severity: "critical",
    distinctive: true,
    keywords: ["sk-"],
    regex: token(r`sk-[A-Za-z0-9]{32,64}`),
    window: { before: 0, after: 80 },
    entropy: 3.5,
  },
  {
    id: "huggingface-token",
    description: "Hugging Face user or organization access token",
    kind: "secret", type: "huggingface-token", severity: "high",
    distinctive: true,
    keywords: ["hf_", "api_org_"],
    regex: token("(?:hf|api_org)_[A-Za-z0-9]{34}", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5, charClasses: 2,
  },
  {
    id: "groq-api-key",
    description: "Groq API key",
    kind: "secret", type: "groq-key", severity: "high",
    distinctive: true,
    keywords: ["gsk_"],
    // Keys seen with 52 characters after the prefix; gitleaks' rule reads 48: both are taken.
    regex: token("gsk_[A-Za-z0-9]{48}(?:[A-Za-z0-9]{4})?", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 4,
  },
  {
    id: "replicate-token",
    description: "Replicate API token",
    kind: "secret", type: "replicate-token", severity: "high",
    distinctive: true,
    keywords: ["r8_"],
    // 37 characters after the prefix in the tokens seen; gitleaks' rule reads 40: both are taken.
    regex: token("r8_[A-Za-z0-9]{37}(?:[A-Za-z0-9]{3})?", "A-Za-z0-9_"),
    window: { before: 0, after: 200 },
    entropy: 3.5,
  },
  {
    id: "perplexity-api-key",
    description: "Perplexity API key",
    kind: "secret", type: "perplexity-key", severity: "high",
    distinctive: true,
    keywords: ["pplx-"],
    regex: token("pplx-[A-Za-z0-9]{48}"),
    window: { before: 0, after: 200 },
    entropy: 4,
  },
  {
    id: "xai-api-key",
    description: "xAI API key",
    kind: "secret", type: "xai-key", severity: "high",
    distinctive: true,
    keywords: ["xai-"],
    regex: token("xai-[A-Za-z0-9]{80}"),
    window: { before: 0, after: 200 },
    entropy: 4,
  },
  {
    id: "langsmith-api-key",
    description: "LangSmith personal or service key",
    kind: "secret", type: "langsmith-key", severity: "high",
    distinctive: true,
    keywords: ["lsv2_"],
    regex: token("lsv2_(?:pt|sk)_[A-Za-z0-9]{32}_[A-Za-z0-9]{10}"),
    window: { before: 0, after: 200 },
    entropy: 3,
  },
  {
    id: "cohere-api-key",
    description: "Cohere API key next to the word cohere",
    kind: "secret", type: "cohere-key", severity: "high",
    keywords: ["cohere", "co_api_key"],
    regex: named("cohere|co_api_key", "[A-Za-z0-9]{40}"),
    flags: "i", window: NAMED_WINDOW, entropy: 4, charClasses: 3,
  },
  // ── Observability ────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: "datadog-api-key",
    description: "Datadog API (32 hex) or application (40 hex) key next to its name",
    kind: "secret", type: "datadog-key", severity: "high",
    keywords: ["datadog", "dd_api", "dd-api", "dd_app", "dd-app", "dd_client", "dd-client"],
    regex: named(r`datadog|dd[_-](?:api|app|client)`, "[a-f0-9]{32}(?:[a-f0-9]{8})?", "[A-Za-z0-9]"),
    flags: "i", window: NAMED_WINDOW, entropy: 3,
  },
  {
    id: "newrelic-key",
    description: "New Relic user API key, browser key, insights key or ingest license key",
    kind: "secret", type: "newrelic-key", severity: "high",
    distinctive: true,
    keywords: ["nrak-", "nrjs-", "nrii-", "nral"],
    regex: token(r`NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{32}|[a-f0-9]{36}NRAL`),
    window: { before: 37, after: 40 }, entropy: 3,
  },
  {
    id: "sentry-dsn",
    description: "Sentry DSN (its key authorises event submission)",
    kind: "secret", type: "sentry-dsn", severity: "medium",
    distinctive: true,
    keywords: ["sentry", "ingest."],
    regex: r`(https?://[a-f0-9]{32}(?::[a-f0-9]{32})?@[A-Za-z0-9.-]{1,253}(?::\d{1,5})?/\d{1,12})(?![\w/])`,
    window: { before: 120, after: 120 },
  },
  {
    id: "sentry-auth-token",
    description: "Sentry organization or user auth token",
    kind: "secret", type: "sentry-token", severity: "high",
    distinctive: true,
    // An org token is `sntrys_`, the base64 of its JSON claims (so `eyJ`), `_` and a 43-character secret: keeping
    // `_` out of the claims' class ends each attempt at the next `_` (a run of `sntrys_` alone cost 0.3 s per 512 KiB).
    keywords: ["sntrys_eyj", "sntryu_"],
    regex: token("sntrys_eyJ[A-Za-z0-9+/]{20,560}={0,2}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64}", "A-Za-z0-9+/=_"),
    window: { before: 0, after: 610 },
    entropy: 3.5,
  },
  {
    id: "grafana-token",
    description: "Grafana service-account or Grafana Cloud token",
    kind: "secret", type: "grafana-token", severity: "high",
    distinctive: true,
    keywords: ["glsa_", "glc_"],
    regex: token("glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}", "A-Za-z0-9_+/="),
    window: { before: 0, after: 410 },
    entropy: 3.5,
  },
  // ── Connection strings and structured tokens ─────────────────────────────────────────────────────────────────
  {
    id: "azure-sas-token",
    description: "Azure shared access signature (sig= of a SAS URL or token)",
    kind: "secret", type: "azure-sas-token", severity: "high",
    distinctive: true,
    keywords: ["sig="],
    regex: r`[?&]sig=((?:[A-Za-z0-9+/]|%2[BbFf]){40,90}(?:%3[Dd]|=){0,2})(?![A-Za-z0-9%+/=])`,
    window: { before: 1, after: 120 }, entropy: 4,
  },
  {
    id: "database-url",
    description: "Database or broker connection URL with a password (PostgreSQL, MySQL, MongoDB, Redis, AMQP, SQL Server)",
    kind: "secret", type: "database-url", severity: "critical",
    keywords: ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb"],
    // The host and the path cannot end in sentence punctuation by construction (a trailing lookbehind made every
    // host length retry every path length).
    regex: r`((?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb)://[^\s:@/?#'"${"`"}<>]{0,64}:([^\s@/?#'"${"`"}<>]{1,128})@(?:[A-Za-z0-9_-]|\.(?=[A-Za-z0-9_-])){1,253}(?::\d{1,5})?(?:[/?][^\s'"${"`"}<>)\]]{0,255}[^\s'"${"`"}<>)\].,;:!?]|/)?)`,
    flags: "i", window: { before: 5, after: 720 }, checkGroup: 2,
    allowlist: { regexes: [PLACEHOLDER_PASSWORD] },
  },
  {
    id: "url-credentials",
    description: "Password embedded in an http, ftp, ssh, smtp or ldap URL",
    kind: "secret", type: "url-credentials", severity: "high",
    keywords: ["://"],
    regex: r`(?<![A-Za-z0-9+.-])((?:https?|s?ftps?|ssh|smtps?|ldaps?|git)://[^\s:@/?#'"${"`"}<>]{1,64}:([^\s@/?#'"${"`"}<>]{3,128})@[A-Za-z0-9._-]{1,253}(?::\d{1,5})?)(?<![.,;:!?])`,
    flags: "i", window: { before: 8, after: 460 }, checkGroup: 2,
    allowlist: { regexes: [PLACEHOLDER_PASSWORD] },
  },
  {
    id: "jwt",
    description: "JSON Web Token (header and payload decode to JSON objects, header names an alg; unsigned only with alg none)",
    kind: "secret", type: "jwt", severity: "high",
    keywords: ["eyj"],
    regex: token(r`eyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,8192}\.(?:[A-Za-z0-9_-]{16,2048})?`),
    window: { before: 0, after: 12400 },
    validate: "jwt", noGlobalAllowlist: true,
  },
  {
    id: "jwt-base64",
    description: "JSON Web Token base64-encoded as a whole (ZXlK…, as in a Kubernetes Secret or an env file)",
    kind: "secret", type: "jwt", severity: "high",
    keywords: ["zxlk"],
    regex: token(r`ZXlK[A-Za-z0-9+/]{40,16000}={0,2}`, "A-Za-z0-9+/="),
    window: { before: 0, after: 16010 },
    validate: "jwt-base64", noGlobalAllowlist: true,
  },
  {
    id: "basic-auth-header",
    description: "HTTP Basic credentials in an Authorization header",
    kind: "secret", type: "basic-auth", severity: "high",
    keywords: ["authorization"],
    regex: r`authorization["']?\s{0,3}[:=]\s{0,3}["']?basic[ \t]{1,3}([A-Za-z0-9+/]{8,512}={0,2})(?![A-Za-z0-9+/=])`,
    flags: "i", window: { before: 0, after: 560 }, validate: "basic-auth",
  },
  {
    id: "bearer-token",
    description: "Bearer token (HTTP Authorization header or prose)",
    kind: "secret", type: "bearer-token", severity: "high",
    keywords: ["bearer"],
    regex: r`bearer[ \t]{1,3}([A-Za-z0-9._~+/-]{19,1023}[A-Za-z0-9_~+/-]={0,2})(?![A-Za-z0-9_~+/=-]|\.[A-Za-z0-9_~+/=-])`,
    flags: "i", window: { before: 0, after: 1040 }, entropy: 3.5, charClasses: 2,
  },
  ...VENDOR_RULES,
  // ── Generic assignments (last among secrets: every specific rule above wins an overlap) ──────────────────────
  {
    id: "authorization-header",
    description: "Credential in an Authorization header under a scheme other than Basic or Bearer (Token, Api-Key, Digest, custom)",
    kind: "secret", type: "authorization-header", severity: "high",
    keywords: ["authorization"],
    // Basic and Bearer have their own rules (with their own checks); Negotiate and NTLM carry handshakes. A Digest
    // header's secret is its response hash, after the other parameters.
    regex: r`authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:digest[ \t][^\r\n]{0,300}?\bresponse="?|(?!(?:basic|bearer|digest|negotiate|ntlm)[ \t])[A-Za-z][\w-]{1,30}[ \t]{1,3})([A-Za-z0-9._~+/-]{15,383}[A-Za-z0-9_~+/-]={0,2})(?![A-Za-z0-9._~+/=-])`,
    flags: "i", window: { before: 0, after: 1040 }, entropy: 3, charClasses: 2,
  },
  {
    id: "curl-user-credentials",
    description: "User and password given to curl with -u / --user",
    kind: "secret", type: "password", severity: "high",
    keywords: ["curl"],
    // The command may go on over `\`-continued lines; user and password may be quoted apart (`kevin:'…'`,
    // `"{id}":"{secret}"`), and the user may be empty (`-u ":…"`).
    regex: r`\bcurl(?:[^\r\n\\]|\\\r?\n?){0,300}?[ \t](?:-u|--user)(?:[ \t]{1,3}|=)["']?([^\s:"'$]{0,64}["']?:["']?([^\s"']{3,128}))["']?(?![^\s"'])`,
    window: { before: 0, after: 700 }, checkGroup: 2,
    allowlist: { regexes: [PLACEHOLDER_PASSWORD] },
  },
  {
    id: "curl-header-credential",
    description: "Credential in a header given on a command line (curl -H \"X-Api-Key: …\", --header 'Token: …'), named so",
    kind: "secret", type: "generic-secret", severity: "high",
    keywords: ["-h ", "-h=", "--header"],
    regex: r`(?<![\w-])(?:-H|--header)(?:[ \t]{1,3}|=)["']?(?:[A-Za-z0-9]{1,20}-){0,3}(?:token|api-?key|apikey|secret|auth|access-?key|password)[ \t]{0,3}:[ \t]{0,3}([A-Za-z0-9._~+/-]{8,255}={0,2})(?![A-Za-z0-9._~+/=-])`,
    flags: "i", window: { before: 1, after: 400 }, entropy: 2.5, charClasses: 2,
    allowlist: { regexes: [ENV_REFERENCE] },
  },
  {
    id: "docker-config-auth",
    description: "Registry credentials (base64 user:password) in a Docker config.json",
    kind: "secret", type: "basic-auth", severity: "high",
    keywords: ['"auth"'],
    regex: r`"auth"[ \t]{0,3}:[ \t]{0,3}"([A-Za-z0-9+/]{8,512}={0,2})"`,
    window: { before: 0, after: 540 }, validate: "basic-auth",
  },
  {
    id: "bundler-credentials",
    description: "Gem source credentials in a Bundler setting (BUNDLE_GEMS__EXAMPLE__COM: user:password; Sidekiq Enterprise)",
    kind: "secret", type: "password", severity: "high",
    keywords: ["bundle_"],
    regex: r`(?<![A-Za-z0-9_])BUNDLE_[A-Z0-9_]{1,64}__[A-Z0-9]{2,16}["']?[ \t]{0,3}[:=][ \t]{0,3}["']?([^\s:"'$]{1,128}:([^\s"']{3,128}))(?![^\s"'])`,
    window: { before: 0, after: 420 }, checkGroup: 2,
    allowlist: { regexes: [PLACEHOLDER_PASSWORD] },
  },
  {
    id: "shell-setenv-secret",
    description: "Secret set with csh's setenv or Windows' setx (name and value separated by a space only)",
    kind: "secret", type: "generic-secret", severity: "high",
    keywords: ["setenv", "setx"],
    // Without an operator the name must say what the value is, and the value must look like one (entropy, classes).
    regex: r`\bset(?:env|x)[ \t]{1,3}[A-Za-z_][A-Za-z0-9_]{0,40}?(?:key|secret|token|password|passwd|pwd)(?!_?(?:id|name|path|file|dir|url|type|size|len|length)\b)[A-Za-z0-9_]{0,16}[ \t]{1,3}["']?([A-Za-z0-9_+/.=~!@#%^&*-]{8,127}[A-Za-z0-9_+/=~!@#%^&*-])(?![A-Za-z0-9_+/=~!@#%^&*-]|\.[A-Za-z0-9_+/=~!@#%^&*-])`,
    flags: "i", window: { before: 0, after: 240 }, entropy: 3, charClasses: 3,
    allowlist: { regexes: [r`(?i)^(?:https?|file)://|^~?\.{0,2}/`, ENV_REFERENCE] },
  },
  {
    id: "generic-uuid-token",
    description: "UUID assigned to a token, secret or API-key name (Snyk, HubSpot, npm _authToken, legacy Vault tokens)",
    kind: "secret", type: "generic-secret", severity: "high",
    // Compound key names as keywords, not `key` alone: prose is full of "key", and a bare `key:` is a record key.
    keywords: ["token", "secret", ...["api", "auth", "access", "license", "private"].flatMap((w) => [`${w}key`, `${w}_key`, `${w}-key`])],
    // The name must end right at the separator, so `token_id`, `secret_name` or `key_id` (identifiers) stay out.
    regex: r`(?:token|secret|api[_-]?key|auth[_-]?key|access[_-]?key|license[_-]?key|private[_-]?key)${ASSIGN_OP}(${UUID})(?![\w-])`,
    flags: "i", window: { before: 0, after: 100 },
    allowlist: { precededBy: ID_CONTEXT },
  },
  {
    id: "generic-api-key",
    description: "High-entropy value assigned to a key, secret or token name",
    kind: "secret", type: "generic-secret", severity: "high",
    keywords: ["key", "secret", "token"],
    // Names that say the value is an identifier, a setting or a digest (`key_id`, `token_ttl`, `issuerKeyHash`).
    regex: r`(?:key|secret|token)(?![_.-]?(?:id|ids|name|names|type|file|path|url|uri|len|length|size|count|prefix|format|version|ref|field|header|param|store|ring|board|word|words|note|chain|space|stone|frame|ttl|lifetime|expiry|expires|rotation|hash|hashes|digest|fingerprint|checksum|sum|sha1|sha256|md5)\b)[\w.-]{0,24}?${ASSIGN_OP}${tooLong("A-Za-z0-9_+/.=~-")}([A-Za-z0-9_+/.=~-]{15,127}[A-Za-z0-9_+/=~-])(?![A-Za-z0-9_+/=~-]|\.[A-Za-z0-9_+/=~-])`,
    flags: "i", window: { before: 0, after: 220 }, entropy: 3.5, charClasses: 2,
    allowlist: {
      regexes: [
        r`^[a-z]+(?:[_.-][a-z0-9]+)*$`, // words and dotted or kebab identifiers
        // CONSTANT_NAMES: upper-case words (a digit suffix allowed) joined by `_`; `A1B2C3D4E5F6` has no words.
        r`^[A-Z]+[0-9]{0,4}(?:_(?:[A-Z]+[0-9]{0,4}|[0-9]+))*$`,
        r`^[a-z]{2,}(?:[A-Z][a-z]{2,})+\d{0,3}$|^(?:[A-Z][a-z]{2,})+\d{0,3}$`, // camelCase and PascalCase names
        r`(?i)^(?:https?|file|s3|gs)://|^\.{0,2}/`, // URLs and paths
        r`(?i)^(?:sha(?:1|256|384|512)|md5)[:-]`, // content digests
        ENV_REFERENCE, // a reference to where the value lives, not the value
        r`^${UUID}$`, // UUIDs are identifiers (under a token name, generic-uuid-token reports them)
        r`^[A-Za-z][a-z0-9]*(?:_[A-Za-z0-9][a-z0-9]*)+$`, // snake_case identifiers with capitals (struct_X509_pubkey_st)
      ],
      precededBy: ID_CONTEXT,
    },
  },
  {
    id: "password-assignment",
    description: "Password assigned in configuration, code or prose (mixed character classes)",
    kind: "secret", type: "password", severity: "high",
    keywords: ["password", "passwd", "passphrase", "pwd", "pass"],
    regex: r`(?:password|passwd|passphrase|pwd|pass)[\w.-]{0,16}?${ASSIGN_OP}${tooLong(r`^\s"'${"`"},;<>`)}(${PASSWORD_VALUE})`,
    flags: "i", window: { before: 0, after: 200 }, entropy: 2.5, charClasses: 3,
    allowlist: { regexes: [r`(?i)^(?:https?|file)://|^\.{0,2}/`, ENV_REFERENCE, SOPS_VALUE] },
  },
  // ── Personal data ────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: "email-address",
    description: "E-mail address (internationalised domains in punycode, xn--, included)",
    kind: "pii", type: "email", severity: "medium",
    keywords: ["@"],
    // Tried only where a local part starts (the look-behind), so a run of word characters is read once, not
    // once per character.
    regex: r`(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59}))(?![A-Za-z0-9-]|\.[A-Za-z0-9])`,
    window: { before: 64, after: 300 }, noGlobalAllowlist: true,
    allowlist: {
      regexes: [
        r`(?i)^(?:git|noreply|no-reply|donotreply|do-not-reply|mailer-daemon|postmaster)@`,
        r`(?i)\.(?:png|jpe?g|gif|svg|webp|ico|css|js|mjs|cjs|ts|tsx|jsx|json|ya?ml|lock|map|txt|html?|xml|pdf|zip|tar|gz|tgz|whl|rb|go|rs|java|kt|swift|php|wasm)$`,
      ],
    },
  },
  {
    id: "iban",
    description: "International Bank Account Number (country length and ISO 7064 mod-97 checked)",
    kind: "pii", type: "iban", severity: "high",
    keywords: DIGITS,
    regex: r`([A-Z](?<![A-Za-z0-9][A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?![A-Za-z0-9])`,
    validate: "iban", noGlobalAllowlist: true,
  },
  {
    id: "iban-before-word",
    description: "IBAN followed by a short upper-case word (\"… 7034 SEPA\", \"… 00 EUR\") that the iban rule's match swallowed",
    kind: "pii", type: "iban", severity: "high",
    keywords: DIGITS,
    // A match is not retried shorter when its checksum fails, so this second reading leaves out a last group of
    // letters only after a space; when both readings pass, the iban rule's longer one wins the overlap.
    regex: r`([A-Z](?<![A-Za-z0-9][A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){1,6}(?: ?[A-Z0-9]{1,3})?)(?= [A-Z]{1,4}(?![A-Za-z0-9]))`,
    validate: "iban", noGlobalAllowlist: true,
  },
  {
    id: "payment-card",
    description: "Payment card number (known issuer prefix and length, Luhn checked)",
    kind: "pii", type: "payment-card", severity: "high",
    keywords: DIGITS,
    // Issuer prefix, length and Luhn decide, not a context word ("order", "reference"): a number that passes all
    // three is a card wherever it stands. A number continuing with its own separator is a longer grouped number;
    // one after a different separator or a whole number of its own is a neighbour (cards listed with spaces).
    regex: r`(\d(?<![\w.,+/$€£-]\d)(?<!\d-\d)(?<! \d{1,4} \d)(?<!^\d{1,4} \d)\d{3}(?:([ -]?)\d{4}\2\d{4}\2\d{1,4}(?!\2\d)|([ -]?)\d{6}\3\d{4,5}(?!\3\d)|\d{9,15}))(?![\w€]|[.,/-]\d)`,
    validate: "payment-card", noGlobalAllowlist: true,
  },
  {
    id: "us-ssn",
    description: "US Social Security number (dashed, spaced or dotted; impossible areas, groups and serials rejected)",
    kind: "pii", type: "us-ssn", severity: "high",
    keywords: DIGITS,
    regex: r`(\d(?<![\w.,+/$-]\d)(?<!\d[ -]\d)\d{2}([-. ])\d{2}\2\d{4})(?![\w]|[.,/-]\d|[- ]\d)`,
    validate: "us-ssn", noGlobalAllowlist: true,
    allowlist: { precededBy: REFERENCE_CONTEXT },
  },
  {
    id: "us-ssn-labeled",
    description: "US Social Security number written without separators after the words SSN or social security",
    kind: "pii", type: "us-ssn", severity: "high",
    keywords: ["ssn", "social security"],
    regex: r`(?:ssn|social security(?: number| no\.?)?)[\w .#:="'-]{0,16}?(?<!\d)(\d{9})(?![\w])`,
    flags: "i", window: { before: 0, after: 60 }, validate: "us-ssn", noGlobalAllowlist: true,
  },
  {
    id: "phone-international",
    description: "Phone number in international form (+country code, 8–15 digits)",
    kind: "pii", type: "phone", severity: "medium",
    keywords: ["+"],
    regex: r`(?<![\w+])(\+[1-9]\d{0,3}(?:[ .-]?\(\d{1,4}\)\d{0,4}|[ .-]\d{1,8}){1,6}|\+[1-9]\d{7,14})(?![\w+]|[ .-]?\d)`,
    // The + and a country code mark a phone number; a context word ("ref") does not make it a reference.
    window: { before: 1, after: 40 }, validate: "phone", noGlobalAllowlist: true,
  },
  {
    id: "phone-north-america",
    description: "North American phone number ((415) 555-0132, 415-555-0132, 415.555.0132)",
    kind: "pii", type: "phone", severity: "medium",
    keywords: DIGITS,
    regex: r`(?<![\w.+/$-]|\d[ -])((?:1[ .-])?(?:\([2-9]\d{2}\)[ .-]?[2-9]\d{2}[ .-]\d{4}|[2-9]\d{2}([ .-])\d{3}\2\d{4}))(?![\w]|[.-]\d|[ ]\d)`,
    validate: "phone", noGlobalAllowlist: true,
    allowlist: { precededBy: REFERENCE_CONTEXT },
  },
  {
    id: "phone-national",
    description: "European national phone number with a trunk 0 (020 7946 0958, 030 12345678, 01 23 45 67 89)",
    kind: "pii", type: "phone", severity: "medium",
    keywords: DIGITS,
    regex: r`(0(?<![\w.+/$-]0)(?<!\d[ -]0)(?:\d{2,4}[ /-]\d{3,4}[ -]?\d{3,4}|[1-9](?:[ .]\d{2}){4}))(?![\w]|[.-]\d|[ ]\d)`,
    validate: "phone", noGlobalAllowlist: true,
    allowlist: { precededBy: REFERENCE_CONTEXT },
  },
  {
    id: "ip-address-v6",
    description: "IPv6 address (full, compressed, or IPv4-mapped; not loopback)",
    kind: "pii", type: "ip-address", severity: "low",
    keywords: HEX_COLON_HEX,
    regex: r`(?<![\w:.%])((?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?)(?![\w:]|\.\w)`,
    window: { before: 40, after: 44 }, validate: "ipv6", noGlobalAllowlist: true,
    allowlist: { regexes: [r`^::1?$`] },
  },
  {
    id: "ip-address-v4",
    description: "IPv4 address (not loopback, unspecified or a netmask; not a version number in context)",
    kind: "pii", type: "ip-address", severity: "low",
    keywords: DIGITS,
    regex: r`(\d(?<![\w.-]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\w-]|\.\d)`,
    validate: "ipv4", noGlobalAllowlist: true,
    allowlist: {
      regexes: [r`^(?:0\.0\.0\.0|127\.\d+\.\d+\.\d+|255\.\d+\.\d+\.\d+)$`],
      precededBy: r`(?:\b(?:version|ver\.?|release|build|rev(?:ision)?|firmware|fw|patch|upgrade to|tag|v\.?|chrome|firefox|safari|edge|node(?:\.js)?|python|java|kernel|ios|android|windows|macos|gradle|maven|npm|pip|section|chapter|clause|figure|fig\.?|table|paragraph|article|appendix|oid)|§)\s{0,2}[:=/@#]?\s{0,2}$|[\w-]/$`,
    },
  },
];

/**
 * Allowlist shared by every secret rule unless it opts out: masked values, template variables and explicit
 * placeholders, which are not credentials whatever their shape.
 */
export const GLOBAL_ALLOWLIST: readonly string[] = [
  "x{4,}",
  r`\*{3,}`,
  r`\.\.\.`,
  r`(?:^|[^a-z])(?:your|my)[_-]?(?:api[_-]?)?(?:key|token|secret|password|pass)`,
  r`placeholder|redacted|replace[_-]?me|insert[_-]?(?:your|key|token|here)|not[_-]?a[_-]?real`,
  r`^<[^>]{0,128}>$|^\$\{[^}]{1,128}\}$|^\{\{[^}]{1,128}\}\}$|^%[A-Za-z_]{1,64}%$|^\$[A-Za-z_][A-Za-z0-9_]{0,63}$`,
];

/**
 * Allowlist of documentation samples, for the rules whose match is not `distinctive` (generic assignments, named
 * values): there a word like `example` is the likelier reading. A distinctive rule reports these, because a value in
 * a vendor's exact format is treated as the vendor's credential. Sequential fillers (`12345678-ABCD-…`,
 * `123456789`) are reported like gitleaks reports them: such a value may still be the credential someone set.
 */
export const SAMPLE_ALLOWLIST: readonly string[] = [
  "example",
  r`dummy|sample|changeme|change[_-]me|fake[_-]?(?:key|token|secret)`,
  // Alternating-case fillers of SDK documentation (Firebase's `AIzaSyDOCAbC123dEf456GhI789jKl012-MnO`).
  r`abc123.{0,3}def456`,
];