// The HTTP front of one Custos: who may call (PEP tokens, mutual TLS, the loopback rule), the route table (the
// guarded decision routes on bare node:http, the rest through Express), readiness, TLS and the error log line.
// Returns the server, not yet listening, and the same API as an embeddable Express router.
import { readFileSync } from "node:fs";
import type { IncomingMessage, RequestListener, Server } from "node:http";
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { createSecureContext } from "node:tls";
import type { Router } from "express";
import type { Decide } from "../decision/decide.js";
import type { SessionStore } from "../decision/ports.js";
import type { AdminAction } from "../decision/vocabulary.js";
import { CustosError } from "../errors.js";
import type { AuthzenService } from "../interop/authzen-service.js";
import type { createDataApi } from "../interop/data-api.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { GOVERNANCE_ENTRYPOINT } from "../policy/policy-engine.js";
import type { PolicyHolder } from "../policy/policy-holder.js";
import { createOperatorAuthenticator, loadOperatorsFile, type AuthenticateOperator } from "../identity/index.js";
import { createAuthenticator, createRateLimiter, isLoopback, loadPepTokens } from "./callers.js";
import { createEmbeddedRouter, createExpressApp, type ExpressAppDeps } from "./express-app.js";
import { guard, type GuardDeps } from "./guard.js";
import { statusOf } from "./respond.js";
import { createAdminRouter, type AdminOperations } from "./routes/admin.js";
import { AUTHZEN_PATHS, createAuthzenHandlers } from "./routes/authzen.js";
import { dataApiRoute, DATA_API_PREFIX } from "./routes/data-api.js";
import { decideRoute } from "./routes/decide.js";
import { createRequestListener, pathOf, type FastRoute } from "./server.js";

/** The configuration sections the HTTP front reads. */
export interface HttpSections {
  server: { host: string; port: number };
  tls: { cert: string; key: string; ca: string | null } | null;
  pep: { tokensFile: string | null; rateLimit: number };
  admin: { token: string | null; tokensFile: string | null };
  authzen: { issuer: string | null };
}

/** The parts the HTTP front serves. */
export interface HttpParts {
  logger: Logger;
  metrics: Metrics;
  /** The /metrics text when it is not this registry's alone (a cluster worker's: every worker's). */
  metricsText?: () => Promise<string>;
  policy: PolicyHolder;
  /** Runs after every admin reload here (a cluster worker tells the others, which read the same files). */
  afterReload?: () => void;
  store: SessionStore;
  decide: Decide;
  authzen: AuthzenService;
  dataApi: ReturnType<typeof createDataApi>;
  onAdminAction: (action: AdminAction) => void;
  /** The operations routes of the admin API (queues, inventory, blast radius). */
  operations?: AdminOperations;
  clock: () => number;
  /** The host app of `router` listens on loopback only, so the router may serve unauthenticated decisions. */
  loopbackOnly: boolean;
}

