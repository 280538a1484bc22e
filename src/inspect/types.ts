// The inspector's vocabulary: findings (the decision contract's), the fields it reads, and the shape of a rule.
import type { Finding, FindingKind, Severity } from "../decision/vocabulary.js";

export type { Finding, FindingKind, Severity };

/** A named string to inspect, e.g. `{ field: "data.text", text }` or `{ field: "tool.arguments.query", text }`. */
export interface InspectField {
  field: string;
  text: string;
  /**
   * What the text is known by, when it is a value of a JSON object (a tool argument): its key, with the keys of the
   * maps above it, or its pair's name (see `mapStrings`). When the name says the value is a credential and the
   * value looks like one (`secret-names.ts`), the whole text is one secret finding (`password-by-name`,
   * `secret-by-name`). The rules read the text alone; a name's own content is inspected where the name itself is a
   * field.
   */
  name?: string;
}

/** Finds secrets and personal data in text, and redacts them. */
export interface Inspector {
  /**
   * Findings over all fields, sorted by field then start; findings never overlap within a field. At most
   * `MAX_FINDINGS_PER_CALL` findings over at most `MAX_INSPECT_CHARS` characters: beyond either, it throws
   * `InspectLimitError` (a CustosError `payload_too_large`, HTTP 413, naming the field) and returns nothing.
   */
  inspect(fields: InspectField[]): Finding[];
  /** `text` with the span of each finding replaced by `[REDACTED:<type>]`; pass the findings of this text's field. */
  redact(text: string, findings: Finding[]): string;
}

/** Names of the structural checks a rule can ask for after its regex matched (see `validators.ts`). */
export type ValidatorName =
  | "payment-card"
  | "iban"
  | "us-ssn"
  | "ipv4"
  | "ipv6"
  | "phone"
  | "jwt"
  | "jwt-base64"
  | "discord-token"
  | "basic-auth"
  | "base64";

/**
 * A detection rule, as data, in the spirit of the gitleaks rule format. A rule runs only when one of its keywords
 * occurs in the text; its regex then runs (over the whole text, or only near the keywords when `window` is set), and
 * each match must pass the entropy floor, the allowlist and the validator before it becomes a finding.
 */
export interface RuleSpec {
  /** Stable id, kebab-case, reported as `Finding.rule`. */
  id: string;
  description: string;
  kind: FindingKind;
  /** Placeholder type, reported as `Finding.type`. */
  type: string;
  severity: Severity;
  /** Case-insensitive literals; at least one must occur in the text for the regex to run. */
  keywords: readonly string[];
  /**
   * Regex source (JavaScript syntax, compiled with flags `g` and `d` plus `flags`), with bounded quantifiers only.
   * With `window`, a match is judged in a slice that carries one character of context per side, so a lookaround at
   * the slice's edge sees one character.
   */
  regex: string;
  /** Extra regex flags, e.g. `i`. @default "" */
  flags?: string;
  /** Capture group whose span is reported, redacted and fingerprinted. @default 1 when the regex has a group, else 0 */
  secretGroup?: number;
  /** Capture group that entropy, allowlist and validator judge. @default secretGroup */
  checkGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the checked value. @default none */
  entropy?: number;
  /** Minimum number of character classes (lower, upper, digit, symbol) in the checked value. @default none */
  charClasses?: number;
  /** Only look this far around each keyword occurrence (in characters); a match must fit inside. @default whole text */
  window?: { before: number; after: number };
  /** Structural check of the checked value. @default none */
  validate?: ValidatorName;
  allowlist?: {
    /** Regexes that, when they match the checked value, discard the match; a leading `(?i)` ignores case. */
    regexes?: readonly string[];
    /** Case-insensitive substrings that, when the checked value contains one, discard the match. */
    stopwords?: readonly string[];
    /** Regex (case-insensitive) tested on the 40 characters before the match; a hit discards it (e.g. "order no."). */
    precededBy?: string;
  };
  /** Skip the allowlist shared by all secret rules (placeholders like `xxxx`, `example`, `${VAR}`). @default false */
  noGlobalAllowlist?: boolean;
  /**
   * The value has a vendor's own format (a fixed prefix or structure), which is evidence enough: a value in that
   * format is reported even when it looks like a documentation sample (`…EXAMPLE`, a vendor's published test key,
   * a sequential filler); only masked values and template variables are let through. @default false
   */
  distinctive?: boolean;
  /**
   * The regex engine. `v8` (the built-in rules): JavaScript syntax, held to the static backtracking bound of
   * `linear.ts`. `re2`: RE2 syntax (Go's, as gitleaks writes it), compiled with re2js, an automaton engine whose
   * work is linear in the text by construction; such a rule runs over the whole text when a keyword occurs (or on
   * every text when it has none), takes no `window`, `flags`, `validate` or `precededBy`, and its allowlists are
   * `re2Allowlists`. @default "v8"
   */
  engine?: "v8" | "re2";
  /** Allowlists of an `re2` rule, in gitleaks' form: any one that matches discards the match. */
  re2Allowlists?: readonly Re2Allowlist[];
}

/** A gitleaks-style allowlist of an `re2` rule. */
export interface Re2Allowlist {
  /** `or`: any one check discards the match; `and`: all of them must. */
  condition: "or" | "and";
  /** What the regexes are tested on: the secret, the whole match, or the match's line. */
  regexTarget: "secret" | "match" | "line";
  /** RE2 regexes. */
  regexes: readonly string[];
  /** Case-insensitive substrings of the secret. */
  stopwords: readonly string[];
  /** Exact secrets (compared as written). */
  values?: readonly string[];
  /** The allowlist also names paths or commits, which never match content: under `and` it can never apply. */
  hasUnmatchable?: boolean;
}
