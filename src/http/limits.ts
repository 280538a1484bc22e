// Structural limits the JSON Schema cannot express: nesting depth and node count of free-form values such as
// `tool.arguments`, and well-formed Unicode in every string and key, so hostile input is a 400 naming the field and
// never a fault deeper in the pipeline (a lone UTF-16 surrogate cannot be encoded for the policy engine or a log).
import { fieldSegment } from "../decision/content-strings.js";
import { CustosError } from "../errors.js";

/** Deepest nesting accepted anywhere in a request body. @default 32 */
export const MAX_DEPTH = 32;
/** Most values (objects, arrays, scalars) accepted in one request body. @default 20000 */
export const MAX_NODES = 20_000;

/**
 * Most characters (strings and keys, counted per item) one batch may hand to content inspection: a batch counts as
 * its items, and defaults shared by every item count once for each. One body's worth. @default 1048576
 */
export const MAX_BATCH_CONTENT_CHARS = 1024 * 1024;

/** `String.prototype.isWellFormed` (Node >= 20; not in the ES2022 lib this project compiles against). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

function invalid(field: string, message: string, summary: string): CustosError {
  return new CustosError("invalid_request", summary, { errors: [{ field, message }] });
}

/** @throws CustosError `invalid_request` naming the field where a limit is crossed or a string is not well-formed. */
export function checkStructure(value: unknown): void {
  const maxDepth = MAX_DEPTH;
  const maxNodes = MAX_NODES;
  // Iterative, so the check itself cannot overflow the stack.
  const stack: [unknown, number, string][] = [[value, 0, ""]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop() as [unknown, number, string];
    if (++nodes > maxNodes) throw invalid(path, `more than ${maxNodes} values in the request`, `request has more than ${maxNodes} values`);
    if (typeof v === "string") {
      if (!isWellFormed(v)) throw invalid(path, "is not well-formed Unicode (lone surrogate)", `${path || "body"} is not well-formed Unicode`);
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= maxDepth) throw invalid(path, `nested deeper than ${maxDepth} levels`, `${path || "body"} is nested deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, path ? `${path}.${i}` : String(i)]);
      continue;
    }
    let i = 0;
    for (const [k, x] of Object.entries(v)) {
      // Keys are named as the inspector names them (a key that may be content is `#<index>`); a malformed key is
      // reported on its parent.
      if (!isWellFormed(k)) throw invalid(path, "has a key that is not well-formed Unicode (lone surrogate)", `${path || "body"} has a malformed key`);
      const seg = fieldSegment(k, i++);
      const field = path ? `${path}.${seg}` : seg;
      stack.push([x, depth + 1, field]);
    }
  }
}

/**
 * Characters of every string and key in `values`, counted until `limit` is passed (then `limit + 1`): the work an
 * input can cause for content inspection, without materializing it. Shared subtrees count once per reference, as
 * each reference is inspected on its own.
 */
export function stringChars(values: readonly unknown[], limit: number): number {
  let total = 0;
  const stack: unknown[] = [...values];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") total += v.length;
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        total += k.length;
        stack.push(x);
      }
    }
    if (total > limit) return limit + 1;
  }
  return total;
}
