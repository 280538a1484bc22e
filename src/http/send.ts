// Writes JSON responses and error bodies on a plain node:http response (Express's res is one too).
import type { ServerResponse } from "node:http";
import { errorBody, toCustosError } from "../errors.js";
import { BEARER_CHALLENGE } from "./auth.js";

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends any thrown value as `{ code, message, errors? }` with the catalogue's status; a `401` with its challenge. */
export function sendError(res: ServerResponse, err: unknown): void {
  const e = toCustosError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, errorBody(e), e.status === 401 ? { "www-authenticate": BEARER_CHALLENGE } : {});
}
