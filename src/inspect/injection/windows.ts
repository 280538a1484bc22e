// Where the second stage looks: stretches of about one paragraph around the first stage's signals and the cues,
// snapped to sentence ends, ranked by how much they carry, at most a fixed number per text, so its work is bounded
// whatever the text's length. Offsets are those of the prepared (`raw`) text.
import type { Cue } from "./first-stage.js";

/** Length of a stretch, in characters. */
const STRETCH = 480;
/** How far a stretch's edge moves to reach a sentence end. */
const SNAP = 80;
const SENTENCE_END = /[.!?\n。！？]/;
/** Scripts the ASCII cues do not read (Greek to Hangul, Arabic and Indic scripts, Thai, CJK, kana). */
const OTHER_SCRIPT = /[\u0370-\u03ff\u0400-\u052f\u0590-\u08ff\u0900-\u0dff\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]/;

/** A stretch to score: `[start, end)`, the strongest first-stage weight in it, how many cue groups it has. */
export interface Stretch {
  start: number;
  end: number;
  signal: number;
  groups: number;
}

function snapBack(text: string, at: number): number {
  for (let i = at; i > 0 && i > at - SNAP; i--) if (SENTENCE_END.test(text[i - 1]!)) return i;
  return at;
}

function snapForward(text: string, at: number): number {
  for (let i = at; i < text.length && i < at + SNAP; i++) if (SENTENCE_END.test(text[i]!)) return i + 1;
  return at;
}

/**
 * Stretches of `text` worth scoring, best first, at most `limit`: around first-stage signals (`signals`: start and
 * weight), around two or more cue groups, or a cue of the instruction-hierarchy or secrecy group; in a text with
 * letters of other scripts, also stretches that cover them.
 */
export function stretches(text: string, signals: readonly { start: number; weight: number }[], cues: readonly Cue[], limit: number): Stretch[] {
  const n = text.length;
  const points: { at: number; weight: number; group: number }[] = [];
  for (const s of signals) points.push({ at: s.start, weight: s.weight, group: -1 });
  for (const c of cues) points.push({ at: c.start, weight: 0, group: c.group });
  const foreign = OTHER_SCRIPT.exec(text);
  if (foreign !== null) for (let at = foreign.index; at < n && points.length < 8192; at += STRETCH) points.push({ at, weight: 0, group: 4 });
  points.sort((a, b) => a.at - b.at);
  const out: Stretch[] = [];
  for (let i = 0; i < points.length; ) {
    const lo = Math.max(0, points[i]!.at - STRETCH / 4);
    const hi = Math.min(n, lo + STRETCH);
    let signal = 0;
    let mask = 0;
    // The first point always belongs to its stretch, so every turn moves on.
    for (let first = true; i < points.length && (first || points[i]!.at < hi - 16); first = false) {
      const p = points[i]!;
      signal = Math.max(signal, p.weight);
      if (p.group >= 0) mask |= 1 << p.group;
      i++;
    }
    let groups = 0;
    for (let g = 0; g < 5; g++) if (mask & (1 << g)) groups++;
    // Hierarchy (1), secrecy (3) and other scripts (4) are enough alone; a word for the model or an action is not.
    if (signal > 0 || groups >= 2 || mask & 0b11010) out.push({ start: snapBack(text, lo), end: snapForward(text, hi), signal, groups });
  }
  if (out.length <= limit) return out;
  return [...out].sort((a, b) => b.signal - a.signal || b.groups - a.groups || a.start - b.start).slice(0, limit);
}
