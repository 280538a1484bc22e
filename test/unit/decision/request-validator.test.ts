// The /decide validator skips counting the characters of short texts, yet accepts and rejects exactly what the
// schema does, with the same errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CustosError } from "../../../src/errors.js";
import { validateDecideRequest } from "../../../src/decision/request-validator.js";
import { decideRequestSchema, MAX_TEXT_LENGTH } from "../../../src/decision/request-schema.js";
import { compileValidator } from "../../../src/validation.js";

const bySchema = compileValidator(decideRequestSchema, "decision request");

function outcome(validate: (body: unknown) => unknown, body: unknown): unknown {
  try {
    validate(body);
    return "valid";
  } catch (err) {
    assert.ok(err instanceof CustosError);
    return { code: err.code, message: err.message, errors: err.errors };
  }
}

const base = { session: { id: "s-1" }, event: "prompt", identity: { id: "user:dana", type: "human" } };
const astral = "\u{1F600}";

test("same verdict and errors as the full schema, around the data.text limit", () => {
  const bodies: unknown[] = [
    { ...base, data: { text: "x".repeat(MAX_TEXT_LENGTH) } },
    { ...base, data: { text: "x".repeat(MAX_TEXT_LENGTH + 1) } },
    { ...base, data: { text: astral.repeat(MAX_TEXT_LENGTH / 2 + 1) } }, // length above the limit, code points below
    { ...base, data: { text: astral.repeat(MAX_TEXT_LENGTH) } }, // exactly the limit in code points
    { ...base, data: { text: astral.repeat(MAX_TEXT_LENGTH) + "x" } },
    { ...base, event: "nope", identity: { id: "", type: "robot" }, data: { text: "y".repeat(MAX_TEXT_LENGTH + 5), classification: "x" } },
    { ...base, event: "nope", data: { text: 42 } },
    { ...base, data: "text" },
    { ...base, data: null },
    null,
    "body",
    [],
  ];
  for (const [i, body] of bodies.entries()) assert.deepEqual(outcome(validateDecideRequest, body), outcome(bySchema, body), `body ${i}`);
});

test("an over-long data.text is a 400 naming the field", () => {
  const result = outcome(validateDecideRequest, { ...base, data: { text: "x".repeat(MAX_TEXT_LENGTH + 1) } }) as { code: string; errors: unknown };
  assert.equal(result.code, "invalid_request");
  assert.deepEqual(result.errors, [{ field: "data.text", message: `must NOT have more than ${MAX_TEXT_LENGTH} characters` }]);
});
