// The ports the decision core needs from the outside: a session state store and a decision sink.
// `session/` and `audit/` implement them; nothing here knows Redis or files.
import type { Finding, RecordOutcome, Severity } from "./vocabulary.js";

export type { Finding };

/** Data classification levels, lowest first. */
export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** One admin action or notable event kept on a session (who, when, why). */
export interface SessionEvent {
  /** Unix milliseconds. */
  at: number;
  /** `decision` for a decision, or the admin action (`terminate`, `resume`). */
  kind: string;
  /** Decision id for decisions; the admin actor for admin actions. */
  ref: string;
  /** Decision (`allow`/`deny`/`escalate`) or the admin's reason. */
  detail: string;
  /** Event type of the decision (`prompt`, `tool_call`, …); absent for admin actions. */
  event?: string;
}

/** The ledger of one session, as the policy and the admin API see it. */
export interface SessionState {
  id: string;
  risk: number;
  violations: number;
  terminated: boolean;
  terminated_reason: string | null;
  terminated_by: string | null;
  /** Highest classification seen in the session, `null` while none was. */
  max_classification: Classification | null;
  /** Most recent events first, at most {@link MAX_SESSION_EVENTS}. */
  events: SessionEvent[];
  /** Data labels the session has seen (its own and inherited from its parent), sorted, at most {@link MAX_LABELS_SEEN}. */
  labels_seen: string[];
  /** The session ingested content flagged `PROMPT_INJECTION` (itself, or its parent before it was spawned). */
  tainted: boolean;
  /** The decision id that tainted it (the parent's, when inherited), or `null`. */
  tainted_by: string | null;
  /** The session that spawned this one (`session.parent_id` of its first decision), or `null`. */
  parent_id: string | null;
}

/** How many recent events a session keeps. */
export const MAX_SESSION_EVENTS = 20;

/** How many distinct data labels a session keeps in `labels_seen` (later ones are not added). */
export const MAX_LABELS_SEEN = 64;

/**
 * How many sub-agent sessions one parent links (so a termination cascade is bounded work); a child beyond it is
 * refused (it cannot be ended with its parent, so it may not start).
 */
export const MAX_CHILD_SESSIONS = 256;

/** How many sessions one termination cascade ends at most (children, their children, …). */
export const MAX_CASCADE_SESSIONS = 1024;

/** How many principals one credential's misuse window remembers (the first one and the newcomers refused after it). */
export const MAX_CREDENTIAL_PRINCIPALS = 16;

/** How many buckets a principal's risk window is cut into (the window's resolution: window / 60). */
export const PRINCIPAL_RISK_BUCKETS = 60;

/** The kind of the signal a principal gets when its windowed risk reaches `settings.principal_risk_threshold`. */
export const RISK_THRESHOLD_SIGNAL = "principal_risk_threshold";

/** The kind of the review signal the first principal of a misused credential gets. */
export const CREDENTIAL_MISUSE_SIGNAL = "credential_misuse";

/** A risk signal on a principal (identity), e.g. from a SIEM or UEBA system. */
export interface PrincipalSignal {
  kind: string;
  severity: Severity;
  /** Unix seconds. */
  expires_at: number;
}

/** What an approval is bound to: the exact request it permits. */
export interface ApprovalBinding {
  session: string;
  identity: string;
  /** Ids of `identity.on_behalf_of`, in order (`[]` without a chain). */
  chain: string[];
  /** The event type (`tool_call`, `model_access`, …). */
  event: string;
  action: string;
  resource: string;
  /** `server/name`, or `""`. */
  tool: string;
  /** `purpose`, or `""`. */
  purpose: string;
  /** SHA-256 hex of the canonical JSON of `tool.arguments`, or `""`. */
  arguments_digest: string;
}

export interface Approver {
  id: string;
  groups: string[];
}

