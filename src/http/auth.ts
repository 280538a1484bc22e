// Bearer-token checks in constant time (both sides hashed first, so length differences leak nothing).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The `WWW-Authenticate` challenge of every `401` (RFC 6750), admin and PEP alike. */
export const BEARER_CHALLENGE = 'Bearer realm="custos"';

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** True when the request carries `Authorization: Bearer <token>` for this token. */
export function hasBearer(req: IncomingMessage, token: string | null): boolean {
  if (!token) return false;
  const header = req.headers.authorization;
  if (typeof header !== "string") return false;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return false;
  return timingSafeEqual(digest(m[1]), digest(token));
}
