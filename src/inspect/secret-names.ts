// Values known by their name: a tool argument stored under a key that names a credential (`password`,
// `DB_PASSWORD`, `clientSecret`, `api-key`, `{"name": "API_TOKEN", "value": …}`) is a secret as a whole when the
// value looks like one, whatever its characters; the rules alone, written for `KEY=value` in prose, see only the
// value and need it to look like a token. The name is read as words (snake, kebab, camel case, dots), never as a
// regex over free text, so `compass` or `turkey` name nothing, and a metadata word after the credential word
// (`password_hint`, `token_count`, `passwordLastChanged`, `credentials.username`) names something else.
import { shannonEntropy } from "./entropy.js";
import { GLOBAL_ALLOWLIST, SAMPLE_ALLOWLIST } from "./rules.js";

/** What a name says its value is: a password, another secret (token, key, credential), or nothing. */
export type SecretNameKind = "password" | "secret" | null;

/** Most characters of a name read (its end: `…_DB_PASSWORD`). */
const MAX_NAME_CHARS = 128;
/** Values longer than this are not judged by their name (a blob: the rules read it). */
export const MAX_NAMED_VALUE_CHARS = 8192;

/** Words that name a password. */
const PASSWORD_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "pass", "passcode", "passwort", "kennwort", "contrasena", "contraseña", "senha", "motdepasse"]);
/** Words that name another secret on their own. */
const SECRET_WORDS = new Set(["secret", "secrets", "token", "apikey", "credential", "credentials", "creds", "authorization", "privatekey", "secretkey", "accesskey", "signingkey", "masterkey", "encryptionkey", "authkey", "licensekey", "webhooksecret", "clientsecret", "sessiontoken", "bearer", "cookie"]);
/** First words that make `<word> key` a secret (`api_key`, `private-key`, `accessKey`). */
const KEY_QUALIFIERS = new Set(["api", "private", "secret", "access", "signing", "master", "encryption", "auth", "license", "client", "app", "service"]);
/** Words after the credential word that make the name a property of it, not it (`password_hint`, `token_expires_at`). */
const METADATA_WORDS = new Set([
  "id", "ids", "name", "names", "type", "types", "kind", "hint", "hints", "policy", "policies", "length", "len", "size", "count",
  "min", "max", "minimum", "maximum", "required", "require", "enabled", "enable", "disabled", "disable", "expiry", "expires",
  "expiration", "expired", "expire", "changed", "updated", "created", "modified", "date", "time", "timestamp", "ttl", "lifetime",
  "age", "rotation", "rotated", "url", "uri", "urls", "endpoint", "path", "paths", "file", "filename", "dir", "directory",
  "location", "prefix", "suffix", "format", "version", "ref", "reference", "field", "fields", "header", "param", "parameter",
  "env", "var", "variable", "label", "labels", "description", "desc", "note", "notes", "comment", "hash", "hashed", "hashes",
  "digest", "fingerprint", "checksum", "sha", "md5", "strength", "reset", "rule", "rules", "regex", "pattern", "mode", "method",
  "algorithm", "algo", "provider", "source", "store", "manager", "helper", "limit", "limits", "usage", "used", "budget",
  "username", "user", "users", "login", "email", "mail", "host", "hostname", "port", "region", "scope", "scopes", "audience",
  "issuer", "status", "state", "valid", "validity", "index", "key", "keys", "set", "list", "class", "placeholder", "prompt",
  "message", "error", "errors", "text", "title", "help", "tooltip", "visible", "visibility", "input", "button", "confirm",
  "confirmation", "score", "level", "count", "number", "last", "next", "previous", "prev", "in", "at", "by", "on", "to",
  "counter", "service", "endpoint", "link", "redirect", "callback", "example", "sample", "template", "schema",
]);
/** Words before the credential word that make it something else (`next_token`, `public_key`, `max_tokens`). */
const NEGATING_QUALIFIERS = new Set(["public", "next", "page", "pagination", "continuation", "cursor", "sync", "resume",
  "max", "min", "num", "total", "is", "has", "use", "show", "hide", "forgot", "csrf", "xsrf", "pkce", "nonce", "idempotency",
  "cancellation", "request", "trace", "correlation", "sort", "partition", "primary", "foreign", "cache", "lookup", "map",
  "hotkey", "keyboard", "translation", "i18n", "l10n", "object", "s3", "file", "row", "group", "label"]);

