// Measures the prompt-injection detector against a labelled corpus (by default test/fixtures/injection-corpus.json):
// precision and recall per event kind and recall per attack kind, counted per item (an item is flagged when the
// detector reports any finding in it). Prints counts and item ids only, never a text.
// Usage: node dist/scripts/injection-quality.js [--corpus FILE] [--json] [--misses]
import { ratios, type Confusion } from "./lib/confusion.js";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createInjectionDetector, type InjectionDetector } from "../src/inspect/index.js";

/** One labelled corpus item. */
export interface InjectionCorpusItem {
  id: string;
  event: "prompt" | "retrieval" | "tool_result" | "output";
  carrier: string;
  label: "injection" | "benign";
  kind: string;
  lang: string;
  text: string;
}

/** Confusion counts of one slice, with the derived ratios. */
export interface InjectionScore extends Confusion {
  items: number;
}

/** Scores of a corpus run. */
export interface InjectionQualityReport {
  all: InjectionScore;
  byEvent: Record<string, InjectionScore>;
  /** Recall (and counts) per attack kind, e.g. `direct`, `indirect`; precision per kind is not defined. */
  byKind: Record<string, InjectionScore>;
  byLang: Record<string, InjectionScore>;
  /** Ids of the items the detector got wrong. */
  misses: { id: string; expected: string; signals: string[] }[];
}

/** Reads a corpus file (default: the development corpus): an array of items, or `{ description, items }`. */
export function loadInjectionCorpus(file?: string): InjectionCorpusItem[] {
  const path = file ?? fileURLToPath(new URL("../../test/fixtures/injection-corpus.json", import.meta.url));
  const data = JSON.parse(readFileSync(path, "utf8")) as InjectionCorpusItem[] | { items: InjectionCorpusItem[] };
  return Array.isArray(data) ? data : data.items;
}


function empty(): InjectionScore {
  return { items: 0, tp: 0, fp: 0, fn: 0, tn: 0, precision: 1, recall: 1 };
}

function count(s: InjectionScore, positive: boolean, flagged: boolean): void {
  s.items++;
  if (positive && flagged) s.tp++;
  else if (positive) s.fn++;
  else if (flagged) s.fp++;
  else s.tn++;
  Object.assign(s, ratios(s));
}

/** Runs `detector` over `corpus`, one field per item (named after its event), and scores the item-level verdicts. */
export function measureInjectionQuality(detector: InjectionDetector, corpus: readonly InjectionCorpusItem[]): InjectionQualityReport {
  const report: InjectionQualityReport = { all: empty(), byEvent: {}, byKind: {}, byLang: {}, misses: [] };
  for (const item of corpus) {
    const findings = detector.detect([{ field: "data.text", text: item.text }]);
    const flagged = findings.length > 0;
    const positive = item.label === "injection";
    count(report.all, positive, flagged);
    count((report.byEvent[item.event] ??= empty()), positive, flagged);
    count((report.byLang[item.lang] ??= empty()), positive, flagged);
    if (positive) count((report.byKind[item.kind] ??= empty()), positive, flagged);
    if (positive !== flagged) report.misses.push({ id: item.id, expected: item.label, signals: [...new Set(findings.flatMap((f) => f.signals))] });
  }
  return report;
}

const pct = (x: number): string => x.toFixed(3);

/** The report as a Markdown table. */
export function formatInjectionReport(r: InjectionQualityReport): string {
  const lines = ["| slice | items | TP | FP | FN | precision | recall |", "|---|---:|---:|---:|---:|---:|---:|"];
  const row = (name: string, s: InjectionScore): void => {
    lines.push(`| ${name} | ${s.items} | ${s.tp} | ${s.fp} | ${s.fn} | ${pct(s.precision)} | ${pct(s.recall)} |`);
  };
  row("all", r.all);
  for (const [k, s] of Object.entries(r.byEvent).sort()) row(`event ${k}`, s);
  for (const [k, s] of Object.entries(r.byKind).sort()) row(`attack ${k} (recall)`, s);
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const at = process.argv.indexOf("--corpus");
  const corpus = loadInjectionCorpus(at > 0 ? process.argv[at + 1] : undefined);
  const report = measureInjectionQuality(createInjectionDetector(), corpus);
  if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(formatInjectionReport(report));
    if (process.argv.includes("--misses")) for (const m of report.misses) console.log(`${m.id} expected ${m.expected} signals [${m.signals.join(", ")}]`);
  }
}
