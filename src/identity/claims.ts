// From a verified claims set to identity facts (id, scopes, credential, the RFC 8693 delegation chain), and the
// comparison of what a PEP asserts with those facts.
import type { ClaimMapping } from "./issuers-file.js";

/** One delegator of the verified chain. */
export interface ChainLink {
  id: string;
  /** The `iss` of its `act` entry when it names one (RFC 8693 §4.1 allows it). */
  issuer?: string;
}

/** The identity facts a verified token establishes. */
export interface VerifiedIdentity {
  /** The acting identity: the current actor (outermost `act`) of a delegated token, else the `id` claim. */
  id: string;
  /** The token's scopes; null when it carries no scope claim at all (then the registered scopes apply). */
  scopes: readonly string[] | null;
  credential_id: string | null;
  /** `iat` and `exp` in seconds since the epoch (`exp` is required, `iat` optional). */
  issued_at: number | null;
  expires_at: number;
  issuer: string;
  /** The delegation chain outermost first, as `identity.on_behalf_of` lists it. Empty for a direct token. */
  chain: readonly ChainLink[];
  /** SHA-256 (hex) of the compact token: what may be logged or recorded instead of the token. */
  token_digest: string;
}

/** Deepest `act` nesting followed (the request schema allows 16 delegators). */
export const MAX_CHAIN = 16;
const MAX_ID = 512;
const MAX_SCOPES = 256;

const isId = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= MAX_ID;

/**
 * Scopes from a space-separated string (RFC 8693 `scope`) or an array of strings (`scp`, `permissions`); null when
 * the claim is absent, "bad" when it has the wrong shape.
 */
function scopesOf(value: unknown): string[] | null | "bad" {
  if (value === undefined) return null;
  const list = typeof value === "string" ? value.split(/[ ]+/).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length > MAX_SCOPES) return "bad";
  if (!list.every((s) => typeof s === "string" && s.length > 0 && s.length <= 256 && !/\s/.test(s))) return "bad";
  return [...new Set(list as string[])];
}

/**
 * The actors of a nested RFC 8693 `act` claim, outermost (the current actor) first, or a problem.
 * RFC 8693 §4.1: "the outermost act claim represents the current actor while nested act claims represent prior
 * actors. The least recent actor is the most deeply nested."
 */
function actorsOf(act: unknown): ChainLink[] | string {
  const actors: ChainLink[] = [];
  let node = act;
  while (node !== undefined) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return "act must be an object";
    if (actors.length >= MAX_CHAIN) return `act is nested deeper than ${MAX_CHAIN}`;
    const { sub, iss } = node as { sub?: unknown; iss?: unknown };
    if (!isId(sub)) return "every act needs a sub";
    if (iss !== undefined && typeof iss !== "string") return "act iss must be a string";
    actors.push(iss === undefined ? { id: sub } : { id: sub, issuer: iss });
    node = (node as { act?: unknown }).act;
  }
  return actors;
}

/**
 * Maps a verified claims set to identity facts. With an `act` claim the token's subject is the principal on whose
 * behalf the actors act: the acting identity is the current actor, and the chain is the subject, then the prior
 * actors from the least recent. Returns a problem (safe to show: names claims, never values) instead when a mapped
 * claim has the wrong type.
 */
export function identityFromClaims(
  claims: Record<string, unknown>,
  mapping: ClaimMapping,
  issuer: string,
  tokenDigest: string,
): VerifiedIdentity | string {
  const subject = claims[mapping.id];
  if (!isId(subject)) return `claim ${mapping.id} must be a non-empty string`;
  const scopes = scopesOf(claims[mapping.scopes]);
  if (scopes === "bad") return `claim ${mapping.scopes} must be a space-separated string or an array of strings`;
  const jti = claims[mapping.credentialId];
  if (jti !== undefined && !isId(jti)) return `claim ${mapping.credentialId} must be a non-empty string`;
  const { exp, iat } = claims;
  if (typeof exp !== "number") return "claim exp is required";
  if (iat !== undefined && typeof iat !== "number") return "claim iat must be a number";
  if (typeof iat === "number" && exp <= iat) return "the token expires before it was issued";
  const actors = claims.act === undefined ? [] : actorsOf(claims.act);
  if (typeof actors === "string") return actors;
  const [current, ...prior] = actors;
  return {
    id: current ? current.id : subject,
    scopes,
    credential_id: (jti as string | undefined) ?? null,
    issued_at: typeof iat === "number" ? iat : null,
    expires_at: exp,
    issuer,
    chain: current ? [{ id: subject }, ...prior.reverse()] : [],
    token_digest: tokenDigest,
  };
}

/** What a PEP asserted about the identity (the request's `identity`, fields optional). */
export interface AssertedIdentity {
  id?: string;
  scopes?: readonly string[];
  credential?: { id?: string; issued_at?: string; expires_at?: string };
  on_behalf_of?: readonly { id: string }[];
}

/** One asserted field that contradicts the verified token. Messages name the field, never a value. */
export interface Contradiction {
  field: string;
  message: string;
}

/** Seconds of an RFC 3339 time, or NaN. */
const secondsOf = (time: string) => Math.floor(Date.parse(time) / 1000);

/**
 * Lists the asserted facts that contradict the verified ones (`IDENTITY_MISMATCH` when not empty). Omitted fields
 * contradict nothing; asserted scopes that are a subset of the token's narrow it and are no contradiction (a token
 * without a scope claim leaves the asserted scopes to narrow the registered ones, as without a token); times
 * are compared to the second; an asserted chain must be the verified one (same ids, same order).
 */
export function contradictions(asserted: AssertedIdentity, verified: VerifiedIdentity): Contradiction[] {
  const out: Contradiction[] = [];
  if (asserted.id !== undefined && asserted.id !== verified.id) {
    out.push({ field: "identity.id", message: "differs from the verified token's identity" });
  }
  const held = verified.scopes;
  if (asserted.scopes !== undefined && held !== null && !asserted.scopes.every((s) => held.includes(s))) {
    out.push({ field: "identity.scopes", message: "names a scope the verified token does not carry" });
  }
  const credential = asserted.credential;
  if (credential?.id !== undefined && credential.id !== verified.credential_id) {
    out.push({ field: "identity.credential.id", message: "differs from the verified token's credential id" });
  }
  if (credential?.issued_at !== undefined && secondsOf(credential.issued_at) !== verified.issued_at) {
    out.push({ field: "identity.credential.issued_at", message: "differs from the verified token's issue time" });
  }
  if (credential?.expires_at !== undefined && secondsOf(credential.expires_at) !== verified.expires_at) {
    out.push({ field: "identity.credential.expires_at", message: "differs from the verified token's expiry" });
  }
  const chain = asserted.on_behalf_of;
  if (
    chain !== undefined &&
    (chain.length !== verified.chain.length || chain.some((link, i) => link.id !== verified.chain[i]?.id))
  ) {
    out.push({ field: "identity.on_behalf_of", message: "differs from the verified token's delegation chain" });
  }
  return out;
}
