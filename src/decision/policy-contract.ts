// The governance policy's contract (docs/policy-contract.md) on the service's side: the input document built from
// a request (the request without its text, the clock, derived facts: timestamps, normalized tool paths, findings,
// approval binding; and the session ledger snapshot), and the output read back and checked for its shape, so a policy
// bug fails closed with a clear error.
import { CustosError } from "../errors.js";
import { digestOf } from "./digest.js";
import { CLASSIFICATIONS, MAX_LABELS_SEEN, type ApprovalBinding, type Classification, type Finding, type QuotaRef, type StateSnapshot } from "./ports.js";
import type { DecideRequest, Decision, Reason } from "./request.js";
import { extractToolPaths } from "./tool-paths.js";
import type { CallerFacts, VerifiedInput } from "./verified-identity.js";

/** Unix seconds of an RFC 3339 timestamp (validated by the schema), or undefined. */
function seconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/**
 * The request without its content: `data.text` removed and each turn of `data.messages` reduced to its role (the
 * policy sees findings instead, located by turn: `data.messages.3.content`).
 */
export function withoutText(request: DecideRequest): DecideRequest {
  if (request.data?.text === undefined && request.data?.messages === undefined) return request;
  const { text: _text, messages, ...rest } = request.data;
  const data = messages ? { ...rest, messages: messages.map((m) => ({ role: m.role })) } : rest;
  return { ...request, data: data as NonNullable<DecideRequest["data"]> };
}

/** What an approval for this request must be bound to. */
export function bindingOf(request: DecideRequest): ApprovalBinding {
  return {
    session: request.session.id,
    identity: request.identity.id,
    chain: (request.identity.on_behalf_of ?? []).map((p) => p.id),
    event: request.event,
    action: request.action ?? "",
    resource: request.resource?.id ?? "",
    tool: request.tool ? `${request.tool.server}/${request.tool.name}` : "",
    purpose: request.purpose ?? "",
    arguments_digest: request.tool?.arguments ? digestOf(request.tool.arguments) : "",
  };
}

/** The higher of two classifications (`null` = none). */
export function higherClassification(a: Classification | null, b: Classification | null): Classification | null {
  if (a === null) return b;
  if (b === null) return a;
  return CLASSIFICATIONS.indexOf(a) >= CLASSIFICATIONS.indexOf(b) ? a : b;
}

/** The union of two label lists, sorted, at most {@link MAX_LABELS_SEEN} (the first list's labels first). */
export function unionLabels(a: string[], b: string[]): string[] {
  const out = new Set<string>();
  for (const l of [...a, ...b]) {
    if (out.size >= MAX_LABELS_SEEN) break;
    out.add(l);
  }
  return [...out].sort();
}

/**
 * The session as the policy sees it: its own ledger, with what it inherits from its parent (termination,
 * high-water mark, labels seen, taint) folded in.
 */
export function effectiveSession(state: StateSnapshot): Record<string, unknown> {
  const own = state.session;
  const parent = state.parent ?? null;
  return {
    risk: own.risk,
    violations: own.violations,
    terminated: own.terminated || parent?.terminated === true,
    max_classification: higherClassification(own.max_classification, parent?.max_classification ?? null),
    labels_seen: unionLabels(own.labels_seen, parent?.labels_seen ?? []),
    tainted: own.tainted || parent?.tainted === true,
    tainted_by: own.tainted_by ?? parent?.tainted_by ?? null,
    parent_id: own.parent_id ?? parent?.id ?? null,
  };
}

