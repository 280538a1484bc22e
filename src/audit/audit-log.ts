// The one interface every decision log implements (in-process, in a worker thread, forwarded to a cluster
// primary), and the one fallback for a record that cannot be serialized.
import { AuditError } from "./audit-error.js";

/** A decision log: records are appended cheaply and synchronously, and written to the chain off the hot path. */
export interface AuditLog {
  /**
   * Queues `record` as the next entry of the chain. A record that cannot be serialized (cycle, BigInt) is replaced
   * by {@link unserializableRecord} and reported through the log's `onError`.
   * @throws AuditError `audit_log_closed` after `close()`.
   */
  append(record: Record<string, unknown>): unknown;
  /** Resolves once every record appended before the call is written and fdatasynced; rejects if writing failed. */
  flush(): Promise<void>;
  /** Flushes, then closes; `append` throws afterwards. Idempotent. */
  close(): Promise<void>;
}

/** The record that takes the place of one that could not be serialized: the error and the time, nothing of it. */
export function unserializableRecord(err: unknown): Record<string, unknown> {
  return { type: "unserializable", error: (err as Error)?.message ?? String(err), time: new Date().toISOString() };
}

/** The error reported for such a record. */
export function unserializableError(err: unknown): AuditError {
  return new AuditError("audit_record_unserializable", `a record could not be serialized: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/**
 * `record` as JSON text for a log that chains it elsewhere (a worker thread, the cluster primary): a record that
 * cannot be serialized, or is not a JSON object, becomes {@link unserializableRecord} and is reported.
 */
export function recordText(record: Record<string, unknown>, report: (err: Error) => void): string {
  try {
    const text = JSON.stringify(record);
    if (text?.charCodeAt(0) !== 0x7b) throw new TypeError("the record is not a JSON object");
    return text;
  } catch (err) {
    report(unserializableError(err));
    return JSON.stringify(unserializableRecord(err));
  }
}

/** Calls `onError`, never letting a throwing handler take the log down with it. */
export function safeReporter(onError: ((err: Error) => void) | undefined): (err: Error) => void {
  return (err) => {
    try {
      onError?.(err);
    } catch {
      // A throwing error handler must not take the log down with it.
    }
  };
}
