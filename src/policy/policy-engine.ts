// The opa-wasm engine at its edge: loads a compiled bundle into a policy instance and turns opa-wasm's result sets
// and thrown strings into typed values and coded errors. Nothing above this file knows about WebAssembly.
import * as opaModule from "@open-policy-agent/opa-wasm";
import { CustosError } from "../errors.js";
import type { BundleContents } from "./bundle-reader.js";
import { applyOverlay } from "./data-overlay.js";

// opa-wasm is CommonJS: under ESM its API is the default export, which its type declarations do not describe.
const opa = ((opaModule as unknown as { default?: typeof opaModule }).default ?? opaModule) as typeof opaModule;

/** The entrypoint of the governance decision (package `custos.main`, rule `decision`). */
export const GOVERNANCE_ENTRYPOINT = "custos/main/decision";

/** WebAssembly memory of one instance, in 64 KiB pages. */
export interface MemoryLimits {
  /** @default 32 (2 MiB) */
  initialPages?: number;
  /** @default 4096 (256 MiB): an evaluation that needs more fails with `policy_error`, never takes the process down. */
  maximumPages?: number;
}

/** One loaded, immutable policy: a bundle, its data with the overlay, and a WASM instance. */
export interface PolicyInstance {
  readonly revision: string;
  /** Entrypoint paths compiled into the bundle, e.g. `custos/main/decision`. */
  readonly entrypoints: readonly string[];
  /** `data.governance.settings` of the merged data (thresholds the service needs around the policy). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Unix milliseconds when it was loaded. */
  readonly loadedAt: number;
  /** True when the bundle has the entrypoint. */
  has(entrypoint: string): boolean;
  /** True when `data.governance.principals` registers this id (exactly: no trimming, no case folding). */
  registered(principalId: string): boolean;
  /**
   * Evaluates an entrypoint; returns its value, or `undefined` when the rule is undefined for this input.
   * Synchronous and not reentrant (one instance per thread).
   * @throws CustosError `policy_error`
   */
  evaluate(entrypoint: string, input: unknown): unknown;
}

/**
 * Builds a policy instance from bundle contents and an optional data overlay.
 * @throws CustosError `bundle_invalid` when the WASM does not load or a required entrypoint is missing.
 */
export async function loadPolicyInstance(
  bundle: BundleContents,
  overlay: Record<string, unknown> | null,
  options: { requiredEntrypoints?: readonly string[]; memory?: MemoryLimits } = {},
): Promise<PolicyInstance> {
  let loaded: Awaited<ReturnType<typeof opa.loadPolicy>>;
  let data: Record<string, unknown>;
  try {
    loaded = await opa.loadPolicy(bundle.wasm, {
      initial: options.memory?.initialPages ?? 32,
      maximum: options.memory?.maximumPages ?? 4096,
    });
    data = applyOverlay(bundle.data, overlay);
    loaded.setData(data);
  } catch (err) {
    throw new CustosError("bundle_invalid", `policy.wasm does not load: ${describe(err)}`, { cause: err });
  }
  const ids = (loaded.entrypoints ?? {}) as Record<string, number>;
  const entrypoints = Object.keys(ids).sort();
  for (const required of options.requiredEntrypoints ?? []) {
    if (!(required in ids)) {
      throw new CustosError("bundle_invalid", `bundle lacks the entrypoint ${required} (has: ${entrypoints.join(", ") || "none"})`);
    }
  }
  const policy = loaded;
  const principals = (data.governance as { principals?: unknown } | undefined)?.principals;
  const registry = principals && typeof principals === "object" ? (principals as Record<string, unknown>) : {};
  return Object.freeze({
    revision: bundle.manifest.revision,
    entrypoints,
    settings: Object.freeze({ ...(((data.governance as Record<string, unknown> | undefined)?.settings ?? {}) as Record<string, unknown>) }),
    loadedAt: Date.now(),
    has: (entrypoint: string) => entrypoint in ids,
    registered: (principalId: string) => Object.prototype.hasOwnProperty.call(registry, principalId),
    evaluate(entrypoint: string, input: unknown): unknown {
      const id = ids[entrypoint];
      if (id === undefined) throw new CustosError("policy_error", `entrypoint ${entrypoint} is not in the active bundle`);
      let resultSet: unknown;
      try {
        resultSet = policy.evaluate(input, id);
      } catch (err) {
        throw new CustosError("policy_error", `policy evaluation failed: ${describe(err)}`, { cause: err });
      }
      if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
      const first = resultSet[0] as { result?: unknown };
      return first.result;
    },
  });
}

/** opa-wasm throws Errors and sometimes plain strings; keep the message short and free of input values. */
function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === "string" ? err : "unknown error";
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
