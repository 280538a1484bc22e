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
}

/** How many recent events a session keeps. */
export const MAX_SESSION_EVENTS = 20;

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
}

/** Everything one decision reads from the store, fetched in one round trip. */
export interface StateSnapshot {
  session: SessionState;
  credential: { revoked: boolean };
  principal: { signals: PrincipalSignal[] };
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
   * A granted approval this (allowing) decision uses up: it becomes `consumed` in the same round trip, and only
   * if it is still `granted` and unexpired; {@link ApplyResult.consumed} says whether it was.
   */
  consume?: string | null;
  /** Unix milliseconds (session TTL is refreshed from here). */
  now: number;
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
  getSession(id: string): Promise<SessionState>;
  terminate(id: string, reason: string, by: string, now: number): Promise<SessionState>;
  resume(id: string, by: string, reason: string, now: number): Promise<SessionState>;
  revokeCredential(id: string, reason: string, ttlSeconds: number, now: number): Promise<void>;
  addSignal(principalId: string, signal: PrincipalSignal): Promise<void>;
  getApproval(id: string): Promise<ApprovalRecord | null>;
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
  };
}

/** The content inspection port; `inspect/` implements it. */
export interface ContentInspector {
  inspect(fields: { field: string; text: string }[]): Finding[];
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
