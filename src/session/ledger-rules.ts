// The ledger semantics both stores share: defaults, TTL arithmetic and the encodings of classification and signals.
import { CLASSIFICATIONS, type Classification, type PrincipalSignal } from "../decision/ports.js";

import { DEFAULT_REVOCATION_TTL_SECONDS } from "../decision/vocabulary.js";

export { DEFAULT_REVOCATION_TTL_SECONDS };

/** Idle lifetime of a session ledger: 1 day (the configuration's default, CUSTOS_SESSION_TTL_SECONDS). */
export const DEFAULT_SESSION_TTL_SECONDS = 86_400;

/** Longest wait for one Redis command (CUSTOS_STATE_TIMEOUT_MS). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 250;

/** Prefix of every Redis key (CUSTOS_REDIS_PREFIX). */
export const DEFAULT_KEY_PREFIX = "custos:";

/**
 * How long an approval is kept past its `expires_at`: 1 day, so a late retry is told "expired" (APPROVAL_INVALID)
 * rather than "unknown", and an admin can still look at what happened.
 */
export const DEFAULT_APPROVAL_GRACE_SECONDS = 86_400;

/** `terminated_reason` when accumulated risk reaches the threshold. */
export const RISK_THRESHOLD_REASON = "risk threshold reached";

/** `terminated_by` of terminations decided by policy (a `terminate` update or the risk threshold). */
export const POLICY_ACTOR = "policy";

/** 0 for `public` … 3 for `restricted`; -1 for none. */
export function classificationRank(c: Classification | null): number {
  return c === null ? -1 : CLASSIFICATIONS.indexOf(c);
}

/** The classification of a rank, `null` outside 0..3. */
export function classificationOf(rank: number): Classification | null {
  return CLASSIFICATIONS[rank] ?? null;
}

/** Revocation lifetime in seconds: the given one, or the default when it is 0, negative or not a number. */
export function revocationTtl(ttlSeconds: number): number {
  return Number.isFinite(ttlSeconds) && ttlSeconds > 0 ? Math.ceil(ttlSeconds) : DEFAULT_REVOCATION_TTL_SECONDS;
}

/** Seconds an approval record is kept from `nowMs`: until `expires_at` + grace, at least 1. */
export function approvalTtl(expiresAt: number, nowMs: number, graceSeconds: number): number {
  return Math.max(1, Math.ceil(expiresAt + graceSeconds - nowMs / 1000));
}

/**
 * Threshold termination applies only to a positive, finite threshold; 0 or less disables it (otherwise every
 * session would start terminated).
 */
export function reachesThreshold(risk: number, threshold: number): boolean {
  return Number.isFinite(threshold) && threshold > 0 && risk >= threshold;
}

/** The identity of a signal within a principal's set: one entry per (kind, severity); re-adding moves its expiry. */
export function signalMember(signal: Pick<PrincipalSignal, "kind" | "severity">): string {
  return JSON.stringify([signal.kind, signal.severity]);
}

/** Inverse of {@link signalMember}. */
export function signalFromMember(member: string, expiresAt: number): PrincipalSignal {
  const [kind, severity] = JSON.parse(member) as [string, PrincipalSignal["severity"]];
  return { kind, severity, expires_at: expiresAt };
}

/** Reason of a child session ended with its parent (an admin or a policy termination of the parent). */
export const PARENT_TERMINATED_REASON = "parent session terminated";

/** Reason of a child session refused because its parent already links {@link MAX_CHILD_SESSIONS}. */
export const TOO_MANY_CHILDREN_REASON = "parent session has too many sub-agent sessions";

/**
 * The buckets of a principal's risk window still inside it at `nowS`: a bucket counts while any part of it overlaps
 * the window, so an increment is counted for at most one bucket width (window / 60) longer than the window, never
 * shorter (the error is on the side of flagging).
 */
export function bucketLive(start: number, nowS: number, windowSeconds: number, bucketSeconds: number): boolean {
  return start + bucketSeconds > nowS - windowSeconds;
}

/** The credential's first principal: the earliest first seen among those seen within the window (ties by id). */
export function firstPrincipal(seen: Iterable<[string, { first: number; last: number }]>): string | null {
  let best: [string, number] | null = null;
  for (const [id, { first }] of seen) if (best === null || first < best[1] || (first === best[1] && id < best[0])) best = [id, first];
  return best?.[0] ?? null;
}
