// Fans each decision and admin action out to the evidence that outlives it: the hash-chained decision log, the
// metrics and one log line. Runs after the answer is computed and never blocks it.
import type { DecisionRecord } from "../decision/ports.js";
import type { ShadowRecord } from "../decision/shadow.js";
import type { AdminAction, RecordOutcome } from "../decision/vocabulary.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { AuditLog } from "./audit-log.js";

/** The evidence sink of one Custos instance. */
export interface Evidence {
  decision(record: DecisionRecord): void;
  admin(action: AdminAction): void;
  /** Records a disagreement of the shadow policy with the live one (a `shadow` record). */
  shadow(record: ShadowRecord): void;
  /** Writes every buffered record to disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createEvidence}. */
export interface EvidenceOptions {
  /** The decision log (in-process, threaded or forwarded to the cluster primary); null: none (metrics and logs stay). */
  log: AuditLog | null;
  /** The status a record's outcome was answered with, as the log records it (the HTTP layer's mapping). */
  statusOf: (outcome: RecordOutcome) => number;
  logger: Logger;
  metrics: Metrics;
}

/** Creates the sink. */
export function createEvidence(options: EvidenceOptions): Evidence {
  const { log, logger, metrics, statusOf } = options;
  return {
    decision(record) {
      metrics.decisions.inc({ decision: record.result.decision, event: record.event });
      metrics.decisionDuration.observe(record.latency_ms / 1000);
      metrics.policyEvalDuration.observe(record.timings.eval_ms / 1000);
      metrics.inspectionDuration.observe(record.timings.inspect_ms / 1000);
      if (record.session_terminated) metrics.sessionsTerminated.inc();
      const { outcome, ...fields } = record;
      const status = statusOf(outcome);
      log?.append({ type: "decision", ...fields, status });
      if (logger.isLevelEnabled?.("debug") !== false) {
        logger.debug("decision", {
          event: "decision",
          decision_id: record.decision_id,
          decision: record.result.decision,
          codes: (record.result.reasons as { code?: string }[]).map((r) => r.code),
          status,
          latency_ms: Math.round(record.latency_ms * 1000) / 1000,
        });
      }
    },
    admin(action) {
      if (action.action === "session.terminate" && action.details?.was_terminated === false) metrics.sessionsTerminated.inc();
      log?.append({ type: "admin", time: new Date().toISOString(), ...action });
      logger.info("admin action", { event: "admin", action: action.action, actor: action.actor, target: action.target });
    },
    shadow(record) {
      log?.append({ type: "shadow", ...record });
    },
    flush: async () => {
      await log?.flush();
    },
    close: async () => {
      await log?.close();
    },
  };
}
