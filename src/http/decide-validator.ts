// Validates `POST /decide` bodies without counting the characters of every `data.text`.
//
// JSON Schema's maxLength counts code points, which ajv does with a JavaScript loop over the whole string
// (`ucs2length`): for the texts Custos inspects that loop was 2 % of a decision. A string never has more code points
// than UTF-16 units (`length`), so a text whose `length` is within the limit cannot break it: such bodies go to a
// validator compiled without that one maxLength, and only longer texts to the full schema, which then counts and
// reports exactly as before. The schema itself (the contract, docs/openapi) is unchanged.
import type { DecideRequest } from "../decision/request.js";
import { decideRequestSchema, MAX_TEXT_LENGTH } from "./schemas/decide-request.js";
import { compileValidator } from "./validation.js";

const { $id: _id, ...schema } = decideRequestSchema;
const { text: _text, ...dataProperties } = schema.properties.data.properties;
const withoutTextLimit = {
  ...schema,
  properties: {
    ...schema.properties,
    data: { ...schema.properties.data, properties: { ...dataProperties, text: { type: "string" } } },
  },
};

const validateFull = compileValidator<DecideRequest>(decideRequestSchema, "decision request");
const validateUnderLimit = compileValidator<DecideRequest>(withoutTextLimit, "decision request");

/**
 * Validates a parsed `POST /decide` body against {@link decideRequestSchema}: same result, same errors.
 * @throws CustosError `invalid_request` naming each field.
 */
export function validateDecideRequest(body: unknown): DecideRequest {
  const text = (body as { data?: { text?: unknown } } | null)?.data?.text;
  return typeof text === "string" && text.length > MAX_TEXT_LENGTH ? validateFull(body) : validateUnderLimit(body);
}
