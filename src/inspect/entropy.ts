// Character statistics of a candidate value: Shannon entropy and how many character classes it mixes.

/** Shannon entropy of `value` in bits per character (0 for an empty string). */
export function shannonEntropy(value: string): number {
  const n = value.length;
  if (n === 0) return 0;
  let bits = 0;
  let wide: Map<number, number> | null = null;
  // Counts of the ASCII characters in a table reused across calls (values are mostly ASCII), the rest in a map.
  const counts = ASCII_COUNTS;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) counts[c]!++;
    else (wide ??= new Map()).set(c, (wide.get(c) ?? 0) + 1);
  }
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128) continue;
    const count = counts[c]!;
    if (count === 0) continue;
    counts[c] = 0;
    const p = count / n;
    bits -= p * Math.log2(p);
  }
  if (wide !== null) {
    for (const count of wide.values()) {
      const p = count / n;
      bits -= p * Math.log2(p);
    }
  }
  return bits;
}

/** Scratch counts of `shannonEntropy` (all zero between calls). */
const ASCII_COUNTS = new Int32Array(128);

/** Which kinds of character `value` holds: ASCII lower-case, upper-case, digits, ASCII punctuation, and the rest. */
export interface CharacterClasses {
  lower: boolean;
  upper: boolean;
  digit: boolean;
  /** Printable ASCII that is no letter or digit. */
  symbol: boolean;
  /** Anything else: non-ASCII letters and marks, spaces, control characters. */
  other: boolean;
}

export function characterClasses(value: string): CharacterClasses {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  let other = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper = true;
    else if (c >= 48 && c <= 57) digit = true;
    else if (c > 32 && c < 127) symbol = true;
    else other = true;
  }
  return { lower, upper, digit, symbol, other };
}

/** How many of lower-case, upper-case, digit and other characters `value` contains (0–4). */
export function charClassCount(value: string): number {
  const c = characterClasses(value);
  return Number(c.lower) + Number(c.upper) + Number(c.digit) + Number(c.symbol || c.other);
}
