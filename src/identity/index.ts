// Verified identity: trusted issuers and their keys, token verification, claim mapping, and the admin operators.
export { SUPPORTED_ALGORITHMS, loadIssuersFile, parseIssuers, type ClaimMapping, type IssuerConfig, type JwsAlgorithm } from "./issuers-file.js";
export { createJwksSource, type JwksOptions, type JwksSource, type JwksStatus } from "./jwks-source.js";
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions, type VerificationCheck, type VerifyResult } from "./token-verifier.js";
export { MAX_CHAIN, contradictions, identityFromClaims, type AssertedIdentity, type ChainLink, type Contradiction, type VerifiedIdentity } from "./claims.js";
export {
  BREAK_GLASS_ID,
  BREAK_GLASS_OPERATOR,
  ROLES,
  bearerToken,
  can,
  createOperatorAuthenticator,
  loadOperatorsFile,
  parseOperators,
  type AuthenticateOperator,
  type Operator,
  type OperatorFileOptions,
  type OperatorSet,
  type Role,
} from "./operators-file.js";