/** The words of a name: split at non-letters-or-digits and at camel-case humps, lower-cased. */
export function nameWords(name: string): string[] {
  const tail = name.length > MAX_NAME_CHARS ? name.slice(name.length - MAX_NAME_CHARS) : name;
  return tail
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** The credential a word names on its own (as the word, or as the end of a glued one: `dbpassword`, `authtoken`). */
function wordKind(word: string): SecretNameKind {
  if (word.length > 4 && word.endsWith("s") && !word.endsWith("ss")) {
    const one = wordKind(word.slice(0, -1));
    if (one !== null) return one;
  }
  if (PASSWORD_WORDS.has(word)) return "password";
  if (SECRET_WORDS.has(word)) return "secret";
  for (const w of ["password", "passwd", "passphrase", "passcode"]) if (word.length > w.length && word.endsWith(w)) return "password";
  for (const w of ["secret", "token", "apikey", "secretkey", "privatekey", "accesskey"]) if (word.length > w.length && word.endsWith(w)) return "secret";
  return null;
}

/**
 * What `name` says its value is. The last credential word counts (`db_password`, `apiKey`, `Password (prod)`,
 * `password_for_the_production_db`), unless a metadata word follows it (`password_hint`, `token.expires_in`) or a
 * negating word stands right before it (`next_token`, `public_key`).
 */
export function secretNameKind(name: string): SecretNameKind {
  const words = nameWords(name);
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i]!;
    // `pass` names a password only at the end (`db_pass`, `SMTP_PASS`), not in `pass_through` or `pass_count`.
    if (w === "pass" && i !== words.length - 1) continue;
    let kind = wordKind(w);
    if (kind === null && w === "key" && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) kind = "secret";
    if (kind === null) continue;
    const before = i > 0 ? words[i - 1]! : "";
    const qualifiedKey = w === "key";
    if (!qualifiedKey && NEGATING_QUALIFIERS.has(before)) return null;
    if (qualifiedKey && i > 1 && NEGATING_QUALIFIERS.has(words[i - 2]!)) return null;
    for (let j = i + 1; j < words.length; j++) {
      const after = words[j]!;
      if (METADATA_WORDS.has(after) || (after.endsWith("s") && METADATA_WORDS.has(after.slice(0, -1)))) return null;
    }
    return kind;
  }
  return null;
}

const PLACEHOLDER = new RegExp([...GLOBAL_ALLOWLIST, ...SAMPLE_ALLOWLIST, String.raw`^ENC\[`, String.raw`^(?:process\.env|os\.environ|import\.meta\.env|env:|secrets\.|vault:|arn:aws:secretsmanager:)`].join("|"), "i");
const WORD_VALUE = /^(?:true|false|null|nil|none|undefined|yes|no|on|off|required|optional|enabled|disabled|hidden|masked|redacted|secret|token|password|passwd|n\/a|na|tbd|todo|test|string|bool|boolean|int|integer|number|object|array|empty|unset|default|auto|env|prompt|ask|stdin|file|keychain|keyring)$/i;
/** A path, a URL without credentials, a dotted identifier or a file name: what a name-only reading must not take for a secret. */
const REFERENCE = /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\|[a-z][a-z0-9+.-]{1,15}:\/\/[^@\s]*$)|^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+$|^[\w./ -]+\.[A-Za-z][A-Za-z0-9]{0,4}$/;

/** Which of lower-case, upper-case, digit and ASCII punctuation `s` mixes (a non-ASCII letter counts as a letter). */
function classes(s: string): { count: number; symbol: boolean; digit: boolean } {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let symbol = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else if (c > 32 && c < 127) symbol = 1;
    else if (c >= 128) lower = 1;
  }
  return { count: lower + upper + digit + symbol, symbol: symbol === 1, digit: digit === 1 };
}

/**
 * Whether `value` (trimmed), stored under a name of `kind`, is that credential: not a placeholder, a word such as
 * `true` or `required`, a reference (a path, a URL, `process.env.X`, `ENC[…]`) or prose, and shaped like one. A
 * password: 6 characters or more; without spaces it mixes a digit or a symbol with letters, or is long (16+) and
 * varied; with spaces (a passphrase or a password with a space) at most 6 words, 3 classes of character. Another
 * secret: 8 characters or more, no spaces except an auth scheme's (`Bearer …`), varied (2 classes, entropy 3).
 */
export function looksLikeNamedSecret(kind: "password" | "secret", value: string): boolean {
  const v = value.trim();
  if (v.length < (kind === "password" ? 6 : 8) || v.length > MAX_NAMED_VALUE_CHARS) return false;
  if (WORD_VALUE.test(v) || PLACEHOLDER.test(v) || REFERENCE.test(v)) return false;
  const c = classes(v);
  const spaces = v.match(/\s+/g)?.length ?? 0;
  if (kind === "password") {
    if (spaces === 0) return (c.count >= 2 && (c.digit || c.symbol)) || (v.length >= 16 && shannonEntropy(v) >= 3);
    return spaces <= 5 && c.count >= 3;
  }
  const token = spaces === 1 && /^[A-Za-z][\w-]{1,31}\s/.test(v) ? v.slice(v.search(/\s/) + 1) : v;
  if (/\s/.test(token) || token.length < 8) return false;
  return classes(token).count >= 2 && shannonEntropy(token) >= 3;
}
