// The content inspector the decision core uses: the secret and personal-data rules and the prompt-injection
// detector over the same fields, their findings in one list; redaction replaces only what the rules found (an
// injection is judged by policy, not masked: the text around it would still carry the instruction).
import type { ContentInspector, Finding } from "../decision/ports.js";
import type { InjectionDetector } from "./injection/index.js";
import type { Inspector } from "./types.js";

/**
 * Combines the two. The rules run first: their per-call limits (`InspectLimitError`, a 413 naming the field) bound
 * the text the detector then reads.
 */
export function createContentInspector(rules: Inspector, injection: InjectionDetector): ContentInspector {
  return {
    inspect(fields) {
      const found = rules.inspect(fields);
      const injected: Finding[] = injection.detect(fields).map((f) => ({
        rule: f.rule,
        kind: f.kind,
        type: f.type,
        severity: f.severity,
        location: f.location,
        fingerprint: f.fingerprint ?? "",
        score: f.score,
        signals: [...f.signals],
      }));
      if (injected.length === 0) return found;
      const byPlace = (a: Finding, b: Finding) =>
        a.location.field < b.location.field ? -1 : a.location.field > b.location.field ? 1 : a.location.start - b.location.start;
      return [...found, ...injected].sort(byPlace);
    },
    redact(text, findings) {
      return rules.redact(text, findings.filter((f) => f.kind !== "injection"));
    },
  };
}
