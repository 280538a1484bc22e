// The AuthZEN PDP: answers evaluations from the active bundle in one of two ways, chosen per bundle.
// - A bundle with the governance entrypoint (`custos/main/decision`): each evaluation is mapped to a /decide request
//   and goes through decide(), so the session ledger, content inspection, approvals and evidence all apply.
// - A bundle without it: the AuthZEN entrypoint (`custos/authzen/evaluation` by default) is evaluated directly with
//   the AuthZEN request as input and must return `{decision, context?}`.
import { CustosError, toCustosError } from "../errors.js";
import type { Decide } from "../decision/decide.js";
import type { ContentInspector, DecisionSink } from "../decision/ports.js";
import { GOVERNANCE_ENTRYPOINT, type PolicyInstance } from "../policy/policy-engine.js";
import { recordDirect } from "./direct-record.js";
import { fromDecision, toDecideRequest, withoutTokens } from "./authzen-mapping.js";
import { stopsBatch, type EvaluationRequest, type EvaluationResponse, type EvaluationsSemantic } from "./authzen-request.js";
import type { CallerFacts } from "../decision/verified-identity.js";

/** How the active bundle answers AuthZEN: through decide(), directly, or not at all. */
export type AuthzenMode = "governance" | "policy" | null;

/** The kinds of AuthZEN search. */
export type SearchKind = "subject" | "resource" | "action";
export const SEARCH_KINDS: readonly SearchKind[] = ["subject", "resource", "action"];

/** One item of a batch: a request ready to evaluate, or the error that makes it a `false` decision. */
export type BatchItem = { ok: true; request: EvaluationRequest } | { ok: false; error: CustosError };

/** What the PDP needs. */
export interface AuthzenServiceDeps {
  policy: () => PolicyInstance | null;
  decide: Decide;
  /** @default custos/authzen/evaluation */
  entrypoint: string;
  /** Evidence of direct evaluations (governance ones are recorded by decide()). */
  sink: DecisionSink;
  /** Redacts secrets and personal data in that evidence. */
  inspector: ContentInspector;
  clock: () => number;
}

/** Per-call options. */
export interface AuthzenCallOptions {
  /** The authenticated PEP: its name and the restrictions of its entry (governance mode hands them to the policy). */
  caller?: CallerFacts | null;
}

/** A search answer. */
export interface SearchResult {
  results: Record<string, unknown>[];
  page?: { next_token: string; count: number; total: number };
}

/** The PDP's operations. */
export interface AuthzenService {
  mode(): AuthzenMode;
  /** Search kinds the active bundle can answer. */
  searches(): SearchKind[];
  /** @throws CustosError `not_found`, `invalid_request`, `policy_error`, `state_unavailable`, `policy_unavailable` */
  evaluate(request: EvaluationRequest, options?: AuthzenCallOptions): Promise<EvaluationResponse>;
  /** Evaluates in order, stopping as `semantic` says; a failed item is `false` with the error that failed it. */
  evaluateBatch(items: BatchItem[], semantic: EvaluationsSemantic, options?: AuthzenCallOptions): Promise<BatchAnswer[]>;
  /** @throws CustosError `not_found` when the bundle has no search entrypoint of this kind. */
  search(kind: SearchKind, request: Record<string, unknown>, options?: AuthzenCallOptions): SearchResult;
}

/** The entrypoint of a search: a sibling of the evaluation entrypoint (`custos/authzen/search/subject`). */
export function searchEntrypoint(evaluationEntrypoint: string, kind: SearchKind): string {
  const slash = evaluationEntrypoint.lastIndexOf("/");
  const base = slash === -1 ? "" : `${evaluationEntrypoint.slice(0, slash)}/`;
  return `${base}search/${kind}`;
}

/** Reads `{decision, context?}` (or a bare boolean); undefined is a deny. @throws CustosError `policy_error` */
export function readEvaluationOutput(raw: unknown): EvaluationResponse {
  if (raw === undefined) return { decision: false };
  if (typeof raw === "boolean") return { decision: raw };
  if (raw && typeof raw === "object" && !Array.isArray(raw) && typeof (raw as { decision?: unknown }).decision === "boolean") {
    const { decision, context } = raw as { decision: boolean; context?: unknown };
    if (context === undefined || context === null) return { decision };
    if (typeof context === "object" && !Array.isArray(context)) return { decision, context: context as Record<string, unknown> };
  }
  throw new CustosError("policy_error", "policy output is malformed: the AuthZEN entrypoint must return {decision: boolean, context?: object}");
}

/** The answer to one item of a batch: a decision, or closed with the error that failed it. */
export type BatchAnswer = EvaluationResponse | { decision: false; failure: CustosError };

/** An item that failed: closed (the HTTP layer puts the error in its context, Access Evaluations API, Errors). */
function failed(err: unknown): BatchAnswer {
  return { decision: false, failure: toCustosError(err) };
}

