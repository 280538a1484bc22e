// Precision and recall from confusion counts, as every quality script reports them (an empty denominator scores 1:
// nothing claimed, nothing wrong).

/** Confusion counts with the derived ratios. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
}

/** Precision `tp / (tp + fp)` and recall `tp / (tp + fn)`. */
export function ratios(c: { tp: number; fp: number; fn: number }): { precision: number; recall: number } {
  return {
    precision: c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp),
    recall: c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn),
  };
}
