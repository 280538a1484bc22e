// The error the decision log and its verifier raise; its codes are in the one catalogue (errors.ts).
import type { AuditErrorCode } from "../errors.js";

export type { AuditErrorCode };

/** A decision log or verification failure with a stable code. */
export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AuditError";
    this.code = code;
  }
}
