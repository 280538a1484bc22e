// The state beyond one session that a decision reads and writes: the settings of principal risk, quotas and the
// credential misuse window (read from the policy's data, with DESIGN.md's defaults), and which quota counters
// apply to one request.
import { createHash } from "node:crypto";
import type { QuotaRef } from "./ports.js";
import type { DecideRequest } from "./request.js";

/** `settings.principal_risk_threshold` when the data leaves it out. */
export const DEFAULT_PRINCIPAL_RISK_THRESHOLD = 300;
/** `settings.principal_risk_window_seconds` when the data leaves it out: 1 day. */
export const DEFAULT_PRINCIPAL_RISK_WINDOW_SECONDS = 86_400;
/** `settings.credential_misuse_window_seconds` when the data leaves it out: 1 hour. */
export const DEFAULT_CREDENTIAL_MISUSE_WINDOW_SECONDS = 3_600;
/** Most quotas `settings.quotas` may hold (each is one counter read and written per matching decision). */
export const MAX_QUOTAS = 16;
/** Longest quota window: 30 days. */
export const MAX_QUOTA_WINDOW_SECONDS = 30 * 86_400;

/** The cross-session settings of the active policy. */
export interface CrossSessionSettings {
  principalRiskThreshold: number;
  /** 0: principal risk is off. */
  principalRiskWindowSeconds: number;
  /** 0: the misuse check is off. */
  credentialWindowSeconds: number;
  quotas: QuotaSpec[];
}

/** One valid entry of `settings.quotas`. */
export interface QuotaSpec {
  id: string;
  event: string | null;
  action: string | null;
  per: "principal" | "credential";
  max: number;
  window_seconds: number;
}

function count(v: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(0, Math.floor(v)));
}

/**
 * The settings, with defaults. A quota entry that is not well formed (unknown `per`, no positive integer `max` or
 * `window_seconds`, a window over 30 days) is ignored, and so are entries past {@link MAX_QUOTAS}: the bundle's data
 * is the operator's, and the policy test suite is where a bad entry is caught.
 */
export function crossSessionSettings(settings: Readonly<Record<string, unknown>>): CrossSessionSettings {
  const quotas: QuotaSpec[] = [];
  const raw = Array.isArray(settings.quotas) ? settings.quotas : [];
  for (const q of raw.slice(0, MAX_QUOTAS)) {
    if (!q || typeof q !== "object") continue;
    const o = q as Record<string, unknown>;
    const per = o.per;
    if (per !== "principal" && per !== "credential") continue;
    if (!Number.isInteger(o.max) || (o.max as number) < 0) continue;
    if (!Number.isInteger(o.window_seconds) || (o.window_seconds as number) < 1 || (o.window_seconds as number) > MAX_QUOTA_WINDOW_SECONDS) continue;
    const event = typeof o.event === "string" ? o.event : null;
    const action = typeof o.action === "string" ? o.action : null;
    const window = o.window_seconds as number;
    const id = createHash("sha256").update(JSON.stringify([event, action, per, window])).digest("hex").slice(0, 16);
    quotas.push({ id, event, action, per, max: o.max as number, window_seconds: window });
  }
  return {
    principalRiskThreshold: count(settings.principal_risk_threshold, DEFAULT_PRINCIPAL_RISK_THRESHOLD),
    principalRiskWindowSeconds: count(settings.principal_risk_window_seconds, DEFAULT_PRINCIPAL_RISK_WINDOW_SECONDS, 366 * 86_400),
    credentialWindowSeconds: count(settings.credential_misuse_window_seconds, DEFAULT_CREDENTIAL_MISUSE_WINDOW_SECONDS, 366 * 86_400),
    quotas,
  };
}

/** The quota counters this request counts against: those whose event and action match, per its principal or credential. */
export function quotasFor(request: DecideRequest, quotas: QuotaSpec[]): QuotaRef[] {
  const refs: QuotaRef[] = [];
  const credential = request.identity.credential?.id ?? null;
  for (const q of quotas) {
    if (q.event !== null && q.event !== request.event) continue;
    if (q.action !== null && q.action !== request.action) continue;
    const owner = q.per === "principal" ? request.identity.id : credential;
    // A per-credential quota does not apply to a request that presents no credential id.
    if (owner === null) continue;
    refs.push({ id: q.id, per: q.per, owner, max: q.max, window_seconds: q.window_seconds });
  }
  return refs;
}

/** Start of the fixed window of `windowSeconds` holding `nowMs` (Unix seconds, aligned to the epoch). */
export function quotaWindowStart(nowMs: number, windowSeconds: number): number {
  const s = Math.floor(nowMs / 1000);
  return s - (s % windowSeconds);
}

/** Width of one bucket of a principal's risk window, in seconds (window / 60, at least 1). */
export function riskBucketSeconds(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / 60));
}
