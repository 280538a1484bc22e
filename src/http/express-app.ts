// The Express app: health, metrics, admin API and (for embedding) the decision routes, with one error handler.
import express, { type ErrorRequestHandler, type Express, type Router } from "express";
import type { IncomingMessage } from "node:http";
import type { Registry } from "prom-client";
import { CustosError, toCustosError } from "../errors.js";
import { sendError, sendJson } from "./respond.js";
import type { FastRoute } from "./server.js";

/** What the app serves besides the admin router. */
export interface ExpressAppDeps {
  admin: Router;
  registry: Registry;
  /** The /metrics text when it is not `registry`'s alone (a cluster worker asks the primary for every worker's). */
  metricsText?: () => Promise<string>;
  /** Readiness: resolves with the checks; `ok` false means 503. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  onError?: (err: CustosError, req: IncomingMessage) => void;
  /** The decision routes (/decide, AuthZEN, OPA Data API), mounted as they are served on the fast path. */
  routes?: readonly FastRoute[];
}

/** Maps body-parser's errors (admin routes) onto the error catalogue. */
function fromBodyParser(err: unknown): CustosError | null {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === "entity.too.large") return new CustosError("payload_too_large", "request body is too large");
  if (type === "entity.parse.failed") return new CustosError("invalid_json", "request body is not valid JSON");
  if (type === "charset.unsupported" || type === "encoding.unsupported") return new CustosError("unsupported_media_type", "unsupported body encoding");
  return null;
}

/** The routes of a Custos instance as an Express router, for mounting in a user's own app. */
export function createCustosRouter(deps: ExpressAppDeps): Router {
  const router = express.Router();
  for (const r of deps.routes ?? []) {
    const path = r.prefix ? new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.+`) : r.path;
    router[r.method === "GET" ? "get" : "post"](path, (req, res) => r.handler(req, res));
  }
  router.get("/health/live", (_req, res) => {
    sendJson(res, 200, { status: "live" });
  });
  router.get("/health/ready", async (_req, res) => {
    const r = await deps.ready();
    sendJson(res, r.ok ? 200 : 503, { status: r.ok ? "ready" : "not_ready", checks: r.checks });
  });
  router.get("/metrics", async (_req, res) => {
    const text = deps.metricsText ? await deps.metricsText() : await deps.registry.metrics();
    res.writeHead(200, { "content-type": deps.registry.contentType });
    res.end(text);
  });
  router.use("/admin", deps.admin);
  return router;
}

/** The JSON error handler: every error becomes `{ code, message, errors? }`. */
export function errorHandler(onError?: (err: CustosError, req: IncomingMessage) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = fromBodyParser(err) ?? toCustosError(err);
    onError?.(e, req);
    sendError(res, e);
  };
}

/**
 * The routes of a Custos instance with their error handler, for `app.use("/custos", router)` in a user's own
 * Express app; paths it does not serve fall through to the host app.
 */
export function createEmbeddedRouter(deps: ExpressAppDeps): Router {
  const router = express.Router();
  router.use(createCustosRouter(deps));
  router.use(errorHandler(deps.onError));
  return router;
}

/** Builds the whole Express app. */
export function createExpressApp(deps: ExpressAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(createCustosRouter(deps));
  app.use((req, _res, next) => {
    next(new CustosError("not_found", `no route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.onError));
  return app;
}
