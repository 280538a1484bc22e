// What differs between two outputs of the governance entrypoint for one input: the live policy's and a candidate's
// (policy replay, shadow evaluation). Byte for byte over canonical JSON, summarized as the decision's direction and
// the reason codes gained and lost.
import { canonicalJson } from "../canonical-json.js";
import { GOVERNANCE_ENTRYPOINT, type PolicyInstance } from "../policy/policy-engine.js";
import { readPolicyOutput } from "./policy-contract.js";

/**
 * A candidate's output for `input`, or `undefined` when the candidate fails on it: the evaluation throws, or the
 * output breaks the contract (the live service would refuse it, failing closed). Never throws.
 */
export function evaluateCandidate(policy: PolicyInstance, input: unknown): unknown {
  try {
    const out = policy.evaluate(GOVERNANCE_ENTRYPOINT, input);
    readPolicyOutput(out);
    return out;
  } catch {
    return undefined;
  }
}

/** How a candidate's output differs from the live one, for one input. */
export interface OutputDiff {
  /** The live decision (`allow`, `deny`, `escalate`; `invalid` when the recorded output has no decision). */
  from: string;
  /** The candidate's decision, or `error` when the candidate failed or answered without the contract's shape. */
  to: string;
  /** `from→to`, e.g. `allow→deny`; `deny→deny` when only reasons, obligations or details changed. */
  direction: string;
  /** Reason codes (enforced, then `monitored:`-prefixed) the candidate gives and the live policy did not. */
  added: string[];
  /** Reason codes the live policy gave and the candidate does not. */
  removed: string[];
  /** The candidate's enforced reason codes. */
  codes: string[];
  /** The live policy's enforced reason codes. */
  liveCodes: string[];
}

/** The decision and reason codes of an output, or null when it has no decision. */
export function outputCodes(raw: unknown): { decision: string; codes: string[]; monitored: string[] } | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.decision !== "string") return null;
  return { decision: o.decision, codes: codesOf(o.reasons), monitored: codesOf(o.monitored) };
}

/**
 * Compares the live output with the candidate's; `null` when their canonical JSON is the same bytes. `candidate`
 * is `undefined` (or anything without a decision) when the candidate failed: that is a change to `error`.
 */
export function diffOutputs(live: unknown, candidate: unknown): OutputDiff | null {
  if (candidate !== undefined && canonicalJson(live) === canonicalJson(candidate)) return null;
  const a = outputCodes(live);
  const b = outputCodes(candidate);
  const from = a?.decision ?? "invalid";
  const to = b?.decision ?? "error";
  const before = new Set([...(a?.codes ?? []), ...(a?.monitored ?? []).map((c) => `monitored:${c}`)]);
  const after = new Set([...(b?.codes ?? []), ...(b?.monitored ?? []).map((c) => `monitored:${c}`)]);
  return {
    from,
    to,
    direction: `${from}→${to}`,
    added: [...after].filter((c) => !before.has(c)).sort(),
    removed: [...before].filter((c) => !after.has(c)).sort(),
    codes: b?.codes ?? [],
    liveCodes: a?.codes ?? [],
  };
}

function codesOf(reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [];
  const out: string[] = [];
  for (const r of reasons) if (r && typeof r === "object" && typeof (r as { code?: unknown }).code === "string") out.push((r as { code: string }).code);
  return out.sort();
}
