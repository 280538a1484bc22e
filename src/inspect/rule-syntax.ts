// Building blocks of rule regexes, shared by the rule files (`rules.ts`, `vendor-rules.ts`): how a name meets its
// value, and how a prefixed token is bounded.

export const r = String.raw;

/**
 * Assignment operators of the languages and formats secrets are written in: `=`, `=>`, `:`, `:=`, `::=` and
 * `:::=` (Make, BNF), `?=` (Make), `.=` (PHP), `+=`, `<-` (R).
 */
export const OP = r`(?::(?:=|:=|::=)?|=>?|[?.+]=|<-)`;
/** A quote, or a quote escaped with a backslash: JSON held in a string (`{\"api_token\": \"…\"}`), as logs carry it. */
export const QUOTE = r`\\?["'${"`"}]`;
/**
 * Separator between a name and its value: a closing quote, spaces, an assignment operator (or a comma), an opening
 * quote (either may be escaped), at least one of them. A name glued to what follows is no assignment; and requiring
 * a separator keeps a text made of a rule's names alone cheap (without it every name was tried against every value
 * length at every one of its characters: 512 KiB of one vendor's name held the event loop for most of a second).
 */
export const ASSIGN = r`(?:${QUOTE}[ \t]{0,3}(?:${OP}|,)?|[ \t]{1,3}(?:${OP}|,)?|${OP}|,)[ \t]{0,3}(?:${QUOTE})?`;
/** A Kubernetes-style pair: `- name: X` on one line, `value: "…"` on the next. */
export const NEXT_LINE_VALUE = r`["']?[ \t]{0,3}\r?\n[ \t]{0,16}value:[ \t]{0,3}["']?`;

/**
 * A value recognisable only by the name next to it (gitleaks' "semi-generic" rules): `names`, up to 24 name
 * characters (`_api_key`, `.token`), a separator, then the captured `value`, not followed by `tail`.
 */
export function named(names: string, value: string, tail = r`[A-Za-z0-9_-]`): string {
  return r`(?:${names})[\w.-]{0,24}?(?:${ASSIGN}|${NEXT_LINE_VALUE})(${value})(?!${tail})`;
}

/** A token with a distinctive prefix, not glued to a preceding or following token character. */
export function token(body: string, chars = r`A-Za-z0-9_-`): string {
  // Padding and separators (= + / $) may precede a token (KEY=token), so they only bound its end.
  const before = chars.replace(/[=+/$]/g, "");
  return r`(?<![${before}])(${body})(?![${chars}])`;
}

export const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** Window for `named` rules: the name starts the match; 24 name chars, separator and a value up to ~100 chars. */
export const NAMED_WINDOW = { before: 0, after: 180 };
