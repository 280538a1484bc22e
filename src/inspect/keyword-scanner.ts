// One-pass, case-insensitive search for every rule keyword at once (an Aho-Corasick automaton over ASCII), so a
// text with no keyword costs one tight loop, whatever the number of rules.

/** What one scan found: which keywords (slots) occur, and where for those that asked for positions. */
export interface KeywordHits {
  /** `seen[k]` is 1 when a keyword of slot `k` occurs. */
  readonly seen: Uint8Array;
  /**
   * For slots scanned with positions that occur: `ranges[k]` holds `[start, end, start, end, …]`, each pair covering a run
   * of occurrences whose gaps are at most the slot's merge gap (`end` is exclusive; pairs may overlap).
   */
  readonly ranges: readonly (number[] | undefined)[];
}

/** A compiled keyword set. */
export interface KeywordScanner {
  /** Number of slots (by default one per keyword, its position in the list given to `createKeywordScanner`). */
  readonly size: number;
  scan(text: string): KeywordHits;
}

/**
 * Builds a scanner for `keywords` (ASCII, matched case-insensitively). Keyword `i` reports to slot `slots[i]`
 * (default `i`): keywords that only ever mean "run this one rule" can share a slot, so a rule with many keywords costs
 * one slot per scan, not one per keyword. `mergeGaps[k]`, when given, asks for the positions of slot `k`'s
 * occurrences, merging those closer than that many characters into one range.
 */
export function createKeywordScanner(keywords: readonly string[], mergeGaps: readonly (number | undefined)[] = [], slots?: readonly number[]): KeywordScanner {
  const lower = keywords.map((k) => {
    if (k.length === 0 || !/^[\x20-\x7e]+$/.test(k)) throw new Error(`keyword must be printable ASCII: ${JSON.stringify(k)}`);
    return k.toLowerCase();
  });
  // Character classes over all UTF-16 code units (64 KiB, so the hot loop needs no range check): 0 is "a character
  // no keyword contains", which always leads back to the root.
  const cls = new Uint8Array(65536);
  let alphabet = 1;
  for (const ch of [...new Set(lower.join(""))].sort()) cls[ch.charCodeAt(0)] = alphabet++;
  for (let c = 65; c <= 90; c++) if (cls[c + 32]) cls[c] = cls[c + 32]!;

  // Trie, then failure links breadth-first, folded into a full transition table (state ids premultiplied).
  const children: Map<number, number>[] = [new Map()];
  const outputs: number[][] = [[]];
  lower.forEach((k, ki) => {
    let s = 0;
    for (const ch of k) {
      const a = cls[ch.charCodeAt(0)]!;
      let next = children[s]!.get(a);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        outputs.push([]);
        children[s]!.set(a, next);
      }
      s = next;
    }
    outputs[s]!.push(ki);
  });
  const states = children.length;
  const delta = new Int32Array(states * alphabet);
  const fail = new Int32Array(states);
  const queue: number[] = [];
  for (const [a, next] of children[0]!) {
    delta[a] = next * alphabet;
    queue.push(next);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    outputs[s] = [...outputs[s]!, ...outputs[fail[s]!]!];
    for (let a = 1; a < alphabet; a++) {
      const next = children[s]!.get(a);
      const viaFail = delta[fail[s]! * alphabet + a]!;
      if (next === undefined) {
        delta[s * alphabet + a] = viaFail;
      } else {
        fail[next] = viaFail / alphabet;
        delta[s * alphabet + a] = next * alphabet;
        queue.push(next);
      }
    }
  }
  const hitAt = new Uint8Array(states * alphabet);
  const stateOf = new Int32Array(states * alphabet);
  for (let s = 0; s < states; s++) {
    stateOf[s * alphabet] = s;
    if (outputs[s]!.length > 0) hitAt[s * alphabet] = 1;
  }
  const lengths = lower.map((k) => k.length);
  const slotOf = keywords.map((_, k) => slots?.[k] ?? k);
  const size = slotOf.reduce((n, slot) => Math.max(n, slot + 1), 0);
  const gaps = Array.from({ length: size }, (_, slot) => mergeGaps[slot] ?? -1);
  // A state whose keywords need no positions has nothing more to report once seen: the scan switches it off
  // (and back on when done), so frequent characters such as digits cost nothing after their first occurrence.
  const plain = new Uint8Array(states * alphabet);
  for (let s = 0; s < states; s++) if (outputs[s]!.every((k) => gaps[slotOf[k]!]! < 0)) plain[s * alphabet] = 1;

  return {
    size,
    scan(text) {
      const seen = new Uint8Array(size);
      const ranges: (number[] | undefined)[] = new Array(size);
      const n = text.length;
      const off: number[] = [];
      // Kept out of the loop below so the loop compiles to a few instructions per character.
      const onHit = (s: number, i: number): void => {
        if (plain[s] !== 0) {
          hitAt[s] = 0;
          off.push(s);
        }
        const outs = outputs[stateOf[s]!]!;
        for (let j = 0; j < outs.length; j++) {
          const k = outs[j]!;
          const slot = slotOf[k]!;
          seen[slot] = 1;
          const gap = gaps[slot]!;
          if (gap < 0) continue;
          const r = (ranges[slot] ??= []);
          const start = i + 1 - lengths[k]!;
          if (r.length > 0 && start - r[r.length - 1]! <= gap) {
            r[r.length - 1] = i + 1;
            // A longer keyword of the same slot can start before the run it joins.
            if (start < r[r.length - 2]!) r[r.length - 2] = start;
          } else r.push(start, i + 1);
        }
      };
      // Locals, not closure variables, in the hot loop.
      const table = delta;
      const classes = cls;
      const hit = hitAt;
      let s = 0;
      for (let i = 0; i < n; i++) {
        s = table[s + classes[text.charCodeAt(i)]!]!;
        if (hit[s] !== 0) onHit(s, i);
      }
      for (const st of off) hitAt[st] = 1;
      return { seen, ranges };
    },
  };
}
