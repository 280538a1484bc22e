// What the composition root builds and what a caller may supply in its place: the shape of a built Custos.
import type { Server } from "node:http";
import type { Router } from "express";
import type { Evidence } from "../audit/index.js";
import type { PrimaryChannel } from "../cluster/worker-bridge.js";
import type { Decide } from "../decision/decide.js";
import type { OpsStore } from "../decision/operations.js";
import type { SessionStore } from "../decision/ports.js";
import type { ShadowEvaluator } from "../decision/shadow.js";
import type { Operations } from "../notify/operations.js";
import type { WebhookDispatcher } from "../notify/webhook-dispatcher.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { PolicyHolder } from "../policy/policy-holder.js";

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
