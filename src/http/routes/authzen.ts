// The OpenID AuthZEN Authorization API 1.0 behind the decision routes' guard: Access Evaluation, Access
// Evaluations, the three Search APIs, and the PDP metadata (open, unguarded). Every response echoes `X-Request-ID`
// (or carries a fresh one).
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { CustosError, type FieldError } from "../../errors.js";
import type { AuthzenService, BatchAnswer, BatchItem, SearchKind } from "../../interop/authzen-service.js";
import { mergedItems, type EvaluationRequest, type EvaluationResponse, type EvaluationsRequest } from "../../interop/authzen-request.js";
import { evaluationRequestSchema, evaluationsRequestSchema, searchRequestSchemas } from "../../interop/authzen-schemas.js";
import { compileValidator } from "../../validation.js";
import { guard, type GuardDeps, type GuardedRoute } from "../guard.js";
import { MAX_BATCH_CONTENT_CHARS, stringChars } from "../limits.js";
import { sendJson, statusOf } from "../respond.js";
import type { FastHandler } from "../server.js";
import { callerFacts } from "../callers.js";

const validateEvaluation = compileValidator<EvaluationRequest>(evaluationRequestSchema, "AuthZEN evaluation request");
const validateEvaluations = compileValidator<EvaluationsRequest>(evaluationsRequestSchema, "AuthZEN evaluations request");
const validateSearch = {
  subject: compileValidator<Record<string, unknown>>(searchRequestSchemas.subject, "AuthZEN subject search request"),
  resource: compileValidator<Record<string, unknown>>(searchRequestSchemas.resource, "AuthZEN resource search request"),
  action: compileValidator<Record<string, unknown>>(searchRequestSchemas.action, "AuthZEN action search request"),
};

/** The API's paths (the metadata publishes them under the issuer URL). */
export const AUTHZEN_PATHS = {
  evaluation: "/access/v1/evaluation",
  evaluations: "/access/v1/evaluations",
  search: { subject: "/access/v1/search/subject", resource: "/access/v1/search/resource", action: "/access/v1/search/action" },
  configuration: "/.well-known/authzen-configuration",
} as const;

/** What the handlers need besides the guard's. */
export interface AuthzenRouteDeps {
  service: AuthzenService;
  /** The PDP's base URL (`policy_decision_point`), without a trailing slash. */
  issuer: () => string;
}

/** `X-Request-ID` as sent (when it is a sane header value), else a fresh UUID. */
function requestId(req: IncomingMessage): string {
  const sent = req.headers["x-request-id"];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value && /^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(value) ? value.trimEnd() : randomUUID();
}

const headers = (req: IncomingMessage) => ({ "x-request-id": requestId(req) });

/** A failed batch item as the Access Evaluations API answers it: closed, with the error in its context. */
function answerOf(item: BatchAnswer): EvaluationResponse {
  if (!("failure" in item)) return item;
  const e = item.failure;
  const error: { status: number; code: string; message: string; errors?: FieldError[] } = { status: statusOf(e.code), code: e.code, message: e.message };
  if (e.errors) error.errors = e.errors;
  return { decision: false, context: { error } };
}

/** Creates the handlers of the AuthZEN routes. None of them rejects: every failure becomes an error response. */
export function createAuthzenHandlers(
  deps: AuthzenRouteDeps,
  guardDeps: GuardDeps,
): { evaluation: FastHandler; evaluations: FastHandler; search: Record<SearchKind, FastHandler>; configuration: FastHandler } {
  const requireMode = (): void => {
    if (!deps.service.mode()) throw new CustosError("not_found", "the active bundle answers no AuthZEN evaluations (no governance or AuthZEN entrypoint)");
  };

  const search = (kind: SearchKind): GuardedRoute => ({
    headers,
    admit() {
      if (!deps.service.searches().includes(kind)) throw new CustosError("not_found", `the active bundle does not answer ${kind} search`);
    },
    answer: (body, { caller }) => ({ body: deps.service.search(kind, validateSearch[kind](body), { caller: callerFacts(caller) }) }),
  });

  const evaluation: GuardedRoute = {
    headers,
    admit: requireMode,
    answer: async (body, { caller }) => ({ body: await deps.service.evaluate(validateEvaluation(body), { caller: callerFacts(caller) }) }),
  };

  const evaluations: GuardedRoute = {
    headers,
    admit: requireMode,
    async answer(body, call) {
      const request = validateEvaluations(body);
      const options = { caller: callerFacts(call.caller) };
      if (!request.evaluations || request.evaluations.length === 0) {
        // No (or an empty) `evaluations` array: the request is a single evaluation (backwards compatible).
        return { body: await deps.service.evaluate(validateEvaluation(request), options) };
      }
      const merged = mergedItems(request);
      // A batch is as much work as its items: its text (defaults repeated in each item) is bounded as one body's, and
      // each item beyond the first is charged to the PEP's rate limit before anything is evaluated.
      if (stringChars(merged, MAX_BATCH_CONTENT_CHARS) > MAX_BATCH_CONTENT_CHARS) {
        throw new CustosError("payload_too_large", `the evaluations carry more than ${MAX_BATCH_CONTENT_CHARS} characters of content in all; send fewer or smaller items`, {
          errors: [{ field: "evaluations", message: `more than ${MAX_BATCH_CONTENT_CHARS} characters of content across the items` }],
        });
      }
      call.charge(merged.length - 1);
      const items: BatchItem[] = merged.map((item) => {
        try {
          return { ok: true, request: validateEvaluation(item) };
        } catch (err) {
          return { ok: false, error: err as CustosError };
        }
      });
      const semantic = request.options?.evaluations_semantic ?? "execute_all";
      return { body: { evaluations: (await deps.service.evaluateBatch(items, semantic, options)).map(answerOf) } };
    },
  };

  return {
    evaluation: guard(guardDeps, evaluation),
    evaluations: guard(guardDeps, evaluations),
    search: { subject: guard(guardDeps, search("subject")), resource: guard(guardDeps, search("resource")), action: guard(guardDeps, search("action")) },
    configuration: (req, res) => {
      res.setHeader("x-request-id", requestId(req));
      req.resume();
      const base = deps.issuer();
      const metadata: Record<string, string> = {
        policy_decision_point: base,
        access_evaluation_endpoint: base + AUTHZEN_PATHS.evaluation,
        access_evaluations_endpoint: base + AUTHZEN_PATHS.evaluations,
      };
      for (const kind of deps.service.searches()) metadata[`search_${kind}_endpoint`] = base + AUTHZEN_PATHS.search[kind];
      sendJson(res, 200, metadata);
    },
  };
}
