// Turns pattern data into ready-to-run matchers: compiled regexes, the keyword scanner shared by all patterns, the
// windows a pattern runs in, and the search for a pattern's second part. Patterns are checked here once, so a
// malformed one fails at start, never during a request.
import { linearRegex } from "../linear.js";
import { createKeywordScanner, type KeywordHits, type KeywordScanner } from "../keyword-scanner.js";
import type { InjectionGateSpec, InjectionPatternSpec } from "./types.js";

/** A pattern ready to run. */
export interface Compiled {
  spec: InjectionPatternSpec;
  regex: RegExp;
  keywordIds: readonly number[];
  before: number;
  after: number;
  then: { regex: RegExp; within: number; stop: RegExp } | null;
}

const SENTENCE_END = /[.!?\n。！？]/;
const LINE_END = /\n/;

/** Compiled patterns, their gates and the keyword scanner that decides where they run. */
export interface CompiledSet {
  patterns: Compiled[];
  gates: Map<string, { spec: InjectionGateSpec; regex: RegExp }>;
  scanner: KeywordScanner;
  /** Scanner ids of the cue keywords given to `compilePatterns`, in their order. */
  cueIds: readonly number[];
}

/**
 * Compiles the patterns and their shared keyword scanner; throws on a malformed pattern. `cues` are further keywords
 * the same scan finds (with positions), for the second stage: one pass over the text serves both.
 */
export function compilePatterns(specs: readonly InjectionPatternSpec[], gates: readonly InjectionGateSpec[], cues: readonly string[] = []): CompiledSet {
  const gateMap = new Map(gates.map((g) => [g.id, { spec: g, regex: linearRegex(`injection-${g.id}`, "gate", g.regex, g.flags ?? "") }]));
  const ids = new Set<string>();
  const keywordIndex = new Map<string, number>();
  const mergeGaps: number[] = [];
  const patterns = specs.map((spec): Compiled => {
    const bad = (problem: string): never => {
      throw new Error(`injection pattern ${spec.id}: ${problem}`);
    };
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(spec.id) || ids.has(spec.id)) bad("bad or duplicate id");
    ids.add(spec.id);
    if ((spec.keywords === undefined) === (spec.gate === undefined)) bad("needs keywords or a gate, not both");
    if (spec.gate !== undefined && !gateMap.has(spec.gate)) bad(`unknown gate ${spec.gate}`);
    if (spec.keywords !== undefined && spec.keywords.length === 0) bad("needs at least one keyword");
    if (!(spec.weight > 0 && spec.weight <= 1)) bad("weight must be in (0, 1]");
    const before = spec.window?.before ?? 0;
    const after = spec.window?.after ?? 160;
    if (before < 0 || after < 0) bad("window must not be negative");
    const keywordIds = (spec.keywords ?? []).map((k) => {
      const key = k.toLowerCase();
      let id = keywordIndex.get(key);
      if (id === undefined) {
        id = keywordIndex.size;
        keywordIndex.set(key, id);
      }
      mergeGaps[id] = Math.max(mergeGaps[id] ?? 0, before + after);
      return id;
    });
    const then = spec.then ? { regex: linearRegex(`injection-${spec.id}`, "then", spec.then.regex, spec.flags ?? ""), within: spec.then.within, stop: spec.then.stop === "line" ? LINE_END : SENTENCE_END } : null;
    if (then !== null && !(then.within > 0 && then.within <= 256)) bad("then.within must be in 1..256");
    return { spec, regex: linearRegex(`injection-${spec.id}`, "regex", spec.regex, `g${spec.flags ?? ""}`), keywordIds, before, after, then };
  });
  const cueIds = cues.map((k) => {
    const key = k.toLowerCase();
    let id = keywordIndex.get(key);
    if (id === undefined) {
      id = keywordIndex.size;
      keywordIndex.set(key, id);
    }
    mergeGaps[id] = Math.max(mergeGaps[id] ?? 0, 0);
    return id;
  });
  return { patterns, gates: gateMap, scanner: createKeywordScanner([...keywordIndex.keys()], mergeGaps), cueIds };
}

/** The merged `[lo, hi)` windows around the occurrences of a pattern's keywords. */
export function windows(p: Compiled, hits: KeywordHits, n: number): number[] {
  const raw: number[] = [];
  for (const k of p.keywordIds) {
    const r = hits.ranges[k];
    if (r) for (let i = 0; i < r.length; i += 2) raw.push(Math.max(0, r[i]! - p.before), Math.min(n, r[i + 1]! + p.after));
  }
  if (raw.length <= 2) return raw;
  const pairs: [number, number][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of pairs) {
    if (merged.length > 0 && lo <= merged[merged.length - 1]!) merged[merged.length - 1] = Math.max(merged[merged.length - 1]!, hi);
    else merged.push(lo, hi);
  }
  return merged;
}

/** End of the `then` part when it starts within `then.within` characters after `end`, in the same sentence; else -1. */
export function follows(then: NonNullable<Compiled["then"]>, subject: string, end: number): number {
  // One character of context before, for the part's lookbehind.
  const from = Math.max(0, end - 1);
  let piece = subject.slice(from, Math.min(subject.length, end + then.within + 64));
  const cut = then.stop.exec(piece.slice(end - from));
  if (cut !== null) piece = piece.slice(0, end - from + cut.index);
  const m = then.regex.exec(piece);
  if (m === null || from + m.index - end > then.within) return -1;
  return from + m.index + m[0].length;
}

