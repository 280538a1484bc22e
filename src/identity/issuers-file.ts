// The trusted token issuers (`CUSTOS_ISSUERS_FILE`): reads and validates the file once and hands out frozen configs.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { FieldError } from "../errors.js";
import { compileConfigSchema, configError, parseConfigJson } from "./config-validation.js";

const VARIABLE = "CUSTOS_ISSUERS_FILE";

/** Asymmetric JWS algorithms a token may be signed with. HMAC (`HS*`) and `none` are never accepted. */
export const SUPPORTED_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
] as const;

export type JwsAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Which claim carries each identity fact. */
export interface ClaimMapping {
  /** @default "sub" */
  id: string;
  /** A space-separated string or an array of strings. @default "scope" */
  scopes: string;
  /** @default "jti" */
  credentialId: string;
}

/** One trusted issuer, validated and frozen. */
export interface IssuerConfig {
  /** Exact `iss` value of its tokens. */
  issuer: string;
  /** A token must name at least one of these in `aud`. */
  audiences: readonly string[];
  algorithms: readonly JwsAlgorithm[];
  /** Where its public keys are: a JWKS file (absolute path) or an `https` (or loopback `http`) URL. */
  jwks: { file: string } | { uri: string };
  claims: ClaimMapping;
}

const claimName = { type: "string", pattern: "^[\\x21-\\x7e]{1,128}$" };
const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max });

const checkShape = compileConfigSchema<{ issuers: RawIssuer[] }>(
  {
    type: "object",
    required: ["issuers"],
    additionalProperties: false,
    properties: {
      issuers: {
        type: "array",
        minItems: 1,
        maxItems: 64,
        items: {
          type: "object",
          required: ["issuer", "audiences", "algorithms"],
          additionalProperties: false,
          properties: {
            issuer: text(512),
            audiences: { type: "array", minItems: 1, maxItems: 32, uniqueItems: true, items: text(512) },
            jwks_file: text(4096),
            jwks_uri: text(2048),
            algorithms: { type: "array", minItems: 1, maxItems: 16, uniqueItems: true, items: text(32) },
            claims: {
              type: "object",
              additionalProperties: false,
              properties: { id: claimName, scopes: claimName, credential_id: claimName },
            },
          },
        },
      },
    },
  },
  VARIABLE,
);

interface RawIssuer {
  issuer: string;
  audiences: string[];
  jwks_file?: string;
  jwks_uri?: string;
  algorithms: string[];
  claims?: { id?: string; scopes?: string; credential_id?: string };
}

const isLoopbackHost = (host: string) =>
  host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

function algorithmProblem(alg: string): string | null {
  if (/^HS\d+$/i.test(alg)) return `${alg} is refused: HMAC needs a shared secret, and beside a JWKS it would let a public key sign tokens`;
  if (alg.toLowerCase() === "none") return "none is refused: unsigned tokens never pass";
  if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) return `must be one of ${SUPPORTED_ALGORITHMS.join(", ")}`;
  return null;
}

function uriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not a URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return null;
  return "must be https (plain http only on a loopback host)";
}

/**
 * Validates the parsed content of an issuers file. `path` names the file in errors and anchors relative
 * `jwks_file` paths (relative to the issuers file's folder).
 * @throws CustosError `config_invalid` whose `errors` name each field (`issuers[0].algorithms[1]`, …).
 */
export function parseIssuers(value: unknown, path: string): readonly IssuerConfig[] {
  const { issuers } = checkShape(value, path);
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  const out = issuers.map((raw, i): IssuerConfig => {
    const at = `issuers[${i}]`;
    if (seen.has(raw.issuer)) problems.push({ field: `${at}.issuer`, message: "repeats an earlier issuer" });
    seen.add(raw.issuer);
    raw.algorithms.forEach((alg, j) => {
      const problem = algorithmProblem(alg);
      if (problem) problems.push({ field: `${at}.algorithms[${j}]`, message: problem });
    });
    if ((raw.jwks_file === undefined) === (raw.jwks_uri === undefined)) {
      problems.push({ field: `${at}.jwks_file`, message: "exactly one of jwks_file and jwks_uri is required" });
    }
    const uriIssue = raw.jwks_uri === undefined ? null : uriProblem(raw.jwks_uri);
    if (uriIssue) problems.push({ field: `${at}.jwks_uri`, message: uriIssue });
    const jwks = raw.jwks_uri !== undefined ? { uri: raw.jwks_uri } : { file: resolve(dirname(path), raw.jwks_file ?? "") };
    return Object.freeze({
      issuer: raw.issuer,
      audiences: Object.freeze([...raw.audiences]),
      algorithms: Object.freeze([...raw.algorithms] as JwsAlgorithm[]),
      jwks: Object.freeze(jwks),
      claims: Object.freeze({
        id: raw.claims?.id ?? "sub",
        scopes: raw.claims?.scopes ?? "scope",
        credentialId: raw.claims?.credential_id ?? "jti",
      }),
    });
  });
  if (problems.length > 0) throw configError(VARIABLE, path, problems);
  return Object.freeze(out);
}

/** Reads and validates `CUSTOS_ISSUERS_FILE`. @throws CustosError `config_invalid` naming the file and field. */
export async function loadIssuersFile(path: string): Promise<readonly IssuerConfig[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw configError(VARIABLE, path, [{ field: "", message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})` }]);
  }
  return parseIssuers(parseConfigJson(text, VARIABLE, path), path);
}
