// The admin API: named operators (`CUSTOS_ADMIN_TOKENS_FILE`) or the break-glass operator (`CUSTOS_ADMIN_TOKEN`),
// each route behind the role it needs; sessions, credentials, principal signals, approvals, bundle reload. The actor of
// every action and the approver of every approval is the authenticated operator, never a name in the body.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import { CustosError } from "../../errors.js";
import type { SessionStore } from "../../decision/ports.js";
import { MAX_PAGE_LIMIT, decodeCursor, type OpsStore, type PageQuery } from "../../decision/operations.js";
import { DEFAULT_REVOCATION_TTL_SECONDS, SEVERITIES, type AdminAction, type Severity } from "../../decision/vocabulary.js";
import { can, type AuthenticateOperator, type Operator, type Role } from "../../identity/index.js";
import { compileValidator } from "../../validation.js";
import { bearerToken } from "../auth.js";

/** What the admin routes need. */
export interface AdminDeps {
  /** Finds the operator of a bearer token; null: the admin API is disabled (every route a 404). */
  authenticate: AuthenticateOperator | null;
  store: SessionStore;
  /** Reloads the policy bundle and data; resolves with the outcome. */
  reload: () => Promise<{ ok: boolean; revision: string | null; error?: CustosError }>;
  onAction: (action: AdminAction) => void;
  clock: () => number;
  /** The queues, inventory and blast radius; absent: those routes answer 404. */
  operations?: AdminOperations;
}

/** What the operations routes need: the operations store and the mass termination of sessions. */
export interface AdminOperations {
  ops: OpsStore;
  terminateSessions(of: { principal: string } | { credential: string }, reason: string, actor: string): Promise<string[]>;
}

