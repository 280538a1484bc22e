// The OpenID AuthZEN Authorization API 1.0 over bare node:http: Access Evaluation, Access Evaluations, the three
// Search APIs and the PDP metadata. Every response echoes `X-Request-ID` (or carries a fresh one).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CustosError } from "../../errors.js";
import type { AuthzenService, BatchItem, SearchKind } from "../../interop/authzen-service.js";
import { mergedItems, type EvaluationRequest, type EvaluationsRequest } from "../../interop/authzen-request.js";
import { evaluationRequestSchema, evaluationsRequestSchema, searchRequestSchemas } from "../../interop/authzen-schemas.js";
import { admitCaller, charge, type Authenticate, type Caller, type RateLimit } from "../callers.js";
import { checkStructure, MAX_BATCH_CONTENT_CHARS, stringChars } from "../limits.js";
import { readJsonBody } from "../read-body.js";
import { sendError, sendJson } from "../send.js";
import { compileValidator } from "../validation.js";

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

/** What the handlers need. */
export interface AuthzenRouteDeps {
  service: AuthzenService;
  /** The PDP's base URL (`policy_decision_point`), without a trailing slash. */
  issuer: () => string;
  authenticate?: Authenticate;
  rateLimit?: RateLimit;
  onError?: (err: CustosError, req: IncomingMessage) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** `X-Request-ID` as sent (when it is a sane header value), else a fresh UUID. */
function requestId(req: IncomingMessage): string {
  const sent = req.headers["x-request-id"];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value && /^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(value) ? value.trimEnd() : randomUUID();
}

/** Creates the handlers of the AuthZEN routes. None of them rejects: every failure becomes an error response. */
export function createAuthzenHandlers(deps: AuthzenRouteDeps): {
  evaluation: Handler;
  evaluations: Handler;
  search: Record<SearchKind, Handler>;
  configuration: Handler;
} {
  /** Request id, PEP authentication and rate limit, then `body`; failures become `{code, message, errors?}`. */
  const guarded =
    (work: (req: IncomingMessage, res: ServerResponse, caller: Caller | null) => Promise<void>): Handler =>
    async (req, res) => {
      res.setHeader("x-request-id", requestId(req));
      try {
        const caller = admitCaller(req, res, deps.authenticate, deps.rateLimit);
        await work(req, res, caller);
      } catch (err) {
        const e = err instanceof CustosError ? err : new CustosError("internal_error", "internal error", { cause: err });
        deps.onError?.(e, req);
        sendError(res, e);
      }
    };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const body = await readJsonBody(req);
    checkStructure(body);
    return body;
  };

  const requireMode = (req: IncomingMessage) => {
    if (deps.service.mode()) return;
    req.resume();
    throw new CustosError("not_found", "the active bundle answers no AuthZEN evaluations (no governance or AuthZEN entrypoint)");
  };

  const search = (kind: SearchKind): Handler =>
    guarded(async (req, res, caller) => {
      if (!deps.service.searches().includes(kind)) {
        req.resume();
        throw new CustosError("not_found", `the active bundle does not answer ${kind} search`);
      }
      const request = validateSearch[kind](await readBody(req));
      sendJson(res, 200, deps.service.search(kind, request, { caller: caller?.name ?? null }));
    });

  return {
    evaluation: guarded(async (req, res, caller) => {
      requireMode(req);
      const request = validateEvaluation(await readBody(req));
      sendJson(res, 200, await deps.service.evaluate(request, { caller: caller?.name ?? null }));
    }),
    evaluations: guarded(async (req, res, caller) => {
      requireMode(req);
      const request = validateEvaluations(await readBody(req));
      const options = { caller: caller?.name ?? null };
      if (!request.evaluations || request.evaluations.length === 0) {
        // No (or an empty) `evaluations` array: the request is a single evaluation (backwards compatible).
        sendJson(res, 200, await deps.service.evaluate(validateEvaluation(request), options));
        return;
      }
      const merged = mergedItems(request);
      // A batch is as much work as its items: its text (defaults repeated in each item) is bounded as one body's, and
      // each item beyond the first is charged to the PEP's rate limit before anything is evaluated.
      if (stringChars(merged, MAX_BATCH_CONTENT_CHARS) > MAX_BATCH_CONTENT_CHARS) {
        throw new CustosError("payload_too_large", `the evaluations carry more than ${MAX_BATCH_CONTENT_CHARS} characters of content in all; send fewer or smaller items`, {
          errors: [{ field: "evaluations", message: `more than ${MAX_BATCH_CONTENT_CHARS} characters of content across the items` }],
        });
      }
      charge(req, res, caller, deps.rateLimit, merged.length - 1);
      const items: BatchItem[] = merged.map((item) => {
        try {
          return { ok: true, request: validateEvaluation(item) };
        } catch (err) {
          return { ok: false, error: err as CustosError };
        }
      });
      const semantic = request.options?.evaluations_semantic ?? "execute_all";
      sendJson(res, 200, { evaluations: await deps.service.evaluateBatch(items, semantic, options) });
    }),
    search: { subject: search("subject"), resource: search("resource"), action: search("action") },
    configuration: async (req, res) => {
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
