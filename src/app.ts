// The composition root's builder: builds policy, state, inspection, evidence, the decision core and the interop
// APIs from a Config and hands them to the HTTP front. It does not listen; `main.ts` does, and tests build exactly
// what production runs.
import { createHmac, randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { Registry } from "prom-client";
import { createDecisionLog, createEvidence, startDecisionLogThread, type AuditLog, type Evidence } from "./audit/index.js";
import { createWorkerBridge, type PrimaryChannel } from "./cluster/worker-bridge.js";
import type { Config } from "./config/load-config.js";
import { createDecider, type Decide } from "./decision/decide.js";
import type { SessionStore } from "./decision/ports.js";
import { createHttp } from "./http/create-http.js";
import { recordStatus } from "./http/respond.js";
import { createInspector } from "./inspect/index.js";
import { createAuthzenService } from "./interop/authzen-service.js";
import { createDataApi } from "./interop/data-api.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics, observeBundleLoads, type Metrics } from "./observability/metrics.js";
import type { PolicyHolder } from "./policy/policy-holder.js";
import { startPolicy } from "./policy/start-policy.js";
import { createMemoryStore } from "./session/memory-store.js";
import { createRedisStore } from "./session/redis-store.js";
import type { Server } from "node:http";
import type { Router } from "express";

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

/** Parts a caller (a test, an embedding app, the cluster entry) may supply instead of the defaults. */
export interface AppOverrides {
  logger?: Logger;
  store?: SessionStore;
  /** The clock of decisions, admin actions and the in-memory store's expiry (Unix milliseconds). @default Date.now */
  clock?: () => number;
  /** In a cluster worker: the IPC channel to the primary, which writes the one decision log and aggregates /metrics. */
  primary?: PrimaryChannel;
}

/**
 * Builds Custos from its configuration and loads the policy once.
 * @throws CustosError `bundle_invalid` when the initial bundle cannot be loaded, or a start-up code (errors.ts).
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.log.level);
  const metrics = createMetrics(new Registry());
  const clock = overrides.clock ?? Date.now;
  const bridge = overrides.primary ? createWorkerBridge(overrides.primary) : null;
  const { holder: policy, stop: stopWatching } = await startPolicy(config.policy, config.authzen.entrypoint, observeBundleLoads(metrics, logger));
  bridge?.onReload(() => void policy.reload());
  const onStateError = (err: Error) => logger.warn("state store error", { event: "state_error", error: err.message });
  const store =
    overrides.store ??
    (config.state.redis ? createRedisStore({ ...config.state.redis, ...config.state.session, onError: onStateError }) : createMemoryStore({ ...config.state.session, clock }));

  const fingerprintKey = config.inspect.fingerprintKey ?? randomBytes(32).toString("hex");
  const inspector = createInspector({ fingerprintKey });
  const onAuditError = (err: Error) => logger.error("decision log write failed", { event: "audit_error", error: err.message });
  // A cluster worker hands its records to the primary, which writes the one chain. One process seals and writes in a
  // thread of its own when a core is left over for it, else in-process.
  const log: AuditLog | null = !config.audit.path
    ? null
    : bridge
      ? bridge.decisionLog(onAuditError)
      : config.server.workers < availableParallelism()
        ? await startDecisionLogThread({ path: config.audit.path, onError: onAuditError })
        : createDecisionLog({ path: config.audit.path, onError: onAuditError });
  const evidence = createEvidence({ log, statusOf: recordStatus, logger, metrics });
  const sink = evidence.decision.bind(evidence);
  const current = () => policy.current();

  const decide = createDecider({
    policy: current,
    store,
    inspector,
    sink,
    failMode: config.state.failMode,
    textDigest: (text) => `hmac-sha256:${createHmac("sha256", fingerprintKey).update(text).digest("hex")}`,
    onStateError: () => metrics.stateErrors.inc(),
    clock,
  });
  const authzen = createAuthzenService({ policy: current, decide, entrypoint: config.authzen.entrypoint, sink, inspector, clock });
  const http = await createHttp(config, {
    logger,
    metrics,
    ...(bridge ? { metricsText: bridge.metrics(metrics.registry, (err) => logger.warn("cluster metrics unavailable; serving this worker's", { event: "metrics_error", error: err.message })) } : {}),
    policy,
    ...(bridge ? { afterReload: () => bridge.broadcastReload() } : {}),
    store,
    decide,
    authzen,
    dataApi: createDataApi({ policy: current, sink, clock, inspector }),
    onAdminAction: (action) => evidence.admin(action),
    clock,
  });

  let closing: Promise<void> | null = null;
  return {
    server: http.server,
    router: http.router,
    policy,
    store,
    metrics,
    logger,
    decide,
    evidence,
    close() {
      closing ??= (async () => {
        stopWatching();
        await http.close();
        await evidence.close();
        await store.close();
      })();
      return closing;
    },
  };
}
