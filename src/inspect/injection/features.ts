// The second stage's features: hashed words, word pairs and word prefixes (a cheap stem, so inflected forms share
// weight), character pairs in scripts written without spaces, and the first stage's signals. Shared by the detector
// and by the training script, so both see exactly the same numbers. Linear in the text's length.
import type { InjectionSignal } from "./types.js";

/** Number of hashed feature slots (a power of two). */
export const FEATURE_BITS = 17;
const MASK = (1 << FEATURE_BITS) - 1;

/** Letters, marks and digits of any script; one token per run. */
const TOKEN = /[\p{L}\p{M}\p{N}_]{1,64}/gu;

/** True when `s[from, to)` holds a character of a script written without spaces (Han, kana, Thai). */
function unspaced(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x0e00 && c <= 0x0e7f) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff)) return true;
  }
  return false;
}

// FNV-1a, fed piece by piece so that no feature string is ever built: hashing `w|` then a token's characters gives
// the very number hashing the string `w|<token>` does (the trained weights are indexed by it).
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const BAR = 0x7c;
function feed(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}
const fold = (h: number): number => (h >>> 0) & MASK;
const prefix = (tag: string): number => feed(FNV_OFFSET, `${tag}|`, 0, tag.length + 1);
const [WORD, STEM, PAIR, CHARS] = [prefix("w"), prefix("p"), prefix("b"), prefix("c")];

/** FNV-1a over a string, folded into the feature space. */
function hash(s: string): number {
  return fold(feed(FNV_OFFSET, s, 0, s.length));
}

// Slots already taken by this call, marked with the call's number instead of cleared (one call at a time: the
// detector is synchronous).
const taken = new Uint32Array(1 << FEATURE_BITS);
let call = 0;

/** Sparse feature vector: slot indices and values (a slot may repeat; weights add). */
export interface Features {
  index: number[];
  value: number[];
}

/** Features of `folded` (lowercased, hidden characters stripped) and the strongest weight of each first-stage signal. */
export function featuresOf(folded: string, signals: ReadonlyMap<InjectionSignal, number>): Features {
  if (++call === 0xffffffff) {
    taken.fill(0);
    call = 1;
  }
  const index: number[] = [];
  const add = (slot: number): void => {
    if (taken[slot] === call) return;
    taken[slot] = call;
    index.push(slot);
  };
  let prevStart = -1;
  let prevEnd = -1;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(folded); m !== null; m = TOKEN.exec(folded)) {
    const start = m.index;
    const end = start + m[0].length;
    if (unspaced(folded, start, end)) {
      for (let i = start; i + 1 < end; i++) add(fold(feed(CHARS, folded, i, i + 2)));
      if (end - start === 1) add(fold(feed(CHARS, folded, start, end)));
      prevStart = -1;
      continue;
    }
    add(fold(feed(WORD, folded, start, end)));
    if (end - start > 5) add(fold(feed(STEM, folded, start, start + 5)));
    if (prevStart >= 0) add(fold(feed(Math.imul(feed(PAIR, folded, prevStart, prevEnd) ^ BAR, FNV_PRIME), folded, start, end)));
    prevStart = start;
    prevEnd = end;
  }
  const v = index.length > 0 ? 1 / Math.sqrt(index.length) : 0;
  const value = index.map(() => v);
  for (const [signal, w] of signals) {
    index.push(hash(`s|${signal}`));
    value.push(w);
  }
  // A bias-like feature for "the first stage saw something", so signals' absence is informative too.
  index.push(hash("s|any"));
  value.push(signals.size > 0 ? 1 : 0);
  return { index, value };
}

/** A trained linear model: `p = σ(bias + Σ weight[slot] · value)`. */
export interface LinearModel {
  bias: number;
  weights: Float32Array;
}

/** Probability that the features are an injection. */
export function probability(model: LinearModel, f: Features): number {
  let z = model.bias;
  for (let i = 0; i < f.index.length; i++) z += model.weights[f.index[i]!]! * f.value[i]!;
  return 1 / (1 + Math.exp(-z));
}
