// The first stage: runs the patterns a text's keywords (or gates) call for over the text as given, after hidden
// Unicode is stripped and look-alikes folded, and over payloads decoded once; adds the hidden-Unicode signals; and
// reports, from the same keyword scan, where the second stage's cues lie. Everything in the original text's offsets.
import { compilePatterns, follows, windows } from "./compile-patterns.js";
import { adjustWeight, regions } from "./context.js";
import { CUES } from "./cues.js";
import { decodePayloads } from "./decode.js";
import { INJECTION_GATES, INJECTION_PATTERNS } from "./patterns.js";
import type { Hit } from "./score.js";
import type { InjectionSignal } from "./types.js";
import { normalize, type NormalizedText } from "./unicode.js";

/**
 * Matches kept per pattern per text. Matches do not overlap, so work stays linear without a tight cap; the cap only
 * bounds memory, and sits above what decoys (weak matches placed before the real one) in a 1 MiB text can exhaust.
 */
const MAX_MATCHES_PER_PATTERN = 1 << 16;
/** Cue occurrences kept per text (they only rank stretches for the second stage). */
const MAX_CUES = 4096;

/** A cue occurrence: its group (see `CUE_GROUPS`) and where it lies, in the original text's offsets. */
export interface Cue {
  group: number;
  start: number;
}

/** What the first stage found in one text. */
export interface FirstStageResult {
  hits: Hit[];
  cues: Cue[];
  /** The text prepared for matching (its `folded` form feeds the second stage). */
  normalized: NormalizedText;
}

/** The first stage, compiled once. */
export interface FirstStage {
  run(text: string): FirstStageResult;
}

export function createFirstStage(): FirstStage {
  const { patterns, gates, scanner, cueIds } = compilePatterns(INJECTION_PATTERNS, INJECTION_GATES, CUES.map((c) => c.keyword));

  /** Signals of the patterns over one prepared text, in that text's `raw` offsets; cue positions into `cues`. */
  function scanPatterns(t: NormalizedText, out: Hit[], cues: Cue[] | null): void {
    const code = regions(t.raw, "`");
    const hits = scanner.scan(t.folded);
    if (cues !== null) {
      for (let c = 0; c < cueIds.length && cues.length < MAX_CUES; c++) {
        const r = hits.ranges[cueIds[c]!];
        if (r) for (let i = 0; i < r.length && cues.length < MAX_CUES; i += 2) cues.push({ group: CUES[c]!.group, start: r[i]! });
      }
    }
    const passed = new Map<string, boolean>();
    const n = t.raw.length;
    for (const p of patterns) {
      const { spec } = p;
      const subject = spec.scope === "raw" ? t.raw : t.folded;
      let ranges: number[];
      if (spec.gate !== undefined) {
        let open = passed.get(spec.gate);
        if (open === undefined) {
          const g = gates.get(spec.gate)!;
          open = g.regex.test(g.spec.scope === "raw" ? t.raw : t.folded);
          passed.set(spec.gate, open);
        }
        if (!open) continue;
        ranges = [0, n];
      } else {
        let any = false;
        for (const k of p.keywordIds) any ||= hits.seen[k] === 1;
        if (!any) continue;
        ranges = windows(p, hits, n);
      }
      let count = 0;
      for (let w = 0; w < ranges.length && count < MAX_MATCHES_PER_PATTERN; w += 2) {
        const lo = ranges[w]!;
        const hi = ranges[w + 1]!;
        // One character of context on each side, so a lookaround at the window's edge sees the text.
        const offset = Math.max(0, lo - 1);
        const slice = lo === 0 && hi === n ? subject : subject.slice(offset, Math.min(n, hi + 1));
        const base = slice === subject ? 0 : offset;
        const re = p.regex;
        re.lastIndex = 0;
        for (let m = re.exec(slice); m !== null && count < MAX_MATCHES_PER_PATTERN; m = re.exec(slice)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          const start = base + m.index;
          let end = start + m[0].length;
          if (start < lo || end > hi) continue;
          if (p.then !== null) {
            const to = follows(p.then, subject, end);
            if (to < 0) continue;
            end = to;
          }
          count++;
          const weight = adjustWeight(spec, subject, start, end, m[1] ?? "", code);
          if (weight > 0) out.push({ signal: spec.signal, weight, start, end });
        }
      }
    }
  }

  /** Signals of one text (patterns, hidden Unicode, homoglyphs), in the original text's offsets. */
  function scanText(text: string, decodeToo: boolean, cues: Cue[] | null): { hits: Hit[]; normalized: NormalizedText } {
    const t = normalize(text);
    const local: Hit[] = [];
    scanPatterns(t, local, cues);
    const comments = regions(t.raw, "<!--");
    let concealed = false;
    for (const h of local) concealed ||= comments.inside(h.start);
    if (concealed) for (const h of [...local]) if (comments.inside(h.start)) local.push({ signal: "concealment", weight: 0.25, start: h.start, end: h.end });
    for (const h of t.homoglyphs) {
      const over = local.some((l) => l.start < h.end && h.start < l.end);
      local.push({ signal: "homoglyph", weight: over ? 0.4 : 0.2, start: h.start, end: h.end });
    }
    // Back to original offsets.
    const map = t.map;
    const hits: Hit[] = map === null ? local : local.map((h) => ({ ...h, start: map[h.start] ?? text.length, end: (map[h.end - 1] ?? text.length - 1) + 1 }));
    if (cues !== null && map !== null) for (const c of cues) c.start = map[c.start] ?? text.length;
    for (const run of t.hidden.slice(0, 256)) {
      const signal: InjectionSignal = run.kind === "tags" ? "hidden-unicode:tags" : run.kind.startsWith("bidi") ? "hidden-unicode:bidi" : "hidden-unicode:zero-width";
      const weight = run.kind === "tags" ? 0.6 : run.kind === "bidi-override" ? 0.5 : run.kind === "bidi" ? 0.25 : run.kind === "zero-width-in-word" ? 0.35 : run.end - run.start >= 4 ? 0.5 : 0.3;
      hits.push({ signal, weight, start: run.start, end: run.end });
    }
    for (const s of t.smuggled) {
      const inner = scanText(s.text, false, null).hits;
      if (inner.length > 0) hits.push({ signal: "hidden-unicode:tags", weight: 0.9, start: s.start, end: s.end });
      for (const h of inner) hits.push({ ...h, start: s.start, end: s.end });
    }
    if (decodeToo) {
      for (const p of decodePayloads(t.raw)) {
        const inner = scanText(p.text, false, null).hits;
        if (inner.length === 0) continue;
        const start = map === null ? p.start : (map[p.start] ?? 0);
        const end = map === null ? p.end : (map[p.end - 1] ?? text.length - 1) + 1;
        hits.push({ signal: p.encoding === "base64" ? "encoded-payload:base64" : "encoded-payload:url", weight: 0.3, start, end });
        for (const h of inner) hits.push({ ...h, start, end });
      }
    }
    return { hits, normalized: t };
  }

  return {
    run(text) {
      const cues: Cue[] = [];
      const { hits, normalized } = scanText(text, true, cues);
      return { hits, cues, normalized };
    },
  };
}
