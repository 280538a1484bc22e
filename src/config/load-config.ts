// Reads the configuration once from an environment map, validates it against SETTINGS, and freezes it.
import { CustosError, type FieldError } from "../errors.js";
import { SETTINGS, type SettingSpec } from "./schema.js";

/** The validated, frozen configuration, by section. */
export interface Config {
  server: { host: string; port: number };
  policy: { bundlePath: string; dataPath: string | null; watchIntervalMs: number };
  state: {
    redisUrl: string | null;
    redisKeyPrefix: string;
    sessionTtlSeconds: number;
    timeoutMs: number;
    failMode: "closed" | "open";
  };
  admin: { token: string | null };
  audit: { path: string | null };
  inspect: { fingerprintKey: string | null };
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
export function loadConfig(env: Record<string, string | undefined>): Config {
  const errors: FieldError[] = [];
  const raw: Raw = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    raw[key] = parse(key, spec, env[spec.env], errors);
  }
  if (errors.length > 0) {
    throw new CustosError("invalid_request", `invalid configuration: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`, {
      errors,
    });
  }
  const str = (k: string): string | null => (typeof raw[k] === "string" ? (raw[k] as string) : null);
  const audit = str("auditLogPath");
  return deepFreeze({
    server: { host: raw.host as string, port: raw.port as number },
    policy: { bundlePath: raw.bundlePath as string, dataPath: str("dataPath"), watchIntervalMs: raw.watchIntervalMs as number },
    state: {
      redisUrl: str("redisUrl"),
      redisKeyPrefix: raw.redisKeyPrefix as string,
      sessionTtlSeconds: raw.sessionTtlSeconds as number,
      timeoutMs: raw.stateTimeoutMs as number,
      failMode: raw.failMode as "closed" | "open",
    },
    admin: { token: str("adminToken") },
    audit: { path: audit === "off" ? null : audit },
    inspect: { fingerprintKey: str("fingerprintKey") },
    log: { level: raw.logLevel as Config["log"]["level"] },
  });
}
