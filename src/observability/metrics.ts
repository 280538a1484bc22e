// Prometheus metrics (prom-client) on one registry passed in: the names of DESIGN.md plus load and inspection time,
// and the listener that records (and logs) each bundle load.
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from "prom-client";
import type { Logger } from "./logger.js";

/** Buckets from 50 µs to 1 s, so sub-millisecond latencies resolve. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The metrics Custos records. Labels are bounded: no ids, no paths. */
export interface Metrics {
  registry: Registry;
  decisions: Counter<"decision" | "event">;
  decisionDuration: Histogram<string>;
  policyEvalDuration: Histogram<string>;
  inspectionDuration: Histogram<string>;
  sessionsTerminated: Counter<string>;
  stateErrors: Counter<string>;
  bundleInfo: Gauge<"revision">;
  bundleLoads: Counter<"result">;
  bundleLoadDuration: Histogram<string>;
  /** Reason codes given, by code (codes outside the catalogue share one label value). */
  reasons: Counter<"code">;
  /** Reason codes reported in `monitored` (found, not enforced), by code. */
  monitored: Counter<"code">;
  /** Pending approvals and open reviews, read from the operations store at each scrape. */
  approvalsPending: Gauge<string>;
  reviewsOpen: Gauge<string>;
  webhookDeliveries: Counter<"result">;
  /** Shadow evaluations by result: `agree`, `disagree`, `error` (the candidate failed), `dropped` (queue full), `skipped` (over its time share). */
  shadowEvaluations: Counter<"result">;
  /** Shadow disagreements by the live and the shadow decision (`error` when the shadow failed). */
  shadowDisagreements: Counter<"live" | "shadow">;
  /** The shadow bundle (value 1, revision as label). */
  shadowBundleInfo: Gauge<"revision">;
  /** Marks `revision` as the active bundle (one series with value 1). */
  setActiveRevision(revision: string): void;
  /** Where the queue gauges read their values (the operations store); unset, they stay 0. */
  setQueueSource(source: { approvalsPending(): Promise<number>; reviewsOpen(): Promise<number> }): void;
}

/** Registers every metric, and the default process metrics, on `registry`. */
export function createMetrics(registry: Registry): Metrics {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const bundleInfo = new Gauge({
    name: "custos_bundle_info",
    help: "The active policy bundle (value 1, revision as label).",
    labelNames: ["revision"],
    registers,
    // Across cluster workers serving the same revision: still 1.
    aggregator: "max",
  });
  let queues: { approvalsPending(): Promise<number>; reviewsOpen(): Promise<number> } | null = null;
  // The store is shared by every worker and replica: across cluster workers the value is the same, hence max.
  const approvalsPending = new Gauge({
    name: "custos_approvals_pending",
    help: "Approvals waiting for an approver (pending and unexpired).",
    registers,
    aggregator: "max",
    async collect() {
      if (queues) this.set(await queues.approvalsPending().catch(() => 0));
    },
  });
  const reviewsOpen = new Gauge({
    name: "custos_reviews_open",
    help: "Review items not yet resolved.",
    registers,
    aggregator: "max",
    async collect() {
      if (queues) this.set(await queues.reviewsOpen().catch(() => 0));
    },
  });
  return {
    registry,
    reasons: new Counter({
      name: "custos_reasons_total",
      help: "Reason codes given in decisions, by code (codes outside the catalogue are counted as OTHER).",
      labelNames: ["code"],
      registers,
    }),
    monitored: new Counter({
      name: "custos_monitored_reasons_total",
      help: "Reason codes reported in monitored (settings.monitor_codes: found and recorded, not enforced), by code (OTHER outside the catalogue).",
      labelNames: ["code"],
      registers,
    }),
    approvalsPending,
    reviewsOpen,
    webhookDeliveries: new Counter({
      name: "custos_webhook_deliveries_total",
      help: "Webhook delivery attempts, by result (delivered, failed).",
      labelNames: ["result"],
      registers,
    }),
    setQueueSource(source) {
      queues = source;
    },
    decisions: new Counter({
      name: "custos_decisions_total",
      help: "Decisions made, by decision and event type.",
      labelNames: ["decision", "event"],
      registers,
    }),
    decisionDuration: new Histogram({
      name: "custos_decision_duration_seconds",
      help: "Time from a parsed request to its decision (inspection, state, evaluation, state update).",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    policyEvalDuration: new Histogram({
      name: "custos_policy_eval_duration_seconds",
      help: "Time spent evaluating the WebAssembly policy.",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inspectionDuration: new Histogram({
      name: "custos_inspection_duration_seconds",
      help: "Time spent inspecting content for secrets and personal data.",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    sessionsTerminated: new Counter({
      name: "custos_sessions_terminated_total",
      help: "Sessions terminated, by policy or by an admin.",
      registers,
    }),
    stateErrors: new Counter({
      name: "custos_state_errors_total",
      help: "Failed calls to the session state store.",
      registers,
    }),
    bundleInfo,
    bundleLoads: new Counter({
      name: "custos_bundle_loads_total",
      help: "Policy bundle load attempts, by result (success, error).",
      labelNames: ["result"],
      registers,
    }),
    bundleLoadDuration: new Histogram({
      name: "custos_bundle_load_duration_seconds",
      help: "Time to read, compile and activate a policy bundle.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    shadowEvaluations: new Counter({
      name: "custos_shadow_evaluations_total",
      help: "Shadow evaluations of decided requests, by result (agree, disagree, error, dropped: queue full, skipped: over its time share).",
      labelNames: ["result"],
      registers,
    }),
    shadowDisagreements: new Counter({
      name: "custos_shadow_disagreements_total",
      help: "Decisions on which the shadow bundle's output differs from the live one, by live and shadow decision.",
      labelNames: ["live", "shadow"],
      registers,
    }),
    shadowBundleInfo: new Gauge({
      name: "custos_shadow_bundle_info",
      help: "The shadow policy bundle (value 1, revision as label).",
      labelNames: ["revision"],
      registers,
      aggregator: "max",
    }),
    setActiveRevision(revision: string) {
      bundleInfo.reset();
      bundleInfo.set({ revision }, 1);
    },
  };
}

/** One bundle load attempt, as the policy holder reports it. */
export type BundleLoad =
  | { ok: true; revision: string; durationMs: number }
  | { ok: false; error: { code: string; message: string }; durationMs: number; revision: string | null };

/** A listener for bundle loads that counts and times them, marks the active revision, and logs each one. */
export function observeBundleLoads(metrics: Metrics, logger: Logger): (load: BundleLoad) => void {
  return (o) => {
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
  };
}