/** The governance entrypoint's input. */
export function buildPolicyInput(
  request: DecideRequest,
  nowSeconds: number,
  findings: Finding[],
  state: StateSnapshot,
  binding: ApprovalBinding,
  who: { verified: VerifiedInput; caller: CallerFacts | null } = { verified: { presented: false, ok: false }, caller: null },
  quotas: QuotaRef[] = [],
): Record<string, unknown> {
  const credential: Record<string, number> = {};
  const issued = seconds(request.identity.credential?.issued_at);
  const expires = seconds(request.identity.credential?.expires_at);
  if (issued !== undefined) credential.issued_at = issued;
  if (expires !== undefined) credential.expires_at = expires;
  return {
    request: withoutText(request),
    now: nowSeconds,
    verified: who.verified,
    caller: who.caller,
    facts: {
      credential,
      tool_paths: extractToolPaths(request.tool?.arguments),
      findings,
      binding,
    },
    state: {
      session: effectiveSession(state),
      parent: state.parent ? { ...state.parent } : null,
      credential: { revoked: state.credential.revoked, principals: state.credential.principals ?? [] },
      principal: { signals: state.principal.signals, risk: state.principal.risk ?? 0 },
      delegators: state.delegators ?? [],
      approval: state.approval,
      quotas: quotas.map((q, i) => ({
        id: q.id,
        per: q.per,
        max: q.max,
        window_seconds: q.window_seconds,
        count: state.quotas?.[i] ?? 0,
      })),
    },
  };
}

/** The governance entrypoint's output (docs/policy-contract.md). */
export interface PolicyOutput {
  decision: Decision;
  reasons: Reason[];
  obligations: { type: string; [k: string]: unknown }[];
  risk_delta: number;
  violation: boolean;
  terminate: boolean;
  classification: Classification | null;
  /** This decision ingested content flagged `PROMPT_INJECTION`: the session becomes tainted. */
  taint: boolean;
  /** Data labels this decision let the session see (added to `labels_seen`). */
  labels: string[];
  /** Reasons of monitored codes (`settings.monitor_codes`): reported, not enforced. */
  monitored: Reason[];
}

const DECISIONS = new Set(["allow", "deny", "escalate"]);

/** @throws CustosError `policy_error` when the output does not have the contract's shape. */
export function readPolicyOutput(raw: unknown): PolicyOutput {
  const fail = (what: string): never => {
    throw new CustosError("policy_error", `policy output is malformed: ${what}`);
  };
  if (raw === undefined) fail("the decision rule is undefined for this input");
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) fail("not an object");
  const o = raw as Record<string, unknown>;
  if (typeof o.decision !== "string" || !DECISIONS.has(o.decision)) fail("decision");
  if (!Array.isArray(o.reasons)) fail("reasons");
  const reasons = o.reasons as Reason[];
  for (const r of reasons) if (!r || typeof r.code !== "string" || typeof r.message !== "string") fail("reason");
  if (o.decision === "deny" && reasons.length === 0) fail("a deny without reasons");
  const monitored = Array.isArray(o.monitored) ? (o.monitored as Reason[]) : [];
  for (const r of monitored) if (!r || typeof r.code !== "string" || typeof r.message !== "string") fail("monitored reason");
  const obligations = Array.isArray(o.obligations) ? (o.obligations as PolicyOutput["obligations"]) : [];
  const classification =
    typeof o.classification === "string" && (CLASSIFICATIONS as readonly string[]).includes(o.classification)
      ? (o.classification as Classification)
      : null;
  return {
    decision: o.decision as Decision,
    reasons: reasons.map((r) => ({ code: r.code, message: r.message, severity: r.severity, controls: r.controls ?? [] })),
    obligations,
    risk_delta: typeof o.risk_delta === "number" && Number.isFinite(o.risk_delta) ? o.risk_delta : 0,
    violation: o.violation === true,
    terminate: o.terminate === true,
    classification,
    taint: o.taint === true,
    labels: Array.isArray(o.labels)
      ? [...new Set((o.labels as unknown[]).filter((l): l is string => typeof l === "string" && l.length > 0 && l.length <= 64))].slice(0, MAX_LABELS_SEEN)
      : [],
    monitored: monitored.map((r) => ({ code: r.code, message: r.message, severity: r.severity, controls: r.controls ?? [] })),
  };
}

/**
 * The request inside a recorded input: a decision record's `input` is the complete policy input (`{request, now,
 * verified, facts, state}`); records written before that carried the request's fields at the top.
 */
export function recordedRequest(input: unknown): Record<string, unknown> {
  const o = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const r = o.request;
  return r && typeof r === "object" && !Array.isArray(r) ? (r as Record<string, unknown>) : o;
}
