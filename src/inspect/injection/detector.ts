// The prompt-injection detector: runs the pattern families a text's gates call for (over the text as given, after
// hidden Unicode is stripped and look-alikes folded, and over payloads decoded once), adds the hidden-Unicode
// signals, groups nearby signals into spans and scores each span. Findings carry signal names, never the text.
import { createHmac, createSecretKey } from "node:crypto";
import { createKeywordScanner, type KeywordHits, type KeywordScanner } from "../keyword-scanner.js";
import type { InspectField } from "../types.js";
import { decodePayloads } from "./decode.js";
import { urlCarries } from "./exfil.js";
import { INJECTION_GATES, INJECTION_PATTERNS } from "./patterns.js";
import { combine, severityOf, type Hit } from "./score.js";
import type { InjectionDetector, InjectionFinding, InjectionGateSpec, InjectionPatternSpec, InjectionSignal } from "./types.js";
import { normalize, type NormalizedText } from "./unicode.js";

/** Options of `createInjectionDetector`. */
export interface InjectionDetectorOptions {
  /** A span is reported when its score reaches this. @default 0.5 */
  threshold?: number;
  /** Findings per `detect` call; further ones are dropped (the call still reports that injection was found). @default 32 */
  maxFindings?: number;
  /** Key of the HMAC-SHA256 span fingerprints; without it findings carry none. @default none */
  fingerprintKey?: string | Buffer;
  /** Signals closer than this (in characters) belong to one span. @default 400 */
  spanGap?: number;
}

/**
 * Matches kept per pattern per text. Matches do not overlap, so work stays linear without a tight cap; the cap only
 * bounds memory, and sits above what decoys (weak matches placed before the real one) in a 1 MiB text can exhaust.
 */
const MAX_MATCHES_PER_PATTERN = 1 << 16;
/** How much text before a match the mention check reads. */
const MENTION_CONTEXT = 60;

/** Words before a match that introduce an example or talk about a model in the third person. */
const MENTION_BEFORE = /(?:such as|like|e\.g\.|for example|for instance|phrases?|strings?|the words|the text|payloads?|called|known as|classic|typical|common|examples?|told to|asked to|tries to|try to|trying to|attempts? to|tricks?|tricked|tricking|detects?|detected|detecting|blocks?|blocked|flags?|flagged|against|prevents?|preventing|attacks?|attackers?|injections?|jailbreaks?|say|says|saying|said|wrote|write|writes|typed|type|contains?|containing|include|includes|including|such|(?:tells?|telling|told|instructs?|instructing|asks?|asking|makes?|making|gets?|getting|convinces?|convincing|forces?|forcing) (?:the |a |an )?(?:model|assistant|llm|ai|agent|chatbot|bot|it|them) (?:to|into))\W{0,24}$/;
/** Opening quotation marks whose closing partner differs. */
const OPENERS: Record<string, string> = { "“": "”", "‘": "’", "«": "»", "„": "“", "「": "」", "『": "』" };

/** True when the match at `[start, end)` is a short quotation: inside quotation marks that close right after it. */
function quoted(subject: string, start: number, end: number): boolean {
  const before = subject.slice(Math.max(0, start - 24), start);
  const after = subject.slice(end, end + 24);
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i]!;
    const closer = OPENERS[c];
    if (closer !== undefined) return after.includes(closer);
    if (c === '"' || c === "`" || (c === "'" && i >= before.length - 2)) return after.slice(0, 4).includes(c);
    if (c === "\n") return false;
  }
  return false;
}

