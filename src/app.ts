// The composition root's builder: assembles policy, state, inspection, evidence, metrics and HTTP from a Config.
// It does not listen; `main.ts` does, and tests build exactly what production runs.
import cluster from "node:cluster";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { createSecureContext } from "node:tls";
import { availableParallelism } from "node:os";
import { Registry } from "prom-client";
import type { Config } from "./config/load-config.js";
import { CustosError } from "./errors.js";
import { createDecider, type Decide } from "./decision/decide.js";
import type { DecisionRecord, SessionStore } from "./decision/ports.js";
import { createAuthenticator, createRateLimiter, isLoopback, loadPepTokens } from "./http/callers.js";
import { createAdminRouter, type AdminAction } from "./http/routes/admin.js";
import { AUTHZEN_PATHS, createAuthzenHandlers } from "./http/routes/authzen.js";
import { createDataApiHandler, DATA_API_PREFIX } from "./http/routes/data-api.js";
import { createDecideHandler } from "./http/routes/decide.js";
import { createEmbeddedRouter, createExpressApp, type ExpressAppDeps } from "./http/express-app.js";
import type { Router } from "express";
import { createRequestListener, type FastRoute } from "./http/server.js";
import { validateDecideRequest } from "./http/decide-validator.js";
import { createAuthzenService } from "./interop/authzen-service.js";
import { createDataApi } from "./interop/data-api.js";
import { createInspector } from "./inspect/index.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import { broadcastReload, clusterMetrics, onReloadBroadcast } from "./cluster/worker-bridge.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { parseVerificationKey, type VerificationKey } from "./policy/bundle-signature.js";
import { watchPolicyFiles } from "./policy/bundle-watcher.js";
import { createPolicyHolder, type PolicyHolder } from "./policy/policy-holder.js";
import { GOVERNANCE_ENTRYPOINT } from "./policy/policy-engine.js";
import { createMemoryStore } from "./session/memory-store.js";
import { createRedisStore } from "./session/redis-store.js";
import { createEvidence, type Evidence } from "./observability/evidence.js";

/** A built, not yet listening, Custos. */
export interface App {
  /** The HTTP(S) server, not yet listening (`main.ts` listens). */
  server: Server;
  /**
   * The same API as an Express router, to serve Custos from a user's own Express app instead of `server`:
   * `host.use("/custos", app.router)`. Mount it before, or beside, any body parser (an already parsed JSON body is
   * used as it is).
   */
  router: Router;
  policy: PolicyHolder;
  store: SessionStore;
  metrics: Metrics;
  logger: Logger;
  decide: Decide;
  evidence: Evidence;
  /** Stops accepting work, finishes in-flight requests, flushes the decision log, closes the store. */
  close(): Promise<void>;
}

/** Parts a caller (a test, an embedding app) may supply instead of the defaults. */
export interface AppOverrides {
  logger?: Logger;
  store?: SessionStore;
  clock?: () => number;
  /**
   * Embedding without PEP tokens or mTLS: the host app says it listens on loopback only, so `router` may serve
   * unauthenticated decisions (each request's socket must still be on a loopback address). Without it, `router`'s
   * decision routes answer `401`. Ignored when tokens or mTLS are configured. @default false
   */
  loopbackOnly?: boolean;
}

