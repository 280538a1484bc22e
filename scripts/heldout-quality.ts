// Measures secret and personal-data detection on held-out cases (test/fixtures/heldout-secrets.json,
// heldout-secrets-2.json and heldout-pii.json: the test values of gitleaks and Presidio, which nobody on this
// project wrote), end to end as an enforcement point sees it: a real Custos on a free port, one `POST /decide`
// prompt event per case (fresh session), the case found when the answer's reasons carry SECRET_IN_CONTENT (secrets)
// or PII_IN_CONTENT (personal data). The finding types come from `?explain=1`. Prints counts, case ids and types
// only, never a text.
// Usage: node dist/scripts/heldout-quality.js [--json] [--misses]
import { ratios, type Confusion } from "./lib/confusion.js";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startApp, withoutPrincipalRisk, type RunningApp } from "../test/helpers/app.js";

/** One held-out case as committed in the fixtures. */
export interface HeldOutCase {
  id: string;
  /** `literal` and `generated` (gitleaks, first batch), `literal-2` and `generated-2` (second batch), `presidio`. */
  set: string;
  source: { repo: string; path: string; commit: string; rule?: string; test?: string; entity?: string };
  text: string;
  expected: { label: "positive" | "negative"; types: string[] };
}

/** Confusion counts of one set, with the derived ratios. */
export interface HeldOutScore extends Confusion {
  cases: number;
  positives: number;
  negatives: number;
}

/** A case the service got wrong. */
export interface HeldOutMiss {
  id: string;
  set: string;
  /** The gitleaks rule id or the Presidio entity. */
  group: string;
  expected: "positive" | "negative";
  /** Types of the findings the service reported (of the kind the set is about). */
  found: string[];
}

/** Scores of a run. */
export interface HeldOutReport {
  sets: Record<string, HeldOutScore>;
  /** Misses counted per set and group (`literal/aws-access-token`), largest first. */
  missGroups: { set: string; group: string; fn: number; fp: number }[];
  misses: HeldOutMiss[];
}

const ADMIN_TOKEN = "heldout-quality-admin";
const CODE: Record<string, string> = { literal: "SECRET_IN_CONTENT", generated: "SECRET_IN_CONTENT", "literal-2": "SECRET_IN_CONTENT", "generated-2": "SECRET_IN_CONTENT", presidio: "PII_IN_CONTENT" };
const KIND: Record<string, string> = { literal: "secret", generated: "secret", "literal-2": "secret", "generated-2": "secret", presidio: "pii" };
/** Requests in flight at once: enough to keep the service busy, few enough for a shared 2-core machine. */
const CONCURRENCY = 4;

function fixture(name: string): HeldOutCase[] {
  const path = fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
  return (JSON.parse(readFileSync(path, "utf8")) as { cases: HeldOutCase[] }).cases;
}

/** The committed held-out fixtures (gitleaks' first and second batch, Presidio's). */
export function loadHeldOut(): HeldOutCase[] {
  return [...fixture("heldout-secrets.json"), ...fixture("heldout-secrets-2.json"), ...fixture("heldout-pii.json")];
}

/** The allowed prompt request of test/fixtures/decisions.json, the template every case is sent in. */
function promptTemplate(): Record<string, unknown> {
  const path = fileURLToPath(new URL("../../test/fixtures/decisions.json", import.meta.url));
  const all = JSON.parse(readFileSync(path, "utf8")) as { name: string; request: Record<string, unknown> }[];
  const t = all.find((x) => x.name === "support assistant prompts the support model");
  if (!t) throw new Error("decisions.json: the prompt template is missing");
  return t.request;
}

/** Sends one case; returns whether the set's reason came back and the finding types of the set's kind. */
async function decide(svc: RunningApp, template: Record<string, unknown>, c: HeldOutCase, n: number): Promise<{ found: boolean; types: string[] }> {
  const body = { ...template, session: { id: `s-heldout-${n}` }, data: { text: c.text } };
  const r = await svc.post("/decide?explain=1", body, { authorization: `Bearer ${ADMIN_TOKEN}` });
  if (r.status !== 200) throw new Error(`${c.id}: POST /decide answered ${r.status} ${JSON.stringify(r.body?.errors ?? r.body)}`);
  const codes = (r.body.reasons as { code: string }[]).map((x) => x.code);
  const findings = (r.body.explain?.input?.facts?.findings ?? []) as { kind: string; type: string }[];
  return { found: codes.includes(CODE[c.set]!), types: findings.filter((f) => f.kind === KIND[c.set]).map((f) => f.type) };
}

function empty(): HeldOutScore {
  return { cases: 0, positives: 0, negatives: 0, tp: 0, fp: 0, fn: 0, tn: 0, precision: 1, recall: 1 };
}

function groupOf(c: HeldOutCase): string {
  return c.source.rule ?? c.source.entity ?? "?";
}

/** Starts Custos, sends every case, and scores the answers per set. */
export async function measureHeldOut(cases: readonly HeldOutCase[]): Promise<HeldOutReport> {
  // Principal risk off: one principal sends hundreds of secrets here on purpose, and a flagged principal would turn
  // the later answers into something other than what their content alone decides.
  const svc = await startApp({ CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN, CUSTOS_DATA: withoutPrincipalRisk() });
  const template = promptTemplate();
  const results: { found: boolean; types: string[] }[] = new Array(cases.length);
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < cases.length; i = next++) results[i] = await decide(svc, template, cases[i]!, i);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await svc.close();
  }
  const sets: Record<string, HeldOutScore> = {};
  const groups = new Map<string, { set: string; group: string; fn: number; fp: number }>();
  const misses: HeldOutMiss[] = [];
  cases.forEach((c, i) => {
    const { found, types } = results[i]!;
    const s = (sets[c.set] ??= empty());
    const positive = c.expected.label === "positive";
    s.cases++;
    if (positive) s.positives++;
    else s.negatives++;
    if (positive && found) s.tp++;
    else if (positive) s.fn++;
    else if (found) s.fp++;
    else s.tn++;
    if (positive !== found) {
      const key = `${c.set}/${groupOf(c)}`;
      const g = groups.get(key) ?? { set: c.set, group: groupOf(c), fn: 0, fp: 0 };
      if (positive) g.fn++;
      else g.fp++;
      groups.set(key, g);
      misses.push({ id: c.id, set: c.set, group: groupOf(c), expected: c.expected.label, found: types });
    }
  });
  for (const s of Object.values(sets)) Object.assign(s, ratios(s));
  const missGroups = [...groups.values()].sort((a, b) => b.fn + b.fp - (a.fn + a.fp) || a.group.localeCompare(b.group));
  return { sets, missGroups, misses };
}

/** The report as Markdown tables: the sets, then the miss groups. */
export function formatHeldOutReport(r: HeldOutReport): string {
  const lines = ["| set | cases | positives | negatives | TP | FP | FN | precision | recall |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|"];
  for (const [name, s] of Object.entries(r.sets)) {
    lines.push(`| ${name} | ${s.cases} | ${s.positives} | ${s.negatives} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} |`);
  }
  lines.push("", "| set | rule / entity | missed positives | false positives |", "|---|---|--:|--:|");
  for (const g of r.missGroups) lines.push(`| ${g.set} | ${g.group} | ${g.fn} | ${g.fp} |`);
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await measureHeldOut(loadHeldOut());
  if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(formatHeldOutReport(report));
    if (process.argv.includes("--misses")) {
      for (const m of report.misses) console.log(`${m.id}\texpected ${m.expected}\tfound [${m.found.join(",")}]`);
    }
  }
}