export interface ApprovalRecord {
  id: string;
  /** `consumed`: a granted approval that an allowing decision has used (single-use approvals). */
  status: "pending" | "granted" | "denied" | "consumed";
  binding: ApprovalBinding;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds. */
  expires_at: number;
  approver: Approver | null;
  /** Unix seconds of the grant/deny, or `null`. */
  decided_at: number | null;
  /** Free-text reason given with the grant or deny, or `null`. */
  reason: string | null;
}

/** One quota counter a decision reads and, when admitted, counts against (see decision/quotas.ts). */
export interface QuotaRef {
  /** Stable id of the quota (a digest of its event, action, per and window), part of the counter's key. */
  id: string;
  per: "principal" | "credential";
  /** The principal or credential id the counter belongs to. */
  owner: string;
  max: number;
  window_seconds: number;
}

/** A principal's risk across its sessions, as the admin API shows it. */
export interface PrincipalView {
  id: string;
  signals: PrincipalSignal[];
  /** Risk summed over the window (as last written: `window_seconds`). */
  risk: number;
  window_seconds: number | null;
}

/** The keys one decision reads. */
export interface StateQuery {
  sessionId: string;
  principalId: string;
  /** Ids of the principals the identity acts for (`on_behalf_of`), in order; their signals are read too. @default [] */
  delegatorIds?: string[];
  credentialId: string | null;
  approvalId: string | null;
  /** Unix seconds, to drop expired signals. */
  now: number;
  /** `session.parent_id`: the parent's ledger is read, and the child linked to it (atomically, in the parent's slot). */
  parentId?: string | null;
  /** Seconds of the principal's risk window; the windowed risk is read when > 0. @default 0 */
  principalRiskWindowSeconds?: number;
  /** Seconds of the credential misuse window; the credential's principals are read when > 0 (with a credential). @default 0 */
  credentialWindowSeconds?: number;
  /** The quota counters that apply to this request. @default [] */
  quotas?: QuotaRef[];
}

/** What a child session inherits from its parent (as read with the child's decision). */
export interface ParentState {
  id: string;
  terminated: boolean;
  max_classification: Classification | null;
  labels_seen: string[];
  tainted: boolean;
  tainted_by: string | null;
  /** The child could not be linked (the parent has {@link MAX_CHILD_SESSIONS} already). */
  full: boolean;
}

/** A principal seen presenting a credential within the misuse window. */
export interface CredentialUse {
  id: string;
  /** Unix milliseconds. */
  first_seen: number;
  /** Unix milliseconds. */
  last_seen: number;
}

/** Everything one decision reads from the store, fetched in one round trip. */
export interface StateSnapshot {
  session: SessionState;
  /** `principals`: who presented it within the misuse window (read with a window), first seen first. */
  credential: { revoked: boolean; principals?: CredentialUse[] };
  /** `risk`: summed over the principal's risk window (read with a window). */
  principal: { signals: PrincipalSignal[]; risk?: number };
  /** The parent's ledger when the query named one, else `null`/absent. */
  parent?: ParentState | null;
  /** The count of each quota of {@link StateQuery.quotas} in its current window, in the same order. */
  quotas?: number[];
  /** The unexpired signals of each delegator of {@link StateQuery.delegatorIds}, in the same order (stores always set it). */
  delegators?: { id: string; signals: PrincipalSignal[] }[];
  approval: ApprovalRecord | null;
}

/** The most delegators one read fetches signals for (the request schema's `on_behalf_of` bound). */
export const MAX_DELEGATORS = 16;

