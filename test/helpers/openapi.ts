// Validates real responses against docs/openapi.yaml (OpenAPI 3.1 = JSON Schema 2020-12 for bodies).
import { readFileSync } from "node:fs";
import * as Ajv2020Module from "ajv/dist/2020.js";
import * as formatsModule from "ajv-formats";
import { parse } from "yaml";

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as unknown as new (o: object) => {
  addSchema(s: object, key: string): void;
  compile(s: object): ((v: unknown) => boolean) & { errors?: unknown };
};
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (a: unknown) => void;

const doc = parse(readFileSync("docs/openapi.yaml", "utf8")) as Record<string, any>;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi");

const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** The OpenAPI path template matching a concrete path (`/admin/sessions/s-1` → `/admin/sessions/{id}`). */
export function templateOf(path: string): string | null {
  const parts = (path.split("?")[0] ?? path).split("/");
  for (const template of Object.keys(doc.paths)) {
    const t = template.split("/");
    if (t.length === parts.length && t.every((seg, i) => (/^\{.+\}$/.test(seg) ? parts[i] !== "" : seg === parts[i]))) return template;
  }
  return null;
}

/** Throws unless `body` is a documented response of `method path` with `status`. */
export function assertConforms(method: string, path: string, status: number, body: unknown, contentType = "application/json"): void {
  const template = templateOf(path);
  if (!template) throw new Error(`${path} is not in docs/openapi.yaml`);
  const op = doc.paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${template} is not in docs/openapi.yaml`);
  let response = op.responses?.[String(status)];
  if (!response) throw new Error(`${method} ${template} does not document status ${status}`);
  let pointer = `openapi#/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}`;
  if (response.$ref) {
    pointer = `openapi${response.$ref}`;
    response = doc.components.responses[(response.$ref as string).split("/").pop() as string];
  }
  if (!response.content?.[contentType]) throw new Error(`${method} ${template} ${status} does not document ${contentType}`);
  const validate = ajv.compile({ $ref: `${pointer}/content/${escape(contentType)}/schema` });
  if (!validate(body)) {
    throw new Error(`${method} ${path} ${status} does not match docs/openapi.yaml: ${JSON.stringify(validate.errors)}`);
  }
}

/**
 * Lints docs/openapi.yaml with Redocly's `recommended` ruleset (programmatically, through @redocly/openapi-core, the
 * engine of `@redocly/cli lint`) and returns every problem, warnings included, as `severity rule pointer: message`.
 * `operation-4xx-response` is off: health, readiness, metrics and the AuthZEN metadata have no client error to report.
 */
export async function lintOpenApi(): Promise<string[]> {
  const { createConfig, lint } = await import("@redocly/openapi-core");
  const config = await createConfig({ extends: ["recommended"], rules: { "operation-4xx-response": "off" } });
  const problems = await lint({ ref: "docs/openapi.yaml", config });
  return problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`);
}

/** The documented response object of `method path status` (a `$ref` resolved). */
export function documentedResponse(method: string, template: string, status: number): Record<string, any> | undefined {
  const response = doc.paths[template]?.[method.toLowerCase()]?.responses?.[String(status)];
  if (!response?.$ref) return response;
  return doc.components.responses[(response.$ref as string).split("/").pop() as string];
}

/** Every `[method, template, operation]` of the document. */
export function operations(): [string, string, Record<string, any>][] {
  const out: [string, string, Record<string, any>][] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) if (item[method]) out.push([method, template, item[method]]);
  }
  return out;
}
