// The prompt-injection detector: the first stage's signals (see `first-stage.ts`) grouped into spans and scored, and
// a second stage, a linear classifier (see `classifier.ts`), that scores stretches around weak signals and cues:
// it confirms or drops spans the first stage finds ambiguous and finds injections the first stage has no phrase for.
// Findings carry signal names, never the text.
import { createHmac, createSecretKey } from "node:crypto";
import type { InspectField } from "../types.js";
import { committedModel } from "./classifier.js";
import { featuresOf, probability } from "./features.js";
import { createFirstStage } from "./first-stage.js";
import { combine, severityOf, type Hit } from "./score.js";
import type { InjectionDetector, InjectionFinding, InjectionSignal } from "./types.js";
import { stretches } from "./windows.js";

/** Options of `createInjectionDetector`. */
export interface InjectionDetectorOptions {
  /** A first-stage span is reported when its score reaches this. @default 0.5 */
  threshold?: number;
  /** A first-stage span at or above this is reported without asking the second stage. @default 0.8 */
  strong?: number;
  /** Run the second stage (the classifier). Without it, spans at or above `threshold` are reported. @default true */
  classifier?: boolean;
  /** The second stage's model and thresholds, in place of the committed one (for training and measuring). @default the committed model */
  model?: ReturnType<typeof committedModel>;
  /** Stretches the second stage scores per text, at most. @default 32 */
  maxStretches?: number;
  /** Findings per `detect` call; further ones are dropped (the call still reports that injection was found). @default 32 */
  maxFindings?: number;
  /** Key of the HMAC-SHA256 span fingerprints; without it findings carry none. @default none */
  fingerprintKey?: string | Buffer;
  /** Signals closer than this (in characters) belong to one span. @default 400 */
  spanGap?: number;
}

/** Signals that read phrasing (which the second stage may overrule); the others are structural. */
const PHRASE_SIGNALS: ReadonlySet<InjectionSignal> = new Set(["override-phrase", "prompt-leak", "role-play", "restriction-removal", "model-addressed", "new-instructions", "concealment", "exfil-instruction"]);

/** Position in `raw` (the text without hidden characters) of original offset `at`. */
function toRaw(map: Int32Array | null, at: number): number {
  if (map === null) return at;
  let lo = 0;
  let hi = map.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Builds a detector; patterns are compiled (and checked) and the model decoded once, here. */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const threshold = options.threshold ?? 0.5;
  const strong = options.strong ?? 0.8;
  const useClassifier = options.classifier ?? true;
  const maxStretches = options.maxStretches ?? 32;
  const maxFindings = options.maxFindings ?? 32;
  const spanGap = options.spanGap ?? 400;
  const first = createFirstStage();
  const model = useClassifier ? (options.model ?? committedModel()) : null;
  const key = options.fingerprintKey === undefined ? null : createSecretKey(typeof options.fingerprintKey === "string" ? Buffer.from(options.fingerprintKey, "utf8") : options.fingerprintKey);
  if (key !== null && key.symmetricKeySize === 0) throw new Error("fingerprintKey must not be empty");

  function fingerprint(text: string): string | undefined {
    return key === null ? undefined : createHmac("sha256", key).update(text, "utf8").digest("hex").slice(0, 32);
  }

  /** First-stage spans: hits closer than `spanGap` grouped, each with its score. */
  function spans(hits: Hit[]): { start: number; end: number; hits: Hit[]; score: number; signals: InjectionSignal[] }[] {
    const out: ReturnType<typeof spans> = [];
    let group: Hit[] = [];
    let groupEnd = -1;
    const close = (): void => {
      if (group.length === 0) return;
      const { score, signals } = combine(group);
      out.push({ start: group[0]!.start, end: Math.max(...group.map((h) => h.end)), hits: group, score, signals });
      group = [];
    };
    for (const h of hits) {
      if (group.length > 0 && h.start > groupEnd + spanGap) close();
      group.push(h);
      groupEnd = Math.max(groupEnd, h.end);
    }
    close();
    return out;
  }

  function detectText(field: string, text: string): InjectionFinding[] {
    if (text.length === 0) return [];
    const { hits, cues, normalized } = first.run(text);
    hits.sort((a, b) => a.start - b.start || a.end - b.end);
    const found: { start: number; end: number; score: number; signals: InjectionSignal[] }[] = [];
    const groups = spans(hits);
    if (model === null) {
      for (const g of groups) if (g.score >= threshold) found.push(g);
    } else {
      // The second stage reads the prepared text; stretches are found and scored in its offsets.
      const map = normalized.map;
      const folded = normalized.folded;
      const fromRaw = (at: number): number => (map === null ? at : at >= map.length ? text.length : map[at]!);
      const rawHits = hits.map((h) => ({ start: toRaw(map, h.start), end: toRaw(map, h.end), weight: h.weight, signal: h.signal }));
      const rawCues = map === null ? cues : cues.map((c) => ({ group: c.group, start: toRaw(map, c.start) }));
      const scored = stretches(folded, rawHits, rawCues, maxStretches).map((s) => {
        const best = new Map<InjectionSignal, number>();
        for (const h of rawHits) if (h.start < s.end && h.end > s.start) best.set(h.signal, Math.max(best.get(h.signal) ?? 0, h.weight));
        const p = probability(model, featuresOf(folded.slice(s.start, s.end), best));
        return { start: fromRaw(s.start), end: s.start === s.end ? fromRaw(s.end) : fromRaw(s.end - 1) + 1, p, signals: [...best.keys()] };
      });
      const covering = (start: number, end: number): number => {
        let p = -1;
        for (const s of scored) if (s.start < end && s.end > start) p = Math.max(p, s.p);
        return p;
      };
      for (const g of groups) {
        if (g.score < threshold) continue;
        if (g.score >= strong) {
          found.push(g);
          continue;
        }
        const p = covering(g.start, g.end);
        // Structural evidence (a spoofed tag, hidden Unicode, an exfiltration URL, a decoded payload) is not the
        // classifier's to overrule; nor is a span no stretch covers (the stretch limit was reached).
        if (p < 0 || !g.signals.every((x) => PHRASE_SIGNALS.has(x))) found.push(p >= model.confirm ? { ...g, score: Math.max(g.score, p), signals: [...new Set<InjectionSignal>([...g.signals, "classifier"])].sort() } : g);
        else if (p >= model.confirm) found.push({ ...g, score: Math.max(g.score, p), signals: [...new Set<InjectionSignal>([...g.signals, "classifier"])].sort() });
      }
      for (const s of scored) {
        if (s.p < model.threshold || found.some((f) => f.start < s.end && f.end > s.start)) continue;
        found.push({ start: s.start, end: s.end, score: s.p, signals: [...new Set<InjectionSignal>([...s.signals, "classifier"])].sort() });
      }
      found.sort((a, b) => a.start - b.start);
    }
    return found.map((f) => {
      const finding: InjectionFinding = { rule: "prompt-injection", kind: "injection", type: "prompt-injection", severity: severityOf(f.score, f.signals), location: { field, start: f.start, end: f.end }, score: Number(f.score.toFixed(3)), signals: f.signals };
      const fp = fingerprint(text.slice(f.start, f.end));
      if (fp !== undefined) finding.fingerprint = fp;
      return finding;
    });
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