/** The write one decision makes, applied atomically. */
export interface SessionUpdate {
  sessionId: string;
  riskDelta: number;
  violation: boolean;
  /** Terminate now, with this reason, by `policy`. */
  terminate: string | null;
  /** Terminate also when risk after the update reaches this threshold (so concurrent replicas agree). */
  riskThreshold: number;
  /** Raise the session's high-water mark to this classification (never lowers it). */
  classification: Classification | null;
  event: SessionEvent;
  /** A pending approval to create in the same write. */
  approval: ApprovalRecord | null;
  /**
   * With {@link approval}: a keyed digest of its binding, under which the store remembers it as that binding's
   * latest approval (for {@link SessionStore.findPendingApproval}), as long as the approval lives. @default null
   */
  approvalKey?: string | null;
  /**
   * A granted approval this (allowing) decision uses up: it becomes `consumed` in the same round trip, and only
   * if it is still `granted` and unexpired; {@link ApplyResult.consumed} says whether it was.
   */
  consume?: string | null;
  /** Unix milliseconds (session TTL is refreshed from here). */
  now: number;
  /** Mark the session tainted by this decision id (never cleared but by expiry). @default null */
  taint?: string | null;
  /** Data labels to add to `labels_seen` (bounded by {@link MAX_LABELS_SEEN}). @default [] */
  labels?: string[];
  /** The parent to record (`session.parent_id`); kept from the first write that names one. @default null */
  parentId?: string | null;
}

/** The cross-session write of one decision: the principal's windowed risk, quotas, the credential's principals. */
export interface PrincipalUpdate {
  principalId: string;
  /** Risk to add to the principal's window (only > 0 is added). */
  riskDelta: number;
  /** Seconds of the risk window; 0 turns principal risk off. */
  riskWindowSeconds: number;
  /** Flag the principal (a critical signal for the window's length) when its windowed risk reaches this; 0 = off. */
  riskThreshold: number;
  /** Quotas to count this decision against: all of them, or none when any is full. */
  quotas: QuotaRef[];
  credentialId: string | null;
  /** Seconds of the misuse window; 0 turns the credential check off. */
  credentialWindowSeconds: number;
  /** Unix milliseconds. */
  now: number;
}

/** What the cross-session write found. */
export interface PrincipalResult {
  /** The principal's windowed risk after the write. */
  risk: number;
  /** This write flagged the principal (its windowed risk reached the threshold now). */
  flaggedNow: boolean;
  /** The first quota found full (nothing was counted), or `null` when every quota admitted this decision. */
  quotaExceeded: QuotaRef | null;
  /** Another principal presented this credential first within the window: its id (it gets a review signal). */
  misuseOwner: string | null;
}

/** What one decision's write found and did. */
export interface ApplyResult {
  /** The session after the write. */
  session: SessionState;
  /** The session was already terminated when the write ran (by a concurrent decision or an admin). */
  wasTerminated: boolean;
  /** This write terminated the session (by its `terminate` or by reaching the threshold); true for one write only. */
  terminatedNow: boolean;
  /** With {@link SessionUpdate.consume}: the approval was granted and is now consumed by this write; else `null`. */
  consumed: boolean | null;
}

/**
 * The state store port. Implementations: in-memory (single process) and Redis (shared by replicas).
 * Every method rejects with a {@link StateUnavailableError} when the store cannot be reached in time.
 */
