// Bearer tokens: the one place the `Authorization: Bearer` header is read, and token checks in constant time (both
// sides hashed first, so length differences leak nothing).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The `WWW-Authenticate` challenge of every `401` (RFC 6750), admin and PEP alike. */
export const BEARER_CHALLENGE = 'Bearer realm="custos"';

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== "string") return null;
  return /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}

/** True when the request carries `Authorization: Bearer <token>` for this token. */
export function hasBearer(req: IncomingMessage, token: string | null): boolean {
  if (!token) return false;
  const sent = bearerToken(req);
  if (!sent) return false;
  return timingSafeEqual(digest(sent), digest(token));
}
