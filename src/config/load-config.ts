// Reads the configuration once from an environment map: every variable of SETTINGS is checked by one ajv schema
// built from it, then shaped into one section per part and frozen. Defaults come from SETTINGS alone.
import type { ErrorObject } from "ajv";
import { CustosError, type FieldError } from "../errors.js";
import { compileSchema } from "../validation.js";
import { SETTINGS, type SettingKey, type SettingSpec } from "./schema.js";

/** The validated, frozen configuration, one section per part. */
export interface Config {
  server: { host: string; port: number; workers: number };
  policy: {
    bundlePath: string;
    dataPath: string | null;
    watchIntervalMs: number;
    verificationKeyPath: string | null;
    /** The shadow candidate (CUSTOS_SHADOW_BUNDLE), its overlay (the live one unless CUSTOS_SHADOW_DATA) and queue. */
    shadow: { bundlePath: string; dataPath: string | null; queueSize: number; maxShare: number } | null;
  };
  state: {
    /** The Redis store's section; null: the in-memory store. */
    redis: { url: string; keyPrefix: string; commandTimeoutMs: number } | null;
    /** What both stores read. */
    session: { sessionTtlSeconds: number };
    failMode: "closed" | "open";
  };
  /** `token`: the break-glass operator's; `tokensFile`: the operators file. */
  admin: { token: string | null; tokensFile: string | null };
  /** `issuersFile`: the trusted token issuers. */
  identity: { issuersFile: string | null };
  pep: { tokensFile: string | null; rateLimit: number };
  tls: { cert: string; key: string; ca: string | null } | null;
  audit: { path: string | null };
  inspect: { fingerprintKey: string | null; secretRulesPath: string | null };
  /** `issuer` null: derived from the listening address (`http://<HOST>:<PORT>`). */
  authzen: { issuer: string | null; entrypoint: string };
  log: { level: "error" | "warn" | "info" | "debug" };
  /** `url` null: no notifications. */
  notify: { url: string | null; secret: string | null; format: "custos" | "slack" };
  operations: { inventoryTtlSeconds: number };
}

const specs = Object.entries(SETTINGS) as [SettingKey, SettingSpec][];

/** Further constraints of single variables, beyond their type. */
const EXTRA: Partial<Record<string, { pattern: string; message: string }>> = {
  CUSTOS_WORKERS: { pattern: "^(auto|\\d{1,3})$", message: "must be auto or an integer from 1 to 256" },
  CUSTOS_AUTHZEN_ENTRYPOINT: {
    pattern: "^[A-Za-z_][\\w-]*(/[A-Za-z_][\\w-]*)*$",
    message: "must be an entrypoint path such as custos/authzen/evaluation",
  },
};

/** The schema of the environment, variable by variable, with the pairs that go together. */
const envSchema = {
  type: "object",
  properties: Object.fromEntries(
    specs.map(([, spec]) => {
      const own = spec.type === "integer" ? { type: "integer", minimum: spec.min, maximum: spec.max } : spec.type === "enum" ? { enum: spec.values } : { type: "string" };
      const extra = EXTRA[spec.env];
      return [spec.env, extra ? { ...own, pattern: extra.pattern } : own];
    }),
  ),
  dependencies: { CUSTOS_TLS_CERT: ["CUSTOS_TLS_KEY"], CUSTOS_TLS_KEY: ["CUSTOS_TLS_CERT"], CUSTOS_TLS_CA: ["CUSTOS_TLS_CERT", "CUSTOS_TLS_KEY"] },
};
const validateEnv = compileSchema(envSchema);

function messageOf(spec: SettingSpec): string {
  const extra = EXTRA[spec.env];
  if (extra) return extra.message;
  if (spec.type === "integer") return `must be an integer from ${spec.min} to ${spec.max}`;
  if (spec.type === "enum") return `must be one of ${spec.values?.join(", ")}`;
  return "is invalid";
}

function fieldErrorOf(e: ErrorObject): FieldError {
  if (e.keyword === "dependencies") {
    const { property, missingProperty } = e.params as { property: string; missingProperty: string };
    const message = property === "CUSTOS_TLS_CA" ? "needs CUSTOS_TLS_CERT and CUSTOS_TLS_KEY" : "CUSTOS_TLS_CERT and CUSTOS_TLS_KEY go together";
    return { field: property === "CUSTOS_TLS_CA" ? property : missingProperty, message };
  }
  const env = e.instancePath.slice(1);
  const spec = specs.find(([, s]) => s.env === env)?.[1];
  return { field: env, message: spec ? messageOf(spec) : (e.message ?? "is invalid") };
}

