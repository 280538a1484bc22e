// Canonical JSON: the one serialization that hashes agree on (the decision log chain, approval bindings):
// object keys sorted, no whitespace.
//
// Values follow JSON.stringify exactly (toJSON is honoured, `undefined`/functions/symbols are dropped from objects and
// become `null` in arrays, non-finite numbers become `null`, BigInt and cycles throw), so that parsing a canonical
// line and serializing it again gives the same bytes: that is what lets the verifier recompute a record's hash.
// Keys sort by UTF-16 code units (Array.prototype.sort), the same on every platform.

/**
 * Serializes `value` canonically: object keys sorted recursively, no whitespace, strings and numbers as
 * JSON.stringify writes them. Returns `undefined` where JSON.stringify would (e.g. for `undefined` itself).
 * @throws TypeError on a cycle or a BigInt, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string | undefined {
  return serialize(value, "", []);
}

/**
 * The canonical `"key":value` members of a plain object, sorted by key, without the surrounding braces; members
 * whose value serializes to nothing, and the keys in `skip`, are left out. Lets a caller splice members in without
 * copying the object or serializing it twice.
 */
export function canonicalMembers(object: Record<string, unknown>, skip: readonly string[] = []): { key: string; text: string }[] {
  const stack: object[] = [object];
  const members: { key: string; text: string }[] = [];
  for (const key of Object.keys(object).sort()) {
    if (skip.includes(key)) continue;
    const text = serialize(object[key], key, stack);
    if (text !== undefined) members.push({ key, text: quotedKey(key) + text });
  }
  return members;
}

// `stack` holds the objects being serialized (a cycle is one of them reappearing); it is as deep as the value,
// which for a record is a handful, so a linear search beats a Set.
function serialize(input: unknown, key: string, stack: object[]): string | undefined {
  let value = input;
  if (typeof value === "object" && value !== null) {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") value = (value as { toJSON(k: string): unknown }).toJSON(key);
    if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  } else if (typeof value === "bigint" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as unknown as { toJSON(k: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return "null";
  if (stack.includes(value)) throw new TypeError("Converting circular structure to JSON");
  stack.push(value);
  let text: string;
  if (Array.isArray(value)) {
    text = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ",";
      text += serialize(value[i], String(i), stack) ?? "null";
    }
    text += "]";
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > 1) keys.sort();
    text = "{";
    let first = true;
    for (const k of keys) {
      const member = serialize(record[k], k, stack);
      if (member === undefined) continue;
      text += (first ? "" : ",") + quotedKey(k) + member;
      first = false;
    }
    text += "}";
  }
  stack.pop();
  return text;
}

// Records repeat the same few hundred keys; quoting each once saves a JSON.stringify per member on the hot path.
const quoted = new Map<string, string>();

function quotedKey(key: string): string {
  let q = quoted.get(key);
  if (q === undefined) {
    q = JSON.stringify(key) + ":";
    if (quoted.size < 4096 && key.length <= 64) quoted.set(key, q);
  }
  return q;
}
