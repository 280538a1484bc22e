// POST /decide behind the guard: `?explain=1` needs an admin operator with the auditor role; the body is validated against the contract,
// decided, and answered with its outcome's status. Shared by the fast path and the Express router.
import { CustosError } from "../../errors.js";
import type { Decide } from "../../decision/decide.js";
import { validateDecideRequest } from "../../decision/request-validator.js";
import { can, type AuthenticateOperator } from "../../identity/index.js";
import { bearerToken } from "../auth.js";
import { callerFacts } from "../callers.js";
import type { GuardedRoute } from "../guard.js";
import { OUTCOME_STATUS } from "../respond.js";
import { queryOf } from "../server.js";

/** What the route needs. */
export interface DecideRouteDeps {
  decide: Decide;
  /** The admin operators; `?explain=1` requires one with the `auditor` role. Null: explain is disabled. */
  authenticateOperator: AuthenticateOperator | null;
}

/** True when the query string asks for an explanation (`explain=1` or `explain=true`). */
function wantsExplain(url: string | undefined): boolean {
  const query = queryOf(url);
  if (query === "") return false;
  const v = new URLSearchParams(query).get("explain");
  return v === "1" || v === "true";
}

/** The route of `POST /decide`; `admit` hands on whether an explanation was asked for (and allowed). */
export function decideRoute(deps: DecideRouteDeps): GuardedRoute<boolean> {
  return {
    admit({ req }) {
      const explain = wantsExplain(req.url);
      if (explain) {
        if (!deps.authenticateOperator) throw new CustosError("not_found", "explain is disabled: no admin operator is configured");
        const operator = deps.authenticateOperator(bearerToken(req));
        if (!operator) throw new CustosError("unauthorized", "explain=1 requires an admin operator's bearer token");
        if (!can(operator, "auditor")) throw new CustosError("forbidden", "explain=1 needs the auditor role, which the operator does not hold");
      }
      return explain;
    },
    async answer(body, { caller }, explain) {
      const outcome = await deps.decide(validateDecideRequest(body), { explain, caller: callerFacts(caller) });
      return { status: OUTCOME_STATUS[outcome.outcome], body: outcome.explain ? { ...outcome.body, explain: outcome.explain } : outcome.body };
    },
  };
}
