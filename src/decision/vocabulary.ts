// The words of the decision contract, defined once: event types, severities, principal types, findings, admin
// actions and the outcome tags of a decision. The request schema, the inspector, the admin API and the AuthZEN
// mapping all take them from here.

/** What a decision request is about. */
export const EVENT_TYPES = ["prompt", "retrieval", "tool_call", "tool_result", "output", "model_access"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** How bad something is: a reason, a finding, a principal signal. */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Who a principal is. */
export const PRINCIPAL_TYPES = ["human", "service", "agent"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** What a finding is about: a credential-like secret, personal data, or instructions aimed at the model. */
export type FindingKind = "secret" | "pii" | "injection";

/** Who speaks in a conversation turn of `data.messages`. */
export const MESSAGE_ROLES = ["system", "user", "assistant", "tool"] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** One detection in one field. It never carries the matched value, only where it is and a keyed hash of it. */
export interface Finding {
  /** Id of the rule that matched, e.g. `aws-access-key-id`. */
  rule: string;
  kind: FindingKind;
  /** Placeholder type used in redaction, e.g. `aws-access-key` → `[REDACTED:aws-access-key]`. */
  type: string;
  severity: Severity;
  /** UTF-16 offsets of the value in the field's text (`end` exclusive). */
  location: { field: string; start: number; end: number };
  /** HMAC-SHA256(fingerprint key, value), hex, first 32 characters. */
  fingerprint: string;
  /** Injection findings only: the detector's combined evidence, 0..1. */
  score?: number;
  /** Injection findings only: the names of the signals that fired (never the text). */
  signals?: string[];
}

/** The admin API's actions, as the decision log and the logs name them. */
export const ADMIN_ACTIONS = [
  "session.terminate",
  "session.resume",
  "credential.revoke",
  "principal.signal",
  "principal.clear",
  "approval.grant",
  "approval.deny",
  "bundle.reload",
  "review.resolve",
  "principal.terminate_sessions",
] as const;
export type AdminActionName = (typeof ADMIN_ACTIONS)[number];

/** One admin action, for the evidence chain and the logs. */
export interface AdminAction {
  action: AdminActionName;
  actor: string;
  target: string;
  reason: string | null;
  details?: Record<string, unknown>;
}

/** How long a credential revocation lasts when the admin gives no `ttl_seconds`: 30 days. */
export const DEFAULT_REVOCATION_TTL_SECONDS = 30 * 86_400;

/** How a decision ended: decided by the policy, or a deny because the state store could not be reached. */
export type DecisionOutcomeTag = "decided" | "state_unavailable";

/** How an answer recorded in the decision log ended: as a decision, or as a failed evaluation (direct APIs). */
export type RecordOutcome = DecisionOutcomeTag | "failed";
