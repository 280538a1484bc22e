// Turns rule data into ready-to-run matchers: compiled regexes, allowlists, validators and the shared keyword
// scanner. Rules are checked here once, so a malformed rule fails at start, never during a request.
import { RE2JS } from "re2js";
import { charClassCount, shannonEntropy } from "./entropy.js";
import { createKeywordScanner, type KeywordScanner } from "./keyword-scanner.js";
import { analyzeRegex, UnsafeRuleError } from "./linear.js";
import { GLOBAL_ALLOWLIST, SAMPLE_ALLOWLIST } from "./rules.js";
import type { Re2Allowlist, RuleSpec } from "./types.js";
import { VALIDATORS } from "./validators.js";

/** A rule ready to run. */
export interface CompiledRule {
  readonly spec: RuleSpec;
  /** Position in the rule list: lower wins an overlap. */
  readonly order: number;
  /** The rule's regex with flags `g` and `d` (`v8` rules), or null. */
  readonly regex: RegExp | null;
  /** The rule's RE2 program (`re2` rules), or null. */
  readonly re2: RE2JS | null;
  /** Number of capture groups of the rule's regex. */
  readonly groups: number;
  /** -1: the first group that matched something (gitleaks' default for an `re2` rule without `secretGroup`). */
  readonly secretGroup: number;
  readonly checkGroup: number;
  /** The scanner slots of the rule's keywords. */
  readonly keywordIds: readonly number[];
  /** True when the rule has no keyword: it runs on every text. */
  readonly always: boolean;
  /**
   * Judges a checked value (entropy, character classes, allowlists, validator); true keeps the match. `re2`
   * allowlists may also look at the whole match and its line.
   */
  readonly accepts: (value: string, match?: string, line?: string) => boolean;
  /** Regex tested on the text just before a match; a hit discards it. */
  readonly precededBy: RegExp | null;
}

/** Compiled rules and the keyword scanner that decides which of them run. */
export interface CompiledRuleSet {
  readonly rules: readonly CompiledRule[];
  readonly scanner: KeywordScanner;
}

/** How much text before a match `precededBy` allowlists see. */
export const CONTEXT_CHARS = 40;

function groupCount(source: string): number {
  return new RegExp(`${source}|`).exec("")!.length - 1;
}

function check(condition: boolean, rule: RuleSpec, problem: string): void {
  if (!condition) throw new Error(`inspect rule ${rule.id}: ${problem}`);
}

/** Worst-case backtracking bounds of a rule's regexes (steps per start position, see linear.ts). */
export interface RuleBounds {
  regex: number;
  allowlist: number[];
  precededBy: number | null;
  /** Longest value the allowlists judge. */
  checkedLength: number;
}

/**
 * The one gate every rule passes, built-in or supplied by an operator: checks that each of its regexes (pattern,
 * allowlist regexes, precededBy) parses as the supported syntax and has a bounded backtracking cost per start
 * position (`MAX_STEPS_PER_START`), so inspection time is linear in the text. Throws `UnsafeRuleError` naming the
 * rule and the regex when it cannot be shown; returns the bounds otherwise.
 */
export function checkRuleLinear(spec: RuleSpec): RuleBounds {
  const key = JSON.stringify([spec.id, spec.regex, spec.flags, spec.secretGroup, spec.checkGroup, spec.allowlist?.regexes, spec.allowlist?.precededBy]);
  let bounds = analysed.get(key);
  if (!bounds) {
    bounds = analyseRule(spec);
    analysed.set(key, bounds);
  }
  return bounds;
}

/** Bounds already shown, by rule content (the analysis is pure; rules are compiled by every inspector). */
const analysed = new Map<string, RuleBounds>();

function analyseRule(spec: RuleSpec): RuleBounds {
  if (!/^[imsu]*$/.test(spec.flags ?? "")) throw new UnsafeRuleError(spec.id, "flags", `${JSON.stringify(spec.flags)} are refused (allowed: i, m, s, u)`);
  const main = analyzeRegex(spec.id, "regex", spec.regex, spec.flags ?? "");
  const groups = groupCount(spec.regex);
  const secretGroup = spec.secretGroup ?? (groups > 0 ? 1 : 0);
  const checkGroup = spec.checkGroup ?? secretGroup;
  const checkedLength = checkGroup === 0 ? main.maxLength : (main.groupMaxLength[checkGroup - 1] ?? main.maxLength);
  const allowlist = (spec.allowlist?.regexes ?? []).map((a, i) => {
    const ci = a.startsWith("(?i)");
    return analyzeRegex(spec.id, `allowlist regex ${i}`, ci ? a.slice(4) : a, ci ? "i" : "", checkedLength).stepsPerStart;
  });
  const precededBy = spec.allowlist?.precededBy ? analyzeRegex(spec.id, "precededBy", spec.allowlist.precededBy, "i", CONTEXT_CHARS).stepsPerStart : null;
  return { regex: main.stepsPerStart, allowlist, precededBy, checkedLength };
}

