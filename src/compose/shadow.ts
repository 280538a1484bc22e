// Builds the shadow evaluation of CUSTOS_SHADOW_BUNDLE: the candidate policy, loaded (a start with an unusable one
// fails) and watched like the live one, and the evaluator that judges each decided input with it off the request path.
import type { Evidence } from "../audit/index.js";
import type { Config } from "../config/load-config.js";
import { createShadowEvaluator, type ShadowEvaluator } from "../decision/shadow.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { GOVERNANCE_ENTRYPOINT } from "../policy/policy-engine.js";
import type { PolicyHolder } from "../policy/policy-holder.js";
import { startPolicy } from "../policy/start-policy.js";

/** A running shadow. */
export interface StartedShadow {
  policy: PolicyHolder;
  evaluator: ShadowEvaluator;
  /** Stops watching the shadow's files. */
  stop(): void;
}

/** The shadow, or null without CUSTOS_SHADOW_BUNDLE. @throws CustosError `bundle_invalid` when its first load fails. */
export async function startShadow(config: Config, evidence: Evidence, metrics: Metrics, logger: Logger): Promise<StartedShadow | null> {
  const shadow = config.policy.shadow;
  if (!shadow) return null;
  const started = await startPolicy({ ...config.policy, bundlePath: shadow.bundlePath, dataPath: shadow.dataPath }, [GOVERNANCE_ENTRYPOINT], (o) => {
    if (o.ok) {
      metrics.shadowBundleInfo.reset();
      metrics.shadowBundleInfo.set({ revision: o.revision }, 1);
      logger.info("shadow bundle loaded", { event: "shadow_bundle_load", revision: o.revision, duration_ms: Math.round(o.durationMs) });
    } else {
      logger.error("shadow bundle load failed; previous shadow keeps evaluating", { event: "shadow_bundle_load", error: o.error.code, reason: o.error.message });
    }
  });
  const evaluator = createShadowEvaluator({
    policy: () => started.holder.current(),
    queueSize: shadow.queueSize,
    maxShare: shadow.maxShare,
    onResult: (result, diff) => {
      metrics.shadowEvaluations.inc({ result });
      if (diff) metrics.shadowDisagreements.inc({ live: diff.from, shadow: diff.to });
    },
    onDisagreement: (record) => evidence.shadow(record),
  });
  return { policy: started.holder, evaluator, stop: started.stop };
}
