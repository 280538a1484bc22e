// The second stage's model: logistic regression over the hashed features of `features.ts`, trained offline by
// scripts/train-injection-classifier.ts and committed as classifier-weights.json (weights quantized to 16 bits,
// base64). Loaded once, when this module is first imported; no download, no randomness at run time.
import { FEATURE_BITS, type LinearModel } from "./features.js";
import stored from "./classifier-weights.json" with { type: "json" };

/** The committed file's shape. */
export interface StoredModel {
  format: "custos-injection-lr/1";
  bits: number;
  /** Weight = int16 value × scale. */
  scale: number;
  bias: number;
  /** Probability at or above which a stretch with weak or no first-stage signals is an injection. */
  threshold: number;
  /** Probability at or above which an ambiguous first-stage span is confirmed. */
  confirm: number;
  /** Little-endian int16 weights, base64. */
  weights: string;
  /** How the model was built (corpus, seed, figures), for people. */
  about: string;
}

/** Decodes a stored model; throws when it does not fit the feature space. */
export function loadModel(s: StoredModel): LinearModel & { threshold: number; confirm: number } {
  if (s.format !== "custos-injection-lr/1" || s.bits !== FEATURE_BITS) throw new Error("injection classifier weights do not match the feature space");
  const bytes = Buffer.from(s.weights, "base64");
  if (bytes.length !== 2 << FEATURE_BITS) throw new Error("injection classifier weights have the wrong length");
  const weights = new Float32Array(1 << FEATURE_BITS);
  for (let i = 0; i < weights.length; i++) weights[i] = bytes.readInt16LE(i * 2) * s.scale;
  return { bias: s.bias, weights, threshold: s.threshold, confirm: s.confirm };
}

let model: ReturnType<typeof loadModel> | null = null;

/** The committed model, decoded on first use. */
export function committedModel(): ReturnType<typeof loadModel> {
  model ??= loadModel(stored as StoredModel);
  return model;
}