/** The speaker's own earlier words, not the model's instructions. */
const POSSESSIVE = /(?<![a-zà-öø-ÿß])(?:my|our|its|their|meine[nrms]?|unsere[nrms]?|mon|ma|mes|notre|nos|mi|mis|nuestr[ao]s?|meu|minha|meus|minhas|nosso|nossa|mio|mia|miei|mie|nostr[aoei]|mijn|onze)(?![a-zà-öø-ÿß])/;
const OWN_AFTER = /^\s{0,2}(?:(?:that |which )?(?:i|we) (?:sent|gave|wrote|shared|mentioned|posted|left|emailed|e-mailed)|(?:in|from) (?:my|our|the|this) (?:last |previous |earlier |first )?(?:e-?mail|mail|message|note|memo|letter|thread|ticket))/;
const SENSITIVE = /(?:conversation|chat|history|system prompt|prompt|instructions|password|credential|api key|api-key|apikey|secret|token|private|ssh|\.env|environment variable|cookie|session|the user'?s|user data|personal data|inbox|contacts|previous messages|all (?:the )?(?:data|files|emails|e-mails|messages|contents|documents)|this (?:conversation|chat|thread|document)|everything|summary of)/;

/** Objects of an override that also name everyday rules; they count only after words that point at the model's. */
const WEAK_OBJECT = /(?:rules|restrictions|constraints|polic(?:y|ies)|filters|guidance)$/;
const QUALIFIERS = new Set(["all", "any", "of", "the", "your", "previous", "prior", "above", "preceding", "earlier", "initial", "original", "system", "these", "those", "safety", "ethical", "moral", "content", "every", "current", "existing", "default", "other", "and", "or", "you", "were", "have", "been", "given", "hidden", "real", "developer", "developer's", "developers'", "built-in", "programmed", "usual", "standard"]);

/** True when every word between the verb and a weak object points at the model's rules ("all your rules"). */
function qualifiedWeakObject(match: string): boolean {
  const words = match.split(/\s+/).slice(1, -1);
  const strong = words.some((w) => w !== "the" && w !== "of" && w !== "and" && w !== "or" && QUALIFIERS.has(w));
  return strong && words.every((w) => QUALIFIERS.has(w));
}

interface Compiled {
  spec: InjectionPatternSpec;
  regex: RegExp;
  keywordIds: readonly number[];
  before: number;
  after: number;
  then: { regex: RegExp; within: number; stop: RegExp } | null;
}

const SENTENCE_END = /[.!?\n。！？]/;
const LINE_END = /\n/;

interface CompiledSet {
  patterns: Compiled[];
  gates: Map<string, { spec: InjectionGateSpec; regex: RegExp }>;
  scanner: KeywordScanner;
}

/** Compiles the patterns and their shared keyword scanner; throws on a malformed pattern. */
function compile(specs: readonly InjectionPatternSpec[], gates: readonly InjectionGateSpec[]): CompiledSet {
  const gateMap = new Map(gates.map((g) => [g.id, { spec: g, regex: new RegExp(g.regex, g.flags ?? "") }]));
  const ids = new Set<string>();
  const keywordIndex = new Map<string, number>();
  const mergeGaps: number[] = [];
  const patterns = specs.map((spec): Compiled => {
    const bad = (problem: string): never => {
      throw new Error(`injection pattern ${spec.id}: ${problem}`);
    };
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(spec.id) || ids.has(spec.id)) bad("bad or duplicate id");
    ids.add(spec.id);
    if ((spec.keywords === undefined) === (spec.gate === undefined)) bad("needs keywords or a gate, not both");
    if (spec.gate !== undefined && !gateMap.has(spec.gate)) bad(`unknown gate ${spec.gate}`);
    if (spec.keywords !== undefined && spec.keywords.length === 0) bad("needs at least one keyword");
    if (!(spec.weight > 0 && spec.weight <= 1)) bad("weight must be in (0, 1]");
    const before = spec.window?.before ?? 0;
    const after = spec.window?.after ?? 160;
    if (before < 0 || after < 0) bad("window must not be negative");
    const keywordIds = (spec.keywords ?? []).map((k) => {
      const key = k.toLowerCase();
      let id = keywordIndex.get(key);
      if (id === undefined) {
        id = keywordIndex.size;
        keywordIndex.set(key, id);
      }
      mergeGaps[id] = Math.max(mergeGaps[id] ?? 0, before + after);
      return id;
    });
    const then = spec.then ? { regex: new RegExp(spec.then.regex, spec.flags ?? ""), within: spec.then.within, stop: spec.then.stop === "line" ? LINE_END : SENTENCE_END } : null;
    if (then !== null && !(then.within > 0 && then.within <= 256)) bad("then.within must be in 1..256");
    return { spec, regex: new RegExp(spec.regex, `g${spec.flags ?? ""}`), keywordIds, before, after, then };
  });
  return { patterns, gates: gateMap, scanner: createKeywordScanner([...keywordIndex.keys()], mergeGaps) };
}

