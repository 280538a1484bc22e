// Builds the token verifier of CUSTOS_ISSUERS_FILE: the issuers' JWKS files are read (and URLs first fetched) now, so
// a broken configuration stops the start.
import type { Config } from "../config/load-config.js";
import type { IdentityVerifier } from "../decision/verified-identity.js";
import { contradictions, createTokenVerifier, loadIssuersFile } from "../identity/index.js";

/** The verifier, or null without CUSTOS_ISSUERS_FILE. @throws CustosError `config_invalid` naming the field. */
export async function startIdentity(config: Config, clock: () => number): Promise<IdentityVerifier | null> {
  if (!config.identity.issuersFile) return null;
  const tokens = await createTokenVerifier(await loadIssuersFile(config.identity.issuersFile), { clock: () => clock() / 1000 });
  return { verify: (token, now) => tokens.verify(token, now), contradictions };
}
