// Measures the inspector against the labelled corpus (test/fixtures/inspect-corpus.json): precision and recall per
// kind and per type. Prints counts and item ids only, never a text or a matched value.
// Usage: node dist/scripts/inspect-quality.js [--json] [--misses]
import { ratios } from "./lib/confusion.js";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createInspector, type Finding, type Inspector } from "../src/inspect/index.js";

/** One labelled corpus entry. */
export interface CorpusItem {
  id: string;
  text: string;
  expect: { type: string; kind: "secret" | "pii" }[];
}

/** True and false positives and false negatives of one class, with the derived ratios. */
export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

/** Scores of a whole corpus run. */
export interface QualityReport {
  items: number;
  positives: number;
  negatives: number;
  byKind: Record<string, Score>;
  byType: Record<string, Score>;
  /** Ids of items whose findings differ from their labels (what was missed or extra, by type). */
  misses: { id: string; missing: string[]; extra: string[] }[];
}

/** The committed corpus. */
export function loadCorpus(): CorpusItem[] {
  const path = fileURLToPath(new URL("../../test/fixtures/inspect-corpus.json", import.meta.url));
  return JSON.parse(readFileSync(path, "utf8")) as CorpusItem[];
}

function counts(labels: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

function tally(into: Record<string, { tp: number; fp: number; fn: number }>, expected: string[], found: string[]): { missing: string[]; extra: string[] } {
  const e = counts(expected);
  const f = counts(found);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const key of new Set([...e.keys(), ...f.keys()])) {
    const ne = e.get(key) ?? 0;
    const nf = f.get(key) ?? 0;
    const t = (into[key] ??= { tp: 0, fp: 0, fn: 0 });
    t.tp += Math.min(ne, nf);
    t.fp += Math.max(0, nf - ne);
    t.fn += Math.max(0, ne - nf);
    for (let i = nf; i < ne; i++) missing.push(key);
    for (let i = ne; i < nf; i++) extra.push(key);
  }
  return { missing, extra };
}

function scores(raw: Record<string, { tp: number; fp: number; fn: number }>): Record<string, Score> {
  const out: Record<string, Score> = {};
  for (const key of Object.keys(raw).sort()) {
    const { tp, fp, fn } = raw[key]!;
    out[key] = { tp, fp, fn, ...ratios({ tp, fp, fn }) };
  }
  return out;
}

/** Runs `inspector` over `corpus` and scores its findings against the labels (matched by type, counted per item). */
export function measureQuality(inspector: Inspector, corpus: CorpusItem[]): QualityReport {
  const kinds: Record<string, { tp: number; fp: number; fn: number }> = { secret: { tp: 0, fp: 0, fn: 0 }, pii: { tp: 0, fp: 0, fn: 0 } };
  const types: Record<string, { tp: number; fp: number; fn: number }> = {};
  const misses: QualityReport["misses"] = [];
  for (const item of corpus) {
    const findings: Finding[] = inspector.inspect([{ field: "data.text", text: item.text }]);
    tally(kinds, item.expect.map((e) => e.kind), findings.map((f) => f.kind));
    const diff = tally(types, item.expect.map((e) => e.type), findings.map((f) => f.type));
    if (diff.missing.length > 0 || diff.extra.length > 0) misses.push({ id: item.id, ...diff });
  }
  const positives = corpus.filter((i) => i.expect.length > 0).length;
  return { items: corpus.length, positives, negatives: corpus.length - positives, byKind: scores(kinds), byType: scores(types), misses };
}

/** The report as Markdown tables. */
export function formatReport(report: QualityReport): string {
  const row = (name: string, s: Score): string => `| ${name} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} |`;
  const head = "| class | tp | fp | fn | precision | recall |\n|---|---:|---:|---:|---:|---:|";
  return [
    `corpus: ${report.items} items (${report.positives} positives, ${report.negatives} negatives)`,
    "",
    "By kind",
    head,
    ...Object.entries(report.byKind).map(([k, s]) => row(k, s)),
    "",
    "By type",
    head,
    ...Object.entries(report.byType).map(([k, s]) => row(k, s)),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = measureQuality(createInspector({ fingerprintKey: "inspect-quality" }), loadCorpus());
  if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else console.log(formatReport(report));
  if (process.argv.includes("--misses")) for (const m of report.misses) console.log(`${m.id}\tmissing=[${m.missing.join(",")}]\textra=[${m.extra.join(",")}]`);
}
