// The admin API (bearer CUSTOS_ADMIN_TOKEN): sessions, credentials, principal signals, approvals, bundle reload.
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { CustosError } from "../../errors.js";
import type { SessionStore } from "../../decision/ports.js";
import { DEFAULT_REVOCATION_TTL_SECONDS, SEVERITIES, type AdminAction, type Severity } from "../../decision/vocabulary.js";
import { compileValidator } from "../../validation.js";
import { hasBearer } from "../auth.js";

/** What the admin routes need. */
export interface AdminDeps {
  token: string | null;
  store: SessionStore;
  /** Reloads the policy bundle and data; resolves with the outcome. */
  reload: () => Promise<{ ok: boolean; revision: string | null; error?: CustosError }>;
  onAction: (action: AdminAction) => void;
  clock: () => number;
}

const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max }) as const;
const actor = text(256);
const ttl = { type: "integer", minimum: 1, maximum: 31536000 } as const;
const groups = { type: "array", maxItems: 64, items: text(128) } as const;

const validateTerminate = compileValidator<{ reason: string; actor?: string }>(
  { type: "object", required: ["reason"], properties: { reason: text(1024), actor } },
  "terminate request",
);
const validateResume = compileValidator<{ reason?: string; actor?: string }>(
  { type: "object", properties: { reason: text(1024), actor } },
  "resume request",
);
const validateRevoke = compileValidator<{ reason: string; ttl_seconds?: number; actor?: string }>(
  { type: "object", required: ["reason"], properties: { reason: text(1024), ttl_seconds: ttl, actor } },
  "revoke request",
);
const validateSignal = compileValidator<{ kind: string; severity: Severity; ttl_seconds: number; actor?: string }>(
  {
    type: "object",
    required: ["kind", "severity", "ttl_seconds"],
    properties: { kind: text(128), severity: { enum: SEVERITIES }, ttl_seconds: ttl, actor },
  },
  "signal request",
);
const validateClear = compileValidator<{ reason?: string; actor?: string }>(
  { type: "object", properties: { reason: text(1024), actor } },
  "clear request",
);
const validateGrant = compileValidator<{ approver: { id: string; groups?: string[] }; reason?: string }>(
  {
    type: "object",
    required: ["approver"],
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

/** The operator roles of DESIGN.md ("Operators"); which role each admin route requires. */
export type AdminRole = "approver" | "responder" | "policy_operator" | "auditor";

/**
 * The check a route runs for its role. With the one admin token, its holder is the break-glass operator with every
 * role, so every check passes; operator roles plug in here (this function is the one place that maps a request's
 * operator to the roles it holds).
 */
export function requireRole(_role: AdminRole): RequestHandler {
  return (_req, _res, next) => next();
}

/** Creates the admin router (mounted at `/admin`). Without a token every admin route is a 404. */
export function createAdminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const { clock } = deps;
  router.use((req, _res, next) => {
    if (!deps.token) return next(new CustosError("not_found", "the admin API is disabled: CUSTOS_ADMIN_TOKEN is not set"));
    if (!hasBearer(req, deps.token)) return next(new CustosError("unauthorized", "admin API requires the admin bearer token"));
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
  const param = (req: Request): string => String(req.params.id);

  router.get("/sessions/:id", async (req: Request, res: Response) => {
    res.json(await deps.store.getSession(param(req)));
  });
  router.post("/sessions/:id/terminate", async (req, res) => {
    const b = validateTerminate(body(req));
    const who = b.actor ?? "admin";
    const before = await deps.store.getSession(param(req));
    const session = await deps.store.terminate(param(req), b.reason, who, clock());
    deps.onAction({ action: "session.terminate", actor: who, target: param(req), reason: b.reason, details: { was_terminated: before.terminated } });
    res.json(session);
  });
  router.post("/sessions/:id/resume", async (req, res) => {
    const b = validateResume(body(req));
    const who = b.actor ?? "admin";
    const reason = b.reason ?? "resumed by admin";
    const session = await deps.store.resume(param(req), who, reason, clock());
    deps.onAction({ action: "session.resume", actor: who, target: param(req), reason });
    res.json(session);
  });
  router.post("/credentials/:id/revoke", async (req, res) => {
    const b = validateRevoke(body(req));
    const ttlSeconds = b.ttl_seconds ?? DEFAULT_REVOCATION_TTL_SECONDS;
    await deps.store.revokeCredential(param(req), b.reason, ttlSeconds, clock());
    deps.onAction({ action: "credential.revoke", actor: b.actor ?? "admin", target: param(req), reason: b.reason, details: { ttl_seconds: ttlSeconds } });
    res.json({ credential: param(req), revoked: true, ttl_seconds: ttlSeconds });
  });
  router.post("/principals/:id/signals", async (req, res) => {
    const b = validateSignal(body(req));
    const expiresAt = Math.floor(clock() / 1000) + b.ttl_seconds;
    await deps.store.addSignal(param(req), { kind: b.kind, severity: b.severity, expires_at: expiresAt });
    deps.onAction({ action: "principal.signal", actor: b.actor ?? "admin", target: param(req), reason: b.kind, details: { severity: b.severity } });
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
      actor: b.actor ?? "admin",
      target: param(req),
      reason: b.reason ?? null,
      details: { signals: cleared.signals.map((x) => x.kind), risk: cleared.risk },
    });
    res.json({ principal: param(req), cleared: { signals: cleared.signals, risk: cleared.risk } });
  });
  router.get("/approvals/:id", async (req, res) => {
    const approval = await deps.store.getApproval(param(req));
    if (!approval) throw new CustosError("resource_not_found", "no such approval (unknown or expired)");
    res.json(approval);
  });
  const decideApproval = (status: "granted" | "denied") => async (req: Request, res: Response) => {
    const b = status === "granted" ? validateGrant(body(req)) : validateDeny(body(req));
    const approver = b.approver ? { id: b.approver.id, groups: b.approver.groups ?? [] } : null;
    const nowS = Math.floor(clock() / 1000);
    const record = await deps.store.decideApproval(param(req), status, approver, b.reason ?? null, nowS);
    if (!record) throw new CustosError("resource_not_found", "no such approval (unknown or expired)");
    // The store changes only a pending approval; anything else comes back unchanged. The same decision by the same
    // approver within the same second is a retry and answers like the first.
    const ours = record.status === status && record.decided_at === nowS && (record.approver?.id ?? null) === (approver?.id ?? null);
    if (!ours) {
      throw new CustosError("conflict", `approval is ${record.expires_at <= nowS ? "expired" : `already ${record.status}`}`);
    }
    deps.onAction({
      action: status === "granted" ? "approval.grant" : "approval.deny",
      actor: approver?.id ?? "admin",
      target: param(req),
      reason: b.reason ?? null,
    });
    res.json(record);
  };
  router.post("/approvals/:id/grant", decideApproval("granted"));
  router.post("/approvals/:id/deny", decideApproval("denied"));
  router.post("/bundle/reload", async (_req, res) => {
    const outcome = await deps.reload();
    deps.onAction({ action: "bundle.reload", actor: "admin", target: "bundle", reason: outcome.ok ? null : (outcome.error?.message ?? "failed") });
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
