// Values known by their name: a tool argument stored under a key that names a credential (`password`,
// `DB_PASSWORD`, `clientSecret`, `api-key`, `{"name": "API_TOKEN", "value": …}`) is a secret as a whole when the
// value looks like one, whatever its characters; the rules alone, written for `KEY=value` in prose, see only the
// value and need it to look like a token. The name is read as words (snake, kebab, camel case, dots), never as a
// regex over free text, so `compass` or `turkey` name nothing, and a metadata word after the credential word
// (`password_hint`, `token_count`, `passwordLastChanged`, `credentials.username`) names something else.
import { characterClasses, shannonEntropy } from "./entropy.js";
import { linearRegex } from "./linear.js";
import { SAMPLE_ALLOWLIST } from "./rules.js";

/** What a name says its value is: a password, another secret (token, key, credential), or nothing. */
export type SecretNameKind = "password" | "secret" | null;

/** Most characters of a name read (its end: `…_DB_PASSWORD`). */
const MAX_NAME_CHARS = 128;
/** Values longer than this are not judged by their name (a blob: the rules read it). */
export const MAX_NAMED_VALUE_CHARS = 8192;

/** Words that name a password. */
const PASSWORD_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "pw", "pass", "passcode", "passwort", "kennwort", "contrasena", "contraseña", "senha", "motdepasse", "haslo", "hasło", "heslo", "wachtwoord", "lösenord", "losenord", "passord", "adgangskode", "salasana", "şifre", "sifre", "пароль", "密码", "密碼", "パスワード", "비밀번호",
  // Glued names of server settings and tools (`requirepass` in Redis, `-storepass` in keytool, `.pgpass`).
  "requirepass", "masterauth", "masterpass", "storepass", "keystorepass", "keypass", "pgpass", "dbpass", "rootpass", "adminpass", "userpass", "smtppass", "mailpass"]);
/** Words that name another secret on their own. */
const SECRET_WORDS = new Set(["secret", "token", "apikey", "auth", "credential", "credentials", "creds", "authorization", "privatekey", "secretkey", "accesskey", "signingkey", "masterkey", "encryptionkey", "authkey", "licensekey", "webhooksecret", "clientsecret", "sessiontoken", "bearer", "cookie"]);
/** First words that make `<word> key` a secret (`api_key`, `private-key`, `accessKey`). */
const KEY_QUALIFIERS = new Set(["api", "private", "secret", "access", "signing", "master", "encryption", "auth", "license", "client", "app", "service", "primary", "secondary", "account", "storage", "subscription", "hmac", "jwt", "deploy", "shared", "webhook"]);
/** Words that make `<word> tokens` credentials, not a count of a model's tokens (`access_tokens`). */
const TOKEN_QUALIFIERS = new Set(["access", "refresh", "auth", "api", "bearer", "session", "id", "oauth", "personal", "service"]);
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
  "issuer", "status", "state", "valid", "validity", "index", "set", "list", "class", "placeholder", "prompt",
  "message", "error", "errors", "text", "title", "help", "tooltip", "visible", "visibility", "input", "button",
  "score", "level", "count", "number", "last", "next", "previous", "prev", "in", "at", "by", "on", "to", "default",
  "defaults", "sha1", "sha256", "sha512", "arn", "selector", "column",
  "counter", "service", "endpoint", "link", "redirect", "callback", "example", "sample", "template", "schema",
]);
/** Words before the credential word that make it something else (`next_token`, `public_key`, `max_tokens`). */
const NEGATING_QUALIFIERS = new Set(["public", "next", "page", "pagination", "continuation", "cursor", "sync", "resume",
  "resumption", "delta", "starting", "max", "min", "num", "total", "is", "has", "use", "show", "hide", "forgot", "csrf",
  "xsrf", "pkce", "nonce", "idempotency", "cancellation", "request", "trace", "correlation", "sort", "partition",
  "foreign", "cache", "lookup", "map", "hotkey", "keyboard", "translation", "i18n", "l10n", "object", "s3", "file", "row",
  "group", "label", "existing", "no"]);
/** Words anywhere before the credential word that make the value text about it (`errors.password`, `rules.password`). */
const CONTAINER_WORDS = new Set(["error", "errors", "message", "messages", "rule", "rules", "validation", "validations",
  "validator", "validators", "policy", "policies", "label", "labels", "i18n", "l10n", "translation", "translations",
  "locale", "locales", "placeholder", "placeholders", "hint", "hints", "help", "tooltip", "tooltips", "strings",
  "columns", "column", "fields", "schema", "usage", "stats", "metrics", "tags"]);

