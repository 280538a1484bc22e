// JSON Schemas of the OpenID AuthZEN Authorization API 1.0 requests (evaluation, evaluations, search). Unknown
// fields are allowed and ignored, as the specification requires; only the fields it makes REQUIRED are required.

const text = { type: "string", minLength: 1, maxLength: 1024 } as const;
const properties = { type: "object" } as const;

/** A Subject or Resource: `type` and `id` strings, optional `properties`. */
const entity = (required: readonly string[]) =>
  ({ type: "object", required, properties: { type: text, id: text, properties } }) as const;
/** An Action: `name` string, optional `properties`. */
const action = (required: readonly string[]) => ({ type: "object", required, properties: { name: text, properties } }) as const;

/** `POST /access/v1/evaluation`, and each item of an evaluations request once the defaults are applied. */
export const evaluationRequestSchema = {
  $id: "https://custos.dev/schemas/authzen-evaluation-request.json",
  type: "object",
  required: ["subject", "action", "resource"],
  properties: {
    subject: entity(["type", "id"]),
    action: action(["name"]),
    resource: entity(["type", "id"]),
    context: { type: "object" },
  },
} as const;

/** Most items accepted in one evaluations request. */
export const MAX_EVALUATIONS = 256;

/**
 * `POST /access/v1/evaluations`: top-level values are defaults, so nothing is required at this level; each item is
 * checked against the evaluation schema after the defaults are merged in (an invalid item is a `false` decision
 * with an error context, not a 400).
 */
export const evaluationsRequestSchema = {
  $id: "https://custos.dev/schemas/authzen-evaluations-request.json",
  type: "object",
  properties: {
    subject: entity([]),
    action: action([]),
    resource: entity([]),
    context: { type: "object" },
    evaluations: { type: "array", maxItems: MAX_EVALUATIONS, items: { type: "object" } },
    options: {
      type: "object",
      properties: { evaluations_semantic: { enum: ["execute_all", "deny_on_first_deny", "permit_on_first_permit"] } },
    },
  },
} as const;

const page = {
  type: "object",
  properties: { token: { type: "string", maxLength: 1024 }, limit: { type: "integer", minimum: 1, maximum: 1000 } },
} as const;

/** The search requests: which entity is searched decides which identifiers may be omitted. */
export const searchRequestSchemas = {
  subject: {
    $id: "https://custos.dev/schemas/authzen-search-subject-request.json",
    type: "object",
    required: ["subject", "action", "resource"],
    properties: { subject: entity(["type"]), action: action(["name"]), resource: entity(["type", "id"]), context: { type: "object" }, page },
  },
  resource: {
    $id: "https://custos.dev/schemas/authzen-search-resource-request.json",
    type: "object",
    required: ["subject", "action", "resource"],
    properties: { subject: entity(["type", "id"]), action: action(["name"]), resource: entity(["type"]), context: { type: "object" }, page },
  },
  action: {
    $id: "https://custos.dev/schemas/authzen-search-action-request.json",
    type: "object",
    required: ["subject", "resource"],
    properties: { subject: entity(["type", "id"]), resource: entity(["type", "id"]), context: { type: "object" }, page },
  },
} as const;
