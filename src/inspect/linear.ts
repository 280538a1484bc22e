// The linear-time gate: every regex the inspector runs (a rule's pattern, its allowlist regexes, its precededBy
// context) is parsed here and given a worst-case bound on the backtracking work V8 can spend on one match attempt.
// A regex is accepted only when that bound is finite and small, so a search over n characters costs at most
// n × MAX_STEPS_PER_START steps, whatever the input. Anything the parser does not understand is refused (fail closed).
//
// The bound is a static count over the regex's structure, sound for a backtracking engine:
// - a node reports W (steps spent inside it, including one step per hand-over to what follows) and S (how many of
//   its hand-overs can get past the first character of what follows);
// - a sequence multiplies: W(XY) = W(X) + S(X)·W(Y), S(XY) = S(X)·S(Y);
// - an alternation adds, unless its branches start with pairwise disjoint characters (then only one can proceed);
// - a repetition X{a,b} adds one term per count; a run of one character class, or of a body whose single path
//   cannot be followed by its own first characters, hands over only once when what follows cannot start with it;
// - lookarounds stop at their first success; a backreference costs the length of its group;
// - unbounded quantifiers (`*`, `+`, `{n,}`) are refused in a pattern, and in an allowlist are bounded by the length
//   of the text the allowlist is run on.

/** Worst-case backtracking steps allowed for one match attempt of one regex at one start position. */
export const MAX_STEPS_PER_START = 1 << 21;

/** Thrown when a rule's regex cannot be shown to run in bounded work per character. */
export class UnsafeRuleError extends Error {
  readonly code = "inspect_rule_unsafe";
  constructor(
    readonly ruleId: string,
    readonly part: string,
    problem: string,
  ) {
    super(`inspect rule ${ruleId}: ${part} ${problem}`);
    this.name = "UnsafeRuleError";
  }
}

// ── Character sets: ASCII as a bitmap, everything else as one "some non-ASCII character" bit (conservative) ──────
interface CharSet {
  readonly bits: Uint32Array; // 128 bits
  nonAscii: boolean;
}
const empty = (): CharSet => ({ bits: new Uint32Array(4), nonAscii: false });
const all = (): CharSet => ({ bits: new Uint32Array([~0, ~0, ~0, ~0]), nonAscii: true });
function addRange(s: CharSet, lo: number, hi: number): void {
  for (let c = lo; c <= Math.min(hi, 127); c++) s.bits[c >> 5]! |= 1 << (c & 31);
  if (hi > 127) s.nonAscii = true;
}
function union(a: CharSet, b: CharSet): CharSet {
  const u = empty();
  for (let i = 0; i < 4; i++) u.bits[i] = a.bits[i]! | b.bits[i]!;
  u.nonAscii = a.nonAscii || b.nonAscii;
  return u;
}
function intersects(a: CharSet, b: CharSet): boolean {
  if (a.nonAscii && b.nonAscii) return true;
  for (let i = 0; i < 4; i++) if ((a.bits[i]! & b.bits[i]!) !== 0) return true;
  return false;
}
function intersection(a: CharSet, b: CharSet): CharSet {
  const x = empty();
  for (let i = 0; i < 4; i++) x.bits[i] = a.bits[i]! & b.bits[i]!;
  x.nonAscii = a.nonAscii && b.nonAscii;
  return x;
}
function complement(s: CharSet): CharSet {
  const c = empty();
  for (let i = 0; i < 4; i++) c.bits[i] = ~s.bits[i]!;
  c.nonAscii = true;
  return c;
}
function foldCase(s: CharSet): void {
  let letters = false;
  for (let c = 65; c <= 90; c++) {
    const upper = (s.bits[c >> 5]! >>> (c & 31)) & 1;
    const lower = (s.bits[(c + 32) >> 5]! >>> ((c + 32) & 31)) & 1;
    if (upper || lower) {
      letters = true;
      addRange(s, c, c);
      addRange(s, c + 32, c + 32);
    }
  }
  // Unicode case folding maps a few non-ASCII characters onto ASCII letters (ſ, K): assume the worst.
  if (letters) s.nonAscii = true;
}
const DIGIT = (): CharSet => {
  const s = empty();
  addRange(s, 48, 57);
  return s;
};
const WORD = (): CharSet => {
  const s = DIGIT();
  addRange(s, 65, 90);
  addRange(s, 97, 122);
  addRange(s, 95, 95);
  return s;
};
const SPACE = (): CharSet => {
  const s = empty();
  addRange(s, 9, 13);
  addRange(s, 32, 32);
  s.nonAscii = true;
  return s;
};
const LINE_TERMINATORS = (): CharSet => {
  const s = empty();
  addRange(s, 10, 10);
  addRange(s, 13, 13);
  s.nonAscii = true;
  return s;
};

