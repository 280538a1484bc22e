// Digests over canonical JSON, for approval bindings.
import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";

/** SHA-256 hex of the canonical JSON of `value` (object keys sorted at every level). */
export function digestOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value) ?? "null").digest("hex");
}
