// Reads a JSON request body from node:http with the size limit and media-type checks, without Express's cost.
import type { IncomingMessage } from "node:http";
import { CustosError } from "../errors.js";

/** Largest body accepted on the decision routes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** True for `application/json` and `application/*+json` (any parameters, e.g. charset=utf-8). */
export function isJsonMediaType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Reads and parses the body.
 * @throws CustosError `unsupported_media_type`, `payload_too_large`, `invalid_json`
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const limit = MAX_BODY_BYTES;
  if (!isJsonMediaType(req.headers["content-type"])) {
    req.resume();
    throw new CustosError("unsupported_media_type", "request body must be application/json");
  }
  // Embedded behind a body parser (express.json() in the host app), the body is already read and parsed.
  const parsed = req as IncomingMessage & { _body?: boolean; body?: unknown };
  if (parsed.body !== undefined && (parsed._body === true || req.readableEnded)) return parsed.body;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new CustosError("payload_too_large", `request body exceeds ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new CustosError("payload_too_large", `request body exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const text = chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks, size).toString("utf8");
  if (text.trim() === "") throw new CustosError("invalid_json", "request body is empty");
  try {
    return JSON.parse(text);
  } catch {
    throw new CustosError("invalid_json", "request body is not valid JSON");
  }
}
