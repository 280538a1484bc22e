// Reads the governance entrypoint's output and checks its shape, so a policy bug fails closed with a clear error.
import { CustosError } from "../errors.js";
import { CLASSIFICATIONS, type Classification } from "./ports.js";
import type { Decision, Reason } from "./request.js";

/** The governance entrypoint's output (docs/policy-contract.md). */
export interface PolicyOutput {
  decision: Decision;
  reasons: Reason[];
  obligations: { type: string; [k: string]: unknown }[];
  risk_delta: number;
  violation: boolean;
  terminate: boolean;
  classification: Classification | null;
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
  };
}