/** Query parameters of the list routes: each at most once, bounded, and only those the route names. */
function queryOf(req: Request, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query)) {
    if (!allowed.includes(name)) throw badQuery(name, `unknown parameter; use ${allowed.join(", ")}`);
    if (typeof value !== "string") throw badQuery(name, "must be given once, as a string");
    if (value.length > 2048) throw badQuery(name, "is longer than 2048 characters");
    out[name] = value;
  }
  return out;
}
function badQuery(field: string, message: string): CustosError {
  return new CustosError("invalid_request", `query parameter ${field} ${message}`, { errors: [{ field, message }] });
}
function oneOf<T extends string>(q: Record<string, string>, name: string, values: readonly T[]): T | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw badQuery(name, `must be one of ${values.join(", ")}`);
  return v as T;
}
function pageOf(q: Record<string, string>): PageQuery {
  let limit = 100;
  if (q.limit !== undefined) {
    if (!/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > MAX_PAGE_LIMIT) throw badQuery("limit", `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    limit = Number(q.limit);
  }
  const cursor = q.cursor ?? null;
  if (cursor !== null && decodeCursor(cursor) === null) throw badQuery("cursor", "is not a cursor of this list");
  return { limit, cursor };
}
function idOf(q: Record<string, string>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (v.length === 0 || v.length > 256) throw badQuery(name, "must be 1 to 256 characters");
  return v;
}

/** The authenticated operator of an admin request (set by the admin router's first middleware). */
export function operatorOf(res: Response): Operator {
  const operator = res.locals.operator as Operator | undefined;
  if (!operator) throw new CustosError("unauthorized", "admin API requires an operator bearer token");
  return operator;
}

/** Middleware: the authenticated operator must hold `role`, else `403 forbidden`. */
export function requireRole(role: Role): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const operator = res.locals.operator as Operator | undefined;
    if (!operator) return next(new CustosError("unauthorized", "admin API requires an operator bearer token"));
    if (!can(operator, role)) return next(new CustosError("forbidden", `this needs the ${role} role, which the operator does not hold`));
    next();
  };
}

const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max }) as const;
const ttl = { type: "integer", minimum: 1, maximum: 31536000 } as const;
const groups = { type: "array", maxItems: 64, items: text(128) } as const;

const validateTerminate = compileValidator<{ reason: string }>(
  { type: "object", required: ["reason"], properties: { reason: text(1024) } },
  "terminate request",
);
const validateResume = compileValidator<{ reason?: string }>(
  { type: "object", properties: { reason: text(1024) } },
  "resume request",
);
const validateRevoke = compileValidator<{ reason: string; ttl_seconds?: number; terminate_sessions?: boolean }>(
  { type: "object", required: ["reason"], properties: { reason: text(1024), ttl_seconds: ttl, terminate_sessions: { type: "boolean" } } },
  "revoke request",
);
const validateSignal = compileValidator<{ kind: string; severity: Severity; ttl_seconds: number }>(
  {
    type: "object",
    required: ["kind", "severity", "ttl_seconds"],
    properties: { kind: text(128), severity: { enum: SEVERITIES }, ttl_seconds: ttl },
  },
  "signal request",
);
const validateResolve = compileValidator<{ verdict: "benign" | "violation"; note?: string }>(
  { type: "object", required: ["verdict"], properties: { verdict: { enum: ["benign", "violation"] }, note: text(4096) } },
  "resolve request",
);
const validateClear = compileValidator<{ reason?: string }>({ type: "object", properties: { reason: text(1024) } }, "clear request");
// `approver` may only repeat the authenticated operator's id (older clients sent it); its groups are ignored: an
// approver's groups are the operators file's.
const validateGrant = compileValidator<{ approver?: { id: string; groups?: string[] }; reason?: string }>(
  {
    type: "object",
    properties: {
      approver: { type: "object", required: ["id"], properties: { id: text(256), groups } },
      reason: text(1024),
    },
  },
  "grant request",
);
const validateDeny = compileValidator<{ approver?: { id: string; groups?: string[] }; reason?: string }>(
  {
    type: "object",
    properties: {
      approver: { type: "object", required: ["id"], properties: { id: text(256), groups } },
      reason: text(1024),
    },
  },
  "deny request",
);

/**
 * Creates the admin router (mounted at `/admin`). Without operators every admin route is a 404; a route an operator
 * lacks the role for is a 403 (GET routes need `auditor`).
 */
export function createAdminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const { clock } = deps;
  router.use((req, res, next) => {
    if (!deps.authenticate) {
      return next(new CustosError("not_found", "the admin API is disabled: neither CUSTOS_ADMIN_TOKENS_FILE nor CUSTOS_ADMIN_TOKEN is set"));
    }
    const operator = deps.authenticate(bearerToken(req));
    if (!operator) return next(new CustosError("unauthorized", "admin API requires an operator bearer token"));
    res.locals.operator = operator;
    next();
  });
  // A body that is not JSON is refused (415), not read as an empty one.
  router.use((req, _res, next) => {
    const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
    if (hasBody && !req.is(["application/json", "application/*+json"])) {
      return next(new CustosError("unsupported_media_type", "admin request bodies must be application/json"));
    }
    next();
  });
  router.use(express.json({ limit: "64kb", type: ["application/json", "application/*+json"] }));
  const body = (req: Request): unknown => req.body ?? {};
  const operations = (): AdminOperations => {
    if (!deps.operations) throw new CustosError("not_found", "the operations store is not configured");
    return deps.operations;
  };
  const nowS = () => Math.floor(clock() / 1000);
  const param = (req: Request): string => String(req.params.id);

  router.get("/approvals", requireRole("auditor"), async (req, res) => {
    const q = queryOf(req, ["status", "principal", "session", "limit", "cursor"]);
    const status = oneOf(q, "status", ["pending", "granted", "denied", "consumed", "expired"] as const);
    const principal = idOf(q, "principal");
    const session = idOf(q, "session");
    res.json(await operations().ops.listApprovals({ ...(status ? { status } : {}), ...(principal ? { principal } : {}), ...(session ? { session } : {}) }, pageOf(q), nowS()));
  });
  router.get("/reviews", requireRole("auditor"), async (req, res) => {
    const q = queryOf(req, ["status", "code", "principal", "limit", "cursor"]);
    const status = oneOf(q, "status", ["open", "resolved"] as const);
    const code = idOf(q, "code");
    const principal = idOf(q, "principal");
    res.json(await operations().ops.listReviews({ ...(status ? { status } : {}), ...(code ? { code } : {}), ...(principal ? { principal } : {}) }, pageOf(q), nowS()));
  });
  router.get("/reviews/:id", requireRole("auditor"), async (req, res) => {
    const item = await operations().ops.getReview(param(req), nowS());
    if (!item) throw new CustosError("resource_not_found", "no such review (unknown or past its retention)");
    res.json(item);
  });
  router.post("/reviews/:id/resolve", requireRole("approver"), async (req, res) => {
    const b = validateResolve(body(req));
    const who = operatorOf(res).id;
    const now = nowS();
    const item = await operations().ops.resolveReview(param(req), b.verdict, b.note ?? null, who, now);
    if (!item) throw new CustosError("resource_not_found", "no such review (unknown or past its retention)");
    // A retry of the same resolution by the same operator within the same second answers like the first.
    const ours = item.verdict === b.verdict && item.resolved_by === who && item.resolved_at === now;
    if (!ours) throw new CustosError("conflict", "review is already resolved");
    deps.onAction({ action: "review.resolve", actor: who, target: param(req), reason: b.note ?? null, details: { verdict: b.verdict, decision_id: item.decision_id } });
    res.json(item);
  });
  router.get("/sessions", requireRole("auditor"), async (req, res) => {
    const q = queryOf(req, ["status", "min_risk", "principal", "limit", "cursor"]);
    const status = oneOf(q, "status", ["active", "terminated"] as const);
    const principal = idOf(q, "principal");
    let minRisk: number | undefined;
    if (q.min_risk !== undefined) {
      minRisk = Number(q.min_risk);
      if (!/^-?\d{1,9}(\.\d{1,6})?$/.test(q.min_risk) || !Number.isFinite(minRisk)) throw badQuery("min_risk", "must be a number");
    }
    res.json(await operations().ops.listSessions({ ...(status ? { status } : {}), ...(minRisk !== undefined ? { minRisk } : {}), ...(principal ? { principal } : {}) }, pageOf(q), nowS()));
  });
  router.get("/principals", requireRole("auditor"), async (req, res) => {
    const q = queryOf(req, ["registered", "limit", "cursor"]);
    const registered = oneOf(q, "registered", ["true", "false"] as const);
    res.json(await operations().ops.listPrincipals(registered === undefined ? {} : { registered: registered === "true" }, pageOf(q), nowS()));
  });
  router.get("/credentials/:id/usage", requireRole("auditor"), async (req, res) => {
    const usage = await operations().ops.credentialUsage(param(req), nowS());
    if (!usage) throw new CustosError("resource_not_found", "the credential was not seen within the retention");
    res.json(usage);
  });
  router.post("/principals/:id/terminate-sessions", requireRole("responder"), async (req, res) => {
    const b = validateTerminate(body(req));
    const who = operatorOf(res).id;
    const ended = await operations().terminateSessions({ principal: param(req) }, b.reason, who);
    deps.onAction({ action: "principal.terminate_sessions", actor: who, target: param(req), reason: b.reason, details: { sessions_terminated: ended.length } });
    res.json({ principal: param(req), sessions_terminated: ended });
  });
  router.get("/sessions/:id", requireRole("auditor"), async (req: Request, res: Response) => {
    res.json(await deps.store.getSession(param(req)));
  });
  router.post("/sessions/:id/terminate", requireRole("responder"), async (req, res) => {
    const b = validateTerminate(body(req));
    const who = operatorOf(res).id;
    const before = await deps.store.getSession(param(req));
    const session = await deps.store.terminate(param(req), b.reason, who, clock());
    deps.onAction({ action: "session.terminate", actor: who, target: param(req), reason: b.reason, details: { was_terminated: before.terminated } });
    res.json(session);
  });
  router.post("/sessions/:id/resume", requireRole("responder"), async (req, res) => {
    const b = validateResume(body(req));
    const who = operatorOf(res).id;
    const reason = b.reason ?? "resumed by admin";
    const session = await deps.store.resume(param(req), who, reason, clock());
    deps.onAction({ action: "session.resume", actor: who, target: param(req), reason });
    res.json(session);
  });
  router.post("/credentials/:id/revoke", requireRole("responder"), async (req, res) => {
    const b = validateRevoke(body(req));
    const ttlSeconds = b.ttl_seconds ?? DEFAULT_REVOCATION_TTL_SECONDS;
    const who = operatorOf(res).id;
    await deps.store.revokeCredential(param(req), b.reason, ttlSeconds, clock());
    // Revoked first, so no new decision of the credential passes while its sessions are being ended.
    const ended = b.terminate_sessions ? await operations().terminateSessions({ credential: param(req) }, b.reason, who) : null;
    deps.onAction({
      action: "credential.revoke", actor: who, target: param(req), reason: b.reason,
      details: { ttl_seconds: ttlSeconds, ...(ended ? { sessions_terminated: ended.length } : {}) },
    });
    res.json({ credential: param(req), revoked: true, ttl_seconds: ttlSeconds, ...(ended ? { sessions_terminated: ended } : {}) });
  });
  router.post("/principals/:id/signals", requireRole("responder"), async (req, res) => {
    const b = validateSignal(body(req));
    const expiresAt = Math.floor(clock() / 1000) + b.ttl_seconds;
    await deps.store.addSignal(param(req), { kind: b.kind, severity: b.severity, expires_at: expiresAt });
    deps.onAction({ action: "principal.signal", actor: operatorOf(res).id, target: param(req), reason: b.kind, details: { severity: b.severity } });
    res.json({ principal: param(req), kind: b.kind, severity: b.severity, expires_at: new Date(expiresAt * 1000).toISOString() });
  });
  router.get("/principals/:id", requireRole("auditor"), async (req, res) => {
    res.json(await deps.store.getPrincipal(param(req), clock()));
  });
  // Lifts a flag: the principal's signals and its windowed risk go together (otherwise the next risky decision
  // would flag it again at once).
  router.delete("/principals/:id/signals", requireRole("responder"), async (req, res) => {
    const b = validateClear(body(req));
    const cleared = await deps.store.clearPrincipal(param(req), clock());
    deps.onAction({
      action: "principal.clear",
      actor: operatorOf(res).id,
      target: param(req),
      reason: b.reason ?? null,
      details: { signals: cleared.signals.map((x) => x.kind), risk: cleared.risk },
    });
    res.json({ principal: param(req), cleared: { signals: cleared.signals, risk: cleared.risk } });
  });
  router.get("/approvals/:id", requireRole("auditor"), async (req, res) => {
    const approval = await deps.store.getApproval(param(req));
    if (!approval) throw new CustosError("resource_not_found", "no such approval (unknown or expired)");
    res.json(approval);
  });
  const decideApproval = (status: "granted" | "denied") => async (req: Request, res: Response) => {
    const b = status === "granted" ? validateGrant(body(req)) : validateDeny(body(req));
    const operator = operatorOf(res);
    if (b.approver && b.approver.id !== operator.id) {
      throw new CustosError("forbidden", "the approver is the authenticated operator; the body may not name another", {
        errors: [{ field: "approver.id", message: "differs from the authenticated operator" }],
      });
    }
    const approver = { id: operator.id, groups: [...operator.groups] };
    const nowS = Math.floor(clock() / 1000);
    const record = await deps.store.decideApproval(param(req), status, approver, b.reason ?? null, nowS);
    if (!record) throw new CustosError("resource_not_found", "no such approval (unknown or expired)");
    // The store changes only a pending approval; anything else comes back unchanged. The same decision by the same
    // approver within the same second is a retry and answers like the first.
    const ours = record.status === status && record.decided_at === nowS && (record.approver?.id ?? null) === approver.id;
    if (!ours) {
      throw new CustosError("conflict", `approval is ${record.expires_at <= nowS ? "expired" : `already ${record.status}`}`);
    }
    deps.onAction({
      action: status === "granted" ? "approval.grant" : "approval.deny",
      actor: operator.id,
      target: param(req),
      reason: b.reason ?? null,
    });
    res.json(record);
  };
  router.post("/approvals/:id/grant", requireRole("approver"), decideApproval("granted"));
  router.post("/approvals/:id/deny", requireRole("approver"), decideApproval("denied"));
  router.post("/bundle/reload", requireRole("policy_operator"), async (_req, res) => {
    const outcome = await deps.reload();
    deps.onAction({ action: "bundle.reload", actor: operatorOf(res).id, target: "bundle", reason: outcome.ok ? null : (outcome.error?.message ?? "failed") });
    if (!outcome.ok) throw outcome.error ?? new CustosError("bundle_invalid", "bundle reload failed");
    res.json({ reloaded: true, revision: outcome.revision });
  });
  // A known route asked with another method: 405 with Allow, as on the decision routes.
  for (const [path, method] of ADMIN_ROUTES) {
    router.all(path, (req, res, next) => {
      res.setHeader("allow", method);
      next(new CustosError("method_not_allowed", `${req.method} is not allowed on ${req.baseUrl}${req.path}; use ${method}`));
    });
  }
  return router;
}

/** Every admin route and its method (GET routes answer HEAD too). */
const ADMIN_ROUTES: readonly (readonly [string, string])[] = [
  ["/approvals", "GET"],
  ["/reviews", "GET"],
  ["/reviews/:id", "GET"],
  ["/reviews/:id/resolve", "POST"],
  ["/sessions", "GET"],
  ["/principals", "GET"],
  ["/credentials/:id/usage", "GET"],
  ["/principals/:id/terminate-sessions", "POST"],
  ["/sessions/:id", "GET"],
  ["/sessions/:id/terminate", "POST"],
  ["/sessions/:id/resume", "POST"],
  ["/credentials/:id/revoke", "POST"],
  ["/principals/:id", "GET"],
  ["/principals/:id/signals", "POST, DELETE"],
  ["/approvals/:id", "GET"],
  ["/approvals/:id/grant", "POST"],
  ["/approvals/:id/deny", "POST"],
  ["/bundle/reload", "POST"],
];
