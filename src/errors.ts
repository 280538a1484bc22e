// The error catalogue: every domain error code, its HTTP status and meaning, and the error type that carries them.
// This is the one file that maps codes to statuses; docs/errors.md lists the same codes (a test keeps them in step).

/** Every error code Custos answers with, its HTTP status and what it means. */
export const ERROR_CATALOGUE = {
  invalid_request: { status: 400, meaning: "The body is JSON but breaks the request schema; `errors` names each field." },
  invalid_json: { status: 400, meaning: "The body is not well-formed JSON." },
  unauthorized: { status: 401, meaning: "A bearer token is required and was missing or wrong." },
  not_found: { status: 404, meaning: "No such route, or the feature behind it is disabled (e.g. admin without a token)." },
  resource_not_found: { status: 404, meaning: "The route exists but the object it names (approval, …) does not." },
  method_not_allowed: { status: 405, meaning: "The route exists but not with this method." },
  conflict: { status: 409, meaning: "The object is not in a state that allows this (e.g. an approval already decided)." },
  payload_too_large: { status: 413, meaning: "The body exceeds the size limit, or the work it asks for exceeds the per-request budget (findings in one request, content across a batch)." },
  rate_limited: { status: 429, meaning: "This PEP exceeded its decision rate limit; `Retry-After` says when to retry." },
  unsupported_media_type: { status: 415, meaning: "The body is not `application/json`." },
  bundle_invalid: { status: 422, meaning: "A policy bundle or data file could not be loaded; the previous policy keeps serving." },
  internal_error: { status: 500, meaning: "An unexpected fault; the decision is a deny for the PEP (fail closed)." },
  policy_error: { status: 500, meaning: "The policy failed to evaluate; fail closed." },
  state_unavailable: { status: 503, meaning: "The session state store cannot be reached; the body is a deny with STATE_UNAVAILABLE." },
  policy_unavailable: { status: 503, meaning: "No policy bundle is active." },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One problem with one field of a request. */
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

  /** The HTTP status for this error. */
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
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