/**
 * How a name is split into words. They read at most {@link MAX_NAME_CHARS} characters, and use Unicode classes the
 * linear-time gate does not take, so the suite's recheck test judges them instead.
 */
export const NAME_WORD_REGEXES = {
  hump: /([a-z0-9])([A-Z])/g,
  acronym: /([A-Z])(?=[A-Z][a-z])/g,
  separators: /[^\p{L}\p{N}]+/u,
  numbered: /^\p{L}{2,}\d+$/u,
  digit: /\d/,
} as const;

/** The words of a name: split at non-letters-or-digits and at camel-case humps, lower-cased. */
export function nameWords(name: string): string[] {
  const tail = name.length > MAX_NAME_CHARS ? name.slice(name.length - MAX_NAME_CHARS) : name;
  const { hump, acronym, separators, numbered, digit } = NAME_WORD_REGEXES;
  return tail
    .replace(hump, "$1 $2")
    .replace(acronym, "$1 ")
    .toLowerCase()
    .split(separators)
    // A number glued to a word is a variant of it (`password1`, `apiKey2`).
    .map((w) => (numbered.test(w) ? w.slice(0, w.search(digit)) : w))
    .filter((w) => w.length > 0);
}

/** The credential a word names on its own (as the word, or as the end of a glued one: `dbpassword`, `authtoken`). */
function wordKind(word: string): SecretNameKind {
  // A plural names its kind (`passwords`, `secrets`), but `tokens` counts words of a model's text, not credentials.
  if (word.length > 4 && word.endsWith("s") && !word.endsWith("ss") && word !== "tokens") {
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
    // `pass` names a password at the end (`db_pass`, `SMTP_PASS`) or before `word`/`phrase` (`passPhrase`), not
    // in `pass_through` or `pass_count`; `mot de passe` is French for password.
    const nextWord = words[i + 1];
    if (w === "pass" && (nextWord === "word" || nextWord === "phrase")) return "password";
    if (w === "passe" && i >= 2 && words[i - 1] === "de" && words[i - 2] === "mot") return "password";
    if (w === "pass" && i !== words.length - 1) continue;
    let kind = wordKind(w);
    if (kind === null && w === "tokens" && i > 0 && TOKEN_QUALIFIERS.has(words[i - 1]!)) kind = "secret";
    if (kind === null && w === "key" && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) kind = "secret";
    if (kind === null) continue;
    const before = i > 0 ? words[i - 1]! : "";
    const qualifiedKey = w === "key";
    if (!qualifiedKey && NEGATING_QUALIFIERS.has(before)) return null;
    if (qualifiedKey && i > 1 && NEGATING_QUALIFIERS.has(words[i - 2]!)) return null;
    for (let j = 0; j < i; j++) if (CONTAINER_WORDS.has(words[j]!)) return null;
    for (let j = i + 1; j < words.length; j++) {
      const after = words[j]!;
      if (METADATA_WORDS.has(after) || (after.endsWith("s") && METADATA_WORDS.has(after.slice(0, -1)))) return null;
    }
    return kind;
  }
  return null;
}

/**
 * The regexes of the value checks, as data: each is compiled through the linear-time gate (`linearRegex`), so a value
 * of up to {@link MAX_NAMED_VALUE_CHARS} characters costs linear time whatever it holds, and the test suite runs the
 * recheck analyzer over the same sources. (A camel-case check with `[A-Z]+` inside a repetition once took 16 s on
 * 60 capitals: every split of the run was tried.)
 */
