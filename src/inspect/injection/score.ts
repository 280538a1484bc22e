// How signals become a score: within one span, each signal name counts once at its strongest weight, and the
// weights combine as independent evidence (noisy-OR: 1 − Π(1 − w)). One strong signal (an override phrase, a
// chat-template token) is enough; weak ones (a persona, a model-addressed note, a lone zero-width run) need company.
import type { Severity } from "../types.js";
import type { InjectionSignal } from "./types.js";

/** One signal at one place, in the field's offsets. */
export interface Hit {
  signal: InjectionSignal;
  weight: number;
  start: number;
  end: number;
}

/** The score of a span and its signals (sorted, each once). */
export function combine(hits: readonly Hit[]): { score: number; signals: InjectionSignal[] } {
  const best = new Map<InjectionSignal, number>();
  for (const h of hits) best.set(h.signal, Math.max(best.get(h.signal) ?? 0, h.weight));
  let miss = 1;
  for (const w of best.values()) miss *= 1 - Math.min(1, Math.max(0, w));
  return { score: 1 - miss, signals: [...best.keys()].sort() };
}

/** Severity of a reported span: text smuggled in tag characters or a near-certain score is critical. */
export function severityOf(score: number, signals: readonly InjectionSignal[]): Severity {
  if (score >= 0.95 || (signals.includes("hidden-unicode:tags") && signals.length > 1)) return "critical";
  if (score >= 0.75) return "high";
  return "medium";
}
