// The prompt-injection detector family: its factory, its vocabulary and its patterns as data.
export { createInjectionDetector, type InjectionDetectorOptions } from "./detector.js";
export { DECODE_LIMITS, DECODE_REGEXES } from "./decode.js";
export { INJECTION_GATES, INJECTION_PATTERNS } from "./patterns.js";
export type { InjectionDetector, InjectionFinding, InjectionGateSpec, InjectionPatternSpec, InjectionSignal, PatternScope } from "./types.js";