export const NAMED_VALUE_REGEXES = {
  /**
   * Placeholders, as whole values (a password that merely contains `my…pass` or `xxxx` is still one): masks,
   * template references (`${VAR}`, `{{ var }}`, `$(VAR)`, `#{Var}`, `%VAR%`, `<your-key>`), secret-store references
   * (`process.env.X`, `ENC[…]`, `@Microsoft.KeyVault(…)`, a Secrets Manager ARN).
   */
  placeholder: [
    String.raw`^[xX*•#._-]{3,8192}$`,
    String.raw`^(?:your|my)[_-]?(?:api[_-]?)?(?:key|token|secret|password|pass)[\w-]{0,8192}$`,
    String.raw`^<[^>]{0,128}>$|^\$\{[^}]{1,128}\}$|^\{\{[^}]{1,128}\}\}$|^%[A-Za-z_]{1,64}%$|^\$[A-Za-z_][A-Za-z0-9_]{0,63}$`,
    String.raw`^\$\([^)]{1,128}\)$|^#\{[^}]{1,128}\}$`,
    String.raw`^ENC\[`,
    String.raw`^(?:process\.env|os\.environ|import\.meta\.env|env:|secrets\.|vault:|arn:aws:secretsmanager:|@Microsoft\.KeyVault\()`,
  ].join("|"),
  /** A value of word characters only, where a sample word marks a filler (`your-example-key`, `changeme123`). */
  wordChars: String.raw`^[\w.-]{1,8192}$`,
  /** Sample words (`example`, `changeme`, `redacted`, a run of `123456789` …); `Example!2024` is still a password. */
  sampleWord: String.raw`placeholder|redacted|replace[_-]?me|insert[_-]?(?:your|key|token|here)|not[_-]?a[_-]?real|${SAMPLE_ALLOWLIST.join("|")}`,
  /** Words run together in camel or Pascal case (`userAccountId`, `GoogleOAuth2`, `ChangeOnFirstLogin`): a name. */
  camelWords: String.raw`^[A-Za-z][a-z]{1,64}(?:[A-Z][a-z]{0,64}){1,8}\d{0,3}$`,
  wordValue: String.raw`^(?:true|false|null|nil|none|undefined|yes|no|on|off|required|optional|enabled|disabled|hidden|masked|redacted|secret|token|password|passwd|n\/a|na|tbd|todo|test|string|bool|boolean|int|integer|number|object|array|empty|unset|default|auto|env|prompt|ask|stdin|file|keychain|keyring)$`,
  /** A path or a URL without credentials: what no credential is. */
  location: String.raw`^(?:\.{0,2}\/|~\/|[A-Za-z]:\\|[a-z][a-z0-9+.-]{1,15}:\/\/[^@\s]{0,8192}$)`,
  /** A dotted identifier of words (`Errors.Login.InvalidPassword2`, `com.example.App`). */
  dottedIdentifier: String.raw`^[A-Za-z_][A-Za-z_-]{0,64}\d{0,3}(?:\.[A-Za-z_][A-Za-z_-]{0,64}\d{0,3}){1,16}$`,
  /** A file name's extension, at the end (the rest must be path characters: checked apart). */
  fileExtension: String.raw`\.[A-Za-z][A-Za-z0-9]{0,4}$`,
  pathChars: String.raw`^[\w./ -]{1,8192}$`,
  /** The name of a variable or of a secret, not its value: `DB_PASSWORD`, `OPENAI_API_KEY`. */
  variableName: String.raw`^[A-Z][A-Z0-9]{0,64}(?:_[A-Z0-9]{1,64}){1,16}$`,
  /** A number, a date, a time or an address written with separators. */
  numeric: String.raw`^[\d\s,._:+\/-]{1,8192}$`,
  digits: String.raw`^\d{1,8192}$`,
  /** A label (`Passwort:`, `Enter code:`) or a question, not a value. */
  label: String.raw`[:?]$`,
  /** How a sentence ends: a full stop, an exclamation, a bracket. */
  sentenceEnd: String.raw`[.!)\]]$`,
  whitespaceRun: String.raw`\s{1,8192}`,
  whitespace: String.raw`\s`,
  /** An auth scheme before its token (`Bearer  <token>`). */
  authScheme: String.raw`^[A-Za-z][\w-]{1,31}\s{1,64}(?=\S{1,8192}$)`,
  /** The spaces after a cookie pair's `;`. */
  cookieSpaces: String.raw`;\s{1,64}`,
} as const;

const R = NAMED_VALUE_REGEXES;
const PLACEHOLDER = linearRegex("secret-names", "placeholder", R.placeholder, "i");
const WORD_CHARS = linearRegex("secret-names", "wordChars", R.wordChars);
const SAMPLE_WORD = linearRegex("secret-names", "sampleWord", R.sampleWord, "i");
const CAMEL_WORDS = linearRegex("secret-names", "camelWords", R.camelWords);
const WORD_VALUE = linearRegex("secret-names", "wordValue", R.wordValue, "i");
const LOCATION = linearRegex("secret-names", "location", R.location);
const DOTTED_IDENTIFIER = linearRegex("secret-names", "dottedIdentifier", R.dottedIdentifier);
const FILE_EXTENSION = linearRegex("secret-names", "fileExtension", R.fileExtension);
const PATH_CHARS = linearRegex("secret-names", "pathChars", R.pathChars);
const VARIABLE_NAME = linearRegex("secret-names", "variableName", R.variableName);
const NUMERIC = linearRegex("secret-names", "numeric", R.numeric);
const DIGITS = linearRegex("secret-names", "digits", R.digits);
const LABEL = linearRegex("secret-names", "label", R.label);
const SENTENCE_END = linearRegex("secret-names", "sentenceEnd", R.sentenceEnd);
const WHITESPACE_RUN = linearRegex("secret-names", "whitespaceRun", R.whitespaceRun, "g");
const WHITESPACE = linearRegex("secret-names", "whitespace", R.whitespace);
const AUTH_SCHEME = linearRegex("secret-names", "authScheme", R.authScheme);
const COOKIE_SPACES = linearRegex("secret-names", "cookieSpaces", R.cookieSpaces, "g");

