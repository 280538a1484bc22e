// POST /decide on bare node:http: read, validate, decide, answer. Shared by the fast path and the Express router.
import type { IncomingMessage, ServerResponse } from "node:http";
import { CustosError } from "../../errors.js";
import type { Decide } from "../../decision/decide.js";
import { hasBearer } from "../auth.js";
import { admitCaller, type Authenticate, type RateLimit } from "../callers.js";
import { validateDecideRequest } from "../decide-validator.js";
import { checkStructure } from "../limits.js";
import { readJsonBody } from "../read-body.js";
import { sendError, sendJson } from "../send.js";

/** What the handler needs. */
export interface DecideRouteDeps {
  decide: Decide;
  /** Admin token; `?explain=1` requires it. */
  adminToken: string | null;
  /** Authenticates the PEP; the caller's name goes into the decision record. */
  authenticate?: Authenticate;
  /** Per-PEP rate limit; returns seconds to wait when over it. */
  rateLimit?: RateLimit;
  /** Called for every failed request (for logs), with the error. */
  onError?: (err: CustosError, req: IncomingMessage) => void;
}

/** True when the query string asks for an explanation (`explain=1` or `explain=true`). */
function wantsExplain(url: string | undefined): boolean {
  const q = url?.indexOf("?") ?? -1;
  if (q === -1 || !url) return false;
  const v = new URLSearchParams(url.slice(q + 1)).get("explain");
  return v === "1" || v === "true";
}

/** Creates the `(req, res)` handler of `POST /decide`. It never rejects: every failure becomes an error response. */
export function createDecideHandler(deps: DecideRouteDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const caller = admitCaller(req, res, deps.authenticate, deps.rateLimit);
      const explain = wantsExplain(req.url);
      if (explain && !hasBearer(req, deps.adminToken)) {
        req.resume();
        throw deps.adminToken
          ? new CustosError("unauthorized", "explain=1 requires the admin bearer token")
          : new CustosError("not_found", "explain is disabled: CUSTOS_ADMIN_TOKEN is not set");
      }
      const body = await readJsonBody(req);
      checkStructure(body);
      const request = validateDecideRequest(body);
      const outcome = await deps.decide(request, { explain, caller: caller?.name ?? null });
      sendJson(res, outcome.status, outcome.explain ? { ...outcome.body, explain: outcome.explain } : outcome.body);
    } catch (err) {
      const e = err instanceof CustosError ? err : new CustosError("internal_error", "internal error", { cause: err });
      deps.onError?.(e, req);
      sendError(res, e);
    }
  };
}
