// Express middleware that asks Custos about each request and enforces the answer (status codes, redaction).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { DecideRequest, Obligation } from "../decision/request.js";
import type { ClientDecision, CustosClient } from "./client.js";

/** Options of {@link custosGuard}. */
export interface CustosGuardOptions {
  /** Status of an `escalate` answer (the request is held for approval). @default 202 */
  escalateStatus?: 202 | 403;
  /** Dotted path in `req.body` that a `redact` obligation's `text` replaces, e.g. `messages.0.content`. @default "text" */
  textField?: string;
}

type ApprovalObligation = Extract<Obligation, { type: "approval" }>;

/** Sets `body[path] = value` for a dotted path; false when the parent object is missing. */
function setPath(body: unknown, path: string, value: unknown): boolean {
  const keys = path.split(".");
  const last = keys.pop() as string;
  let target: unknown = body;
  for (const key of keys) target = target && typeof target === "object" ? (target as Record<string, unknown>)[key] : undefined;
  if (!target || typeof target !== "object") return false;
  (target as Record<string, unknown>)[last] = value;
  return true;
}

function refusal(d: ClientDecision): Record<string, unknown> {
  return { decision: d.decision, decision_id: d.decision_id, reasons: d.reasons };
}

/**
 * Guards a route with Custos. For every request it builds a decision request with `build`, asks, and enforces:
 * - `deny` → `403 { decision, decision_id, reasons }`;
 * - `escalate` → `202` (or `escalateStatus`) with `approval { approval_id, expires_at }`: retry with
 *   `context.approval_id` once an approver granted it;
 * - `allow` → `next()`, after applying `redact` obligations to `req.body[textField]`; the decision is in
 *   `res.locals.custos`;
 * - Custos could not judge (timeout, unreachable, 5xx) → `503` with the synthesized deny (fail closed), unless the
 *   client fails open.
 *
 * A request Custos rejects as malformed (`CustosClientError`), a throwing `build`, or a redaction that cannot be
 * applied (no parsed body) goes to `next(err)`: a bug in the caller, answered by the app's error handler.
 */
export function custosGuard(
  client: CustosClient,
  build: (req: Request) => DecideRequest | Promise<DecideRequest>,
  options: CustosGuardOptions = {},
): RequestHandler {
  const escalateStatus = options.escalateStatus ?? 202;
  const textField = options.textField ?? "text";
  return async (req: Request, res: Response, next: NextFunction) => {
    let decision: ClientDecision;
    try {
      decision = await client.decide(await build(req));
    } catch (err) {
      next(err);
      return;
    }
    if (decision.decision === "allow") {
      for (const o of decision.obligations) {
        if (o.type === "redact" && typeof o.text === "string" && !setPath(req.body, textField, o.text)) {
          next(new Error(`custosGuard: cannot apply the redact obligation: req.body.${textField} has no parent object (is a body parser installed?)`));
          return;
        }
      }
      res.locals.custos = decision;
      next();
      return;
    }
    if (decision.failed) {
      res.status(503).json(refusal(decision));
    } else if (decision.decision === "escalate") {
      const approval = decision.obligations.find((o): o is ApprovalObligation => o.type === "approval");
      res.status(escalateStatus).json({
        ...refusal(decision),
        approval: approval ? { approval_id: approval.approval_id, expires_at: approval.expires_at } : null,
      });
    } else {
      res.status(403).json(refusal(decision));
    }
  };
}