/** An absolute http(s) URL with no query string or fragment (AuthZEN PDP metadata, `policy_decision_point`). */
function isIssuerUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "http:" || u.protocol === "https:") && u.search === "" && u.hash === "" && !text.includes("#") && !text.includes("?");
  } catch {
    return false;
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Builds the configuration from an environment map (the entry point passes its environment in).
 * @param cores processors available: `CUSTOS_WORKERS=auto` starts one worker per core with Redis.
 * @throws CustosError `config_invalid` naming every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>, cores = 1): Config {
  // Unset and empty variables take their default; integers are read as numbers when they are written as such.
  const values: Record<string, string | number> = {};
  for (const [, spec] of specs) {
    const text = env[spec.env];
    if (text === undefined || text === "") {
      if (spec.default !== undefined) values[spec.env] = spec.default;
    } else values[spec.env] = spec.type === "integer" && /^-?\d{1,16}$/.test(text) ? Number(text) : text;
  }
  const errors: FieldError[] = [];
  if (!validateEnv(values)) {
    const seen = new Set<string>();
    for (const e of validateEnv.errors ?? []) {
      const fe = fieldErrorOf(e);
      if (!seen.has(fe.field)) errors.push(fe);
      seen.add(fe.field);
    }
  }
  const str = (k: SettingKey): string | null => (typeof values[SETTINGS[k].env] === "string" ? (values[SETTINGS[k].env] as string) : null);
  const num = (k: SettingKey): number => values[SETTINGS[k].env] as number;
  const issuer = str("authzenIssuer");
  if (issuer !== null && !isIssuerUrl(issuer)) errors.push({ field: "CUSTOS_AUTHZEN_ISSUER", message: "must be an http(s) URL without query or fragment" });
  const redisUrl = str("redisUrl");
  const workersText = String(values.CUSTOS_WORKERS);
  const workers = workersText === "auto" ? (redisUrl ? Math.max(1, cores) : 1) : Number(workersText);
  if (workersText !== "auto" && !errors.some((e) => e.field === "CUSTOS_WORKERS")) {
    if (!(workers >= 1 && workers <= 256)) errors.push({ field: "CUSTOS_WORKERS", message: messageOf(SETTINGS.workers) });
    else if (workers > 1 && !redisUrl) errors.push({ field: "CUSTOS_WORKERS", message: "more than 1 worker needs REDIS_URL (in-memory state is per process)" });
  }
  const webhook = str("webhookUrl");
  if (webhook !== null && !isHttpUrl(webhook)) errors.push({ field: "CUSTOS_WEBHOOK_URL", message: "must be an http(s) URL" });
  if (errors.length > 0) {
    throw new CustosError("config_invalid", `invalid configuration: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`, { errors });
  }
  const audit = str("auditLogPath");
  return deepFreeze({
    server: { host: str("host") as string, port: num("port"), workers },
    policy: {
      bundlePath: str("bundlePath") as string, dataPath: str("dataPath"), watchIntervalMs: num("watchIntervalMs"), verificationKeyPath: str("bundleVerificationKey"),
      shadow: str("shadowBundlePath")
        ? { bundlePath: str("shadowBundlePath") as string, dataPath: str("shadowDataPath") ?? str("dataPath"), queueSize: num("shadowQueue"), maxShare: num("shadowCpuPercent") / 100 }
        : null,
    },
    state: {
      redis: redisUrl ? { url: redisUrl, keyPrefix: str("redisKeyPrefix") as string, commandTimeoutMs: num("stateTimeoutMs") } : null,
      session: { sessionTtlSeconds: num("sessionTtlSeconds") },
      failMode: str("failMode") as "closed" | "open",
    },
    admin: { token: str("adminToken"), tokensFile: str("adminTokensFile") },
    identity: { issuersFile: str("issuersFile") },
    pep: { tokensFile: str("pepTokensFile"), rateLimit: num("pepRateLimit") },
    tls: str("tlsCert") ? { cert: str("tlsCert") as string, key: str("tlsKey") as string, ca: str("tlsCa") } : null,
    audit: { path: audit === "off" ? null : audit },
    inspect: { fingerprintKey: str("fingerprintKey"), secretRulesPath: str("secretRules") },
    authzen: { issuer: issuer === null ? null : issuer.replace(/\/+$/, ""), entrypoint: str("authzenEntrypoint") as string },
    log: { level: str("logLevel") as Config["log"]["level"] },
    notify: { url: webhook, secret: str("webhookSecret"), format: str("webhookFormat") as "custos" | "slack" },
    operations: { inventoryTtlSeconds: num("inventoryTtlSeconds") },
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && u.password === "";
  } catch {
    return false;
  }
}