/** The merged `[lo, hi)` windows around the occurrences of a pattern's keywords. */
function windows(p: Compiled, hits: KeywordHits, n: number): number[] {
  const raw: number[] = [];
  for (const k of p.keywordIds) {
    const r = hits.ranges[k];
    if (r) for (let i = 0; i < r.length; i += 2) raw.push(Math.max(0, r[i]! - p.before), Math.min(n, r[i + 1]! + p.after));
  }
  if (raw.length <= 2) return raw;
  const pairs: [number, number][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of pairs) {
    if (merged.length > 0 && lo <= merged[merged.length - 1]!) merged[merged.length - 1] = Math.max(merged[merged.length - 1]!, hi);
    else merged.push(lo, hi);
  }
  return merged;
}

/** End of the `then` part when it starts within `then.within` characters after `end`, in the same sentence; else -1. */
function follows(then: NonNullable<Compiled["then"]>, subject: string, end: number): number {
  // One character of context before, for the part's lookbehind.
  const from = Math.max(0, end - 1);
  let piece = subject.slice(from, Math.min(subject.length, end + then.within + 64));
  const cut = then.stop.exec(piece.slice(end - from));
  if (cut !== null) piece = piece.slice(0, end - from + cut.index);
  const m = then.regex.exec(piece);
  if (m === null || from + m.index - end > then.within) return -1;
  return from + m.index + m[0].length;
}

/** Spans of code (inline or fenced, by backticks) or of HTML comments, found once per text. */
interface Regions {
  inside(offset: number): boolean;
}

/** Regions opened and closed by `mark` (backticks: inline code and fences; `<!--`: comments closed by `-->`). */
function regions(text: string, mark: "`" | "<!--"): Regions {
  const spans: number[] = [];
  const closeMark = mark === "`" ? "`" : "-->";
  for (let i = text.indexOf(mark); i >= 0 && spans.length < 2048; ) {
    const fence = mark === "`" && text.startsWith("```", i);
    const open = fence ? "```" : mark;
    const close = fence ? "```" : closeMark;
    // Inline code does not cross a line; a fence or a comment runs to its closing mark (or the end of the text).
    let j = text.indexOf(close, i + open.length);
    if (!fence && mark === "`") {
      const nl = text.indexOf("\n", i + 1);
      if (j < 0 || (nl >= 0 && nl < j)) {
        i = text.indexOf(mark, i + 1);
        continue;
      }
    }
    if (j < 0) j = text.length;
    spans.push(i, j + close.length);
    i = text.indexOf(mark, j + close.length);
  }
  return {
    inside(offset) {
      let lo = 0;
      let hi = spans.length / 2;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (spans[mid * 2 + 1]! <= offset) lo = mid + 1;
        else hi = mid;
      }
      return lo < spans.length / 2 && spans[lo * 2]! <= offset;
    },
  };
}

