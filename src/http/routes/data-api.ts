// `POST /v1/data/{path}` (and `GET`, with the input as a JSON `input` query parameter, as OPA takes it): the OPA Data
// API subset behind the decision routes' guard (PEP authentication and rate limit). Errors keep OPA's
// `{code, message}` shape.
import { CustosError } from "../../errors.js";
import type { createDataApi } from "../../interop/data-api.js";
import type { GuardedRoute } from "../guard.js";
import { pathOf, queryOf } from "../server.js";
import { callerFacts } from "../callers.js";

/** The prefix of the route. */
export const DATA_API_PREFIX = "/v1/data/";

/** The route of `POST`/`GET /v1/data/{path}`; a GET's input comes from its query (one structural budget for both). */
export function dataApiRoute(api: ReturnType<typeof createDataApi>): GuardedRoute {
  return {
    hasBody: (req) => req.method === "POST",
    bodyWithout: (req) => inputOfQuery(queryOf(req.url)),
    answer: (body, { req, caller }) => ({ body: api.evaluate(pathOf(req.url).slice(DATA_API_PREFIX.length), body, { caller: callerFacts(caller) }) }),
  };
}

/**
 * The body a `GET` stands for: `{"input": <the JSON of the input parameter>}`, or `{}` without one (OPA's query
 * parameter, so a GET and a POST with the same input decide alike).
 * @throws CustosError `invalid_request` naming `input` when it is not JSON or is given more than once
 */
export function inputOfQuery(query: string): { input?: unknown } {
  const values = new URLSearchParams(query).getAll("input");
  if (values.length === 0) return {};
  const bad = (message: string) => new CustosError("invalid_request", `query parameter input ${message}`, { errors: [{ field: "input", message }] });
  if (values.length > 1) throw bad("is given more than once");
  try {
    return { input: JSON.parse(values[0] as string) as unknown };
  } catch {
    throw bad("is not valid JSON");
  }
}
