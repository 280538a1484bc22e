// Compiles JSON Schemas once (ajv: requests, the configuration) and turns their errors into errors naming each field.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import * as formatsModule from "ajv-formats";
import { CustosError, type FieldError } from "./errors.js";

// ajv-formats is CommonJS; under ESM its plugin is the default export.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
  formats?: string[],
) => Ajv;

/**
 * RFC 3339 date-time that this service can also read as an instant: ajv-formats accepts a leap second
 * (`23:59:60`) that `Date.parse` cannot, and a time Custos cannot read must not pass as "no time" (an expiry
 * that silently disappears would revive an expired credential).
 */
function isInstant(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetOk && Number.isFinite(Date.parse(value));
}

function createAjv(removeAdditional: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, removeAdditional });
  addFormats(ajv, ["date-time", "uri"]);
  ajv.addFormat("date-time", { type: "string", validate: isInstant });
  return ajv;
}

const keeping = createAjv(false);
/** Drops the properties a schema marks `additionalProperties: false` instead of failing on them. */
const stripping = createAjv(true);

/** Compiles `schema` as it is (no stripping), for a caller that reads ajv's errors itself (the configuration). */
export function compileSchema(schema: object): ValidateFunction {
  return keeping.compile(schema);
}

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
  if (e.keyword === "format" && (e.params as { format?: string }).format === "date-time") return "must be an RFC 3339 date-time";
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

/**
 * A compiled validator that throws a CustosError `invalid_request` naming the fields. With `strip`, properties that
 * the schema closes with `additionalProperties: false` are removed from the value (it is changed in place).
 */
export function compileValidator<T>(schema: object, what: string, options: { strip?: boolean } = {}): (value: unknown) => T {
  const validate: ValidateFunction = (options.strip ? stripping : keeping).compile(schema);
  return (value: unknown): T => {
    if (validate(value)) return value as T;
    const errors = fieldErrors(validate.errors);
    const first = errors[0];
    const summary = first ? `${first.field || "body"} ${first.message}` : "is invalid";
    throw new CustosError("invalid_request", `invalid ${what}: ${summary}`, { errors });
  };
}
