// The composition root's builder: builds policy, state, inspection, evidence, the decision core and the interop
// APIs from a Config and hands them to the HTTP front. It does not listen; `main.ts` does, and tests build exactly
// what production runs.
import { createHmac, randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { Registry } from "prom-client";
import { createEvidence, openAuditLog } from "./audit/index.js";
import { createWorkerBridge } from "./cluster/worker-bridge.js";
import { startIdentity } from "./compose/identity.js";
import { startInspection } from "./compose/inspection.js";
import { startOperations } from "./compose/operations.js";
import { startShadow } from "./compose/shadow.js";
import type { App, AppOverrides } from "./compose/app-types.js";
import type { Config } from "./config/load-config.js";
import { createDecider } from "./decision/decide.js";
import { createHttp } from "./http/create-http.js";
import { recordStatus } from "./http/respond.js";
import { createAuthzenService } from "./interop/authzen-service.js";
import { createDataApi } from "./interop/data-api.js";
import { createLogger } from "./observability/logger.js";
import { createMetrics, observeBundleLoads } from "./observability/metrics.js";
import { startPolicy } from "./policy/start-policy.js";
import { createMemoryStore } from "./session/memory-store.js";
import { createRedisStore } from "./session/redis-store.js";

export type { App, AppOverrides } from "./compose/app-types.js";

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
  const onError = (err: Error) => logger.warn("state store error", { event: "state_error", error: err.message });
  const onWarning = (message: string) => logger.warn(message, { event: "state_durability" });
  const { redis, session } = config.state;
  const store = overrides.store ?? (redis ? createRedisStore({ ...redis, ...session, onError, onWarning }) : createMemoryStore({ ...session, clock }));
  const fingerprintKey = config.inspect.fingerprintKey ?? randomBytes(32).toString("hex");
  const inspection = startInspection(config, fingerprintKey, logger);
  const { inspector } = inspection;
  // A cluster worker hands its records to the primary; one process seals them in a thread when a core is left over.
  const log = await openAuditLog({
    path: config.audit.path,
    inThread: config.server.workers < availableParallelism(),
    forwarded: bridge ? (onError) => bridge.decisionLog(onError) : undefined,
    onError: (err) => logger.error("decision log write failed", { event: "audit_error", error: err.message }),
  });
  const evidence = createEvidence({ log, statusOf: recordStatus, logger, metrics });
  const shadow = await startShadow(config, evidence, metrics, logger);
  const reloadShadow = () => void shadow?.policy.reload();
  bridge?.onReload(() => {
    void policy.reload();
    reloadShadow();
  });
  const ops = startOperations(config, store, metrics, logger, clock, (id) => policy.current()?.registered(id) === true);
  const sink = (record: Parameters<typeof evidence.decision>[0]) => {
    evidence.decision(record);
    ops.operations.decision(record);
  };
  const current = () => policy.current();
  const decide = createDecider({
    policy: current, store, inspector, sink, clock, failMode: config.state.failMode, verifier: await startIdentity(config, clock),
    textDigest: (text) => `hmac-sha256:${createHmac("sha256", fingerprintKey).update(text).digest("hex")}`,
    onStateError: () => metrics.stateErrors.inc(),
    ...(shadow ? { onEvaluated: (e) => shadow.evaluator.offer(e) } : {}),
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
      ops.operations.admin(action);
    },
    operations: { ops: ops.ops, terminateSessions: ops.operations.terminateSessions },
  });

  let closing: Promise<void> | null = null;
  return {
    server: http.server, router: http.router, policy, store, metrics, logger, decide, evidence,
    ops: ops.ops, operations: ops.operations, webhooks: ops.webhooks,
    shadow: shadow ? { policy: shadow.policy, evaluator: shadow.evaluator } : null,
    close() {
      closing ??= (async () => {
        stopWatching();
        shadow?.stop();
        inspection.stop();
        await http.close();
        await shadow?.evaluator.idle();
        await ops.close();
        await evidence.close();
        await store.close();
      })();
      return closing;
    },
  };
}
