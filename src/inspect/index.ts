// The content inspector's public surface: find secrets and personal data in request text, and redact them.
export { checkRuleLinear, compileRe2, compileRules, MAX_RE2_SOURCE, Re2RuleError, type RuleBounds } from "./compile-rules.js";
export { createContentInspector } from "./content-inspector.js";
export { MAX_CONFIG_BYTES, MAX_OPERATOR_RULES, parseGitleaksConfig, SecretRulesError } from "./gitleaks-config.js";
export { loadOperatorInspector, startOperatorInspector, withOperatorRules, type ReloadingInspector, type RulesLoadOutcome } from "./operator-rules.js";
export { createInspector, InspectLimitError, MAX_CANDIDATES_PER_CALL, MAX_FINDINGS_PER_CALL, MAX_INSPECT_CHARS, type InspectorOptions } from "./inspector.js";
export { analysisForm, analyzeRegex, MAX_STEPS_PER_START, UnsafeRuleError, type RegexBound } from "./linear.js";
export { redact } from "./redact.js";
export { GLOBAL_ALLOWLIST, RULES } from "./rules.js";
export type { Finding, FindingKind, InspectField, Inspector, Re2Allowlist, RuleSpec, Severity, ValidatorName } from "./types.js";
export { ibanValid, luhnValid, paymentCardValid, usSsnValid } from "./validators.js";
export {
  createInjectionDetector,
  INJECTION_GATES,
  INJECTION_PATTERNS,
  type InjectionDetector,
  type InjectionDetectorOptions,
  type InjectionFinding,
  type InjectionSignal,
} from "./injection/index.js";
