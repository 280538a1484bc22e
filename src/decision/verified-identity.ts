// Verified identity on the decision's side: the port to the token verifier, and the request as the policy sees it
// once a presented token is checked (its claims *are* the identity id, scopes, credential and chain) together with the
// verification outcome (`input.verified`), which the policy turns into CREDENTIAL_INVALID, IDENTITY_MISMATCH and
// CREDENTIAL_REQUIRED. The token itself never goes further than this file: only its digest does.
import { createHash } from "node:crypto";
import type { AssertedIdentity, Contradiction, VerifiedIdentity, VerifyResult } from "../identity/index.js";
import type { DecideRequest, Principal } from "./request.js";

/** The port to the token verifier (`identity/`), composed by the app. */
export interface IdentityVerifier {
  /** Verifies a compact JWS by Custos's clock (Unix seconds). */
  verify(token: string, nowSeconds: number): Promise<VerifyResult>;
  /** The asserted facts that contradict the verified ones. */
  contradictions(asserted: AssertedIdentity, verified: VerifiedIdentity): Contradiction[];
}

/** The authenticated PEP as the policy sees it (`input.caller`): its name and what its entry restricts it to. */
export interface CallerFacts {
  name: string;
  /** Globs of the identity ids it may speak for; absent: any. */
  principals?: readonly string[];
  /** The events it may ask about; absent: any. */
  events?: readonly string[];
}

/** The verification outcome in the policy input (`input.verified`), documented in docs/policy-contract.md. */
export type VerifiedInput =
  | { presented: false; ok: false }
  | {
      presented: true;
      ok: boolean;
      /** The configured issuer of a verified token (absent when the check failed). */
      issuer?: string;
      /** The check that failed (`malformed`, `issuer`, `algorithm`, `unknown_key`, `signature`, `audience`, …). */
      check?: string;
      /** Which check failed, in words; never a token or claim value. */
      message?: string;
      /** SHA-256 (hex) of the token: what the evidence keeps. */
      token_digest: string;
      /** The asserted fields (dotted paths) that contradict the verified token. */
      contradictions: string[];
    };

const TOKEN_TYPES = new Set(["jwt", "oauth_token", "workload_identity"]);

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The request without the token (what the policy, the ledger and the evidence see). */
export function withoutToken(request: DecideRequest): DecideRequest {
  const credential = request.identity.credential;
  if (credential?.token === undefined) return request;
  const { token: _token, ...rest } = credential;
  return { ...request, identity: { ...request.identity, credential: rest } };
}

/** The request whose identity facts are the verified token's (asserted `type`, and narrower scopes, are kept). */
function withVerified(request: DecideRequest, v: VerifiedIdentity): DecideRequest {
  const asserted = request.identity;
  const scopes =
    v.scopes === null
      ? asserted.scopes
      : asserted.scopes !== undefined && asserted.scopes.every((s) => v.scopes?.includes(s))
        ? asserted.scopes
        : [...v.scopes];
  const assertedChain = asserted.on_behalf_of ?? [];
  const sameChain = assertedChain.length === v.chain.length && assertedChain.every((p, i) => p.id === v.chain[i]?.id);
  // A verified delegator keeps the asserted type (and narrower scopes) only when the PEP asserted this very chain.
  const chain = v.chain.map((link, i) => (sameChain ? assertedChain[i] : { id: link.id }) as Principal);
  const type = asserted.credential?.type !== undefined && TOKEN_TYPES.has(asserted.credential.type) ? asserted.credential.type : "jwt";
  const { on_behalf_of: _chain, scopes: _scopes, credential: _credential, ...rest } = asserted;
  return {
    ...request,
    identity: {
      ...rest,
      id: v.id,
      ...(scopes === undefined ? {} : { scopes }),
      credential: {
        type,
        ...(v.credential_id === null ? {} : { id: v.credential_id }),
        ...(v.issued_at === null ? {} : { issued_at: iso(v.issued_at) }),
        expires_at: iso(v.expires_at),
      },
      ...(chain.length > 0 ? { on_behalf_of: chain } : {}),
    },
  };
}

/** The asserted identity the verifier compares (a chain as ids, times as given). */
function assertedOf(request: DecideRequest): AssertedIdentity {
  const { id, scopes, credential, on_behalf_of } = request.identity;
  const out: AssertedIdentity = { id };
  if (scopes !== undefined) out.scopes = scopes;
  if (credential) {
    const c: NonNullable<AssertedIdentity["credential"]> = {};
    if (credential.id !== undefined) c.id = credential.id;
    if (credential.issued_at !== undefined) c.issued_at = credential.issued_at;
    if (credential.expires_at !== undefined) c.expires_at = credential.expires_at;
    out.credential = c;
  }
  if (on_behalf_of !== undefined) out.on_behalf_of = on_behalf_of.map((p) => ({ id: p.id }));
  return out;
}

/**
 * Checks the presented token, if any. Verified: the returned request carries the token's facts. Failed, or no token:
 * the asserted facts stay (the policy denies a failed one). Without a verifier every presented token fails
 * `issuer` (a token Custos cannot check is never trusted, nor ignored). The returned request never holds the token.
 */
export async function verifyIdentity(
  request: DecideRequest,
  verifier: IdentityVerifier | null,
  nowSeconds: number,
): Promise<{ request: DecideRequest; verified: VerifiedInput }> {
  const token = request.identity.credential?.token;
  const stripped = withoutToken(request);
  if (token === undefined) return { request: stripped, verified: { presented: false, ok: false } };
  const digest = createHash("sha256").update(token).digest("hex");
  if (!verifier) {
    return {
      request: stripped,
      verified: { presented: true, ok: false, check: "issuer", message: "no token issuer is configured", token_digest: digest, contradictions: [] },
    };
  }
  const result = await verifier.verify(token, nowSeconds);
  if (!result.ok) {
    return {
      request: stripped,
      verified: { presented: true, ok: false, check: result.check, message: result.message, token_digest: digest, contradictions: [] },
    };
  }
  const contradictions = verifier.contradictions(assertedOf(stripped), result.identity).map((c) => c.field);
  return {
    request: withVerified(stripped, result.identity),
    verified: { presented: true, ok: true, issuer: result.identity.issuer, token_digest: digest, contradictions },
  };
}
