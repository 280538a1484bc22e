// Schema validation for the identity configuration files (issuers, operators): one ajv instance, and errors that name
// the file, the variable and each field.
import { Ajv, type ErrorObject } from "ajv";
import { CustosError, type FieldError } from "../errors.js";

const ajv = new Ajv({ allErrors: true, strict: true });

function fieldOf(e: ErrorObject): string {
  const base = e.instancePath
    .split("/")
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, "/").replace(/~0/g, "~")}`))
    .join("")
    .replace(/^\./, "");
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return base ? `${base}.${extra}` : extra;
  }
  return base;
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === "required") return "is required";
  if (e.keyword === "additionalProperties") return "is not a known field";
  if (e.keyword === "enum") return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  return e.message ?? "is invalid";
}

/** A configuration-file problem: `config_invalid` naming the variable, the file and the fields. */
export function configError(variable: string, path: string, errors: FieldError[]): CustosError {
  const first = errors[0];
  const summary = first ? `${first.field || "the file"} ${first.message}` : "is invalid";
  return new CustosError("config_invalid", `${variable} ${path}: ${summary}`, { errors });
}

/** Compiles a schema once; the returned check throws `configError` naming every failing field (one entry each). */
export function compileConfigSchema<T>(schema: object, variable: string): (value: unknown, path: string) => T {
  const validate = ajv.compile(schema);
  return (value, path) => {
    if (validate(value)) return value as T;
    const seen = new Set<string>();
    const errors: FieldError[] = [];
    for (const e of validate.errors ?? []) {
      const field = fieldOf(e);
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({ field, message: messageOf(e) });
    }
    throw configError(variable, path, errors);
  };
}

/** Parses a configuration file's text as JSON. @throws `configError` */
export function parseConfigJson(text: string, variable: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw configError(variable, path, [{ field: "", message: "is not valid JSON" }]);
  }
}
