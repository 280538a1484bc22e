// The composition root's builder: builds policy, state, inspection, evidence, the decision core and the interop
// APIs from a Config and hands them to the HTTP front. It does not listen; `main.ts` does, and tests build exactly
// what production runs.
import { createHmac, randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { availableParallelism } from "node:os";
import type { Router } from "express";
import { Registry } from "prom-client";
import { createEvidence, openAuditLog, type Evidence } from "./audit/index.js";
import { createWorkerBridge, type PrimaryChannel } from "./cluster/worker-bridge.js";
import type { Config } from "./config/load-config.js";
import { createDecider, type Decide } from "./decision/decide.js";
import { createShadowEvaluator, type ShadowEvaluator } from "./decision/shadow.js";
import type { SessionStore } from "./decision/ports.js";
import { createHttp } from "./http/create-http.js";
import { recordStatus } from "./http/respond.js";
import { createInspector } from "./inspect/index.js";
import { createAuthzenService } from "./interop/authzen-service.js";
import { createDataApi } from "./interop/data-api.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics, observeBundleLoads, type Metrics } from "./observability/metrics.js";
import type { PolicyHolder } from "./policy/policy-holder.js";
import { GOVERNANCE_ENTRYPOINT } from "./policy/policy-engine.js";
import { startPolicy, type StartedPolicy } from "./policy/start-policy.js";
import { createMemoryStore } from "./session/memory-store.js";
import { createRedisStore } from "./session/redis-store.js";

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
  /** The shadow policy and its evaluator, when CUSTOS_SHADOW_BUNDLE is set. */
  shadow: { policy: PolicyHolder; evaluator: ShadowEvaluator } | null;
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
  /**
   * Embedding without PEP tokens or mTLS: the host app says it listens on loopback only, so `router` may serve
   * unauthenticated decisions (each request's socket must still be on a loopback address). Without it, `router`'s
   * decision routes answer `401`. Ignored when tokens or mTLS are configured. @default false
   */
  loopbackOnly?: boolean;
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
  const shadowPolicy = config.policy.shadow ? await startShadowPolicy(config, metrics, logger) : null;
  const reloadShadow = () => void shadowPolicy?.holder.reload();
  bridge?.onReload(() => {
    void policy.reload();
    reloadShadow();
  });
  const onError = (err: Error) => logger.warn("state store error", { event: "state_error", error: err.message });
  const { redis, session } = config.state;
  const onWarning = (message: string) => logger.warn(message, { event: "state_durability" });
  const store = overrides.store ?? (redis ? createRedisStore({ ...redis, ...session, onError, onWarning }) : createMemoryStore({ ...session, clock }));

  const fingerprintKey = config.inspect.fingerprintKey ?? randomBytes(32).toString("hex");
  const inspector = createInspector({ fingerprintKey });
  // A cluster worker hands its records to the primary; one process seals them in a thread when a core is left over.
  const log = await openAuditLog({
    path: config.audit.path,
    inThread: config.server.workers < availableParallelism(),
    forwarded: bridge ? (onError) => bridge.decisionLog(onError) : undefined,
    onError: (err) => logger.error("decision log write failed", { event: "audit_error", error: err.message }),
  });
  const evidence = createEvidence({ log, statusOf: recordStatus, logger, metrics });
  const sink = evidence.decision.bind(evidence);
  const current = () => policy.current();
  const shadowEvaluator = shadowPolicy
    ? createShadowEvaluator({
        policy: () => shadowPolicy.holder.current(),
        queueSize: config.policy.shadow?.queueSize,
        onResult: (result, diff) => {
          metrics.shadowEvaluations.inc({ result });
          if (diff) metrics.shadowDisagreements.inc({ live: diff.from, shadow: diff.to });
        },
        onDisagreement: (record) => evidence.shadow(record),
      })
    : null;

  const decide = createDecider({
    policy: current, store, inspector, sink, clock, failMode: config.state.failMode,
    textDigest: (text) => `hmac-sha256:${createHmac("sha256", fingerprintKey).update(text).digest("hex")}`,
    onStateError: () => metrics.stateErrors.inc(),
    ...(shadowEvaluator ? { onEvaluated: (e) => shadowEvaluator.offer(e) } : {}),
  });
  const authzen = createAuthzenService({ policy: current, decide, entrypoint: config.authzen.entrypoint, sink, inspector, clock });
  const metricsError = (err: Error) => logger.warn("cluster metrics unavailable; serving this worker's", { event: "metrics_error", error: err.message });
  const http = await createHttp(config, {
    logger, metrics, policy, store, decide, authzen, clock, loopbackOnly: overrides.loopbackOnly === true,
    ...(bridge ? { metricsText: bridge.metrics(metrics.registry, metricsError) } : {}),
    afterReload: () => {
      reloadShadow();
      bridge?.broadcastReload();
    },
    dataApi: createDataApi({ policy: current, sink, clock, inspector }),
    onAdminAction: (action) => evidence.admin(action),
  });

  let closing: Promise<void> | null = null;
  return {
    server: http.server, router: http.router, policy, store, metrics, logger, decide, evidence,
    shadow: shadowPolicy && shadowEvaluator ? { policy: shadowPolicy.holder, evaluator: shadowEvaluator } : null,
    close() {
      closing ??= (async () => {
        stopWatching();
        shadowPolicy?.stop();
        await http.close();
        await shadowEvaluator?.idle();
        await evidence.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The shadow policy of CUSTOS_SHADOW_BUNDLE: loaded (a start with an unusable one fails) and watched like the live one. */
async function startShadowPolicy(config: Config, metrics: Metrics, logger: Logger): Promise<StartedPolicy> {
  const shadow = config.policy.shadow!;
  return startPolicy({ ...config.policy, bundlePath: shadow.bundlePath, dataPath: shadow.dataPath }, [GOVERNANCE_ENTRYPOINT], (o) => {
    if (o.ok) {
      metrics.shadowBundleInfo.reset();
      metrics.shadowBundleInfo.set({ revision: o.revision }, 1);
      logger.info("shadow bundle loaded", { event: "shadow_bundle_load", revision: o.revision, duration_ms: Math.round(o.durationMs) });
    } else {
      logger.error("shadow bundle load failed; previous shadow keeps evaluating", { event: "shadow_bundle_load", error: o.error.code, reason: o.error.message });
    }
  });
}
