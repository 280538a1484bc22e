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

/** How many of lower-case, upper-case, digit and other characters `value` contains (0–4). */
export function charClassCount(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}
