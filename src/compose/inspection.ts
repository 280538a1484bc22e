// Builds the content inspector of one Custos: the built-in rules (with CUSTOS_SECRET_RULES, the operator's gitleaks
// rules beside them, reloaded when the file changes) and the prompt-injection detector, behind one inspector.
import type { Config } from "../config/load-config.js";
import type { ContentInspector } from "../decision/ports.js";
import { CustosError } from "../errors.js";
import { createContentInspector, createInjectionDetector, createInspector, Re2RuleError, SecretRulesError, startOperatorInspector, type Inspector } from "../inspect/index.js";
import type { Logger } from "../observability/logger.js";

/** The inspector, and the function that stops watching the operator's rules. */
export interface StartedInspection {
  inspector: ContentInspector;
  stop(): void;
}

/** @throws CustosError `config_invalid` naming CUSTOS_SECRET_RULES when the operator's rules cannot be loaded. */
export function startInspection(config: Config, fingerprintKey: string, logger: Logger): StartedInspection {
  const rules = startRules(config, fingerprintKey, logger);
  return { inspector: createContentInspector(rules, createInjectionDetector({ fingerprintKey })), stop: () => rules.stop() };
}

function startRules(config: Config, fingerprintKey: string, logger: Logger): Inspector & { stop(): void } {
  const path = config.inspect.secretRulesPath;
  if (path === null) return { ...createInspector({ fingerprintKey }), stop: () => {} };
  try {
    return startOperatorInspector({
      path,
      fingerprintKey,
      watchIntervalMs: config.policy.watchIntervalMs,
      onLoad: (o) => {
        if (o.ok) logger.info("secret rules reloaded", { event: "secret_rules_loaded", rules: o.rules });
        else logger.warn("secret rules not reloaded; the rules in force stay", { event: "secret_rules_invalid", error: o.error.message });
      },
    });
  } catch (err) {
    if (!(err instanceof SecretRulesError) && !(err instanceof Re2RuleError)) throw err;
    const message = `secret rules file ${(err as Error).message}`;
    throw new CustosError("config_invalid", `invalid configuration: CUSTOS_SECRET_RULES ${message}`, { errors: [{ field: "CUSTOS_SECRET_RULES", message }] });
  }
}
