// Validates `POST /decide` bodies: the contract's schema, closed so that unknown fields are dropped (neither
// evaluated nor recorded: a field Custos does not inspect must never reach the policy or the decision log), and
// without counting the characters of every `data.text`.
//
// JSON Schema's maxLength counts code points, which ajv does with a JavaScript loop over the whole string
// (`ucs2length`): for the texts Custos inspects that loop was 2 % of a decision. A string never has more code points
// than UTF-16 units (`length`), so a text whose `length` is within the limit cannot break it: such bodies go to a
// validator compiled without that one maxLength, and only longer texts to the full schema, which then counts and
// reports exactly as before. The schema itself (the contract, docs/openapi) is unchanged.
import { compileValidator } from "../validation.js";
import type { DecideRequest } from "./request.js";
import { decideRequestSchema, MAX_TEXT_LENGTH } from "./request-schema.js";

/**
 * `schema` with `additionalProperties: false` on every object schema that lists `properties`: free-form objects
 * (`tool.arguments`, which lists none) stay open, everything the contract names is kept, the rest is stripped.
 */
export function closeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeSchema(s)])) : closeSchema(v);
  }
  if (out.properties && out.type === "object" && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const { $id: _id, ...schema } = decideRequestSchema;
const { text: _text, ...dataProperties } = schema.properties.data.properties;
const withoutTextLimit = {
  ...schema,
  properties: {
    ...schema.properties,
    data: { ...schema.properties.data, properties: { ...dataProperties, text: { type: "string" } } },
  },
};

const validateFull = compileValidator<DecideRequest>(closeSchema(decideRequestSchema) as object, "decision request", { strip: true });
const validateUnderLimit = compileValidator<DecideRequest>(closeSchema(withoutTextLimit) as object, "decision request", { strip: true });

/**
 * Validates a parsed `POST /decide` body against {@link decideRequestSchema} and removes the fields it does not
 * name (in place). Same result, same errors as the schema alone.
 * @throws CustosError `invalid_request` naming each field.
 */
export function validateDecideRequest(body: unknown): DecideRequest {
  const text = (body as { data?: { text?: unknown } } | null)?.data?.text;
  return typeof text === "string" && text.length > MAX_TEXT_LENGTH ? validateFull(body) : validateUnderLimit(body);
}
