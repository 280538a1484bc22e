// The error catalogue: every code Custos reports (answers over HTTP, start-up failures, decision-log problems), what
// each means, and the error type that carries the HTTP and start-up codes. docs/errors.md lists the same codes (a
// test keeps them in step both ways); the HTTP status of each answer code lives in http/respond.ts alone.

/** Codes an HTTP answer carries as `{ code, message, errors? }`. */
export const HTTP_ERRORS = {
  invalid_request: "The body is JSON but breaks the request schema; `errors` names each field.",
  invalid_json: "The body is not well-formed JSON.",
  unauthorized: "A bearer token is required and was missing or wrong.",
  forbidden: "The operator is authenticated but lacks the role this route needs, or names someone else as the approver.",
  not_found: "No such route, or the feature behind it is disabled (e.g. admin without a token).",
  resource_not_found: "The route exists but the object it names (approval, …) does not.",
  method_not_allowed: "The route exists but not with this method.",
  conflict: "The object is not in a state that allows this (e.g. an approval already decided).",
  payload_too_large: "The body exceeds the size limit, or the work it asks for exceeds the per-request budget (findings in one request, content across a batch).",
  rate_limited: "This PEP exceeded its decision rate limit; `Retry-After` says when to retry.",
  unsupported_media_type: "The body is not `application/json`.",
  bundle_invalid: "A policy bundle or data file could not be loaded; the previous policy keeps serving.",
  internal_error: "An unexpected fault; the decision is a deny for the PEP (fail closed).",
  policy_error: "The policy failed to evaluate; fail closed.",
  state_unavailable: "The session state store cannot be reached; the body is a deny with STATE_UNAVAILABLE.",
  policy_unavailable: "No policy bundle is active.",
} as const;

/** Codes of a failed start (`custos: cannot start: <code>: …` on stderr, exit code 1). */
export const STARTUP_ERRORS = {
  config_invalid: "An environment variable, or a configuration file it names (issuers, operators), has a value Custos cannot use; `errors` names each variable or field.",
  tls_unusable: "A TLS certificate, key or CA file cannot be read or does not make a usable TLS context.",
  pep_tokens_invalid: "The PEP tokens file cannot be read or breaks its format.",
  verification_key_unreadable: "The bundle verification key file cannot be read.",
  unauthenticated_refused: "Decision routes would be unauthenticated on an address other than loopback.",
  listen_failed: "The server cannot listen on HOST and PORT.",
} as const;

/** Codes of the decision log and its verifier (reported in logs and by `npm run audit:verify`, never as answers). */
export const AUDIT_ERRORS = {
  audit_log_closed: "`append` after the decision log was closed.",
  audit_invalid_options: "An option of the decision log is out of range.",
  audit_log_unavailable: "The log file (or its folder) could not be opened or read when the log was created.",
  audit_write_failed: "Writing or syncing buffered records failed; they stay buffered and are retried.",
  audit_rotate_failed: "Renaming the full file aside failed; writing goes on in the current file.",
  audit_tail_corrupt: "The existing file ends in complete lines that are not chain records; the chain continues past them.",
  audit_record_unserializable: "A record could not be serialized (cycle, BigInt); a placeholder record took its place in the chain.",
  audit_file_unreadable: "A file handed to the verifier could not be read.",
} as const;

/** Every code and its meaning. */
export const ERROR_CATALOGUE = { ...HTTP_ERRORS, ...STARTUP_ERRORS, ...AUDIT_ERRORS } as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;
export type StartupErrorCode = keyof typeof STARTUP_ERRORS;
export type AuditErrorCode = keyof typeof AUDIT_ERRORS;
/** The codes a {@link CustosError} carries. */
export type ErrorCode = HttpErrorCode | StartupErrorCode;

/** One problem with one field of a request (or one variable of the configuration). */
export interface FieldError {
  /** Dotted path of the field, e.g. `identity.type`; `""` for the body itself. */
  field: string;
  message: string;
}

/** A domain error with a stable code; the HTTP layer turns it into `{ code, message, errors? }`. */
export class CustosError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; errors?: FieldError[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CustosError";
    this.code = code;
    this.errors = options?.errors;
  }
}

/** Converts anything thrown into a CustosError (unknown faults become `internal_error`, their text not exposed). */
export function toCustosError(err: unknown): CustosError {
  if (err instanceof CustosError) return err;
  if (err instanceof Error && (err as { code?: unknown }).code === "state_unavailable") {
    return new CustosError("state_unavailable", "session state store unavailable", { cause: err });
  }
  return new CustosError("internal_error", "internal error", { cause: err });
}

/** The JSON body of an error response. */
export function errorBody(err: CustosError): { code: ErrorCode; message: string; errors?: FieldError[] } {
  return err.errors ? { code: err.code, message: err.message, errors: err.errors } : { code: err.code, message: err.message };
}
