// Fans each decision and admin action out to the evidence that outlives it: the hash-chained decision log, the
// metrics and one log line. Runs after the answer is computed and never blocks it.
import { createDecisionLog } from "../audit/index.js";
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

/** Creates the sink; `auditPath` null disables the decision log (metrics and logs stay). */
export function createEvidence(options: { auditPath: string | null; logger: Logger; metrics: Metrics }): Evidence {
  const { logger, metrics } = options;
  const log = options.auditPath
    ? createDecisionLog({
        path: options.auditPath,
        onError: (err) => logger.error("decision log write failed", { event: "audit_error", error: err.message }),
      })
    : null;
  return {
    decision(record) {
      metrics.decisions.inc({ decision: record.result.decision, event: record.event });
      metrics.decisionDuration.observe(record.latency_ms / 1000);
      metrics.policyEvalDuration.observe(record.timings.eval_ms / 1000);
      metrics.inspectionDuration.observe(record.timings.inspect_ms / 1000);
      const terminated = (record.result.obligations as { type?: string }[]).some((o) => o.type === "session_termination");
      if (terminated) metrics.sessionsTerminated.inc();
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
