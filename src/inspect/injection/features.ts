// The second stage's features: hashed words, word pairs and word prefixes (a cheap stem, so inflected forms share
// weight), character pairs in scripts written without spaces, and the first stage's signals. Shared by the detector
// and by the training script, so both see exactly the same numbers. Linear in the text's length.
import type { InjectionSignal } from "./types.js";

/** Number of hashed feature slots (a power of two). */
export const FEATURE_BITS = 17;
const MASK = (1 << FEATURE_BITS) - 1;

/** Letters, marks and digits of any script; one token per run. */
const TOKEN = /[\p{L}\p{M}\p{N}_]{1,64}/gu;
/** Scripts written without spaces between words (Han, kana, Thai): their tokens are read as character pairs. */
const UNSPACED = /[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]/;

/** FNV-1a over a string, folded into the feature space. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

/** Sparse feature vector: slot indices and values (a slot may repeat; weights add). */
export interface Features {
  index: number[];
  value: number[];
}

/** Features of `folded` (lowercased, hidden characters stripped) and the strongest weight of each first-stage signal. */
export function featuresOf(folded: string, signals: ReadonlyMap<InjectionSignal, number>): Features {
  const slots = new Set<number>();
  let prev = "";
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(folded); m !== null; m = TOKEN.exec(folded)) {
    const t = m[0];
    if (UNSPACED.test(t)) {
      for (let i = 0; i + 1 < t.length; i++) slots.add(hash(`c|${t.slice(i, i + 2)}`));
      if (t.length === 1) slots.add(hash(`c|${t}`));
      prev = "";
      continue;
    }
    slots.add(hash(`w|${t}`));
    if (t.length > 5) slots.add(hash(`p|${t.slice(0, 5)}`));
    if (prev !== "") slots.add(hash(`b|${prev}|${t}`));
    prev = t;
  }
  const index = [...slots];
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
