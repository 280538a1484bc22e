// Starts the policy of one Custos: reads the verification key, loads the bundle once (a start with no usable bundle
// fails), and watches the files for hot reload.
import { readFileSync } from "node:fs";
import { CustosError } from "../errors.js";
import { parseVerificationKey } from "./bundle-signature.js";
import { watchPolicyFiles } from "./bundle-watcher.js";
import { createPolicyHolder, type LoadOutcome, type PolicyHolder } from "./policy-holder.js";
import { GOVERNANCE_ENTRYPOINT } from "./policy-engine.js";

/** The configuration's policy section. */
export interface PolicySection {
  bundlePath: string;
  dataPath: string | null;
  /** How often the files are checked for changes; 0 disables watching. */
  watchIntervalMs: number;
  verificationKeyPath: string | null;
}

/** A started policy. */
export interface StartedPolicy {
  holder: PolicyHolder;
  /** Stops watching the files. */
  stop(): void;
}

/**
 * Loads the policy of `section`, whose bundle must answer the governance entrypoint or `authzenEntrypoint` (or,
 * given a list, one of those entrypoints: the shadow policy needs the governance one).
 * @throws CustosError `verification_key_unreadable`, or `bundle_invalid` when the first load fails.
 */
export async function startPolicy(
  section: PolicySection,
  authzenEntrypoint: string | readonly string[],
  onLoad: (o: LoadOutcome) => void,
): Promise<StartedPolicy> {
  const holder = createPolicyHolder({
    bundlePath: section.bundlePath,
    dataPath: section.dataPath,
    verificationKey: section.verificationKeyPath ? readVerificationKey(section.verificationKeyPath) : null,
    anyOfEntrypoints: typeof authzenEntrypoint === "string" ? [GOVERNANCE_ENTRYPOINT, authzenEntrypoint] : authzenEntrypoint,
  });
  holder.onLoad(onLoad);
  const first = await holder.reload();
  if (!first.ok) throw first.error;
  const files = [section.bundlePath, ...(section.dataPath ? [section.dataPath] : [])];
  const stop = section.watchIntervalMs > 0 ? watchPolicyFiles(holder, files, section.watchIntervalMs) : () => {};
  return { holder, stop };
}

function readVerificationKey(path: string) {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new CustosError("verification_key_unreadable", `cannot read CUSTOS_BUNDLE_VERIFICATION_KEY ${path}: ${code}`, { cause: err });
  }
  return parseVerificationKey(text);
}
