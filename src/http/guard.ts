// The one guard of the fast decision routes (/decide, the OPA Data API, AuthZEN): admit the PEP (authentication and
// rate limit), read the JSON body and check its structure, let the route answer, turn any failure into
// `{ code, message, errors? }`, send.
import type { IncomingMessage, ServerResponse } from "node:http";
import { toCustosError, type CustosError } from "../errors.js";
import { admitCaller, charge, type Authenticate, type Caller, type RateLimit } from "./callers.js";
import { checkStructure } from "./limits.js";
import { readJsonBody } from "./read-body.js";
import { sendError, sendJson } from "./respond.js";
import type { FastHandler } from "./server.js";

/** What every guarded route shares. */
export interface GuardDeps {
  authenticate: Authenticate;
  rateLimit: RateLimit;
  /** Called for every failed request (for logs), with the error. */
  onError?: (err: CustosError, req: IncomingMessage) => void;
}

/** One admitted request. */
export interface FastCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** The authenticated PEP. */
  caller: Caller;
  /** Charges `cost` more decisions to the caller's rate limit. @throws CustosError `rate_limited` */
  charge(cost: number): void;
}

/** An answer: JSON `body` with `status`. */
export interface Reply {
  /** @default 200 */
  status?: number;
  body: unknown;
}

/** A route behind the guard; `A` is what `admit` hands on to `answer`. */
export interface GuardedRoute<A = void> {
  /** Headers every answer carries, an error included (set before anything else). */
  headers?(req: IncomingMessage): Record<string, string>;
  /** Refusals that need no body, after the PEP is admitted and before the body is read. */
  admit?(call: FastCall): A;
  /** Whether this request has a JSON body to read. @default always */
  hasBody?(req: IncomingMessage): boolean;
  /** What stands for the body of a request without one (e.g. from its query). @default `{}` */
  bodyWithout?(req: IncomingMessage): unknown;
  /** Answers the checked body. */
  answer(body: unknown, call: FastCall, admitted: A): Promise<Reply> | Reply;
}

/** The handler of `route` behind the guard. It never rejects. */
export function guard<A>(deps: GuardDeps, route: GuardedRoute<A>): FastHandler {
  return async (req, res) => {
    try {
      const headers = route.headers?.(req);
      if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      const caller = admitCaller(req, res, deps.authenticate, deps.rateLimit) as Caller;
      const call: FastCall = { req, res, caller, charge: (cost) => charge(req, res, caller, deps.rateLimit, cost) };
      const admitted = route.admit?.(call) as A;
      let body: unknown;
      if (route.hasBody?.(req) ?? true) {
        body = await readJsonBody(req);
      } else {
        req.resume();
        body = route.bodyWithout ? route.bodyWithout(req) : {};
      }
      checkStructure(body);
      const reply = await route.answer(body, call, admitted);
      sendJson(res, reply.status ?? 200, reply.body);
    } catch (err) {
      // A refusal before the body was read drains it, so the connection can carry the next request.
      req.resume();
      const e = toCustosError(err);
      deps.onError?.(e, req);
      sendError(res, e);
    }
  };
}
