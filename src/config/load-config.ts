// Reads the configuration once from an environment map, validates it against SETTINGS, and freezes it.
import { CustosError, type FieldError } from "../errors.js";
import { SETTINGS, type SettingSpec } from "./schema.js";

/** The validated, frozen configuration, by section. */
export interface Config {
  server: { host: string; port: number; workers: number };
  policy: { bundlePath: string; dataPath: string | null; watchIntervalMs: number; verificationKeyPath: string | null };
  state: {
    redisUrl: string | null;
    redisKeyPrefix: string;
    sessionTtlSeconds: number;
    timeoutMs: number;
    failMode: "closed" | "open";
  };
  admin: { token: string | null };
  pep: { tokensFile: string | null; rateLimit: number };
  tls: { cert: string; key: string; ca: string | null } | null;
  audit: { path: string | null };
  inspect: { fingerprintKey: string | null };
  /** `issuer` null: derived from the listening address (`http://<HOST>:<PORT>`). */
  authzen: { issuer: string | null; entrypoint: string };
  log: { level: "error" | "warn" | "info" | "debug" };
}

type Raw = Record<string, string | number | boolean | undefined>;

function parse(key: string, spec: SettingSpec, text: string | undefined, errors: FieldError[]): Raw[string] {
  if (text === undefined || text === "") return spec.default;
  switch (spec.type) {
    case "string":
      return text;
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      errors.push({ field: spec.env, message: "must be true or false" });
      return spec.default;
    case "enum":
      if (spec.values?.includes(text)) return text;
      errors.push({ field: spec.env, message: `must be one of ${spec.values?.join(", ")}` });
      return spec.default;
    case "integer": {
      const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        errors.push({ field: spec.env, message: `must be an integer from ${spec.min} to ${spec.max}` });
        return spec.default;
      }
      return n;
    }
  }
  void key;
}

/** Worker count: `auto` is one per core when the ledger is shared (Redis), else 1 (in-memory state is per process). */
function resolveWorkers(text: string, shared: boolean, cores: number, errors: FieldError[]): number {
  if (text === "auto") return shared ? Math.max(1, cores) : 1;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    errors.push({ field: "CUSTOS_WORKERS", message: "must be auto or an integer from 1 to 256" });
    return 1;
  }
  if (n > 1 && !shared) errors.push({ field: "CUSTOS_WORKERS", message: "more than 1 worker needs REDIS_URL (in-memory state is per process)" });
  return n;
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
 * Builds the configuration from an environment map (normally `process.env`, passed in by `main.ts`).
 * @throws CustosError `invalid_request` naming every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>, cores = 1): Config {
  const errors: FieldError[] = [];
  const raw: Raw = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    raw[key] = parse(key, spec, env[spec.env], errors);
  }
  const str0 = (k: string): string | null => (typeof raw[k] === "string" ? (raw[k] as string) : null);
  if ((str0("tlsCert") === null) !== (str0("tlsKey") === null)) {
    errors.push({ field: str0("tlsCert") ? "CUSTOS_TLS_KEY" : "CUSTOS_TLS_CERT", message: "CUSTOS_TLS_CERT and CUSTOS_TLS_KEY go together" });
  }
  if (str0("tlsCa") !== null && str0("tlsCert") === null) errors.push({ field: "CUSTOS_TLS_CA", message: "needs CUSTOS_TLS_CERT and CUSTOS_TLS_KEY" });
  const issuer = str0("authzenIssuer");
  if (issuer !== null && !isIssuerUrl(issuer)) {
    errors.push({ field: "CUSTOS_AUTHZEN_ISSUER", message: "must be an http(s) URL without query or fragment" });
  }
  if (!/^[A-Za-z_][\w-]*(\/[A-Za-z_][\w-]*)*$/.test(String(raw.authzenEntrypoint))) {
    errors.push({ field: "CUSTOS_AUTHZEN_ENTRYPOINT", message: "must be an entrypoint path such as custos/authzen/evaluation" });
  }
  const workers = resolveWorkers(String(raw.workers), typeof raw.redisUrl === "string", cores, errors);
  if (errors.length > 0) {
    throw new CustosError("invalid_request", `invalid configuration: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`, {
      errors,
    });
  }
  const str = (k: string): string | null => (typeof raw[k] === "string" ? (raw[k] as string) : null);
  const audit = str("auditLogPath");
  return deepFreeze({
    server: { host: raw.host as string, port: raw.port as number, workers },
    policy: { bundlePath: raw.bundlePath as string, dataPath: str("dataPath"), watchIntervalMs: raw.watchIntervalMs as number, verificationKeyPath: str("bundleVerificationKey") },
    state: {
      redisUrl: str("redisUrl"),
      redisKeyPrefix: raw.redisKeyPrefix as string,
      sessionTtlSeconds: raw.sessionTtlSeconds as number,
      timeoutMs: raw.stateTimeoutMs as number,
      failMode: raw.failMode as "closed" | "open",
    },
    admin: { token: str("adminToken") },
    pep: { tokensFile: str("pepTokensFile"), rateLimit: raw.pepRateLimit as number },
    tls: str("tlsCert") ? { cert: str("tlsCert") as string, key: str("tlsKey") as string, ca: str("tlsCa") } : null,
    audit: { path: audit === "off" ? null : audit },
    inspect: { fingerprintKey: str("fingerprintKey") },
    authzen: { issuer: issuer === null ? null : issuer.replace(/\/+$/, ""), entrypoint: raw.authzenEntrypoint as string },
    log: { level: raw.logLevel as Config["log"]["level"] },
  });
}