/** Longest RE2 regex source an `re2` rule may have (RE2's work is linear in the text times the program's size). */
export const MAX_RE2_SOURCE = 4096;

/** Thrown when an `re2` rule's regex is not RE2 syntax, or too large. */
export class Re2RuleError extends Error {
  constructor(
    readonly rule: string,
    readonly part: string,
    problem: string,
  ) {
    super(`inspect rule ${rule}: ${part} ${problem}`);
    this.name = "Re2RuleError";
  }
}

/** Compiles an RE2 regex of rule `rule`, or throws `Re2RuleError` naming the rule and the part. */
export function compileRe2(rule: string, part: string, source: string): RE2JS {
  if (source.length === 0) throw new Re2RuleError(rule, part, "is empty");
  if (source.length > MAX_RE2_SOURCE) throw new Re2RuleError(rule, part, `is longer than ${MAX_RE2_SOURCE} characters`);
  try {
    return RE2JS.compile(source);
  } catch (err) {
    throw new Re2RuleError(rule, part, `is not RE2 syntax (${(err as Error).message}); lookaround and backreferences have no linear-time form and are refused`);
  }
}

function re2Test(re: RE2JS, text: string): boolean {
  return re.matcher(text).find();
}

/** The judge of one gitleaks-style allowlist: true when it discards the match. */
function re2AllowlistJudge(spec: RuleSpec, a: Re2Allowlist, i: number): (secret: string, match: string, line: string) => boolean {
  const regexes = a.regexes.map((x, j) => compileRe2(spec.id, `allowlist ${i} regex ${j}`, x));
  const stopwords = a.stopwords.map((w) => w.toLowerCase());
  const values = new Set(a.values ?? []);
  return (secret, match, line) => {
    const target = a.regexTarget === "match" ? match : a.regexTarget === "line" ? line : secret;
    const checks: boolean[] = [];
    if (regexes.length > 0) checks.push(regexes.some((re) => re2Test(re, target)));
    if (stopwords.length > 0) {
      const lower = secret.toLowerCase();
      checks.push(stopwords.some((w) => lower.includes(w)));
    }
    if (values.size > 0) checks.push(values.has(secret));
    if (checks.length === 0) return false;
    return a.condition === "and" ? !a.hasUnmatchable && checks.every(Boolean) : checks.some(Boolean);
  };
}

/** Compiles an `re2` rule (no backtracking gate: the engine is linear by construction). */
function compileRe2Rule(spec: RuleSpec, order: number, keywordIds: number[]): CompiledRule {
  check(spec.window === undefined && spec.validate === undefined && !spec.flags && !spec.allowlist?.precededBy, spec, "an re2 rule takes no window, flags, validator or precededBy");
  const re2 = compileRe2(spec.id, "regex", spec.regex);
  const groups = re2.groupCount();
  const secretGroup = spec.secretGroup ?? (groups > 0 ? -1 : 0);
  check(secretGroup <= groups, spec, `secretGroup ${secretGroup} is out of range (the regex has ${groups} groups)`);
  const judges = (spec.re2Allowlists ?? []).map((a, i) => re2AllowlistJudge(spec, a, i));
  const accepts = (value: string, match = value, line = match): boolean => {
    if (spec.entropy !== undefined && shannonEntropy(value) < spec.entropy) return false;
    return !judges.some((j) => j(value, match, line));
  };
  return { spec, order, regex: null, re2, groups, secretGroup, checkGroup: secretGroup, keywordIds, always: keywordIds.length === 0, accepts, precededBy: null };
}