/** Creates the PDP. */
export function createAuthzenService(deps: AuthzenServiceDeps): AuthzenService {
  const { clock, inspector } = deps;

  const modeOf = (policy: PolicyInstance | null): AuthzenMode =>
    !policy ? null : policy.has(GOVERNANCE_ENTRYPOINT) ? "governance" : policy.has(deps.entrypoint) ? "policy" : null;

  const active = (): PolicyInstance => {
    const policy = deps.policy();
    if (!policy) throw new CustosError("policy_unavailable", "no policy bundle is active");
    if (!modeOf(policy)) throw new CustosError("not_found", `the active bundle has neither a governance entrypoint nor ${deps.entrypoint}`);
    return policy;
  };

  async function evaluateOne(policy: PolicyInstance, request: EvaluationRequest, caller: CallerFacts | null): Promise<EvaluationResponse> {
    if (modeOf(policy) === "governance") {
      const decideRequest = toDecideRequest(request);
      return fromDecision(await deps.decide(decideRequest, { caller }));
    }
    const startedAt = performance.now();
    let answer: EvaluationResponse | null = null;
    try {
      const t = performance.now();
      const raw = policy.evaluate(deps.entrypoint, request);
      const evalMs = performance.now() - t;
      answer = readEvaluationOutput(raw);
      recordDirect(
        deps.sink,
        { event: "authzen", decision: answer.decision ? "allow" : "deny", revision: policy.revision, caller: caller?.name ?? null, input: { ...withoutTokens(request) }, outcome: "decided", startedAt, evalMs },
        clock(),
        inspector,
      );
      return answer;
    } catch (err) {
      if (answer === null) {
        recordDirect(
          deps.sink,
          { event: "authzen", decision: "deny", revision: policy.revision, caller: caller?.name ?? null, input: { ...withoutTokens(request) }, outcome: "failed", startedAt, evalMs: 0 },
          clock(),
          inspector,
        );
      }
      throw err;
    }
  }

  return {
    mode: () => modeOf(deps.policy()),
    searches() {
      const policy = deps.policy();
      return policy ? SEARCH_KINDS.filter((k) => policy.has(searchEntrypoint(deps.entrypoint, k))) : [];
    },
    async evaluate(request, options = {}) {
      return evaluateOne(active(), request, options.caller ?? null);
    },
    async evaluateBatch(items, semantic, options = {}) {
      const policy = active();
      const out: BatchAnswer[] = [];
      for (const item of items) {
        let answer: BatchAnswer;
        if (!item.ok) {
          answer = failed(item.error);
        } else {
          try {
            answer = await evaluateOne(policy, item.request, options.caller ?? null);
          } catch (err) {
            answer = failed(err);
          }
        }
        out.push(answer);
        if (stopsBatch(semantic, answer.decision)) break;
      }
      return out;
    },
    search(kind, request) {
      const policy = deps.policy();
      if (!policy) throw new CustosError("policy_unavailable", "no policy bundle is active");
      const entrypoint = searchEntrypoint(deps.entrypoint, kind);
      if (!policy.has(entrypoint)) throw new CustosError("not_found", `the active bundle does not answer ${kind} search (${entrypoint})`);
      const raw = policy.evaluate(entrypoint, request);
      const all = readSearchOutput(raw, kind, request);
      return paginate(all, request.page);
    },
  };
}

/**
 * Reads a search entrypoint's output: an array (or set) of entities, or `{results: [...]}`; undefined is no result.
 * Results of another type than the one asked for are dropped, so a loose policy cannot widen a search.
 */
export function readSearchOutput(raw: unknown, kind: SearchKind, request: Record<string, unknown>): Record<string, unknown>[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : (raw as { results?: unknown } | null)?.results;
  if (!Array.isArray(list)) throw new CustosError("policy_error", `policy output is malformed: the ${kind} search must return an array of results`);
  const wanted = kind === "action" ? null : (request[kind] as { type?: unknown } | undefined)?.type;
  const out: Record<string, unknown>[] = [];
  for (const r of list) {
    if (!r || typeof r !== "object" || Array.isArray(r)) throw new CustosError("policy_error", `policy output is malformed: a ${kind} search result is not an object`);
    const o = r as Record<string, unknown>;
    if (kind === "action" ? typeof o.name !== "string" : typeof o.type !== "string" || typeof o.id !== "string") {
      throw new CustosError("policy_error", `policy output is malformed: a ${kind} search result lacks ${kind === "action" ? "name" : "type or id"}`);
    }
    if (wanted !== null && o.type !== wanted) continue;
    out.push(o);
  }
  return out;
}

/** Offset pagination with an opaque token; without a `page` in the request everything comes back in one answer. */
function paginate(all: Record<string, unknown>[], page: unknown): SearchResult {
  if (!page || typeof page !== "object") return { results: all };
  const { token, limit } = page as { token?: string; limit?: number };
  let offset = 0;
  if (token) {
    const m = /^o(\d{1,9})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!m) throw new CustosError("invalid_request", "page.token is not a token this PDP issued", { errors: [{ field: "page.token", message: "is invalid" }] });
    offset = Number(m[1]);
  }
  const end = limit ? Math.min(all.length, offset + limit) : all.length;
  const results = all.slice(offset, end);
  const next = end < all.length ? Buffer.from(`o${end}`).toString("base64url") : "";
  return { results, page: { next_token: next, count: results.length, total: all.length } };
}
