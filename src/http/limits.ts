// Structural limits the JSON Schema cannot express: nesting depth and node count of free-form values such as
// `tool.arguments`, so hostile input is a 400 and never a stack overflow deeper in the pipeline.
import { CustosError } from "../errors.js";

/** Deepest nesting accepted anywhere in a request body. @default 32 */
export const MAX_DEPTH = 32;
/** Most values (objects, arrays, scalars) accepted in one request body. @default 20000 */
export const MAX_NODES = 20_000;

/** @throws CustosError `invalid_request` naming the field where a limit is crossed. */
export function checkStructure(value: unknown, maxDepth = MAX_DEPTH, maxNodes = MAX_NODES): void {
  // Iterative, so the check itself cannot overflow the stack.
  const stack: [unknown, number, string][] = [[value, 0, ""]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop() as [unknown, number, string];
    if (++nodes > maxNodes) {
      throw new CustosError("invalid_request", `request has more than ${maxNodes} values`, {
        errors: [{ field: path, message: `more than ${maxNodes} values in the request` }],
      });
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= maxDepth) {
      throw new CustosError("invalid_request", `${path || "body"} is nested deeper than ${maxDepth} levels`, {
        errors: [{ field: path, message: `nested deeper than ${maxDepth} levels` }],
      });
    }
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, depth + 1, path ? `${path}.${i}` : String(i)]));
    else for (const [k, x] of Object.entries(v)) stack.push([x, depth + 1, path ? `${path}.${k}` : k]);
  }
}
