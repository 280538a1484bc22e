// Every string of a JSON value, keys included, with a field name, for content inspection and redaction: tool
// arguments in /decide, whole inputs in the evidence of direct evaluations. One walker, so what is inspected is what
// is redacted, and one naming rule, so a field name never quotes content.
/** Below this depth a subtree is inspected, and redacted, as one text (its JSON). */
const MAX_ARGUMENT_DEPTH = 32;

/** Keys that read as plain identifiers are named as they are; anything else could be content. */
const PLAIN_KEY = /^[a-z][a-z_-]{0,31}$/;

/**
 * The segment that names the value under `key` (the `index`-th key of its object) in a field name: the key itself
 * when it is a plain lower-case identifier (`path`, `on_behalf_of`), else `#<index>`, so a key that carries a
 * secret, an e-mail address or any other content is never quoted in a finding, an error or a log.
 */
export function fieldSegment(key: string, index: number): string {
  return PLAIN_KEY.test(key) ? key : `#${index}`;
}

/** The field name of the `index`-th key itself (its text, inspected like any value) in the object at `path`. */
export function keyField(path: string, index: number): string {
  return `${path}.#${index}:key`;
}

/**
 * The name of a name/value pair (`{"name": "DB_PASSWORD", "value": "…"}`, the shape of Kubernetes, ECS and CI
 * environment lists; also `key`/`value`): the string its `value` is known by.
 */
function namedPair(o: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(o, "value")) return undefined;
  const n = Object.hasOwn(o, "name") ? o.name : Object.hasOwn(o, "key") ? o.key : undefined;
  return typeof n === "string" ? n : undefined;
}

/**
 * What the walker calls for each string: return the replacement, or undefined to keep it. `name` is the key the
 * value is stored under (the nearest one, for an element of an array), undefined for a key itself or a top value.
 */
export type MapString = (field: string, text: string, name?: string) => string | undefined;

/**
 * `value` with every string replaced by `map(field, text)` (unchanged where it returns undefined); `field` is the
 * dotted path from `path`, segments named by {@link fieldSegment}. Keys are passed to `map` too, under
 * {@link keyField}; a key replaced by the same text as an earlier one of its object gets `#<index>` appended, so no
 * value is lost. A subtree deeper than {@link MAX_ARGUMENT_DEPTH} is passed as one text, so nothing escapes
 * inspection however deep it nests. Keys are copied as data properties (`__proto__` stays a plain key).
 */
export function mapStrings(value: unknown, path: string, depth: number, map: MapString, name?: string): unknown {
  if (typeof value === "string") return map(path, value, name) ?? value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_ARGUMENT_DEPTH) return map(path, JSON.stringify(value), name) ?? value;
  if (Array.isArray(value)) return value.map((x, i) => mapStrings(x, `${path}.${i}`, depth + 1, map, name));
  const out: Record<string, unknown> = {};
  const pairName = namedPair(value as Record<string, unknown>);
  Object.entries(value).forEach(([k, x], i) => {
    let key = map(keyField(path, i), k) ?? k;
    if (Object.hasOwn(out, key)) key = `${key}#${i}`;
    Object.defineProperty(out, key, {
      value: mapStrings(x, `${path}.${fieldSegment(k, i)}`, depth + 1, map, k === "value" && pairName !== undefined ? pairName : k),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}
