// Verifies presented JWTs against the configured issuers (jose): shape, issuer, algorithm allowlist, key, signature,
// audience and times by Custos's clock; then maps the claims to identity facts. Answers which check failed, never why
// in terms of the token's content.
import { createHash } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { CustosError } from "../errors.js";
import { identityFromClaims, type VerifiedIdentity } from "./claims.js";
import type { IssuerConfig, JwsAlgorithm } from "./issuers-file.js";
import { createJwksSource, type JwksOptions, type JwksSource, type JwksStatus } from "./jwks-source.js";

/** The check a token failed (the `CREDENTIAL_INVALID` detail). */
export type VerificationCheck =
  | "malformed"
  | "issuer"
  | "signature"
  | "algorithm"
  | "audience"
  | "expired"
  | "not_yet_valid"
  | "unknown_key"
  | "claims";

/** The outcome of one verification. `message` never quotes the token or its claims' values. */
export type VerifyResult =
  | { ok: true; identity: VerifiedIdentity }
  | { ok: false; check: VerificationCheck; message: string; token_digest: string | null };

/** Verifier options; the JWKS options apply to every issuer. */
export interface TokenVerifierOptions extends JwksOptions {
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. @default 30 */
  skewSeconds?: number;
  /** Longest compact token accepted, in characters. @default 16384 */
  maxTokenLength?: number;
  /** Custos's clock in seconds, used when `verify` is given no time. @default wall clock */
  clock?: () => number;
}

/** Verifies tokens of the configured issuers. */
export interface TokenVerifier {
  /**
   * Verifies a compact JWS. With the issuer's keys cached this does no I/O; an unknown `kid` triggers one
   * rate-limited JWKS reload. `check: "issuer"` means the token names no configured issuer: the caller decides
   * whether such a token is refused or ignored.
   */
  verify(token: string, nowSeconds?: number): Promise<VerifyResult>;
  /** True when `iss` is a configured issuer. */
  isConfigured(iss: string): boolean;
  /** Key-set status per issuer (for readiness and operations; no key material). */
  status(): Record<string, JwksStatus>;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const MESSAGES: Record<Exclude<VerificationCheck, "claims">, string> = {
  malformed: "the token is not a well-formed signed JWT",
  issuer: "the token's issuer is not configured",
  signature: "the token's signature does not verify",
  algorithm: "the token's signing algorithm is not allowed for its issuer",
  audience: "the token is not meant for this service (audience)",
  expired: "the token has expired",
  not_yet_valid: "the token is not valid yet",
  unknown_key: "no key of the token's issuer matches its key id",
};

const fail = (check: VerificationCheck, digest: string | null, message?: string): VerifyResult => ({
  ok: false,
  check,
  message: message ?? MESSAGES[check as Exclude<VerificationCheck, "claims">],
  token_digest: digest,
});

/** Maps jose's error codes (never its messages, which may quote claims) to a check. */
function checkOf(err: unknown): VerificationCheck {
  const { code, claim } = (err ?? {}) as { code?: string; claim?: string };
  switch (code) {
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "signature";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "algorithm";
    case "ERR_JWT_EXPIRED":
      return "expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "aud") return "audience";
      if (claim === "nbf") return "not_yet_valid";
      if (claim === "iss") return "issuer";
      return "claims";
    default:
      return "malformed";
  }
}

/**
 * Builds the verifier and loads every issuer's keys once: a JWKS file that cannot be loaded stops start-up; a JWKS
 * URL that cannot is retried on the first token that needs it (its tokens fail `unknown_key` until then).
 * @throws CustosError `config_invalid` naming the issuer whose JWKS file is unusable
 */
export async function createTokenVerifier(
  issuers: readonly IssuerConfig[],
  options: TokenVerifierOptions = {},
): Promise<TokenVerifier> {
  const skew = options.skewSeconds ?? 30;
  const maxLength = options.maxTokenLength ?? 16384;
  const clock = options.clock ?? (() => Date.now() / 1000);
  const byIssuer = new Map<string, { config: IssuerConfig; keys: JwksSource }>();
  for (const config of issuers) byIssuer.set(config.issuer, { config, keys: createJwksSource(config.jwks, config.algorithms, options) });

  const start = clock();
  await Promise.all(
    [...byIssuer.values()].map(async ({ config, keys }, i) => {
      try {
        await keys.load(start);
      } catch (err) {
        if ("file" in config.jwks) {
          throw new CustosError("config_invalid", `CUSTOS_ISSUERS_FILE issuers[${i}].jwks_file: ${(err as Error).message}`, {
            errors: [{ field: `issuers[${i}].jwks_file`, message: (err as Error).message }],
          });
        }
      }
    }),
  );

  return {
    async verify(token, nowSeconds = clock()) {
      if (typeof token !== "string") return fail("malformed", null);
      const digest = createHash("sha256").update(token).digest("hex");
      if (token.length > maxLength || !COMPACT_JWS.test(token)) return fail("malformed", digest);
      let header: ReturnType<typeof decodeProtectedHeader>;
      let payload: ReturnType<typeof decodeJwt>;
      try {
        header = decodeProtectedHeader(token);
        payload = decodeJwt(token);
      } catch {
        return fail("malformed", digest);
      }
      if (typeof header.alg !== "string" || (header.kid !== undefined && typeof header.kid !== "string")) {
        return fail("malformed", digest);
      }
      if (typeof payload.iss !== "string") return fail("issuer", digest, "the token names no issuer");
      const entry = byIssuer.get(payload.iss);
      if (!entry) return fail("issuer", digest);
      const { config, keys } = entry;
      // `none` and HMAC are never in an allowlist (the issuers file refuses them), so they fail here too.
      if (!(config.algorithms as readonly string[]).includes(header.alg)) return fail("algorithm", digest);
      const alg = header.alg as JwsAlgorithm;
      const kid = header.kid;
      let key = keys.select(kid, alg, nowSeconds);
      if (!key && !(kid !== undefined && keys.knows(kid))) {
        await keys.refresh(nowSeconds);
        key = keys.select(kid, alg, nowSeconds);
      }
      if (!key) {
        return keys.status().loaded ? fail("unknown_key", digest) : fail("unknown_key", digest, "the keys of the token's issuer are not available");
      }
      let claims: Record<string, unknown>;
      try {
        const verified = await jwtVerify(token, key, {
          algorithms: [alg],
          issuer: config.issuer,
          audience: [...config.audiences],
          currentDate: new Date(nowSeconds * 1000),
          clockTolerance: skew,
          requiredClaims: ["exp"],
        });
        claims = verified.payload as Record<string, unknown>;
      } catch (err) {
        const check = checkOf(err);
        return check === "claims" ? fail("claims", digest, "a registered claim is missing or has the wrong type") : fail(check, digest);
      }
      if (typeof claims.iat === "number" && claims.iat > nowSeconds + skew) {
        return fail("not_yet_valid", digest, "the token was issued in the future");
      }
      const identity = identityFromClaims(claims, config.claims, config.issuer, digest);
      if (typeof identity === "string") return fail("claims", digest, identity);
      return { ok: true, identity };
    },
    isConfigured: (iss) => byIssuer.has(iss),
    status: () => Object.fromEntries([...byIssuer].map(([iss, { keys }]) => [iss, keys.status()])),
  };
}
