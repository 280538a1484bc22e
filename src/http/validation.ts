// Compiles request schemas once (ajv) and turns their errors into `invalid_request` errors that name each field.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import * as formatsModule from "ajv-formats";
import { CustosError, type FieldError } from "../errors.js";

// ajv-formats is CommonJS; under ESM its plugin is the default export.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
  formats?: string[],
) => Ajv;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv, ["date-time", "uri"]);

/** Dotted field name of an ajv error (`identity.type`, `session.id` for a missing property). */
function fieldOf(e: ErrorObject): string {
  const base = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  return base;
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === "required") return "is required";
  if (e.keyword === "enum") return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  return e.message ?? "is invalid";
}

/** Turns ajv errors into field errors, one per field. */
export function fieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    const field = fieldOf(e);
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, message: messageOf(e) });
  }
  return out;
}

/** A compiled validator that throws a CustosError `invalid_request` naming the fields. */
export function compileValidator<T>(schema: object, what: string): (value: unknown) => T {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown): T => {
    if (validate(value)) return value as T;
    const errors = fieldErrors(validate.errors);
    const first = errors[0];
    const summary = first ? `${first.field || "body"} ${first.message}` : "is invalid";
    throw new CustosError("invalid_request", `invalid ${what}: ${summary}`, { errors });
  };
}
