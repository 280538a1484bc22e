// Redaction: replaces each finding's span with a `[REDACTED:<type>]` placeholder.
import type { Finding } from "./types.js";

/**
 * `text` with the span of each finding replaced by `[REDACTED:<type>]`. Pass the findings of this text's field;
 * spans outside the text or overlapping an earlier one are ignored, so a stale finding cannot corrupt the output.
 */
export function redact(text: string, findings: readonly Finding[]): string {
  const spans = findings
    .map((f) => ({ start: f.location.start, end: f.location.end, type: f.type }))
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.end <= text.length && s.start < s.end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    out += `${text.slice(at, s.start)}[REDACTED:${s.type}]`;
    at = s.end;
  }
  return out + text.slice(at);
}