/** The HTTP front. */
export interface Http {
  /** The HTTP(S) server, not yet listening. */
  server: Server;
  /** The same API as an Express router, for `host.use("/custos", router)`. */
  router: Router;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/**
 * Builds the HTTP front. It refuses to serve unauthenticated decisions anywhere but on loopback.
 * @throws CustosError `unauthenticated_refused`, `pep_tokens_invalid`, `tls_unusable`, `config_invalid` (operators file).
 */
export async function createHttp(config: HttpSections, parts: HttpParts): Promise<Http> {
  const { logger, policy, store } = parts;
  const tls = config.tls ? readTls(config.tls) : null;
  const tokens = config.pep.tokensFile ? await loadPepTokens(config.pep.tokensFile, config.admin.token) : null;
  const operators = config.admin.tokensFile
    ? await loadOperatorsFile(config.admin.tokensFile, { breakGlassToken: config.admin.token, pepTokenDigests: tokens?.keys() ?? [] })
    : null;
  // Null when neither operators nor a break-glass token are configured: the admin API and `?explain=1` are disabled.
  const authenticateOperator: AuthenticateOperator | null =
    operators || config.admin.token ? createOperatorAuthenticator({ operators, breakGlassToken: config.admin.token }) : null;
  const mtls = Boolean(config.tls?.ca);
  if (!tokens && !mtls && !isLoopback(config.server.host)) {
    throw new CustosError(
      "unauthenticated_refused",
      `refusing to serve unauthenticated decisions on ${config.server.host}: set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA, or listen on loopback`,
    );
  }
  if (!tokens && !mtls) {
    logger.warn("decision routes are UNAUTHENTICATED (loopback only); set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA", {
      event: "auth_off",
      embedded_router: parts.loopbackOnly ? "loopback only" : "refuses decisions",
    });
  }
  const onError = (err: CustosError, req: IncomingMessage) => {
    const status = statusOf(err.code);
    logger[status >= 500 ? "error" : "info"]("request failed", { event: "http_error", code: err.code, status, method: req.method, path: pathOf(req.url) });
  };
  // One authenticator and one rate limit for every decision route, so a PEP's budget is shared across the APIs.
  // Unauthenticated decisions need a loopback claim: `server` has one (HOST is loopback, checked above); the
  // embedded router only when the host app says so (`loopbackOnly`), since it cannot see where the host listens.
  const viaServer = new WeakSet<IncomingMessage>();
  const authenticate = createAuthenticator({ tokens, mtls, loopbackClaim: (req) => parts.loopbackOnly || viaServer.has(req) });
  const guardDeps: GuardDeps = { authenticate, rateLimit: createRateLimiter(config.pep.rateLimit), onError };
  const authzen = createAuthzenHandlers({ service: parts.authzen, issuer: () => config.authzen.issuer ?? listeningUrl() }, guardDeps);
  const dataApi = guard(guardDeps, dataApiRoute(parts.dataApi));
  const routes: FastRoute[] = [
    { method: "POST", path: "/decide", handler: guard(guardDeps, decideRoute({ decide: parts.decide, authenticateOperator })) },
    { method: "POST", path: AUTHZEN_PATHS.evaluation, handler: authzen.evaluation },
    { method: "POST", path: AUTHZEN_PATHS.evaluations, handler: authzen.evaluations },
    { method: "POST", path: AUTHZEN_PATHS.search.subject, handler: authzen.search.subject },
    { method: "POST", path: AUTHZEN_PATHS.search.resource, handler: authzen.search.resource },
    { method: "POST", path: AUTHZEN_PATHS.search.action, handler: authzen.search.action },
    { method: "GET", path: AUTHZEN_PATHS.configuration, handler: authzen.configuration },
    { method: "POST", path: DATA_API_PREFIX, prefix: true, handler: dataApi },
    { method: "GET", path: DATA_API_PREFIX, prefix: true, handler: dataApi },
  ];
  const admin = createAdminRouter({
    authenticate: authenticateOperator,
    store,
    reload: async () => {
      const o = await policy.reload();
      parts.afterReload?.();
      return o.ok ? { ok: true, revision: o.revision } : { ok: false, revision: o.revision, error: o.error };
    },
    onAction: parts.onAdminAction,
    clock: parts.clock,
    ...(parts.operations ? { operations: parts.operations } : {}),
  });
  const deps: ExpressAppDeps = {
    admin,
    registry: parts.metrics.registry,
    ...(parts.metricsText ? { metricsText: parts.metricsText } : {}),
    ready: async () => {
      const active = policy.current();
      let stateOk = true;
      try {
        await store.ping();
      } catch {
        stateOk = false;
      }
      const apis: string[] = [];
      if (active?.has(GOVERNANCE_ENTRYPOINT)) apis.push("decide");
      if (parts.authzen.mode()) apis.push("authzen");
      for (const kind of parts.authzen.searches()) apis.push(`authzen_search_${kind}`);
      if (active) apis.push("data");
      return {
        ok: active !== null && stateOk,
        checks: { bundle: active ? { revision: active.revision } : "none", state: { store: store.kind, reachable: stateOk }, apis },
      };
    },
    onError,
    routes,
  };
  const routed = createRequestListener(routes, createExpressApp(deps));
  const listener: RequestListener = (req, res) => {
    viaServer.add(req);
    routed(req, res);
  };
  const server: Server = tls
    ? (createTlsServer({ ...tls, ...(tls.ca ? { requestCert: true, rejectUnauthorized: true } : {}), keepAliveTimeout: 65_000 }, listener) as unknown as Server)
    : createServer({ keepAliveTimeout: 65_000 }, listener);

  /** `http(s)://<HOST>:<port>`, with the port actually bound (PORT=0 picks one). */
  function listeningUrl(): string {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.server.port;
    const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
    return `${config.tls ? "https" : "http"}://${host}:${port}`;
  }

  return {
    server,
    router: createEmbeddedRouter(deps),
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

/**
 * Reads the TLS files and checks that they make a usable context, before anything else starts.
 * @throws CustosError `tls_unusable` naming the variable whose file is missing or unusable
 */
function readTls(files: NonNullable<HttpSections["tls"]>): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new CustosError("tls_unusable", `${variable} ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`, { cause: err });
    }
  };
  const out = {
    cert: read("CUSTOS_TLS_CERT", files.cert),
    key: read("CUSTOS_TLS_KEY", files.key),
    ...(files.ca ? { ca: read("CUSTOS_TLS_CA", files.ca) } : {}),
  };
  try {
    createSecureContext(out);
  } catch (err) {
    const names = `CUSTOS_TLS_CERT, CUSTOS_TLS_KEY${files.ca ? ", CUSTOS_TLS_CA" : ""}`;
    throw new CustosError("tls_unusable", `${names}: not a usable certificate, key and CA (${(err as Error).message})`, { cause: err });
  }
  return out;
}
