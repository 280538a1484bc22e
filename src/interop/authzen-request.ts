// The AuthZEN request model: typed entities, the evaluations request's default values merged into each item, and
// the evaluation semantics of a batch (OpenID AuthZEN Authorization API 1.0, Access Evaluations API).

/** A Subject or Resource. */
export interface Entity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}

/** An Action. */
export interface Action {
  name: string;
  properties?: Record<string, unknown>;
}

/** A validated Access Evaluation request (unknown fields may be present and are ignored). */
export interface EvaluationRequest {
  subject: Entity;
  action: Action;
  resource: Entity;
  context?: Record<string, unknown>;
}

/** One decision: `context` only when there is something to say. */
export interface EvaluationResponse {
  decision: boolean;
  context?: Record<string, unknown>;
}

export type EvaluationsSemantic = "execute_all" | "deny_on_first_deny" | "permit_on_first_permit";

/** An Access Evaluations request after its schema check (top-level values are partial defaults). */
export interface EvaluationsRequest {
  subject?: Partial<Entity>;
  action?: Partial<Action>;
  resource?: Partial<Entity>;
  context?: Record<string, unknown>;
  evaluations?: Record<string, unknown>[];
  options?: { evaluations_semantic?: EvaluationsSemantic };
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * An item's entity replaces the default entity as a whole, except that a required identifier the item leaves out
 * (`type`, `id`, `name`) falls back to the default's (the certification scenario's "entity-level replacement").
 * A value that is not an object is kept as is, so the item's schema check names it.
 */
function mergeEntity(fallback: unknown, own: unknown, keys: readonly string[]): unknown {
  if (own === undefined) return fallback;
  if (!isObject(own) || !isObject(fallback)) return own;
  const merged: Obj = { ...own };
  for (const k of keys) if (merged[k] === undefined && fallback[k] !== undefined) merged[k] = fallback[k];
  return merged;
}

/** The items of an evaluations request with the top-level defaults applied, in request order. */
export function mergedItems(request: EvaluationsRequest): Obj[] {
  return (request.evaluations ?? []).map((item) => {
    const merged: Obj = { ...item };
    const subject = mergeEntity(request.subject, item.subject, ["type", "id"]);
    const action = mergeEntity(request.action, item.action, ["name"]);
    const resource = mergeEntity(request.resource, item.resource, ["type", "id"]);
    const context = item.context === undefined ? request.context : item.context;
    if (subject !== undefined) merged.subject = subject;
    if (action !== undefined) merged.action = action;
    if (resource !== undefined) merged.resource = resource;
    if (context !== undefined) merged.context = context;
    return merged;
  });
}

/** True when `decision` ends the batch under `semantic` (the item that ends it is still answered). */
export function stopsBatch(semantic: EvaluationsSemantic, decision: boolean): boolean {
  return (semantic === "deny_on_first_deny" && !decision) || (semantic === "permit_on_first_permit" && decision);
}
