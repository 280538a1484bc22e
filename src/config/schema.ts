// The configuration schema: every environment variable Custos reads, its type, default and meaning (README mirrors
// it). A default that is a part's own (the session store's) is that part's constant, so it is stated once.
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_KEY_PREFIX, DEFAULT_SESSION_TTL_SECONDS } from "../session/ledger-rules.js";

/** One setting read from the environment. */
export interface SettingSpec {
  env: string;
  type: "string" | "integer" | "enum";
  /** Allowed values, for `enum`. */
  values?: readonly string[];
  /** The default, or `undefined` for "unset". */
  default: string | number | undefined;
  min?: number;
  max?: number;
  description: string;
}

/** Every setting, by config key. Order is the README's order. */
export const SETTINGS = {
  host: { env: "HOST", type: "string", default: "127.0.0.1", description: "Interface to listen on." },
  port: { env: "PORT", type: "integer", default: 8080, min: 0, max: 65535, description: "TCP port (0 picks a free one)." },
  redisUrl: {
    env: "REDIS_URL",
    type: "string",
    default: undefined,
    description: "Redis for the shared session ledger: `redis[s]://[user:password@]host:port[/db]`, `redis[s]+cluster://host:port,…`, `redis[s]+sentinel://host:port,…/<master>`, options `?tls_ca=&tls_cert=&tls_key=&wait_replicas=N` (see Scaling out); unset: in-memory state (one process only).",
  },
  workers: {
    env: "CUSTOS_WORKERS",
    type: "string",
    default: "auto",
    description: "Worker processes sharing the port (node:cluster): a number, or `auto` = one per core with `REDIS_URL`, 1 with in-memory state (which one process owns). More than 1 requires `REDIS_URL`; the primary process then writes the one decision log and aggregates `/metrics` over the workers.",
  },
  redisKeyPrefix: { env: "CUSTOS_REDIS_PREFIX", type: "string", default: DEFAULT_KEY_PREFIX, description: "Prefix of every Redis key." },
  sessionTtlSeconds: {
    env: "CUSTOS_SESSION_TTL_SECONDS",
    type: "integer",
    default: DEFAULT_SESSION_TTL_SECONDS,
    min: 1,
    max: 31536000,
    description: "Idle time after which a session's ledger expires.",
  },
  stateTimeoutMs: {
    env: "CUSTOS_STATE_TIMEOUT_MS",
    type: "integer",
    default: DEFAULT_COMMAND_TIMEOUT_MS,
    min: 10,
    max: 10000,
    description: "Longest wait for the state store before a decision fails closed with STATE_UNAVAILABLE.",
  },
  failMode: {
    env: "CUSTOS_FAIL_MODE",
    type: "enum",
    values: ["closed", "open"],
    default: "closed",
    description: "`closed`: with the state store down, `/decide` answers `503` deny STATE_UNAVAILABLE. `open`: decide without state (terminations, revocations and risk are then NOT enforced).",
  },
  bundlePath: {
    env: "CUSTOS_BUNDLE",
    type: "string",
    default: "bundles/governance.tar.gz",
    description: "Policy bundle built by `opa build -t wasm` (relative to the working directory).",
  },
  dataPath: {
    env: "CUSTOS_DATA",
    type: "string",
    default: undefined,
    description: "JSON overlay deep-merged over the bundle's `data.governance` (principals, resources, settings).",
  },
  shadowBundlePath: {
    env: "CUSTOS_SHADOW_BUNDLE",
    type: "string",
    default: undefined,
    description: "A candidate bundle evaluated beside the live one, after each answer (never changing it, nor the ledger); disagreements go to the decision log (`shadow` records) and `custos_shadow_disagreements_total`. Hot-reloaded like the live bundle.",
  },
  shadowDataPath: {
    env: "CUSTOS_SHADOW_DATA",
    type: "string",
    default: undefined,
    description: "Data overlay of the shadow bundle; unset: the live overlay (`CUSTOS_DATA`).",
  },
  shadowQueue: {
    env: "CUSTOS_SHADOW_QUEUE",
    type: "integer",
    default: 1024,
    min: 1,
    max: 1000000,
    description: "Decisions waiting for the shadow evaluation; beyond it they are dropped and counted (`custos_shadow_evaluations_total{result=\"dropped\"}`), never delaying an answer.",
  },
  shadowCpuPercent: {
    env: "CUSTOS_SHADOW_CPU_PERCENT",
    type: "integer",
    default: 5,
    min: 1,
    max: 100,
    description: "Share of each process's time the shadow may spend evaluating (a budget of evaluation milliseconds it earns as time passes, at most one second's worth saved); past it decisions are skipped and counted (`custos_shadow_evaluations_total{result=\"skipped\"}`), so a saturated service loses at most about this share of its throughput. `100`: every decision the queue holds is evaluated.",
  },
  bundleVerificationKey: {
    env: "CUSTOS_BUNDLE_VERIFICATION_KEY",
    type: "string",
    default: undefined,
    description: "File with the PEM public key (RSA/ECDSA) or HMAC secret that bundles must be signed with (`opa build --bundle --signing-key`); set: an unsigned or tampered bundle is refused at start and at reload.",
  },
  watchIntervalMs: {
    env: "CUSTOS_WATCH_INTERVAL_MS",
    type: "integer",
    default: 1000,
    min: 0,
    max: 3600000,
    description: "How often the bundle and data files are checked for changes (hot reload); `0` disables watching.",
  },
  adminToken: {
    env: "CUSTOS_ADMIN_TOKEN",
    type: "string",
    default: undefined,
    description: "Break-glass bearer token of the admin API and of `?explain=1`: operator `admin` with every role. With neither it nor `CUSTOS_ADMIN_TOKENS_FILE`: admin API disabled (404).",
  },
  adminTokensFile: {
    env: "CUSTOS_ADMIN_TOKENS_FILE",
    type: "string",
    default: undefined,
    description: "JSON file of named operators, `{\"operators\": [{\"id\", \"token_sha256\", \"roles\", \"groups\"}]}` (roles `approver`, `responder`, `policy_operator`, `auditor`; digests only; `npm run admin:token -- NAME` makes one). The authenticated operator is the actor of every admin action and the approver of every approval.",
  },
  issuersFile: {
    env: "CUSTOS_ISSUERS_FILE",
    type: "string",
    default: undefined,
    description: "JSON file of trusted token issuers, `{\"issuers\": [{\"issuer\", \"audiences\", \"jwks_file\" | \"jwks_uri\", \"algorithms\", \"claims\"}]}`: a presented `identity.credential.token` is verified against it (see Verified identity). Unset: every presented token is `CREDENTIAL_INVALID`.",
  },
  auditLogPath: {
    env: "CUSTOS_AUDIT_LOG",
    type: "string",
    default: "custos-audit.jsonl",
    description: "Hash-chained decision log (JSON lines), relative to the working directory; `off` disables it.",
  },
  fingerprintKey: {
    env: "CUSTOS_FINGERPRINT_KEY",
    type: "string",
    default: undefined,
    description: "Key of the HMAC that fingerprints content findings (and digests texts and approval bindings); unset: a random key per start, shared by the workers of one service (fingerprints then differ across restarts and replicas).",
  },
  secretRules: {
    env: "CUSTOS_SECRET_RULES",
    type: "string",
    default: undefined,
    description: "A gitleaks TOML config (`.gitleaks.toml`: `[[rules]]` with `id`, `regex`, `keywords`, `entropy`, `secretGroup`, `[[rules.allowlists]]`, global `[allowlist]`) whose rules run beside the built-in ones, compiled with RE2 (linear time); a rule that is not RE2 syntax is refused naming it. Reloaded when the file changes (every `CUSTOS_WATCH_INTERVAL_MS`); a bad file keeps the rules in force.",
  },
  pepTokensFile: {
    env: "CUSTOS_PEP_TOKENS_FILE",
    type: "string",
    default: undefined,
    description: "JSON file of PEP credentials, `{\"peps\": [{\"name\", \"token_sha256\", \"principals\"?, \"events\"?}]}` (digests only; `principals`: globs of the identity ids the PEP may speak for, `events`: the events it may ask about, else `CALLER_NOT_PERMITTED`; `npm run pep:token -- NAME` makes one). Set: every decision route requires `Authorization: Bearer <token>`. Unset: decisions are unauthenticated, which Custos allows only on a loopback `HOST`.",
  },
  pepRateLimit: {
    env: "CUSTOS_PEP_RATE_LIMIT",
    type: "integer",
    default: 0,
    min: 0,
    max: 10000000,
    description: "Decisions per second allowed to each PEP (token bucket, burst of 2 s); over it: `429` with `Retry-After`. `0` disables the limit.",
  },
  authzenIssuer: {
    env: "CUSTOS_AUTHZEN_ISSUER",
    type: "string",
    default: undefined,
    description: "Base URL Custos publishes as `policy_decision_point` (and the base of every endpoint URL) in `/.well-known/authzen-configuration`: `http(s)://host[:port][/path]`, no query or fragment; unset: `http://<HOST>:<PORT>` (`https` with TLS).",
  },
  authzenEntrypoint: {
    env: "CUSTOS_AUTHZEN_ENTRYPOINT",
    type: "string",
    default: "custos/authzen/evaluation",
    description: "Bundle entrypoint the AuthZEN API evaluates with the raw AuthZEN request as input (returning `{decision, context?}`) when the bundle has no governance entrypoint `custos/main/decision`; a bundle must have at least one of the two. Search entrypoints are its siblings (`…/search/subject`, `…/search/resource`, `…/search/action`).",
  },
  tlsCert: { env: "CUSTOS_TLS_CERT", type: "string", default: undefined, description: "PEM certificate: serve HTTPS (with `CUSTOS_TLS_KEY`)." },
  tlsKey: { env: "CUSTOS_TLS_KEY", type: "string", default: undefined, description: "PEM private key of `CUSTOS_TLS_CERT`." },
  tlsCa: {
    env: "CUSTOS_TLS_CA",
    type: "string",
    default: undefined,
    description: "PEM CA bundle: require a client certificate signed by it (mutual TLS); the PEP's name is the certificate's subject CN.",
  },
  webhookUrl: {
    env: "CUSTOS_WEBHOOK_URL",
    type: "string",
    default: undefined,
    description: "Receiver of the notifications (`approval.requested`, `review.opened`, `session.terminated`, `principal.flagged`, `credential.revoked`): an http(s) URL; they wait in an outbox (Redis with `REDIS_URL`, else a file beside the decision log) until it answers 2xx. Unset: no notifications.",
  },
  webhookSecret: {
    env: "CUSTOS_WEBHOOK_SECRET",
    type: "string",
    default: undefined,
    description: "HMAC-SHA256 key of the `Custos-Signature: t=<unix>,v1=<hex>` header over `<t>.<body>`; unset: unsigned.",
  },
  webhookFormat: {
    env: "CUSTOS_WEBHOOK_FORMAT",
    type: "enum",
    values: ["custos", "slack"],
    default: "custos",
    description: "Notification body: `custos` (`{id, type, time, data}`) or `slack` (an incoming-webhook `{text, custos}`).",
  },
  inventoryTtlSeconds: {
    env: "CUSTOS_INVENTORY_TTL_SECONDS",
    type: "integer",
    default: 2592000,
    min: 60,
    max: 31536000,
    description: "Retention of the operations indexes: the identity inventory, credential usage (blast radius) and review items.",
  },
  logLevel: {
    env: "LOG_LEVEL",
    type: "enum",
    values: ["error", "warn", "info", "debug"],
    default: "info",
    description: "Log level of the JSON log on stdout.",
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