/** Builds a detector; patterns are compiled (and checked) once, here. */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const threshold = options.threshold ?? 0.5;
  const maxFindings = options.maxFindings ?? 32;
  const spanGap = options.spanGap ?? 400;
  const { patterns, gates, scanner } = compile(INJECTION_PATTERNS, INJECTION_GATES);
  const key = options.fingerprintKey === undefined ? null : createSecretKey(typeof options.fingerprintKey === "string" ? Buffer.from(options.fingerprintKey, "utf8") : options.fingerprintKey);
  if (key !== null && key.symmetricKeySize === 0) throw new Error("fingerprintKey must not be empty");

  /** Weight of one match after reading its surroundings. */
  function adjusted(p: InjectionPatternSpec, subject: string, start: number, end: number, group: string, code: Regions): number {
    const text = subject.slice(start, end);
    let w = p.weight;
    if (p.id === "markdown-image" || p.id === "markdown-link") {
      const carries = urlCarries(group);
      if (carries === "none") return 0;
      if (p.id === "markdown-link") return carries === "placeholder" ? w : 0;
      return carries === "placeholder" ? w : 0.45;
    }
    if (p.adjust === "exfil") w = SENSITIVE.test(text) ? 0.65 : w;
    if (p.id === "override-en" && WEAK_OBJECT.test(text) && !qualifiedWeakObject(text)) w *= 0.2;
    if (p.adjust === "override" && (POSSESSIVE.test(text) || OWN_AFTER.test(subject.slice(end, end + 48)))) w *= 0.3;
    if (p.adjust !== undefined && (quoted(subject, start, end) || MENTION_BEFORE.test(subject.slice(Math.max(0, start - MENTION_CONTEXT), start)) || code.inside(start))) w *= 0.35;
    return w;
  }

  /** Signals of the patterns over one prepared text, in that text's `raw` offsets. */
  function scanPatterns(t: NormalizedText, out: Hit[]): void {
    const code = regions(t.raw, "`");
    const hits = scanner.scan(t.folded);
    const passed = new Map<string, boolean>();
    const n = t.raw.length;
    for (const p of patterns) {
      const { spec } = p;
      const subject = spec.scope === "raw" ? t.raw : t.folded;
      let ranges: number[];
      if (spec.gate !== undefined) {
        let open = passed.get(spec.gate);
        if (open === undefined) {
          const g = gates.get(spec.gate)!;
          open = g.regex.test(g.spec.scope === "raw" ? t.raw : t.folded);
          passed.set(spec.gate, open);
        }
        if (!open) continue;
        ranges = [0, n];
      } else {
        let any = false;
        for (const k of p.keywordIds) any ||= hits.seen[k] === 1;
        if (!any) continue;
        ranges = windows(p, hits, n);
      }
      let count = 0;
      for (let w = 0; w < ranges.length && count < MAX_MATCHES_PER_PATTERN; w += 2) {
        const lo = ranges[w]!;
        const hi = ranges[w + 1]!;
        // One character of context on each side, so a lookaround at the window's edge sees the text.
        const offset = Math.max(0, lo - 1);
        const slice = lo === 0 && hi === n ? subject : subject.slice(offset, Math.min(n, hi + 1));
        const base = slice === subject ? 0 : offset;
        const re = p.regex;
        re.lastIndex = 0;
        for (let m = re.exec(slice); m !== null && count < MAX_MATCHES_PER_PATTERN; m = re.exec(slice)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          const start = base + m.index;
          let end = start + m[0].length;
          if (start < lo || end > hi) continue;
          if (p.then !== null) {
            const to = follows(p.then, subject, end);
            if (to < 0) continue;
            end = to;
          }
          count++;
          const weight = adjusted(spec, subject, start, end, m[1] ?? "", code);
          if (weight > 0) out.push({ signal: spec.signal, weight, start, end });
        }
      }
    }
  }

  /** Signals of one text (patterns, hidden Unicode, homoglyphs), in the original text's offsets. */
  function scanText(text: string, decodeToo: boolean): Hit[] {
    const t = normalize(text);
    const local: Hit[] = [];
    scanPatterns(t, local);
    const comments = regions(t.raw, "<!--");
    let concealed = false;
    for (const h of local) concealed ||= comments.inside(h.start);
    if (concealed) for (const h of [...local]) if (comments.inside(h.start)) local.push({ signal: "concealment", weight: 0.25, start: h.start, end: h.end });
    for (const h of t.homoglyphs) {
      const over = local.some((l) => l.start < h.end && h.start < l.end);
      local.push({ signal: "homoglyph", weight: over ? 0.4 : 0.2, start: h.start, end: h.end });
    }
    // Back to original offsets.
    const map = t.map;
    const hits: Hit[] = map === null ? local : local.map((h) => ({ ...h, start: map[h.start] ?? text.length, end: (map[h.end - 1] ?? text.length - 1) + 1 }));
    for (const run of t.hidden.slice(0, 256)) {
      const signal: InjectionSignal = run.kind === "tags" ? "hidden-unicode:tags" : run.kind.startsWith("bidi") ? "hidden-unicode:bidi" : "hidden-unicode:zero-width";
      const weight = run.kind === "tags" ? 0.6 : run.kind === "bidi-override" ? 0.5 : run.kind === "bidi" ? 0.25 : run.kind === "zero-width-in-word" ? 0.35 : run.end - run.start >= 4 ? 0.5 : 0.3;
      hits.push({ signal, weight, start: run.start, end: run.end });
    }
    for (const s of t.smuggled) {
      const inner = scanText(s.text, false);
      if (inner.length > 0) hits.push({ signal: "hidden-unicode:tags", weight: 0.9, start: s.start, end: s.end });
      for (const h of inner) hits.push({ ...h, start: s.start, end: s.end });
    }
    if (decodeToo) {
      for (const p of decodePayloads(t.raw)) {
        const inner = scanText(p.text, false);
        if (inner.length === 0) continue;
        const start = map === null ? p.start : (map[p.start] ?? 0);
        const end = map === null ? p.end : (map[p.end - 1] ?? text.length - 1) + 1;
        hits.push({ signal: p.encoding === "base64" ? "encoded-payload:base64" : "encoded-payload:url", weight: 0.3, start, end });
        for (const h of inner) hits.push({ ...h, start, end });
      }
    }
    return hits;
  }

  function fingerprint(text: string): string | undefined {
    return key === null ? undefined : createHmac("sha256", key).update(text, "utf8").digest("hex").slice(0, 32);
  }

  function detectText(field: string, text: string): InjectionFinding[] {
    if (text.length === 0) return [];
    const hits = scanText(text, true).sort((a, b) => a.start - b.start || a.end - b.end);
    const findings: InjectionFinding[] = [];
    let group: Hit[] = [];
    let groupEnd = -1;
    const close = (): void => {
      if (group.length === 0) return;
      const { score, signals } = combine(group);
      if (score >= threshold) {
        const start = group[0]!.start;
        const end = Math.max(...group.map((h) => h.end));
        const finding: InjectionFinding = { rule: "prompt-injection", kind: "injection", type: "prompt-injection", severity: severityOf(score, signals), location: { field, start, end }, score: Number(score.toFixed(3)), signals };
        const fp = fingerprint(text.slice(start, end));
        if (fp !== undefined) finding.fingerprint = fp;
        findings.push(finding);
      }
      group = [];
    };
    for (const h of hits) {
      if (group.length > 0 && h.start > groupEnd + spanGap) close();
      group.push(h);
      groupEnd = Math.max(groupEnd, h.end);
    }
    close();
    return findings;
  }

  return {
    detect(fields: InspectField[]): InjectionFinding[] {
      const order = fields.map((f, i) => ({ f, i })).sort((a, b) => (a.f.field < b.f.field ? -1 : a.f.field > b.f.field ? 1 : a.i - b.i));
      const out: InjectionFinding[] = [];
      for (const { f } of order) {
        if (typeof f.text !== "string") continue;
        for (const finding of detectText(f.field, f.text)) {
          if (out.length >= maxFindings) return out;
          out.push(finding);
        }
      }
      return out;
    },
  };
}
