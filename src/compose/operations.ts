// Builds the security-operations side of one Custos: the queues, inventory and blast radius (on the ledger's own Redis
// connection when there is one, keys under the same prefix), the webhook dispatcher (one per process; with Redis the
// outbox is shared and its claims leased, so one worker delivers each notification) and the recorder that feeds them.
import type { Config } from "../config/load-config.js";
import type { OpsStore } from "../decision/operations.js";
import type { SessionStore } from "../decision/ports.js";
import { createOperations, type Operations } from "../notify/operations.js";
import { createFileOutbox } from "../notify/outbox-store.js";
import { createRedisOutbox } from "../notify/redis-outbox.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "../notify/webhook-dispatcher.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { createMemoryOpsStore } from "../session/ops-memory.js";
import { createRedisOpsStore } from "../session/ops-redis.js";
import type { LedgerClient } from "../session/redis-client.js";

/** The operations parts. */
export interface StartedOperations {
  ops: OpsStore;
  operations: Operations;
  webhooks: WebhookDispatcher | null;
  /** Waits for recording in flight, stops the dispatcher, closes the store. */
  close(): Promise<void>;
}

/** `isRegistered`: whether the live registry knows a principal (the inventory's shadow-AI mark). */
export function startOperations(
  config: Config,
  store: SessionStore,
  metrics: Metrics,
  logger: Logger,
  clock: () => number,
  isRegistered: (principalId: string) => boolean,
): StartedOperations {
  const { redis, session } = config.state;
  const redisClient = store.kind === "redis" ? ((store as { client?: LedgerClient }).client ?? null) : null;
  const inventoryTtlSeconds = config.operations.inventoryTtlSeconds;
  const opsOptions = { sessionTtlSeconds: session.sessionTtlSeconds, inventoryTtlSeconds, clock };
  const ops = redisClient ? createRedisOpsStore(redisClient, store, { ...opsOptions, keyPrefix: redis?.keyPrefix }) : createMemoryOpsStore(store, opsOptions);
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
  const operations = createOperations({
    ops, ledger: store, dispatcher: webhooks, metrics, logger, clock, isRegistered, inventoryTtlSeconds, sessionTtlSeconds: session.sessionTtlSeconds,
  });
  metrics.setQueueSource({
    approvalsPending: () => ops.countPendingApprovals(Math.floor(clock() / 1000)),
    reviewsOpen: () => ops.countOpenReviews(Math.floor(clock() / 1000)),
  });
  return {
    ops,
    operations,
    webhooks,
    async close() {
      await operations.settle();
      await webhooks?.stop();
      await ops.close();
    },
  };
}
