// The prompt-injection detector: runs the patterns a text's keywords (or gates) call for (over the text as given, after
// hidden Unicode is stripped and look-alikes folded, and over payloads decoded once), adds the hidden-Unicode
// signals, groups nearby signals into spans and scores each span. Findings carry signal names, never the text.
import { createHmac, createSecretKey } from "node:crypto";
import type { InspectField } from "../types.js";
import { compilePatterns, follows, windows } from "./compile-patterns.js";
import { adjustWeight, regions } from "./context.js";
import { decodePayloads } from "./decode.js";
import { INJECTION_GATES, INJECTION_PATTERNS } from "./patterns.js";
import { combine, severityOf, type Hit } from "./score.js";
import type { InjectionDetector, InjectionFinding, InjectionSignal } from "./types.js";
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
/** Builds a detector; patterns are compiled (and checked) once, here. */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const threshold = options.threshold ?? 0.5;
  const maxFindings = options.maxFindings ?? 32;
  const spanGap = options.spanGap ?? 400;
  const { patterns, gates, scanner } = compilePatterns(INJECTION_PATTERNS, INJECTION_GATES);
  const key = options.fingerprintKey === undefined ? null : createSecretKey(typeof options.fingerprintKey === "string" ? Buffer.from(options.fingerprintKey, "utf8") : options.fingerprintKey);
  if (key !== null && key.symmetricKeySize === 0) throw new Error("fingerprintKey must not be empty");

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
          const weight = adjustWeight(spec, subject, start, end, m[1] ?? "", code);
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