/** A sample word in a value of word characters only: a filler. */
function sampleFiller(v: string): boolean {
  return WORD_CHARS.test(v) && SAMPLE_WORD.test(v);
}

/** A dotted identifier of words, or a file name (path characters ending in an extension). */
function identifierOrFile(v: string): boolean {
  return DOTTED_IDENTIFIER.test(v) || (FILE_EXTENSION.test(v) && PATH_CHARS.test(v) && v.lastIndexOf(".") > 0);
}

/** `v` without an auth scheme before its token (`Bearer …`). */
export function withoutAuthScheme(v: string): string {
  return v.replace(AUTH_SCHEME, "");
}

/** Which of lower-case, upper-case, digit and ASCII punctuation `s` mixes (a non-ASCII letter counts as a letter). */
function classes(s: string): { count: number; symbol: boolean; digit: boolean; lower: boolean; upper: boolean } {
  const c = characterClasses(s);
  // Spaces and control characters are "other" too, but only a non-ASCII letter reads as a letter here.
  const lower = c.lower || /[^\x00-\x7f]/.test(s);
  return { count: Number(lower) + Number(c.upper) + Number(c.digit) + Number(c.symbol), symbol: c.symbol, digit: c.digit, lower, upper: c.upper };
}

/**
 * Whether `value` (trimmed), stored under a name of `kind`, is that credential: not a placeholder (as a whole
 * value), a word such as `true` or `required`, a path or URL, a variable's name (`DB_PASSWORD`), a label ending in
 * `:` or `?`, or a number written with separators. A password: 6 characters or more (8 when all digits); without
 * spaces it mixes a digit or a symbol with letters, or is long (16+) and varied; with spaces (a password with a
 * space) at most 5 words, a digit and 3 classes of character, and no sentence ending. Another secret: 8 characters
 * or more (16 when all digits), not a dotted identifier or file name, no spaces but an auth scheme's (`Bearer …`)
 * or a cookie's (`a=1; b=2`), 12 characters or more mixing two of letters (both cases count as two) and digits,
 * with entropy 3.2 or more (3 from 20 characters); 8 to 11 characters, both cases and a digit.
 */
export function looksLikeNamedSecret(kind: "password" | "secret", value: string): boolean {
  const v = value.trim();
  if (v.length < (kind === "password" ? 6 : 8) || v.length > MAX_NAMED_VALUE_CHARS) return false;
  if (WORD_VALUE.test(v) || PLACEHOLDER.test(v) || sampleFiller(v) || LOCATION.test(v) || VARIABLE_NAME.test(v) || CAMEL_WORDS.test(v)) return false;
  if (LABEL.test(v)) return false;
  if (DIGITS.test(v)) return v.length >= (kind === "password" ? 8 : 16);
  if (NUMERIC.test(v)) return false;
  const c = classes(v);
  const spaces = v.match(WHITESPACE_RUN)?.length ?? 0;
  if (kind === "password") {
    if (spaces === 0) return (c.count >= 2 && (c.digit || c.symbol)) || (v.length >= 16 && shannonEntropy(v) >= 3);
    // A password with spaces has a digit, and is no sentence.
    return spaces <= 4 && c.count >= 3 && c.digit && !SENTENCE_END.test(v);
  }
  if (identifierOrFile(v)) return false;
  // `Bearer <token>` (any number of spaces), a cookie's `a=1; b=2` pairs.
  const token = withoutAuthScheme(v).replace(COOKIE_SPACES, ";");
  if (WHITESPACE.test(token) || token.length < 8) return false;
  const mix = (c.lower && c.upper ? 2 : c.lower || c.upper ? 1 : 0) + (c.digit ? 1 : 0);
  if (token.length < 12) return mix === 3 && shannonEntropy(token) >= 3;
  return mix >= 2 && shannonEntropy(token) >= (token.length < 20 ? 3.2 : 3);
}
