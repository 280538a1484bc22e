// The governance policy's contract (docs/policy-contract.md) on the service's side: the input document built from
// a request (the request without its text, the clock, derived facts: timestamps, normalized tool paths, findings,
// approval binding; and the session ledger snapshot), and the output read back and checked for its shape, so a policy
// bug fails closed with a clear error.
import { CustosError } from "../errors.js";
import { digestOf } from "./digest.js";
import { CLASSIFICATIONS, type ApprovalBinding, type Classification, type Finding, type StateSnapshot } from "./ports.js";
import type { DecideRequest, Decision, Reason } from "./request.js";
import { extractToolPaths } from "./tool-paths.js";

/** Unix seconds of an RFC 3339 timestamp (validated by the schema), or undefined. */
function seconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** The request with `data.text` removed (the policy sees findings instead). */
export function withoutText(request: DecideRequest): DecideRequest {
  if (request.data?.text === undefined) return request;
  const { text: _text, ...data } = request.data;
  return { ...request, data };
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

/** The governance entrypoint's input. */
export function buildPolicyInput(
  request: DecideRequest,
  nowSeconds: number,
  findings: Finding[],
  state: StateSnapshot,
  binding: ApprovalBinding,
): Record<string, unknown> {
  const credential: Record<string, number> = {};
  const issued = seconds(request.identity.credential?.issued_at);
  const expires = seconds(request.identity.credential?.expires_at);
  if (issued !== undefined) credential.issued_at = issued;
  if (expires !== undefined) credential.expires_at = expires;
  return {
    request: withoutText(request),
    now: nowSeconds,
    facts: {
      credential,
      tool_paths: extractToolPaths(request.tool?.arguments),
      findings,
      binding,
    },
    state: {
      session: {
        risk: state.session.risk,
        violations: state.session.violations,
        terminated: state.session.terminated,
        max_classification: state.session.max_classification,
      },
      credential: state.credential,
      principal: state.principal,
      delegators: state.delegators ?? [],
      approval: state.approval,
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
    monitored: monitored.map((r) => ({ code: r.code, message: r.message, severity: r.severity, controls: r.controls ?? [] })),
  };
}
