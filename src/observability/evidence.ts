// Fans each decision and admin action out to the evidence that outlives it: the hash-chained decision log, the
// metrics and one log line. Runs after the answer is computed and never blocks it.
import { createDecisionLog, startDecisionLogThread } from "../audit/index.js";
import { createForwardedDecisionLog } from "../cluster/worker-bridge.js";
import type { DecisionRecord } from "../decision/ports.js";
import type { AdminAction } from "../http/routes/admin.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

/** The evidence sink of one Custos instance. */
export interface Evidence {
  decision(record: DecisionRecord): void;
  admin(action: AdminAction): void;
  /** Writes every buffered record to disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link createEvidence}. */
export interface EvidenceOptions {
  /** The decision log file; null disables the log (metrics and logs stay). */
  auditPath: string | null;
  /**
   * Seal and write the decision log in a worker thread, so that it costs the thread answering requests only a
   * JSON.stringify per record. Worth it when a core is otherwise idle (one process); when worker processes already
   * fill every core it only adds the hand-over. @default true
   */
  logThread?: boolean;
  /**
   * In a cluster worker: send the records to the primary, which writes the one log file (cluster/primary.ts);
   * `auditPath` then only says whether there is a log. @default false
   */
  toPrimary?: boolean;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Creates the sink.
 * @throws AuditError `audit_log_unavailable` when the log cannot be opened.
 */
export async function createEvidence(options: EvidenceOptions): Promise<Evidence> {
  const { logger, metrics } = options;
  const logOptions = options.auditPath
    ? {
        path: options.auditPath,
        onError: (err: Error) => logger.error("decision log write failed", { event: "audit_error", error: err.message }),
      }
    : null;
  const log = !logOptions
    ? null
    : options.toPrimary
      ? createForwardedDecisionLog(logOptions.onError)
      : options.logThread === false
        ? createDecisionLog(logOptions)
        : await startDecisionLogThread(logOptions);
  return {
    decision(record) {
      metrics.decisions.inc({ decision: record.result.decision, event: record.event });
      metrics.decisionDuration.observe(record.latency_ms / 1000);
      metrics.policyEvalDuration.observe(record.timings.eval_ms / 1000);
      metrics.inspectionDuration.observe(record.timings.inspect_ms / 1000);
      if (record.session_terminated) metrics.sessionsTerminated.inc();
      log?.append({ type: "decision", ...record });
      if (logger.isLevelEnabled?.("debug") !== false) {
        logger.debug("decision", {
          event: "decision",
          decision_id: record.decision_id,
          decision: record.result.decision,
          codes: (record.result.reasons as { code?: string }[]).map((r) => r.code),
          status: record.status,
          latency_ms: Math.round(record.latency_ms * 1000) / 1000,
        });
      }
    },
    admin(action) {
      log?.append({ type: "admin", time: new Date().toISOString(), ...action });
      logger.info("admin action", { event: "admin", action: action.action, actor: action.actor, target: action.target });
    },
    flush: async () => {
      await log?.flush();
    },
    close: async () => {
      await log?.close();
    },
  };
}
