// The injection detector's vocabulary: its findings, the names of the signals it reports, and the shape of a
// pattern (kept as data, so the same linear-time gate that checks the inspector's rules can check these).
import type { InspectField, Severity } from "../types.js";

/** Names of the signals a finding can carry as evidence. */
export type InjectionSignal =
  | "override-phrase"
  | "prompt-leak"
  | "role-play"
  | "restriction-removal"
  | "model-addressed"
  | "new-instructions"
  | "role-tag"
  | "tool-call-json"
  | "hidden-unicode:tags"
  | "hidden-unicode:bidi"
  | "hidden-unicode:zero-width"
  | "homoglyph"
  | "exfil-markdown-image"
  | "exfil-link"
  | "exfil-instruction"
  | "encoded-payload:base64"
  | "encoded-payload:url"
  | "concealment"
  /** The second stage (the classifier) judged the stretch an injection, or confirmed an ambiguous span. */
  | "classifier";

/**
 * One span of a field that reads as instructions aimed at the model. It never carries the text: only where it is,
 * how sure the detector is, which signals fired, and (when a key is configured) a keyed hash of the span.
 */
export interface InjectionFinding {
  rule: "prompt-injection";
  kind: "injection";
  type: "prompt-injection";
  severity: Severity;
  /** UTF-16 offsets in the field's text (`end` exclusive). */
  location: { field: string; start: number; end: number };
  /** Combined evidence, 0..1; a finding is reported at or above the detector's threshold. */
  score: number;
  /** Signals that fired in the span, sorted, each once. */
  signals: InjectionSignal[];
  /** HMAC-SHA256(fingerprint key, span text), hex, first 32 characters; only with a key. */
  fingerprint?: string;
}

/** Finds instructions aimed at the model in content. */
export interface InjectionDetector {
  /** Findings over all fields, sorted by field then start; at most `maxFindings` per call. */
  detect(fields: InspectField[]): InjectionFinding[];
}

/** Which text a pattern runs over. */
export type PatternScope =
  /** The lowercased, hidden-Unicode-stripped, confusable-folded text (phrases and tags). */
  | "folded"
  /** The text as given, case kept (markdown, JSON, URLs). */
  | "raw";

/**
 * A pattern, as data, in the spirit of the inspector's rules. It runs only near occurrences of its keywords (found by
 * one keyword scan shared by all patterns), or, for scripts that scan does not read, when its gate regex matches.
 * Regexes use bounded quantifiers only, with no nested or overlapping ones.
 */
export interface InjectionPatternSpec {
  /** Stable id, kebab-case. */
  id: string;
  signal: InjectionSignal;
  /** Weight of one match in the score (see `score.ts`), 0..1. */
  weight: number;
  /** Regex source (JavaScript syntax), compiled with flag `g` plus `flags`. */
  regex: string;
  /** Extra regex flags. @default "" */
  flags?: string;
  /**
   * A second regex that must match soon after the first (its object after a verb, say), searched in code in the
   * next `within` characters up to the end of the sentence (or line): a filler between two parts in one regex would
   * let every start position rescan it. The match then spans both parts.
   */
  then?: { regex: string; within: number; stop?: "sentence" | "line" };
  /** Case-insensitive ASCII literals; the regex runs only in windows around their occurrences. */
  keywords?: readonly string[];
  /** How far around each keyword occurrence a match may lie (in characters). @default { before: 0, after: 160 } */
  window?: { before: number; after: number };
  /** Instead of keywords: id of the gate (see `INJECTION_GATES`) that must match; the regex then runs on the whole text. */
  gate?: string;
  scope: PatternScope;
  /** How a match's weight is adjusted by what it says (see `detector.ts`). @default none */
  adjust?: "override" | "mention" | "exfil";
}

/** A gate: one fast search deciding whether a family's patterns run at all. */
export interface InjectionGateSpec {
  id: string;
  regex: string;
  flags?: string;
  scope: PatternScope;
}