/**
 * Builds Custos from its configuration and loads the policy once.
 * @throws CustosError `bundle_invalid` when the initial bundle cannot be loaded.
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.log.level);
  const tls = config.tls ? readTls(config.tls) : null;
  const tokens = config.pep.tokensFile ? await loadPepTokens(config.pep.tokensFile, config.admin.token) : null;
  const mtls = Boolean(config.tls?.ca);
  if (!tokens && !mtls && !isLoopback(config.server.host)) {
    throw new CustosError(
      "invalid_request",
      `refusing to serve unauthenticated decisions on ${config.server.host}: set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA, or listen on loopback`,
    );
  }
  if (!tokens && !mtls) {
    logger.warn("decision routes are UNAUTHENTICATED (loopback only); set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA", {
      event: "auth_off",
      embedded_router: overrides.loopbackOnly === true ? "loopback only" : "refuses decisions",
    });
  }
  const metrics = createMetrics(new Registry());
  const clock = overrides.clock ?? Date.now;

  const verificationKey = config.policy.verificationKeyPath ? readVerificationKey(config.policy.verificationKeyPath) : null;
  const policy = createPolicyHolder({
    bundlePath: config.policy.bundlePath,
    dataPath: config.policy.dataPath,
    verificationKey,
    anyOfEntrypoints: [GOVERNANCE_ENTRYPOINT, config.authzen.entrypoint],
  });
  policy.onLoad((o) => {
    metrics.bundleLoads.inc({ result: o.ok ? "success" : "error" });
    metrics.bundleLoadDuration.observe(o.durationMs / 1000);
    if (o.ok) {
      metrics.setActiveRevision(o.revision);
      logger.info("policy bundle loaded", { event: "bundle_load", revision: o.revision, duration_ms: Math.round(o.durationMs) });
    } else {
      logger.error("policy bundle load failed; previous policy keeps serving", {
        event: "bundle_load",
        error: o.error.code,
        reason: o.error.message,
        active_revision: o.revision,
      });
    }
  });
  const first = await policy.reload();
  if (!first.ok) throw first.error;
  if (cluster.isWorker) onReloadBroadcast(() => void policy.reload());
  const stopWatching =
    config.policy.watchIntervalMs > 0
      ? watchPolicyFiles(policy, [config.policy.bundlePath, ...(config.policy.dataPath ? [config.policy.dataPath] : [])], config.policy.watchIntervalMs)
      : () => {};

  const store =
    overrides.store ??
    (config.state.redisUrl
      ? createRedisStore({
          url: config.state.redisUrl,
          keyPrefix: config.state.redisKeyPrefix,
          sessionTtlSeconds: config.state.sessionTtlSeconds,
          commandTimeoutMs: config.state.timeoutMs,
          onError: (err) => logger.warn("state store error", { event: "state_error", error: err.message }),
          onWarning: (message) => logger.warn(message, { event: "state_durability" }),
        })
      : createMemoryStore({ sessionTtlSeconds: config.state.sessionTtlSeconds }));

  const fingerprintKey = config.inspect.fingerprintKey ?? randomBytes(32).toString("hex");
  const inspector = createInspector({ fingerprintKey });
  // A cluster worker hands its records to the primary, which writes the one chain in CUSTOS_AUDIT_LOG. One process
  // seals and writes in a thread of its own when a core is left over for it, else in-process.
  const worker = cluster.isWorker;
  const logThread = config.server.workers < availableParallelism();
  const evidence = await createEvidence({ auditPath: config.audit.path, logThread, toPrimary: worker, logger, metrics });

  const decide = createDecider({
    policy: () => policy.current(),
    store,
    inspector,
    sink: (record: DecisionRecord) => evidence.decision(record),
    failMode: config.state.failMode,
    textDigest: (text) => `hmac-sha256:${createHmac("sha256", fingerprintKey).update(text).digest("hex")}`,
    onStateError: () => metrics.stateErrors.inc(),
    clock,
  });

  const onHttpError = (err: { code: string; message: string; status: number }, req: { method?: string; url?: string }) => {
    const level = err.status >= 500 ? "error" : "info";
    logger[level]("request failed", { event: "http_error", code: err.code, status: err.status, method: req.method, path: (req.url ?? "").split("?")[0] });
  };
  // One authenticator and one rate limit for every decision route, so a PEP's budget is shared across the APIs.
  // Unauthenticated decisions need a loopback claim: `server` has one (HOST is loopback, checked above); the
  // embedded router only when the host app says so (`loopbackOnly`), since it cannot see where the host listens.
  const viaServer = new WeakSet<IncomingMessage>();
  const loopbackOnly = overrides.loopbackOnly === true;
  const authenticate = createAuthenticator({ tokens, mtls, loopbackClaim: (req) => loopbackOnly || viaServer.has(req) });
  const rateLimit = createRateLimiter(config.pep.rateLimit);
  const decideHandler = createDecideHandler({ decide, adminToken: config.admin.token, authenticate, rateLimit, onError: onHttpError });
  const sink = (record: DecisionRecord) => evidence.decision(record);
  const authzen = createAuthzenService({
    policy: () => policy.current(),
    decide,
    validateDecideRequest,
    entrypoint: config.authzen.entrypoint,
    sink,
    inspector,
    clock,
  });
  const authzenHandlers = createAuthzenHandlers({
    service: authzen,
    issuer: () => config.authzen.issuer ?? listeningUrl(),
    authenticate,
    rateLimit,
    onError: onHttpError,
  });
  const dataApiHandler = createDataApiHandler({ api: createDataApi({ policy: () => policy.current(), sink, clock, inspector }), authenticate, rateLimit, onError: onHttpError });
  const interopRoutes: FastRoute[] = [
    { method: "POST", path: AUTHZEN_PATHS.evaluation, handler: authzenHandlers.evaluation },
    { method: "POST", path: AUTHZEN_PATHS.evaluations, handler: authzenHandlers.evaluations },
    { method: "POST", path: AUTHZEN_PATHS.search.subject, handler: authzenHandlers.search.subject },
    { method: "POST", path: AUTHZEN_PATHS.search.resource, handler: authzenHandlers.search.resource },
    { method: "POST", path: AUTHZEN_PATHS.search.action, handler: authzenHandlers.search.action },
    { method: "GET", path: AUTHZEN_PATHS.configuration, handler: authzenHandlers.configuration },
    { method: "POST", path: DATA_API_PREFIX, prefix: true, handler: dataApiHandler },
    { method: "GET", path: DATA_API_PREFIX, prefix: true, handler: dataApiHandler },
  ];
  const admin = createAdminRouter({
    token: config.admin.token,
    store,
    reload: async () => {
      const o = await policy.reload();
      // Every worker serves the same policy: the others reload too (they read the same files).
      if (worker) broadcastReload();
      return o.ok ? { ok: true, revision: o.revision } : { ok: false, revision: o.revision, error: o.error };
    },
    onAction: (action: AdminAction) => {
      if (action.action === "session.terminate" && action.details?.was_terminated === false) metrics.sessionsTerminated.inc();
      evidence.admin(action);
    },
    clock,
  });
  const httpDeps: ExpressAppDeps = {
    decideHandler,
    admin,
    registry: metrics.registry,
    ...(worker ? { metricsText: workerMetricsText(clusterMetrics(metrics.registry), metrics, logger) } : {}),
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
      if (authzen.mode()) apis.push("authzen");
      for (const kind of authzen.searches()) apis.push(`authzen_search_${kind}`);
      if (active) apis.push("data");
      return {
        ok: active !== null && stateOk,
        checks: { bundle: active ? { revision: active.revision } : "none", state: { store: store.kind, reachable: stateOk }, apis },
      };
    },
    onError: onHttpError,
    routes: interopRoutes,
  };
  const app = createExpressApp(httpDeps);
  const router = createEmbeddedRouter(httpDeps);
  const routed = createRequestListener([{ method: "POST", path: "/decide", handler: decideHandler }, ...interopRoutes], app);
  const listener: RequestListener = (req, res) => {
    viaServer.add(req);
    routed(req, res);
  };
  const server: Server = tls
    ? (createTlsServer(
        { ...tls, ...(tls.ca ? { requestCert: true, rejectUnauthorized: true } : {}), keepAliveTimeout: 65_000 },
        listener,
      ) as unknown as Server)
    : createServer({ keepAliveTimeout: 65_000 }, listener);

  /** `http(s)://<HOST>:<port>`, with the port actually bound (PORT=0 picks one). */
  function listeningUrl(): string {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.server.port;
    const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
    return `${config.tls ? "https" : "http"}://${host}:${port}`;
  }

  let closing: Promise<void> | null = null;
  return {
    server,
    router,
    policy,
    store,
    metrics,
    logger,
    decide,
    evidence,
    close() {
      closing ??= (async () => {
        stopWatching();
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          });
        }
        await evidence.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * Reads the TLS files and checks that they make a usable context, before anything else starts.
 * @throws CustosError `invalid_request` naming the variable whose file is missing or unusable
 */
function readTls(files: NonNullable<Config["tls"]>): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new CustosError("invalid_request", `${variable} ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`, { cause: err });
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
    throw new CustosError("invalid_request", `CUSTOS_TLS_CERT, CUSTOS_TLS_KEY${files.ca ? ", CUSTOS_TLS_CA" : ""}: not a usable certificate, key and CA (${(err as Error).message})`, { cause: err });
  }
  return out;
}

function readVerificationKey(path: string): VerificationKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new CustosError("bundle_invalid", `cannot read CUSTOS_BUNDLE_VERIFICATION_KEY ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, {
      cause: err,
    });
  }
  return parseVerificationKey(text);
}

/** Every worker's metrics through the primary; this worker's alone (and a warning) if the primary does not answer. */
function workerMetricsText(aggregated: () => Promise<string>, metrics: Metrics, logger: Logger): () => Promise<string> {
  return async () => {
    try {
      return await aggregated();
    } catch (err) {
      logger.warn("cluster metrics unavailable; serving this worker's", { event: "metrics_error", error: (err as Error).message });
      return metrics.registry.metrics();
    }
  };
}
