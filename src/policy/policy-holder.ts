// Holds the active policy and swaps it atomically: a reload builds a complete new instance beside the live one and
// replaces one reference, so no request ever sees half a bundle; a failed load leaves the live policy serving.
import { readFile } from "node:fs/promises";
import { CustosError } from "../errors.js";
import { readBundle } from "./bundle-reader.js";
import { verifyBundle, type VerificationKey } from "./bundle-signature.js";
import { loadPolicyInstance, type PolicyInstance } from "./policy-engine.js";

/** Where the policy comes from. */
export interface PolicySource {
  bundlePath: string;
  dataPath: string | null;
  /** Entrypoints of which a bundle must have at least one (the APIs Custos can serve from it). */
  anyOfEntrypoints: readonly string[];
  /** When set, only bundles signed with this key load. */
  verificationKey?: VerificationKey | null;
}

/** The outcome of one load attempt. */
export type LoadOutcome =
  | { ok: true; revision: string; durationMs: number }
  | { ok: false; error: CustosError; durationMs: number; revision: string | null };

/** The active policy and how to replace it. */
export interface PolicyHolder {
  /** The active policy, or `null` before the first successful load. */
  current(): PolicyInstance | null;
  /** Loads the source completely and swaps it in; on failure the active policy stays. Never rejects. */
  reload(): Promise<LoadOutcome>;
  /** Calls `listener` after every load attempt. */
  onLoad(listener: (outcome: LoadOutcome) => void): void;
}

/** Reads a data overlay file (a JSON object); null when no path is given. @throws CustosError `bundle_invalid`. */
export async function readOverlay(path: string | null): Promise<Record<string, unknown> | null> {
  if (!path) return null;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new CustosError("bundle_invalid", `cannot read data overlay ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CustosError("bundle_invalid", `data overlay ${path} is not valid JSON`, { cause: err });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CustosError("bundle_invalid", `data overlay ${path} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Creates a holder for the given source; call `reload()` once to load it. */
export function createPolicyHolder(source: PolicySource): PolicyHolder {
  let active: PolicyInstance | null = null;
  let pending: Promise<LoadOutcome> | null = null;
  const listeners: ((o: LoadOutcome) => void)[] = [];

  async function load(): Promise<LoadOutcome> {
    const started = performance.now();
    try {
      const [bundle, overlay] = await Promise.all([readBundle(source.bundlePath), readOverlay(source.dataPath)]);
      if (source.verificationKey) verifyBundle(bundle.files, source.verificationKey);
      const next = await loadPolicyInstance(bundle, overlay);
      const known = source.anyOfEntrypoints;
      if (known.length > 0 && !known.some((e) => next.has(e))) {
        throw new CustosError(
          "bundle_invalid",
          `bundle has none of the entrypoints ${known.join(", ")} (has: ${next.entrypoints.join(", ") || "none"})`,
        );
      }
      active = next;
      return { ok: true, revision: next.revision, durationMs: performance.now() - started };
    } catch (err) {
      const error = err instanceof CustosError ? err : new CustosError("bundle_invalid", "bundle load failed", { cause: err });
      return { ok: false, error, durationMs: performance.now() - started, revision: active?.revision ?? null };
    }
  }

  return {
    current: () => active,
    reload() {
      // Loads are serialized: a reload requested during one waits for it, then loads the newest files.
      const run = (pending ?? Promise.resolve()).then(load).then((outcome) => {
        for (const l of listeners) l(outcome);
        return outcome;
      });
      pending = run.finally(() => {
        if (pending === run) pending = null;
      }) as Promise<LoadOutcome>;
      return run;
    },
    onLoad(listener) {
      listeners.push(listener);
    },
  };
}
