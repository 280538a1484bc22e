// Validates `POST /decide` bodies: the contract's schema, closed so that unknown fields are dropped (neither
// evaluated nor recorded: a field Custos does not inspect must never reach the policy or the decision log), and
// without counting the characters of every `data.text`.
//
// JSON Schema's maxLength counts code points, which ajv does with a JavaScript loop over the whole string
// (`ucs2length`): for the texts Custos inspects that loop was 2 % of a decision. A string never has more code points
// than UTF-16 units (`length`), so a text whose `length` is within the limit cannot break it: such bodies go to a
// validator compiled without that one maxLength, and only longer texts to the full schema, which then counts and
// reports exactly as before. The schema itself (the contract, docs/openapi) is unchanged. The contents of
// `data.messages` are bounded by their sum in UTF-16 units (which no single content's code points can exceed), checked
// here after the schema, so they are never counted one by one either.
import { CustosError } from "../errors.js";
import { compileValidator } from "../validation.js";
import type { DecideRequest } from "./request.js";
import { decideRequestSchema, MAX_MESSAGES_LENGTH, MAX_TEXT_LENGTH } from "./request-schema.js";

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
const { text: _text, messages, ...dataProperties } = schema.properties.data.properties;
const messagesWithoutLimit = {
  ...messages,
  items: { ...messages.items, properties: { ...messages.items.properties, content: { type: "string" } } },
};
const withoutTextLimit = {
  ...schema,
  properties: {
    ...schema.properties,
    data: { ...schema.properties.data, properties: { ...dataProperties, text: { type: "string" }, messages: messagesWithoutLimit } },
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
  const request = typeof text === "string" && text.length > MAX_TEXT_LENGTH ? validateFull(body) : validateUnderLimit(body);
  const messages = request.data?.messages;
  if (messages) {
    let total = 0;
    for (const m of messages) total += m.content.length;
    if (total > MAX_MESSAGES_LENGTH) {
      const message = `the contents of data.messages exceed ${MAX_MESSAGES_LENGTH} characters in total`;
      throw new CustosError("invalid_request", `invalid decision request: ${message}`, { errors: [{ field: "data.messages", message }] });
    }
  }
  return request;
}
