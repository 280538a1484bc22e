// The one file that maps to HTTP statuses (error codes and decision outcomes) and writes JSON answers and
// `{ code, message, errors? }` error bodies on a plain node:http response (Express's res is one too).
import type { ServerResponse } from "node:http";
import type { DecisionOutcomeTag, RecordOutcome } from "../decision/vocabulary.js";
import { errorBody, toCustosError, type ErrorCode, type HttpErrorCode } from "../errors.js";
import { BEARER_CHALLENGE } from "./auth.js";

/** The status of each answer code. */
export const ERROR_STATUS: Readonly<Record<HttpErrorCode, number>> = Object.freeze({
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  resource_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unsupported_media_type: 415,
  bundle_invalid: 422,
  internal_error: 500,
  policy_error: 500,
  state_unavailable: 503,
  policy_unavailable: 503,
});

/** The status of a code; a code that is not an answer code (a start-up code) is an internal fault. */
export function statusOf(code: ErrorCode): number {
  return (ERROR_STATUS as Record<string, number>)[code] ?? 500;
}

/** The status of a decision: a deny because the state store is down is a 503 (the body still decides). */
export const OUTCOME_STATUS: Readonly<Record<DecisionOutcomeTag, number>> = Object.freeze({ decided: 200, state_unavailable: 503 });

/** The status the decision log records for an answer (a failed direct evaluation is a 500). */
export function recordStatus(outcome: RecordOutcome): number {
  return outcome === "failed" ? 500 : OUTCOME_STATUS[outcome];
}

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends any thrown value as `{ code, message, errors? }` with its code's status; a `401` with its challenge. */
export function sendError(res: ServerResponse, err: unknown): void {
  const e = toCustosError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = statusOf(e.code);
  sendJson(res, status, errorBody(e), status === 401 ? { "www-authenticate": BEARER_CHALLENGE } : {});
}
