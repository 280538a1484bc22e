// Bearer tokens: the one place a request's `Authorization: Bearer` header is read, and token checks in constant time (both
// sides hashed first, so length differences leak nothing).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { bearerToken as bearerOf } from "../identity/operators-file.js";

/** The `WWW-Authenticate` challenge of every `401` (RFC 6750), admin and PEP alike. */
export const BEARER_CHALLENGE = 'Bearer realm="custos"';

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** The token of `Authorization: Bearer <token>`, or null (the header is parsed where operators are: identity/). */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  return typeof header === "string" ? bearerOf(header) : null;
}

/** True when the request carries `Authorization: Bearer <token>` for this token. */
export function hasBearer(req: IncomingMessage, token: string | null): boolean {
  if (!token) return false;
  const sent = bearerToken(req);
  if (!sent) return false;
  return timingSafeEqual(digest(sent), digest(token));
}
