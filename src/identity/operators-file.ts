// Who may use the admin API (`CUSTOS_ADMIN_TOKENS_FILE`): named operators with roles and groups, bearer tokens kept
// as SHA-256 digests and compared in constant time, and the break-glass `CUSTOS_ADMIN_TOKEN` as operator `admin`.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { FieldError } from "../errors.js";
import { compileConfigSchema, configError, parseConfigJson } from "./config-validation.js";

const VARIABLE = "CUSTOS_ADMIN_TOKENS_FILE";

/**
 * What an operator may do: `approver` grants and denies approvals and resolves reviews; `responder` terminates,
 * resumes, revokes and raises signals; `policy_operator` reloads the bundle; `auditor` reads (every GET).
 */
export const ROLES = ["approver", "responder", "policy_operator", "auditor"] as const;

export type Role = (typeof ROLES)[number];

/** An authenticated operator: the actor of every admin action it takes. */
export interface Operator {
  id: string;
  roles: readonly Role[];
  /** Groups it belongs to (separation of duties also holds against them). */
  groups: readonly string[];
}

/** The id of the break-glass operator (reserved: the file may not use it). */
export const BREAK_GLASS_ID = "admin";

interface Entry {
  operator: Operator;
  digest: Buffer;
}

/** The operators of a file, ready for `createOperatorAuthenticator`. */
export interface OperatorSet {
  readonly entries: readonly Entry[];
}

const NAME = "^[A-Za-z0-9_.:@-]{1,128}$";

const checkShape = compileConfigSchema<{ operators: { id: string; token_sha256: string; roles: Role[]; groups?: string[] }[] }>(
  {
    type: "object",
    required: ["operators"],
    additionalProperties: false,
    properties: {
      operators: {
        type: "array",
        minItems: 1,
        maxItems: 1000,
        items: {
          type: "object",
          required: ["id", "token_sha256", "roles"],
          additionalProperties: false,
          properties: {
            id: { type: "string", pattern: NAME },
            token_sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
            roles: { type: "array", minItems: 1, uniqueItems: true, items: { enum: [...ROLES] } },
            groups: { type: "array", maxItems: 64, uniqueItems: true, items: { type: "string", pattern: NAME } },
          },
        },
      },
    },
  },
  VARIABLE,
);

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** Options of the operator file checks. */
export interface OperatorFileOptions {
  /** The break-glass token, refused as an operator's token. */
  breakGlassToken?: string | null;
  /** SHA-256 hex digests of the PEP tokens, refused as operators' tokens (admin and PEP credentials stay apart). */
  pepTokenDigests?: Iterable<string>;
}

/**
 * Validates the parsed content of an operators file: `{"operators": [{"id", "token_sha256", "roles", "groups"}]}`.
 * @throws CustosError `config_invalid` whose `errors` name each field (`operators[1].roles[0]`, …)
 */
export function parseOperators(value: unknown, path: string, options: OperatorFileOptions = {}): OperatorSet {
  const { operators } = checkShape(value, path);
  const problems: FieldError[] = [];
  const ids = new Set<string>();
  const digests = new Set<string>();
  const pep = new Set(options.pepTokenDigests ?? []);
  const breakGlass = options.breakGlassToken ? sha256(options.breakGlassToken).toString("hex") : null;
  const entries = operators.map((raw, i): Entry => {
    const at = `operators[${i}]`;
    if (raw.id === BREAK_GLASS_ID) problems.push({ field: `${at}.id`, message: `"${BREAK_GLASS_ID}" is reserved for CUSTOS_ADMIN_TOKEN` });
    else if (ids.has(raw.id)) problems.push({ field: `${at}.id`, message: "repeats an earlier operator" });
    ids.add(raw.id);
    if (digests.has(raw.token_sha256)) problems.push({ field: `${at}.token_sha256`, message: "repeats an earlier operator's token" });
    else if (raw.token_sha256 === breakGlass) problems.push({ field: `${at}.token_sha256`, message: "equals CUSTOS_ADMIN_TOKEN; keep them separate" });
    else if (pep.has(raw.token_sha256)) problems.push({ field: `${at}.token_sha256`, message: "equals a PEP token; keep them separate" });
    digests.add(raw.token_sha256);
    const operator = Object.freeze({ id: raw.id, roles: Object.freeze([...raw.roles]), groups: Object.freeze([...(raw.groups ?? [])]) });
    return { operator, digest: Buffer.from(raw.token_sha256, "hex") };
  });
  if (problems.length > 0) throw configError(VARIABLE, path, problems);
  return Object.freeze({ entries: Object.freeze(entries) });
}

/** Reads and validates `CUSTOS_ADMIN_TOKENS_FILE`. @throws CustosError `config_invalid` naming the file and field */
export async function loadOperatorsFile(path: string, options: OperatorFileOptions = {}): Promise<OperatorSet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw configError(VARIABLE, path, [{ field: "", message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})` }]);
  }
  return parseOperators(parseConfigJson(text, VARIABLE, path), path, options);
}

/** Finds the operator a bearer token belongs to, or null. */
export type AuthenticateOperator = (bearerToken: string | null | undefined) => Operator | null;

/** The break-glass operator: every role, no group. */
export const BREAK_GLASS_OPERATOR: Operator = Object.freeze({ id: BREAK_GLASS_ID, roles: Object.freeze([...ROLES]), groups: Object.freeze([]) });

/**
 * Builds the operator lookup. Every known digest is compared (constant time, no early exit), so the answer time
 * does not tell which entry, or whether any, came close. With neither operators nor a break-glass token, every
 * token is refused (the admin API is then disabled).
 */
export function createOperatorAuthenticator(options: { operators?: OperatorSet | null; breakGlassToken?: string | null }): AuthenticateOperator {
  const entries: Entry[] = [...(options.operators?.entries ?? [])];
  if (options.breakGlassToken) entries.push({ operator: BREAK_GLASS_OPERATOR, digest: sha256(options.breakGlassToken) });
  return (bearerToken) => {
    if (typeof bearerToken !== "string" || bearerToken.length === 0 || bearerToken.length > 4096) return null;
    const presented = sha256(bearerToken);
    let found: Operator | null = null;
    for (const entry of entries) {
      if (timingSafeEqual(presented, entry.digest) && !found) found = entry.operator;
    }
    return found;
  };
}

/** The bearer token of an `Authorization` header value, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  return /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "")?.[1] ?? null;
}

/** True when the operator holds the role. */
export function can(operator: Operator | null, role: Role): boolean {
  return operator !== null && operator.roles.includes(role);
}
