// Chooses the decision log of one process: none, forwarded to the cluster primary, sealed in a worker thread, or
// sealed in this thread. Every one of them is an AuditLog.
import type { AuditLog } from "./audit-log.js";
import { createDecisionLog } from "./decision-log.js";
import { startDecisionLogThread } from "./log-thread.js";

/** Options of {@link openAuditLog}. */
export interface OpenLogOptions {
  /** The log file; null: no decision log. */
  path: string | null;
  /**
   * Seal and write in a worker thread, so that the thread answering requests pays only a JSON.stringify per record:
   * worth it when a core is otherwise idle; when worker processes fill every core it only adds the hand-over.
   */
  inThread: boolean;
  /** In a cluster worker: the log that hands records to the primary, which writes the one chain. */
  forwarded?: ((onError: (err: Error) => void) => AuditLog) | undefined;
  onError: (err: Error) => void;
}

/**
 * Opens the decision log the options call for.
 * @throws AuditError `audit_log_unavailable` when the file cannot be opened.
 */
export async function openAuditLog(options: OpenLogOptions): Promise<AuditLog | null> {
  const { path, onError } = options;
  if (!path) return null;
  if (options.forwarded) return options.forwarded(onError);
  return options.inThread ? startDecisionLogThread({ path, onError }) : createDecisionLog({ path, onError });
}
