// Every string of a JSON value with a field name, for content inspection and redaction: tool arguments in /decide,
// whole inputs in the evidence of direct evaluations. One walker, so what is inspected is what is redacted.
/** Below this depth a subtree is inspected, and redacted, as one text (its JSON). */
const MAX_ARGUMENT_DEPTH = 32;

/** A key as a segment of a field name: `~` → `~0`, `.` → `~1` (as in JSON Pointer), so field names are unambiguous. */
function fieldKey(key: string): string {
  return key.includes("~") || key.includes(".") ? key.replaceAll("~", "~0").replaceAll(".", "~1") : key;
}

/**
 * `value` with every string replaced by `map(field, text)` (unchanged where it returns undefined); `field` is the
 * dotted path from `path` (in a key, `~` is written `~0` and `.` is `~1`, so two strings never share a field name).
 * A subtree deeper than {@link MAX_ARGUMENT_DEPTH} is passed as one text, so nothing escapes
 * inspection however deep it nests. Keys are copied as data properties (`__proto__` stays a plain key).
 */
export function mapStrings(value: unknown, path: string, depth: number, map: (field: string, text: string) => string | undefined): unknown {
  if (typeof value === "string") return map(path, value) ?? value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_ARGUMENT_DEPTH) return map(path, JSON.stringify(value)) ?? value;
  if (Array.isArray(value)) return value.map((x, i) => mapStrings(x, `${path}.${i}`, depth + 1, map));
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, mapStrings(x, `${path}.${fieldKey(k)}`, depth + 1, map)]));
}
