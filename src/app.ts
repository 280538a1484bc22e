// The composition root's builder: assembles policy, state, inspection, evidence, metrics and HTTP from a Config.
// It does not listen; `main.ts` does, and tests build exactly what production runs.
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { Registry } from "prom-client";
import type { Config } from "./config/load-config.js";
import { CustosError } from "./errors.js";
import { createDecider, type Decide } from "./decision/decide.js";
import type { DecisionRecord, SessionStore } from "./decision/ports.js";
import { createAuthenticator, createRateLimiter, isLoopback, loadPepTokens } from "./http/callers.js";
import { createAdminRouter, type AdminAction } from "./http/routes/admin.js";
import { createDecideHandler } from "./http/routes/decide.js";
import { createExpressApp } from "./http/express-app.js";
import { createRequestListener } from "./http/server.js";
import { createInspector } from "./inspect/index.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { parseVerificationKey, type VerificationKey } from "./policy/bundle-signature.js";
import { watchPolicyFiles } from "./policy/bundle-watcher.js";
import { createPolicyHolder, type PolicyHolder } from "./policy/policy-holder.js";
import { createMemoryStore } from "./session/memory-store.js";
import { createRedisStore } from "./session/redis-store.js";
import { createEvidence, type Evidence } from "./observability/evidence.js";

/** A built, not yet listening, Custos. */
export interface App {
  server: Server;
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
}

/**
 * Builds Custos from its configuration and loads the policy once.
 * @throws CustosError `bundle_invalid` when the initial bundle cannot be loaded.
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.log.level);
  const tokens = config.pep.tokensFile ? await loadPepTokens(config.pep.tokensFile, config.admin.token) : null;
  const mtls = Boolean(config.tls?.ca);
  if (!tokens && !mtls && !isLoopback(config.server.host)) {
    throw new CustosError(
      "invalid_request",
      `refusing to serve unauthenticated decisions on ${config.server.host}: set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA, or listen on loopback`,
    );
  }
  if (!tokens && !mtls) {
    logger.warn("decision routes are UNAUTHENTICATED (loopback only); set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA", { event: "auth_off" });
  }
  const metrics = createMetrics(new Registry());
  const clock = overrides.clock ?? Date.now;

  const verificationKey = config.policy.verificationKeyPath ? readVerificationKey(config.policy.verificationKeyPath) : null;
  const policy = createPolicyHolder({ bundlePath: config.policy.bundlePath, dataPath: config.policy.dataPath, verificationKey });
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
        })
      : createMemoryStore({ sessionTtlSeconds: config.state.sessionTtlSeconds }));

  const fingerprintKey = config.inspect.fingerprintKey ?? randomBytes(32).toString("hex");
  const inspector = createInspector({ fingerprintKey });
  const evidence = createEvidence({ auditPath: config.audit.path, logger, metrics });

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
  const decideHandler = createDecideHandler({
    decide,
    adminToken: config.admin.token,
    authenticate: createAuthenticator({ tokens, mtls }),
    rateLimit: createRateLimiter(config.pep.rateLimit),
    onError: onHttpError,
  });
  const admin = createAdminRouter({
    token: config.admin.token,
    store,
    reload: async () => {
      const o = await policy.reload();
      return o.ok ? { ok: true, revision: o.revision } : { ok: false, revision: o.revision, error: o.error };
    },
    onAction: (action: AdminAction) => {
      if (action.action === "session.terminate") metrics.sessionsTerminated.inc();
      evidence.admin(action);
    },
    clock,
  });
  const app = createExpressApp({
    decideHandler,
    admin,
    registry: metrics.registry,
    ready: async () => {
      const active = policy.current();
      let stateOk = true;
      try {
        await store.ping();
      } catch {
        stateOk = false;
      }
      return {
        ok: active !== null && stateOk,
        checks: { bundle: active ? { revision: active.revision } : "none", state: { store: store.kind, reachable: stateOk } },
      };
    },
    onError: onHttpError,
  });
  const listener = createRequestListener(decideHandler, app);
  const server: Server = config.tls
    ? (createTlsServer(
        {
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
          ...(config.tls.ca ? { ca: readFileSync(config.tls.ca), requestCert: true, rejectUnauthorized: true } : {}),
          keepAliveTimeout: 65_000,
        },
        listener,
      ) as unknown as Server)
    : createServer({ keepAliveTimeout: 65_000 }, listener);

  let closing: Promise<void> | null = null;
  return {
    server,
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
