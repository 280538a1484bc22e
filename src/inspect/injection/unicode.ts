// Hidden Unicode: strips the characters that hide or disguise text (tag characters, bidi controls, zero-width
// characters), reports where they were, recovers ASCII smuggled in tag characters, and folds Latin look-alikes in
// words that mix scripts, so that the phrase patterns see what a model would read.

/** A run of hidden characters, in the original text's UTF-16 offsets. */
export interface HiddenRun {
  kind: "tags" | "bidi" | "bidi-override" | "zero-width" | "zero-width-in-word";
  start: number;
  end: number;
}

/** The text prepared for matching. */
export interface NormalizedText {
  /** The text with hidden characters removed, case kept. */
  raw: string;
  /** `raw` lowercased (same length) with Latin look-alikes folded in mixed-script words. */
  folded: string;
  /** Offset in the original text of each UTF-16 unit of `raw`, or null when nothing was removed. */
  map: Int32Array | null;
  hidden: HiddenRun[];
  /** ASCII recovered from tag characters, with the original span it came from. */
  smuggled: { text: string; start: number; end: number }[];
  /** Mixed-script words that were folded, in `raw` offsets. */
  homoglyphs: { start: number; end: number }[];
}

const HIDDEN = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\udb40]/;
const SCRIPTS = /[\u0370-\u03ff\u0400-\u04ff]/;
/** Words of Latin, Greek and Cyrillic letters (only run when such letters occur). */
const WORD = /[a-z\u0370-\u03ff\u0400-\u04ff]{2,40}/g;
const LATIN = /[a-z]/;

/** Lowercase look-alikes of Latin letters (after lowercasing: uppercase look-alikes such as Н or Т land here too). */
const CONFUSABLES: Record<string, string> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", і: "i",
  ї: "i", ј: "j", ѕ: "s", ԁ: "d", һ: "h", ӏ: "l", ԛ: "q", ԝ: "w", ѵ: "v", ь: "b", г: "r", п: "n",
  α: "a", β: "b", ε: "e", η: "n", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", γ: "y", ω: "w",
};

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `text.toLowerCase()`, kept at the same length (the few characters whose lowercase is longer stay as they are). */
export function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const l = ch.toLowerCase();
    out += l.length === 1 ? l : ch;
  }
  return out;
}

/** Removes hidden characters (when there are any) and records them. */
function strip(text: string): Pick<NormalizedText, "raw" | "map" | "hidden" | "smuggled"> {
  const hidden: HiddenRun[] = [];
  const smuggled: NormalizedText["smuggled"] = [];
  if (!HIDDEN.test(text)) return { raw: text, map: null, hidden, smuggled };
  const n = text.length;
  const map = new Int32Array(n);
  const parts: string[] = [];
  let kept = 0;
  let chunk = 0;
  let i = 0;
  const flush = (to: number): void => {
    if (to > chunk) parts.push(text.slice(chunk, to));
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0xdb40 && i + 1 < n && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdc7f) {
      const from = i;
      let ascii = "";
      while (i + 1 < n && text.charCodeAt(i) === 0xdb40 && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdc7f) {
        ascii += String.fromCharCode(text.charCodeAt(i + 1) - 0xdc00);
        i += 2;
      }
      // A subdivision flag (black flag U+1F3F4, a few lowercase tags, cancel tag U+E007F) is an emoji, not a message.
      const flag = from >= 2 && text.charCodeAt(from - 2) === 0xd83c && text.charCodeAt(from - 1) === 0xdff4 && /^[a-z0-9]{2,6}\x7f$/.test(ascii);
      flush(from);
      chunk = i;
      if (!flag) {
        hidden.push({ kind: "tags", start: from, end: i });
        const printable = ascii.replace(/[^\x20-\x7e\n]/g, " ").trim();
        if (printable.length > 0) smuggled.push({ text: printable, start: from, end: i });
      }
      continue;
    }
    const bidi = (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    const zw = c === 0x200b || c === 0x200c || c === 0x200d || c === 0x2060 || c === 0xfeff || c === 0x180e || c === 0x00ad || c === 0x200e || c === 0x200f;
    if (!bidi && !zw) {
      map[kept++] = i++;
      continue;
    }
    const from = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      const same = bidi ? (d >= 0x202a && d <= 0x202e) || (d >= 0x2066 && d <= 0x2069) : d === 0x200b || d === 0x200c || d === 0x200d || d === 0x2060 || d === 0xfeff || d === 0x180e || d === 0x00ad || d === 0x200e || d === 0x200f;
      if (!same) break;
      i++;
    }
    flush(from);
    chunk = i;
    if (bidi) {
      let override = false;
      for (let j = from; j < i; j++) override ||= text.charCodeAt(j) === 0x202d || text.charCodeAt(j) === 0x202e;
      hidden.push({ kind: override ? "bidi-override" : "bidi", start: from, end: i });
    } else {
      const before = from > 0 ? text.charCodeAt(from - 1) : 0;
      const after = i < n ? text.charCodeAt(i) : 0;
      const inWord = isAsciiLetter(before) && isAsciiLetter(after);
      let onlySoftHyphen = true;
      for (let j = from; j < i; j++) onlySoftHyphen &&= text.charCodeAt(j) === 0x00ad;
      // A soft hyphen is hyphenation, a lone joiner or direction mark is emoji or script typography, a BOM at the
      // very start is an encoding mark; a zero-width character inside a Latin word, or a run of them, is not.
      const bom = from === 0 && i === 1 && c === 0xfeff;
      if (!bom && !onlySoftHyphen) {
        if (inWord) hidden.push({ kind: "zero-width-in-word", start: from, end: i });
        else if (i - from >= 2) hidden.push({ kind: "zero-width", start: from, end: i });
      }
    }
  }
  flush(n);
  return { raw: parts.join(""), map: map.subarray(0, kept), hidden, smuggled };
}

/** Folds look-alikes in words that mix Latin with Greek or Cyrillic letters; `lower` has `raw`'s length. */
function foldHomoglyphs(lower: string): { folded: string; spans: { start: number; end: number }[] } {
  const spans: { start: number; end: number }[] = [];
  if (!SCRIPTS.test(lower)) return { folded: lower, spans };
  let out = "";
  let last = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(lower); m !== null; m = WORD.exec(lower)) {
    const w = m[0];
    if (!LATIN.test(w) || !SCRIPTS.test(w)) continue;
    let f = "";
    for (const ch of w) f += CONFUSABLES[ch] ?? ch;
    out += lower.slice(last, m.index) + f;
    last = m.index + w.length;
    spans.push({ start: m.index, end: last });
    if (spans.length >= 256) break;
  }
  return { folded: spans.length === 0 ? lower : out + lower.slice(last), spans };
}

/** Prepares `text` for matching. */
export function normalize(text: string): NormalizedText {
  const stripped = strip(text);
  const { folded, spans } = foldHomoglyphs(lowerSameLength(stripped.raw));
  return { ...stripped, folded, homoglyphs: spans };
}
