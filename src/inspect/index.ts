// The content inspector's public surface: find secrets and personal data in request text, and redact them.
export { createInspector, type InspectorOptions } from "./inspector.js";
export { redact } from "./redact.js";
export { GLOBAL_ALLOWLIST, RULES } from "./rules.js";
export type { Finding, FindingKind, InspectField, Inspector, RuleSpec, Severity, ValidatorName } from "./types.js";
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
