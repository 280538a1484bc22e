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
import { CustosError } from "./errors.js";
import { createShadowEvaluator, type ShadowEvaluator } from "./decision/shadow.js";
import type { SessionStore } from "./decision/ports.js";
import type { IdentityVerifier } from "./decision/verified-identity.js";
import { createHttp } from "./http/create-http.js";
import { contradictions, createTokenVerifier, loadIssuersFile } from "./identity/index.js";
import { recordStatus } from "./http/respond.js";
import { createContentInspector, createInjectionDetector, createInspector, Re2RuleError, SecretRulesError, startOperatorInspector, type Inspector } from "./inspect/index.js";
import { createAuthzenService } from "./interop/authzen-service.js";
import { createDataApi } from "./interop/data-api.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics, observeBundleLoads, type Metrics } from "./observability/metrics.js";
import type { PolicyHolder } from "./policy/policy-holder.js";
import { GOVERNANCE_ENTRYPOINT } from "./policy/policy-engine.js";
import { startPolicy, type StartedPolicy } from "./policy/start-policy.js";
import { createMemoryStore } from "./session/memory-store.js";
import { createRedisStore } from "./session/redis-store.js";
import { createMemoryOpsStore } from "./session/ops-memory.js";
import { createRedisOpsStore } from "./session/ops-redis.js";
import type { OpsStore } from "./decision/operations.js";
import type { LedgerClient } from "./session/redis-client.js";
import { createFileOutbox } from "./notify/outbox-store.js";
import { createRedisOutbox } from "./notify/redis-outbox.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "./notify/webhook-dispatcher.js";
import { createOperations, type Operations } from "./notify/operations.js";

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
  /** The queues, inventory and blast radius. */
  ops: OpsStore;
  operations: Operations;
  /** The webhook dispatcher, when CUSTOS_WEBHOOK_URL is set. */
  webhooks: WebhookDispatcher | null;
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
  const rulesInspector = startInspector(config, fingerprintKey, logger);
  const inspector = createContentInspector(rulesInspector, createInjectionDetector({ fingerprintKey }));
  // A cluster worker hands its records to the primary; one process seals them in a thread when a core is left over.
  const log = await openAuditLog({
    path: config.audit.path,
    inThread: config.server.workers < availableParallelism(),
    forwarded: bridge ? (onError) => bridge.decisionLog(onError) : undefined,
    onError: (err) => logger.error("decision log write failed", { event: "audit_error", error: err.message }),
  });
  const evidence = createEvidence({ log, statusOf: recordStatus, logger, metrics });

  // Operations: on the ledger's own Redis connection when there is one (its keys under the same prefix).
  const redisClient = store.kind === "redis" ? ((store as { client?: LedgerClient }).client ?? null) : null;
  const opsOptions = { sessionTtlSeconds: session.sessionTtlSeconds, inventoryTtlSeconds: config.operations.inventoryTtlSeconds, clock };
  const ops = redisClient
    ? createRedisOpsStore(redisClient, store, { ...opsOptions, keyPrefix: redis?.keyPrefix })
    : createMemoryOpsStore(store, opsOptions);
  // One dispatcher per process; with Redis the outbox is shared and its claims leased, so one worker delivers each.
  const webhooks = config.notify.url
    ? createWebhookDispatcher({
        url: config.notify.url,
        secret: config.notify.secret,
        format: config.notify.format,
        store: redisClient
          ? createRedisOutbox(redisClient, { keyPrefix: redis?.keyPrefix })
          : createFileOutbox({ path: config.audit.path ? `${config.audit.path}.outbox.json` : null }),
        onResult: (result) => metrics.webhookDeliveries.inc({ result }),
      })
    : null;
  webhooks?.start();
  const operations = createOperations({ ops, ledger: store, dispatcher: webhooks, metrics, logger, clock, inventoryTtlSeconds: config.operations.inventoryTtlSeconds, sessionTtlSeconds: session.sessionTtlSeconds });
  metrics.setQueueSource({
    approvalsPending: () => ops.countPendingApprovals(Math.floor(clock() / 1000)),
    reviewsOpen: () => ops.countOpenReviews(Math.floor(clock() / 1000)),
  });
  const sink = (record: Parameters<typeof evidence.decision>[0]) => {
    evidence.decision(record);
    operations.decision(record);
  };
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

  // Trusted issuers: their JWKS files are read (and URLs first fetched) now, so a broken configuration stops start-up.
  const issuers = config.identity.issuersFile ? await loadIssuersFile(config.identity.issuersFile) : null;
  const tokens = issuers ? await createTokenVerifier(issuers, { clock: () => clock() / 1000 }) : null;
  const verifier: IdentityVerifier | null = tokens ? { verify: (token, now) => tokens.verify(token, now), contradictions } : null;

  const decide = createDecider({
    policy: current, store, inspector, sink, clock, failMode: config.state.failMode, verifier,
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
    onAdminAction: (action) => {
      evidence.admin(action);
      operations.admin(action);
    },
    operations: { ops, terminateSessions: operations.terminateSessions },
  });

  let closing: Promise<void> | null = null;
  return {
    server: http.server, router: http.router, policy, store, metrics, logger, decide, evidence, ops, operations, webhooks,
    shadow: shadowPolicy && shadowEvaluator ? { policy: shadowPolicy.holder, evaluator: shadowEvaluator } : null,
    close() {
      closing ??= (async () => {
        stopWatching();
        shadowPolicy?.stop();
        rulesInspector.stop();
        await http.close();
        await shadowEvaluator?.idle();
        await operations.settle();
        await webhooks?.stop();
        await ops.close();
        await evidence.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The built-in inspector, or with `CUSTOS_SECRET_RULES` the operator's rules beside it, reloaded when they change. */
function startInspector(config: Config, fingerprintKey: string, logger: Logger): Inspector & { stop(): void } {
  const path = config.inspect.secretRulesPath;
  if (path === null) return { ...createInspector({ fingerprintKey }), stop: () => {} };
  try {
    return startOperatorInspector({
      path,
      fingerprintKey,
      watchIntervalMs: config.policy.watchIntervalMs,
      onLoad: (o) => {
        if (o.ok) logger.info("secret rules reloaded", { event: "secret_rules_loaded", rules: o.rules });
        else logger.warn("secret rules not reloaded; the rules in force stay", { event: "secret_rules_invalid", error: o.error.message });
      },
    });
  } catch (err) {
    if (!(err instanceof SecretRulesError) && !(err instanceof Re2RuleError)) throw err;
    const message = `secret rules file ${(err as Error).message}`;
    throw new CustosError("config_invalid", `invalid configuration: CUSTOS_SECRET_RULES ${message}`, { errors: [{ field: "CUSTOS_SECRET_RULES", message }] });
  }
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