export interface SessionStore {
  readonly kind: "memory" | "redis";
  /** One round trip: session, credential revocation, principal signals and approval. */
  read(query: StateQuery): Promise<StateSnapshot>;
  /** One atomic write; returns the session after it and what the write found, which decides what the answer may be. */
  applyDecision(update: SessionUpdate): Promise<ApplyResult>;
  /** {@link applyDecision}, returning only the session after the write. */
  apply(update: SessionUpdate): Promise<SessionState>;
  /**
   * The cross-session write (principal risk, quotas, credential principals), atomic per principal and per credential;
   * on a misuse it also puts the review signal on the credential's first principal.
   */
  applyPrincipal(update: PrincipalUpdate): Promise<PrincipalResult>;
  /** A principal's signals and windowed risk. */
  getPrincipal(id: string, nowMs: number): Promise<PrincipalView>;
  /** Clears a principal's signals and its windowed risk (an operator lifted the flag); returns what was cleared. */
  clearPrincipal(id: string, nowMs: number): Promise<PrincipalView>;
  getSession(id: string): Promise<SessionState>;
  /** Terminates the session and, in cascade, its sub-agent sessions (bounded by {@link MAX_CASCADE_SESSIONS}). */
  terminate(id: string, reason: string, by: string, now: number): Promise<SessionState>;
  resume(id: string, by: string, reason: string, now: number): Promise<SessionState>;
  revokeCredential(id: string, reason: string, ttlSeconds: number, now: number): Promise<void>;
  addSignal(principalId: string, signal: PrincipalSignal): Promise<void>;
  getApproval(id: string): Promise<ApprovalRecord | null>;
  /**
   * The approval last created under this binding digest ({@link SessionUpdate.approvalKey}) while it is pending and
   * unexpired at `now` (Unix seconds), else `null`: a request repeated without its `approval_id` gets the same
   * approval instead of one more in the queue.
   */
  findPendingApproval(approvalKey: string, now: number): Promise<ApprovalRecord | null>;
  /** Grant or deny a pending approval; returns `null` when unknown, the unchanged record when not pending. */
  decideApproval(
    id: string,
    status: "granted" | "denied",
    approver: Approver | null,
    reason: string | null,
    now: number,
  ): Promise<ApprovalRecord | null>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by a store that cannot answer (unreachable, timed out). */
export class StateUnavailableError extends Error {
  readonly code = "state_unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StateUnavailableError";
  }
}

/** A new, empty session ledger. */
export function emptySession(id: string): SessionState {
  return {
    id,
    risk: 0,
    violations: 0,
    terminated: false,
    terminated_reason: null,
    terminated_by: null,
    max_classification: null,
    events: [],
    labels_seen: [],
    tainted: false,
    tainted_by: null,
    parent_id: null,
  };
}

/**
 * A string the inspector reads: its field name, its text and, for a value stored under a key, that key (`name`),
 * which the inspector reads as the value's context (`{"password": "…"}` is a password by its key alone).
 */
export interface InspectedField {
  field: string;
  text: string;
  name?: string;
}

/** The content inspection port; `inspect/` implements it. */
export interface ContentInspector {
  inspect(fields: InspectedField[]): Finding[];
  /** `text` with each finding's span replaced by `[REDACTED:<type>]`. */
  redact(text: string, findings: Finding[]): string;
}

/** What the decision core hands to the evidence sink after each decision (audit log, metrics, logs). */
export interface DecisionRecord {
  decision_id: string;
  /** ISO 8601. */
  time: string;
  revision: string | null;
  caller: string | null;
  /**
   * The complete policy input (request, clock, derived facts with the findings, the ledger state read before the
   * decision), content-free: `request.data.text` replaced by `request.data.text_digest`, tool-argument strings with
   * findings redacted (and the tool paths derived from them). Without an evaluation (the store failed first): the
   * request, the clock and the findings only.
   */
  input: Record<string, unknown>;
  /** The policy's own output for `input` (before the ledger's atomic update), when it was evaluated: what replay compares. */
  output?: unknown;
  result: { decision: string; reasons: unknown[]; obligations: unknown[]; monitored?: unknown[] };
  session: Record<string, unknown>;
  latency_ms: number;
  /** How the answer ended (the HTTP layer tells the decision log what that was answered with). */
  outcome: RecordOutcome;
  event: string;
  /** Milliseconds spent in content inspection and in policy evaluation. */
  timings: { inspect_ms: number; eval_ms: number };
  /** Present when this decision terminated its session (it was not terminated before). */
  session_terminated?: true;
  /** The id of the pending approval this decision created (not one it reused). */
  approval_created?: string;
  /** The id of the granted approval this decision used up. */
  approval_consumed?: string;
}

/** One evaluated decision, as the shadow evaluator receives it: the policy input and the live policy's output. */
export interface EvaluatedInput {
  decision_id: string;
  /** Unix milliseconds of the decision. */
  time: number;
  revision: string;
  input: Record<string, unknown>;
  output: unknown;
}

/** Receives every decision; must not throw and must not block (buffer, then write). */
export type DecisionSink = (record: DecisionRecord) => void;
