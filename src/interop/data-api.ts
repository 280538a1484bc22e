// The OPA Data API subset: `POST /v1/data/{path}` with `{"input": …}` evaluates the compiled entrypoint at `path`
// and answers `{"result": …, "decision_id": …}` as OPA does, so existing OPA clients and SDKs work unchanged.
// The input goes to the policy as sent (for `custos/main/decision`, the raw policy input of docs/policy-contract.md:
// no session ledger, no inspection; those belong to /decide).
import { CustosError } from "../errors.js";
import type { ContentInspector, DecisionSink } from "../decision/ports.js";
import type { RecordOutcome } from "../decision/vocabulary.js";
import type { PolicyInstance } from "../policy/policy-engine.js";
import { recordDirect } from "./direct-record.js";
import type { CallerFacts } from "../decision/verified-identity.js";

/** The answer: `result` is absent when the document is undefined for this input (OPA's behaviour). */
export interface DataApiResponse {
  result?: unknown;
  decision_id: string;
}

/** What the Data API needs. */
export interface DataApiDeps {
  policy: () => PolicyInstance | null;
  sink: DecisionSink;
  clock: () => number;
  /** Redacts secrets and personal data in the evidence (no finding is recorded). */
  inspector: ContentInspector;
}

/** `custos%2Fmain%2Fdecision/` → `custos/main/decision`. @throws CustosError `invalid_request` for bad escapes */
export function entrypointOfPath(rawPath: string): string {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new CustosError("invalid_request", "the data path is not validly percent-encoded");
  }
  return path.replace(/^\/+|\/+$/g, "").replace(/\/{2,}/g, "/");
}

/**
 * A governance input's text kept out of the decision log: it becomes its length (the input reaches the policy
 * unchanged). Secrets and personal data in every other string are redacted by recordDirect.
 */
function withoutText(input: unknown): unknown {
  const request = (input as { request?: { data?: { text?: unknown } } } | null)?.request;
  if (!request || typeof request !== "object") return input;
  let out: Record<string, unknown> = request;
  if (typeof request.data?.text === "string") {
    const { text, ...data } = request.data;
    out = { ...out, data: { ...data, text_length: (text as string).length } };
  }
  return out === request ? input : { ...(input as object), request: out };
}

/**
 * An object input's `caller` and `verified` are facts only Custos establishes: they are replaced by the
 * authenticated PEP and "no verified token" (a direct evaluation verifies none), so a PEP bound to some principals
 * cannot ask the governance rules as another PEP, or as a verified principal.
 */
function custosFacts(input: unknown, caller: CallerFacts | null): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  return { ...(input as object), caller, verified: { presented: false, ok: false } };
}

/** Creates the Data API evaluator. */
export function createDataApi(deps: DataApiDeps): {
  evaluate(rawPath: string, body: unknown, options?: { caller?: CallerFacts | null }): DataApiResponse;
} {
  const { clock, inspector } = deps;
  return {
    evaluate(rawPath, body, options = {}) {
      const started = performance.now();
      const policy = deps.policy();
      if (!policy) throw new CustosError("policy_unavailable", "no policy bundle is active");
      const path = entrypointOfPath(rawPath);
      if (!policy.has(path)) {
        throw new CustosError("resource_not_found", `${path || "/"} is not an entrypoint of the active bundle (has: ${policy.entrypoints.join(", ")})`);
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) {
        throw new CustosError("invalid_request", 'the body must be a JSON object such as {"input": …}', { errors: [{ field: "", message: "must be object" }] });
      }
      const hasInput = Object.prototype.hasOwnProperty.call(body, "input");
      const input = custosFacts((body as { input?: unknown }).input, options.caller ?? null);
      // opa-wasm drops a falsy input (false, 0, "", null); handing it the JSON text keeps it a defined input.
      const given = hasInput && !input ? new TextEncoder().encode(JSON.stringify(input)).buffer : hasInput ? input : undefined;
      const t = performance.now();
      let result: unknown;
      try {
        result = policy.evaluate(path, given);
      } catch (err) {
        recordDirect(deps.sink, evidence("failed", 0), clock(), inspector);
        throw err;
      }
      const id = recordDirect(deps.sink, evidence("decided", performance.now() - t, result === undefined ? "undefined" : "defined"), clock(), inspector);
      return result === undefined ? { decision_id: id } : { result, decision_id: id };

      function evidence(outcome: RecordOutcome, evalMs: number, decision = "error") {
        return {
          event: "data_api",
          decision,
          revision: policy?.revision ?? null,
          caller: options.caller?.name ?? null,
          input: { path, ...(hasInput ? { input: withoutText(input) } : {}) },
          outcome,
          startedAt: started,
          evalMs,
        };
      }
    },
  };
}