// ── Syntax tree ──────────────────────────────────────────────────────────────────────────────────────────────────
type Node =
  | { t: "char"; set: CharSet }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; alts: Node[] }
  | { t: "rep"; body: Node; min: number; max: number }
  | { t: "group"; body: Node; index: number; name?: string }
  | { t: "look"; body: Node; behind: boolean; negative: boolean }
  | { t: "assert"; end?: CharSet }
  | { t: "backref"; index?: number; name?: string };

class SyntaxRefused extends Error {}

/** Parses a JavaScript regex source (the subset rules use); throws SyntaxRefused on anything else. */
function parse(source: string, flags: string): { root: Node; groups: Node[] } {
  const unicode = flags.includes("u") || flags.includes("v");
  const icase = flags.includes("i");
  const dotAll = flags.includes("s");
  const multiline = flags.includes("m");
  let i = 0;
  const groups: Node[] = [];
  const fail = (what: string): never => {
    throw new SyntaxRefused(`${what} at offset ${i}`);
  };
  const finish = (set: CharSet): Node => {
    if (icase) foldCase(set);
    return { t: "char", set };
  };
  const single = (code: number): CharSet => {
    const s = empty();
    addRange(s, code, code);
    return s;
  };

  /** An escape after `\` (not a backreference); returns a set, or null for an assertion. */
  function escape(inClass: boolean): CharSet | null {
    const c = source[i++] ?? fail("dangling backslash");
    switch (c) {
      case "d": return DIGIT();
      case "D": return complement(DIGIT());
      case "w": return WORD();
      case "W": return complement(WORD());
      case "s": return SPACE();
      case "S": return complement(SPACE());
      case "n": return single(10);
      case "r": return single(13);
      case "t": return single(9);
      case "v": return single(11);
      case "f": return single(12);
      case "0": return single(0);
      case "b": return inClass ? single(8) : null;
      case "B": return inClass ? fail("\\B in a class") : null;
      case "x": {
        const hex = source.slice(i, i + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail("bad \\x escape");
        i += 2;
        return single(parseInt(hex, 16));
      }
      case "u": {
        const m = /^(?:[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]{1,6}\})/.exec(source.slice(i));
        if (!m || (m[0].startsWith("{") && !unicode)) return fail("bad \\u escape");
        i += m[0].length;
        return single(parseInt(m[0].replace(/[{}]/g, ""), 16));
      }
      case "c": {
        const l = source[i++] ?? "";
        if (!/^[A-Za-z]$/.test(l)) fail("bad \\c escape");
        return single(l.charCodeAt(0) % 32);
      }
      default:
        if (/[\^$\\.*+?()[\]{}|/-]/.test(c)) return single(c.charCodeAt(0));
        return fail(`unsupported escape \\${c}`);
    }
  }

  function charClass(): CharSet {
    // After "[".
    const negate = source[i] === "^";
    if (negate) i++;
    let set = empty();
    const atom = (): { set: CharSet; code: number | null } => {
      if (i >= source.length) fail("unterminated class");
      const c = source[i++]!;
      if (c === "\\") {
        const s = escape(true)!;
        const bits = [...s.bits];
        let count = 0;
        let code = -1;
        for (let k = 0; k < 128; k++) if ((bits[k >> 5]! >>> (k & 31)) & 1) { count++; code = k; }
        return { set: s, code: count === 1 && !s.nonAscii ? code : null };
      }
      const code = c.charCodeAt(0);
      return { set: single(code), code };
    };
    while (source[i] !== "]") {
      const a = atom();
      if (source[i] === "-" && source[i + 1] !== "]" && i + 1 < source.length) {
        i++;
        const b = atom();
        if (a.code === null || b.code === null) {
          if (unicode) fail("class range with a class escape");
          set = union(union(set, a.set), union(b.set, single(45)));
        } else {
          if (a.code > b.code) fail("reversed class range");
          addRange(set, a.code, b.code);
        }
      } else {
        // A non-ASCII literal lands in the non-ASCII bit through its code.
        set = union(set, a.set);
      }
    }
    i++;
    if (icase) foldCase(set);
    return negate ? complement(set) : set;
  }

  function quantifier(): { min: number; max: number } | null {
    const c = source[i];
    let q: { min: number; max: number } | null = null;
    if (c === "*") q = { min: 0, max: Infinity };
    else if (c === "+") q = { min: 1, max: Infinity };
    else if (c === "?") q = { min: 0, max: 1 };
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) {
        if (unicode) fail("lone {");
        return null;
      }
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      if (max < min) fail("quantifier range out of order");
      i += m[0].length - 1;
      q = { min, max };
    }
    if (!q) return null;
    i++;
    if (source[i] === "?") i++; // lazy: same worst case
    return q;
  }

  function alternation(): Node {
    const alts: Node[] = [sequence()];
    while (source[i] === "|") {
      i++;
      alts.push(sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: "alt", alts };
  }

  function sequence(): Node {
    const items: Node[] = [];
    while (i < source.length && source[i] !== "|" && source[i] !== ")") {
      let atom: Node;
      const c = source[i++]!;
      if (c === "(") {
        if (source.startsWith("?:", i)) {
          i += 2;
          atom = alternation();
        } else if (source.startsWith("?=", i) || source.startsWith("?!", i)) {
          const negative = source[i + 1] === "!";
          i += 2;
          atom = { t: "look", body: alternation(), behind: false, negative };
        } else if (source.startsWith("?<=", i) || source.startsWith("?<!", i)) {
          const negative = source[i + 2] === "!";
          i += 3;
          atom = { t: "look", body: alternation(), behind: true, negative };
        } else if (source.startsWith("?<", i)) {
          const m = /^\?<([A-Za-z_$][\w$]*)>/.exec(source.slice(i)) ?? fail("bad group name");
          i += m[0].length;
          const g: Node = { t: "group", body: { t: "assert" }, index: groups.length + 1, name: m[1]! };
          groups.push(g);
          (g as { body: Node }).body = alternation();
          atom = g;
        } else if (source[i] === "?") {
          return fail("unsupported group");
        } else {
          const g: Node = { t: "group", body: { t: "assert" }, index: groups.length + 1 };
          groups.push(g);
          (g as { body: Node }).body = alternation();
          atom = g;
        }
        if (source[i] !== ")") fail("unbalanced parenthesis");
        i++;
      } else if (c === ")") {
        return fail("unbalanced parenthesis");
      } else if (c === "[") {
        atom = { t: "char", set: charClass() };
      } else if (c === "^") {
        atom = { t: "assert" };
      } else if (c === "$") {
        // Only the end of the text (or of a line, with m) can follow.
        atom = { t: "assert", end: multiline ? LINE_TERMINATORS() : empty() };
      } else if (c === ".") {
        atom = { t: "char", set: dotAll ? all() : complement(LINE_TERMINATORS()) };
      } else if (c === "\\") {
        const digits = /^[1-9]\d*/.exec(source.slice(i));
        if (digits) {
          i += digits[0].length;
          atom = { t: "backref", index: Number(digits[0]) };
        } else if (source.startsWith("k<", i)) {
          const m = /^k<([A-Za-z_$][\w$]*)>/.exec(source.slice(i)) ?? fail("bad named backreference");
          i += m[0].length;
          atom = { t: "backref", name: m[1]! };
        } else {
          const s = escape(false);
          atom = s === null ? { t: "assert" } : finish(s);
        }
      } else if (c === "*" || c === "+" || c === "?" || (c === "{" && unicode)) {
        return fail("nothing to repeat");
      } else if (c === "]" && unicode) {
        return fail("lone ]");
      } else {
        atom = finish(single(c.charCodeAt(0)));
      }
      const q = quantifier();
      if (q) {
        if (atom.t === "assert" || (atom.t === "look" && !atom.behind && unicode) || (atom.t === "look" && atom.behind)) {
          fail("quantified assertion");
        }
        atom = { t: "rep", body: atom, min: q.min, max: q.max };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { t: "seq", items };
  }

  const root = alternation();
  if (i !== source.length) fail("unbalanced parenthesis");
  return { root, groups };
}

// ── Analysis ─────────────────────────────────────────────────────────────────────────────────────────────────────
interface Shape {
  first: CharSet;
  nullable: boolean;
  maxLen: number;
  /** True when the node always matches something (possibly empty) wherever it is tried. */
  cannotFail: boolean;
  minLen: number;
  /** When the node consumes only characters (no assertion): every character it can consume; else null. */
  run: CharSet | null;
  /** Upper bound on the number of ways the node can match one given span (Infinity when not bounded here). */
  amb: number;
}

interface Cost {
  /** Steps inside the node per invocation, one per hand-over to the continuation included. */
  w: number;
  /** Hand-overs that can get past the continuation's first character. */
  s: number;
}

const CAP = 1e30;
const cap = (x: number): number => (Number.isFinite(x) ? Math.min(x, CAP) : CAP);

class Analyzer {
  private readonly shapes = new Map<Node, Shape>();
  constructor(
    private readonly groups: Node[],
    /** Upper bound for unbounded quantifiers, or null to refuse them. */
    private readonly unboundedAs: number | null,
  ) {}

  private group(ref: { index?: number; name?: string }): Node {
    const g = ref.name !== undefined
      ? this.groups.find((x) => x.t === "group" && x.name === ref.name)
      : this.groups[(ref.index ?? 0) - 1];
    if (!g) throw new SyntaxRefused("backreference to a missing group");
    return g;
  }

  max(q: { max: number }): number {
    if (Number.isFinite(q.max)) return q.max;
    if (this.unboundedAs === null) throw new SyntaxRefused("unbounded quantifier (*, + or {n,}); give an upper bound");
    return this.unboundedAs;
  }

  shape(n: Node): Shape {
    let s = this.shapes.get(n);
    if (s) return s;
    switch (n.t) {
      case "char": s = { first: n.set, nullable: false, maxLen: 1, minLen: 1, cannotFail: false, run: n.set, amb: 1 }; break;
      case "assert": s = { first: empty(), nullable: true, maxLen: 0, minLen: 0, cannotFail: false, run: null, amb: 1 }; break;
      case "look":
        this.shape(n.body);
        s = { first: empty(), nullable: true, maxLen: 0, minLen: 0, cannotFail: false, run: null, amb: 1 };
        break;
      case "backref": {
        const g = this.shape(this.group(n));
        s = { first: g.first, nullable: true, maxLen: g.maxLen, minLen: 0, cannotFail: false, run: null, amb: 1 };
        break;
      }
      case "group": s = this.shape(n.body); break;
      case "alt": {
        const parts = n.alts.map((a) => this.shape(a));
        const runs = parts.map((p) => p.run);
        s = {
          first: parts.reduce((u, p) => union(u, p.first), empty()),
          nullable: parts.some((p) => p.nullable),
          maxLen: Math.max(...parts.map((p) => p.maxLen)),
          minLen: Math.min(...parts.map((p) => p.minLen)),
          cannotFail: parts.some((p) => p.cannotFail),
          run: runs.every((r) => r !== null) ? runs.reduce((u, r) => union(u, r!), empty()) : null,
          // Branches that cannot start alike never match the same span.
          amb: disjointFirsts(parts) ? Math.max(...parts.map((p) => p.amb)) : parts.reduce((x, p) => x + p.amb, 0),
        };
        break;
      }
      case "seq": {
        let first = empty();
        let nullable = true;
        let maxLen = 0;
        let minLen = 0;
        let cannotFail = true;
        let run: CharSet | null = empty();
        // Ways to split one span among the items: every item but the most variable one fixes its own length.
        let amb = 1;
        let widest = 1;
        for (const it of n.items) {
          const p = this.shape(it);
          if (nullable) first = union(first, p.first);
          nullable &&= p.nullable;
          maxLen = cap(maxLen + p.maxLen);
          minLen += p.minLen;
          cannotFail &&= p.cannotFail;
          run = run !== null && p.run !== null ? union(run, p.run) : null;
          const lengths = p.maxLen - p.minLen + 1;
          amb = cap(amb * p.amb * lengths);
          widest = Math.max(widest, lengths);
        }
        s = { first, nullable, maxLen, minLen, cannotFail, run, amb: amb / widest };
        break;
      }
      case "rep": {
        const b = this.shape(n.body);
        const max = this.max(n);
        // One span, one count when the body has one length (or is one character); otherwise not bounded here.
        const amb = b.nullable ? Infinity : max <= 1 ? Math.max(1, b.amb) : b.minLen === b.maxLen ? cap(b.amb ** max) : Infinity;
        s = {
          first: b.first,
          nullable: n.min === 0 || b.nullable,
          maxLen: cap(b.maxLen * max),
          minLen: b.minLen * n.min,
          cannotFail: n.min === 0 || (b.cannotFail && b.nullable),
          run: b.run,
          amb,
        };
        break;
      }
    }
    this.shapes.set(n, s);
    return s;
  }

  /**
   * What the next character must be for a continuation starting with `n` (then `follow`) to succeed, when a next
   * character exists (the end of the text is always assumed possible).
   */
  private before(n: Node, follow: CharSet): CharSet {
    if (n.t === "assert" && n.end) return intersection(follow, n.end);
    if (n.t === "look" && !n.behind) {
      if (n.negative) {
        // (?!C|…): a next character in a one-character branch C fails the continuation.
        let forbidden = empty();
        const branches = n.body.t === "alt" ? n.body.alts : [n.body];
        for (const b of branches) {
          const inner = b.t === "group" ? b.body : b;
          if (inner.t === "char") forbidden = union(forbidden, inner.set);
        }
        return intersection(follow, complement(forbidden));
      }
      const body = this.shape(n.body);
      return body.nullable ? follow : intersection(follow, body.first);
    }
    const p = this.shape(n);
    return p.nullable ? union(p.first, follow) : p.first;
  }

  /**
   * Cost of `n` followed by a continuation that can only succeed when the next character is in `follow` (or at the
   * end of the text), and that always succeeds when `tailSucceeds`.
   */
  cost(n: Node, follow: CharSet, tailSucceeds: boolean): Cost {
    const shape = this.shape(n);
    // A node that only consumes characters of `run`, followed by something that cannot go on with a character of
    // it, can hand over only at the end of the maximal run: every earlier position is followed by a run character.
    const atRunEnd = shape.run !== null && !intersects(shape.run, follow);
    const done = (c: Cost): Cost => {
      let s = cap(c.s);
      if (atRunEnd) s = Math.min(s, shape.amb);
      if (tailSucceeds) s = Math.min(1, s);
      return { w: cap(c.w), s };
    };
    switch (n.t) {
      case "char":
      case "assert":
        return { w: 1, s: 1 };
      // (a single character hands over at most once anyway)
      case "backref":
        return { w: 1 + this.shape(this.group(n)).maxLen, s: 1 };
      case "look": {
        // Atomic: the body stops at its first success. Lookbehind runs backwards: analyse the mirror image.
        const body = n.behind ? mirror(n.body) : n.body;
        return { w: 1 + this.cost(body, all(), true).w, s: 1 };
      }
      case "group":
        return this.cost(n.body, follow, tailSucceeds);
      case "alt": {
        const shapes = n.alts.map((a) => this.shape(a));
        const costs = n.alts.map((a) => this.cost(a, follow, tailSucceeds));
        if (disjointFirsts(shapes)) {
          return done({ w: shapes.length - 1 + Math.max(...costs.map((c) => c.w)), s: Math.max(...costs.map((c) => c.s)) });
        }
        return done({ w: costs.reduce((x, c) => x + c.w, 0), s: costs.reduce((x, c) => x + c.s, 0) });
      }
      case "seq": {
        // Right to left: what follows each item, and whether the rest always succeeds.
        const k = n.items.length;
        const follows: { set: CharSet; succeeds: boolean }[] = new Array(k);
        let set = follow;
        let succeeds = tailSucceeds;
        for (let j = k - 1; j >= 0; j--) {
          follows[j] = { set, succeeds };
          set = this.before(n.items[j]!, set);
          succeeds = succeeds && this.shape(n.items[j]!).cannotFail;
        }
        let w = 0;
        let s = 1;
        // W = W1 + S1·(W2 + S2·(…)), accumulated left to right.
        for (let j = 0; j < k; j++) {
          const f = follows[j]!;
          const c = this.cost(n.items[j]!, f.set, f.succeeds);
          w = cap(w + s * c.w);
          s = cap(s * c.s);
        }
        return done({ w, s });
      }
      case "rep": {
        const max = this.max(n);
        const min = n.min;
        const counts = max - min + 1;
        const b = this.shape(n.body);
        const next = union(b.first, follow);
        const body = this.cost(n.body, next, false);
        // Hand-overs after the last count only, when the continuation cannot start where another iteration could
        // (each shorter count is followed by the start of the next iteration) and a body has one path.
        const once = body.s === 1 && !b.nullable && !intersects(b.first, follow);
        if (body.s <= 1) {
          return done({ w: max * body.w + counts, s: once ? 1 : counts });
        }
        let w = 0;
        let s = 0;
        let paths = 1;
        for (let k = 1; k <= max && w < CAP; k++) {
          w = cap(w + paths * body.w);
          paths = cap(paths * body.s);
          if (k >= min) s = cap(s + paths);
        }
        if (min === 0) s = cap(s + 1);
        return done({ w: cap(w + s), s });
      }
    }
  }
}

/** True when no branch matches empty and no two branches can start with the same character. */
function disjointFirsts(shapes: readonly Shape[]): boolean {
  if (shapes.some((p) => p.nullable)) return false;
  for (let a = 0; a < shapes.length; a++) {
    for (let b = a + 1; b < shapes.length; b++) if (intersects(shapes[a]!.first, shapes[b]!.first)) return false;
  }
  return true;
}

function mirror(n: Node): Node {
  switch (n.t) {
    case "seq": return { t: "seq", items: n.items.map(mirror).reverse() };
    case "alt": return { t: "alt", alts: n.alts.map(mirror) };
    case "rep": return { ...n, body: mirror(n.body) };
    case "group": return { ...n, body: mirror(n.body) };
    default: return n;
  }
}

/** Result of `analyzeRegex`: the worst-case steps per start position and the longest match. */
export interface RegexBound {
  stepsPerStart: number;
  maxLength: number;
  /** Longest match of each capture group (index 1 first). */
  groupMaxLength: number[];
}

/**
 * Bounds the backtracking work of `source` compiled with `flags`. `subjectLength`, when given, bounds the text the
 * regex is ever run on (for allowlists), which also bounds its unbounded quantifiers; without it they are refused.
 * Throws UnsafeRuleError (naming `ruleId` and `part`) when the regex is refused.
 */
export function analyzeRegex(ruleId: string, part: string, source: string, flags = "", subjectLength?: number): RegexBound {
  let bound: RegexBound;
  try {
    const { root, groups } = parse(source, flags);
    const analyzer = new Analyzer(groups, subjectLength ?? null);
    const shape = analyzer.shape(root);
    const cost = analyzer.cost(root, all(), true);
    bound = {
      stepsPerStart: cost.w,
      maxLength: shape.maxLen,
      groupMaxLength: groups.map((g) => analyzer.shape(g).maxLen),
    };
  } catch (e) {
    if (e instanceof SyntaxRefused) throw new UnsafeRuleError(ruleId, part, `is refused: ${e.message}`);
    throw e;
  }
  if (!(bound.stepsPerStart <= MAX_STEPS_PER_START)) {
    const steps = bound.stepsPerStart >= CAP ? "more than 1e30" : bound.stepsPerStart.toExponential(1);
    throw new UnsafeRuleError(
      ruleId,
      part,
      `can backtrack ${steps} steps per start position (limit ${MAX_STEPS_PER_START}): overlapping repetitions or alternatives; make the pieces disjoint or the bounds smaller`,
    );
  }
  return bound;
}

function printSet(s: CharSet): string {
  const hex = (c: number): string => `\\x${c.toString(16).padStart(2, "0")}`;
  let out = "";
  for (let c = 0; c < 128; c++) {
    if (!((s.bits[c >> 5]! >>> (c & 31)) & 1)) continue;
    let d = c;
    while (d + 1 < 128 && (s.bits[(d + 1) >> 5]! >>> ((d + 1) & 31)) & 1) d++;
    out += d > c ? `${hex(c)}-${hex(d)}` : hex(c);
    c = d;
  }
  // Every set holds all of non-ASCII or none of it, so one character stands for all of them.
  if (s.nonAscii) out += "\\u00e9";
  return out === "" ? "[^\\s\\S]" : `[${out}]`;
}

function print(n: Node, groups: Node[], relax: boolean): string {
  switch (n.t) {
    case "char": return printSet(n.set);
    case "seq": return n.items.map((x) => print(x, groups, relax)).join("");
    case "alt": return `(?:${n.alts.map((x) => print(x, groups, relax)).join("|")})`;
    case "group": return `(?:${print(n.body, groups, relax)})`;
    case "rep": {
      const body = `(?:${print(n.body, groups, relax)})`;
      if (relax || !Number.isFinite(n.max)) return `${body}${n.min === 0 ? "*" : "+"}`;
      return `${body}{${n.min},${n.max}}`;
    }
    case "look": return "";
    case "assert": return n.end ? "$" : "";
    case "backref": {
      const g = n.name !== undefined ? groups.find((x) => x.t === "group" && x.name === n.name) : groups[(n.index ?? 0) - 1];
      return `(?:${g ? print(g, groups, relax) : ""})?`;
    }
  }
}

/**
 * The regex as an independent analyzer (recheck) can take it, for the cross-check in the test suite: lookarounds and
 * word-boundary assertions dropped, backreferences replaced by what their group can match, character sets widened to
 * whole ASCII sets and all of non-ASCII (which one character stands for), and with `relax` every repetition made `*` or `+`. Each step only adds
 * ways to match, so a linear verdict on this form holds for the original.
 */
export function analysisForm(source: string, flags = "", relax = true): string {
  const { root, groups } = parse(source, flags);
  return print(root, groups, relax);
}

/**
 * `source` compiled with `flags` once {@link analyzeRegex} has bounded it: the one way inspector code builds a regex from
 * rule or pattern data, so nothing the inspector runs escapes the gate.
 * @throws UnsafeRuleError naming `ruleId` and `part` when the regex is refused.
 */
export function linearRegex(ruleId: string, part: string, source: string, flags = ""): RegExp {
  analyzeRegex(ruleId, part, source, flags.replace(/[gdy]/g, ""));
  return new RegExp(source, flags);
}
