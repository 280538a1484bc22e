// `POST /v1/data/{path}` (and `GET`, with the input as a JSON `input` query parameter, as OPA takes it): the OPA Data
// API subset over bare node:http, with the decision routes' PEP authentication and rate limit. Errors keep OPA's
// `{code, message}` shape.
import type { IncomingMessage, ServerResponse } from "node:http";
import { CustosError } from "../../errors.js";
import { createDataApi } from "../../interop/data-api.js";
import { admitCaller, type Authenticate, type RateLimit } from "../callers.js";
import { checkStructure } from "../limits.js";
import { readJsonBody } from "../read-body.js";
import { sendError, sendJson } from "../send.js";

/** The prefix of the route. */
export const DATA_API_PREFIX = "/v1/data/";

/** What the handler needs. */
export interface DataApiRouteDeps {
  api: ReturnType<typeof createDataApi>;
  authenticate?: Authenticate;
  rateLimit?: RateLimit;
  onError?: (err: CustosError, req: IncomingMessage) => void;
}

/** Creates the `(req, res)` handler of `POST`/`GET /v1/data/{path}`; it never rejects. */
export function createDataApiHandler(deps: DataApiRouteDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const caller = admitCaller(req, res, deps.authenticate, deps.rateLimit);
      const url = req.url ?? "";
      const q = url.indexOf("?");
      const rawPath = (q === -1 ? url : url.slice(0, q)).slice(DATA_API_PREFIX.length);
      let body: unknown;
      if (req.method === "POST") {
        body = await readJsonBody(req);
      } else {
        req.resume();
        body = inputOfQuery(q === -1 ? "" : url.slice(q + 1));
      }
      // One structural budget for both methods; the GET input is bounded by the request-line size as well.
      checkStructure(body);
      sendJson(res, 200, deps.api.evaluate(rawPath, body, { caller: caller?.name ?? null }));
    } catch (err) {
      const e = err instanceof CustosError ? err : new CustosError("internal_error", "internal error", { cause: err });
      deps.onError?.(e, req);
      sendError(res, e);
    }
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
