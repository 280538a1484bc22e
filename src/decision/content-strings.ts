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

/** Keys of a name/value pair's value (`value`, `Value`, `val`, `ParameterValue`), lower-cased. */
const PAIR_VALUE = new Set(["value", "val", "parametervalue", "secretvalue", "text"]);
/** Keys of a name/value pair's name (`name`, `Key`, `ParameterKey`, …), lower-cased. */
const PAIR_NAME = new Set(["name", "key", "parameterkey", "parametername", "header", "variable", "var", "env", "element", "selector", "label"]);
/** The words of a form control's description that name the control, not what it holds. */
export const CONTROL_WORDS = /\b(?:field|input|textbox|box|element|control)\b/gi;
/** Pair names that describe a form control (`{"element": "Password field", "text": …}`): the control's words go. */
const CONTROL_NAME = new Set(["element", "selector", "label"]);

/**
 * The name of a name/value pair (`{"name": "DB_PASSWORD", "value": "…"}`, the shape of Kubernetes, ECS, AWS tags,
 * CloudFormation parameters and CI environment lists; keys in any case): its string names, joined with `.`.
 */
function pairName(o: Record<string, unknown>): string | undefined {
  const names: string[] = [];
  let hasValue = false;
  for (const [k, v] of Object.entries(o)) {
    const lower = k.toLowerCase();
    if (PAIR_VALUE.has(lower)) hasValue = true;
    else if (PAIR_NAME.has(lower) && typeof v === "string" && v.length <= MAX_NAME_KEY_CHARS) names.push(CONTROL_NAME.has(lower) ? v.replace(CONTROL_WORDS, " ") : v);
  }
  return hasValue && names.length > 0 ? names.slice(0, 3).join(".") : undefined;
}

/** A flag that can name the next element of its array (`["--password", "…"]`, `["-storepass", "…"]`). */
export const FLAG_NAME = /^-{1,2}[A-Za-z][\w.-]{0,63}$/;
/** The first of a two-element array that can name the second (`["X-Api-Key", "…"]`, `["admin", "…"]`). */
export const PAIR_HEAD = /^[A-Za-z][\w.-]{0,63}$/;

/**
 * The name of the `i`-th element of `array` (known by `name`): the flag before it (a value that is no flag itself),
 * or the first element of a pair; else the array's own name.
 */
function elementName(array: readonly unknown[], i: number, name: string | undefined): string | undefined {
  const x = array[i];
  const prev = i > 0 ? array[i - 1] : undefined;
  if (typeof x !== "string" || typeof prev !== "string" || x.startsWith("-")) return name;
  if (FLAG_NAME.test(prev) || (array.length === 2 && i === 1 && PAIR_HEAD.test(prev))) return joinName(name, prev);
  return name;
}

/** How many keys, the value's own and its maps', make up a value's name (`secrets.prod.db`). */
const MAX_NAME_KEYS = 3;
/** Characters of one key kept in a name (its end; the inspector reads no more of a name than that). */
const MAX_NAME_KEY_CHARS = 128;

/** `key` as a part of a name: its last {@link MAX_NAME_KEY_CHARS} characters. */
function namePart(key: string): string {
  return key.length > MAX_NAME_KEY_CHARS ? key.slice(key.length - MAX_NAME_KEY_CHARS) : key;
}

/** `name` extended by `next` (`.`-joined), or `next` alone. */
function joinName(name: string | undefined, next: string): string {
  return name === undefined ? next : `${name}.${next}`;
}

/**
 * What the walker calls for each string: return the replacement, or undefined to keep it. `name` is what the value
 * is known by, undefined for a key itself or a top value: the key it is stored under with the keys of the two maps
 * above it (`secrets.prod.db`), the pair's name for the value of a name/value pair, the array's name for an element
 * (with the flag before it, `cmd.--password`, or the head of a two-element pair, `headers.X-Api-Key`).
 */
export type MapString = (field: string, text: string, name?: string) => string | undefined;

/**
 * `value` with every string replaced by `map(field, text)` (unchanged where it returns undefined); `field` is the
 * dotted path from `path`, segments named by {@link fieldSegment}. Keys are passed to `map` too, under
 * {@link keyField}; a key replaced by the same text as an earlier one of its object gets `#<index>` appended, so no
 * value is lost. A subtree deeper than {@link MAX_ARGUMENT_DEPTH} is passed as one text, so nothing escapes
 * inspection however deep it nests. Keys are copied as data properties (`__proto__` stays a plain key).
 */
export function mapStrings(value: unknown, path: string, depth: number, map: MapString, name?: string, parents: readonly string[] = []): unknown {
  if (typeof value === "string") return map(path, value, name) ?? value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_ARGUMENT_DEPTH) return map(path, JSON.stringify(value), name) ?? value;
  if (Array.isArray(value)) return value.map((x, i) => mapStrings(x, `${path}.${i}`, depth + 1, map, elementName(value, i, name), parents));
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const pair = pairName(o);
  // Every value of a Kubernetes Secret's `data` and `stringData` is a secret by where it stands.
  const secretManifest = o.kind === "Secret";
  Object.entries(o).forEach(([k, x], i) => {
    let key = map(keyField(path, i), k) ?? k;
    if (Object.hasOwn(out, key)) key = `${key}#${i}`;
    // Names are built of bounded parts, so however long the keys, a value's name stays short.
    // A pair's value is known by the pair's name alone: the list it stands in (`env`, `Tags`) says nothing of it.
    const entryName = pair !== undefined && PAIR_VALUE.has(k.toLowerCase()) ? pair : [...parents, namePart(k)].join(".");
    const below = secretManifest && (k === "data" || k === "stringData") ? ["secret", k] : [...parents, namePart(k)].slice(-MAX_NAME_KEYS + 1);
    Object.defineProperty(out, key, {
      value: mapStrings(x, `${path}.${fieldSegment(k, i)}`, depth + 1, map, entryName, below),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}
