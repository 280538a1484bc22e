// The errors the decision log and its verifier raise, each with a stable snake_case code.

/** The codes an {@link AuditError} carries. */
export type AuditErrorCode =
  /** `append` after `close()`. */
  | "audit_log_closed"
  /** An option of the decision log is out of range. */
  | "audit_invalid_options"
  /** The log file (or its folder) could not be opened or read when the log was created. */
  | "audit_log_unavailable"
  /** Writing or syncing buffered records failed; they stay buffered and are retried. */
  | "audit_write_failed"
  /** Renaming the full file aside failed; writing goes on in the current file. */
  | "audit_rotate_failed"
  /** The existing file ends in complete lines that are not chain records; the chain continues past them. */
  | "audit_tail_corrupt"
  /** A record could not be serialized (cycle, BigInt); a placeholder record took its place in the chain. */
  | "audit_record_unserializable"
  /** A file handed to the verifier could not be read. */
  | "audit_file_unreadable";

/** A decision log or verification failure with a stable code. */
export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AuditError";
    this.code = code;
  }
}