/** Compiles `specs` (in priority order); throws on a malformed rule. */
export function compileRules(specs: readonly RuleSpec[]): CompiledRuleSet {
  const globalAllow = new RegExp(GLOBAL_ALLOWLIST.join("|"), "i");
  const globalAndSamples = new RegExp([...GLOBAL_ALLOWLIST, ...SAMPLE_ALLOWLIST].join("|"), "i");
  const ids = new Set<string>();
  // How many rules name each keyword: the keywords only one rule names share one scanner slot (a rule keyed on
  // 1 200 token prefixes then costs one slot per scan, not 1 200); a keyword several rules name keeps its own.
  const users = new Map<string, number>();
  for (const spec of specs) for (const key of new Set(spec.keywords.map((k) => k.toLowerCase()))) users.set(key, (users.get(key) ?? 0) + 1);
  const scanKeywords: string[] = [];
  const scanSlots: number[] = [];
  const sharedSlots = new Map<string, number>();
  const mergeGaps: (number | undefined)[] = [];
  let slotCount = 0;
  /** The scanner slots of a rule's keywords; with a window, each slot reports positions. */
  function slotsFor(spec: RuleSpec, window: RuleSpec["window"]): number[] {
    const slots = new Set<number>();
    let own: number | undefined;
    for (const key of new Set(spec.keywords.map((k) => k.toLowerCase()))) {
      const private_ = users.get(key) === 1;
      let slot = private_ ? own : sharedSlots.get(key);
      // A private keyword is met once (one rule, deduplicated), a shared one again by each rule naming it.
      const first = private_ || slot === undefined;
      if (slot === undefined) {
        slot = slotCount++;
        if (private_) own = slot;
        else sharedSlots.set(key, slot);
      }
      if (first) {
        scanKeywords.push(key);
        scanSlots.push(slot);
      }
      // Occurrences closer than the widest window never need separate slices.
      if (window) mergeGaps[slot] = Math.max(mergeGaps[slot] ?? 0, window.before + window.after);
      slots.add(slot);
    }
    return [...slots];
  }

  const sharedChecked = new Set<number>();

  const rules = specs.map((spec, order): CompiledRule => {
    const re2 = spec.engine === "re2";
    check(re2 ? /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(spec.id) : /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(spec.id), spec, re2 ? "id must be 1-128 letters, digits, _ . : -" : "id must be kebab-case");
    check(!ids.has(spec.id), spec, "duplicate id");
    ids.add(spec.id);
    check(re2 || spec.keywords.length > 0, spec, "needs at least one keyword");
    if (re2) return compileRe2Rule(spec, order, slotsFor(spec, undefined));
    const bounds = checkRuleLinear(spec);
    const groups = groupCount(spec.regex);
    const secretGroup = spec.secretGroup ?? (groups > 0 ? 1 : 0);
    const checkGroup = spec.checkGroup ?? secretGroup;
    check(secretGroup <= groups && checkGroup <= groups, spec, "group out of range");
    const window = spec.window;
    check(!window || (window.before >= 0 && window.after >= 0), spec, "window must not be negative");

    const keywordIds = slotsFor(spec, window);

    const allow = (spec.allowlist?.regexes ?? []).map((a) => (a.startsWith("(?i)") ? new RegExp(a.slice(4), "i") : new RegExp(a)));
    const stopwords = (spec.allowlist?.stopwords ?? []).map((w) => w.toLowerCase());
    const validate = spec.validate ? VALIDATORS[spec.validate] : null;
    check(!spec.validate || validate !== undefined, spec, `unknown validator ${spec.validate}`);
    const shared = spec.kind === "secret" && !spec.noGlobalAllowlist ? (spec.distinctive ? globalAllow : globalAndSamples) : null;
    if (shared && !sharedChecked.has(bounds.checkedLength)) {
      analyzeRegex(spec.id, "shared allowlist", globalAndSamples.source, "i", bounds.checkedLength);
      sharedChecked.add(bounds.checkedLength);
    }
    const accepts = (value: string): boolean => {
      if (spec.entropy !== undefined && shannonEntropy(value) < spec.entropy) return false;
      if (spec.charClasses !== undefined && charClassCount(value) < spec.charClasses) return false;
      if (stopwords.length > 0) {
        const lower = value.toLowerCase();
        if (stopwords.some((w) => lower.includes(w))) return false;
      }
      if (allow.some((a) => a.test(value))) return false;
      if (shared?.test(value)) return false;
      return validate === null || validate(value);
    };

    return {
      spec,
      order,
      regex: new RegExp(spec.regex, `gd${spec.flags ?? ""}`),
      re2: null,
      groups,
      secretGroup,
      checkGroup,
      keywordIds,
      always: false,
      accepts,
      precededBy: spec.allowlist?.precededBy ? new RegExp(spec.allowlist.precededBy, "i") : null,
    };
  });

  return { rules, scanner: createKeywordScanner(scanKeywords, mergeGaps, scanSlots) };
}
