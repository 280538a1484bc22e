// `POST /v1/data/{path}` (and `GET`, without input, as OPA clients send it): the OPA Data API subset behind the
// decision routes' guard (PEP authentication and rate limit). Errors keep OPA's `{code, message}` shape.
import type { createDataApi } from "../../interop/data-api.js";
import type { GuardedRoute } from "../guard.js";
import { pathOf } from "../server.js";

/** The prefix of the route. */
export const DATA_API_PREFIX = "/v1/data/";

/** The route of `POST`/`GET /v1/data/{path}`. */
export function dataApiRoute(api: ReturnType<typeof createDataApi>): GuardedRoute {
  return {
    hasBody: (req) => req.method === "POST",
    answer: (body, { req, caller }) => ({ body: api.evaluate(pathOf(req.url).slice(DATA_API_PREFIX.length), body, { caller: caller.name }) }),
  };
}
