// The node:cluster primary: forks the workers that share the port, replaces one that dies after it served, and
// owns what must be one per service (messages.ts): the decision log, written here from the workers' records as one
// hash chain in CUSTOS_AUDIT_LOG; /metrics aggregated over every worker; an admin reload passed on to every worker.
import { randomBytes } from "node:crypto";
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import { createDecisionLog, type DecisionLog } from "../audit/index.js";
import type { Config } from "../config/load-config.js";
import type { Logger } from "../observability/logger.js";
import { isCustosMessage, type PrimaryMessage, type WorkerMessage } from "./messages.js";

/** A running primary. */
export interface Primary {
  /**
   * Passes `signal` on to every worker, waits until all have exited (each flushes its records to this process
   * first), then closes the decision log. Resolves with the exit code: 1 when a worker could not start, else 0.
   */
  stop(signal: NodeJS.Signals): Promise<number>;
  /** Resolves when the primary decided to stop by itself (a worker could not start); `stop` follows. */
  readonly failed: Promise<void>;
}

/**
 * Opens the decision log and forks `config.server.workers` workers.
 * @throws AuditError `audit_log_unavailable` when the decision log cannot be opened.
 */
export function startPrimary(config: Config, logger: Logger): Primary {
  const log: DecisionLog | null = config.audit.path
    ? createDecisionLog({
        path: config.audit.path,
        onError: (err) => logger.error("decision log write failed", { event: "audit_error", error: err.message }),
      })
    : null;
  const aggregator = new AggregatorRegistry();
  let stopping: Promise<number> | null = null;
  let exitCode = 0;
  let fail: () => void = () => {};
  const failed = new Promise<void>((resolve) => (fail = resolve));

  const reply = (worker: Worker, message: PrimaryMessage): void => {
    if (worker.isConnected()) worker.send(message);
  };

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isCustosMessage<WorkerMessage>(message)) return;
    switch (message.custos) {
      case "audit":
        if (!log) return;
        for (const text of message.texts.split("\n")) {
          try {
            log.append(JSON.parse(text) as Record<string, unknown>);
          } catch (err) {
            logger.error("decision log record refused", { event: "audit_error", error: (err as Error).message });
          }
        }
        return;
      case "audit-flush":
        (log ? log.flush() : Promise.resolve()).then(
          () => reply(worker, { custos: "audit-flushed", id: message.id }),
          (err: Error) => reply(worker, { custos: "audit-flushed", id: message.id, error: err.message }),
        );
        return;
      case "metrics":
        aggregator.clusterMetrics().then(
          (text) => reply(worker, { custos: "metrics", id: message.id, text }),
          (err: Error) => reply(worker, { custos: "metrics", id: message.id, error: err.message }),
        );
        return;
      case "reload":
        for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker) reply(other, { custos: "reload" });
        return;
    }
  };
  cluster.on("message", onMessage);

  // Without CUSTOS_FINGERPRINT_KEY every process would draw its own key: the workers of one service share one, so
  // a finding's fingerprint, a text digest and an approval's binding digest are the same whichever worker answers.
  const fingerprintKey = config.inspect.fingerprintKey ?? randomBytes(32).toString("hex");
  const fork = (n: number): void => {
    let listened = false;
    const worker = cluster.fork({ CUSTOS_WORKER_INDEX: String(n), CUSTOS_FINGERPRINT_KEY: fingerprintKey });
    worker.on("listening", () => {
      listened = true;
    });
    worker.on("exit", (code, signal) => {
      if (stopping) return;
      if (!listened) {
        // It could not start (bad bundle, port taken…): trying again would only loop. It said why on stderr.
        logger.error("worker could not start; stopping", { event: "worker_start_failed", worker: n, code, signal });
        exitCode = 1;
        fail();
        return;
      }
      logger.error("worker exited; starting a new one", { event: "worker_exit", worker: n, code, signal });
      setTimeout(() => {
        if (!stopping) fork(n);
      }, 500);
    });
  };
  for (let i = 1; i <= config.server.workers; i++) fork(i);
  logger.info("custos primary started", { event: "primary", workers: config.server.workers, audit_log: config.audit.path ?? "off" });

  return {
    failed,
    stop(signal) {
      stopping ??= (async () => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
        while (Object.keys(cluster.workers ?? {}).length > 0) await new Promise((r) => setTimeout(r, 50));
        cluster.off("message", onMessage);
        await log?.close();
        return exitCode;
      })();
      return stopping;
    },
  };
}
