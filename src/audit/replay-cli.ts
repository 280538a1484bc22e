// The `policy:replay` command (`main.ts policy-replay …`): replays a decision log against a candidate bundle and
// answers with what would change, for people (a summary) or CI (`--json`, and the exit code).
//
// Usage: `npm run policy:replay -- --log FILE... --bundle candidate.tar.gz [--data overlay.json] [--partial] [--json]`.
// One `--log` path: the log's whole chain (its rotated files `<path>.1`, `<path>.2`, … first); several: one chain in
// the order given. Exit codes: 0 nothing would change, 1 some decision would change, 2 usage error, unreadable file,
// a candidate that does not load, or a broken chain (the first bad file:line named).
import { CustosError } from "../errors.js";
import { readBundle } from "../policy/bundle-reader.js";
import { GOVERNANCE_ENTRYPOINT, loadPolicyInstance } from "../policy/policy-engine.js";
import { readOverlay } from "../policy/policy-holder.js";
import { AuditError } from "./audit-error.js";
import { replayLog, type ReplayReport } from "./replay.js";
import { chainFiles } from "./rotated-files.js";

const USAGE =
  "usage: policy:replay --log FILE... --bundle candidate.tar.gz [--data overlay.json] [--partial] [--json]  " +
  "(one --log path: its rotated files <path>.1, <path>.2, … first)";

interface Args {
  logs: string[];
  bundle: string;
  data: string | null;
  partial: boolean;
  json: boolean;
}

function parseArgs(args: string[]): Args | string {
  const logs: string[] = [];
  let bundle: string | null = null;
  let data: string | null = null;
  let partial = false;
  let json = false;
  let list: "log" | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--log") list = "log";
    else if (a === "--bundle" || a === "--data") {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) return `${a} needs a file`;
      if (a === "--bundle") bundle = v;
      else data = v;
      list = null;
    } else if (a === "--partial") partial = true;
    else if (a === "--json") json = true;
    else if (a.startsWith("-")) return `unknown option ${a}`;
    else if (list === "log") logs.push(a);
    else return `unexpected argument ${a}`;
  }
  if (logs.length === 0) return "no --log file given";
  if (!bundle) return "no --bundle given";
  return { logs, bundle, data, partial, json };
}

/** Runs the command on `args`; returns the exit code and writes the report through `out` / `err`. */
export async function runReplay(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    err(parsed);
    err(USAGE);
    return 2;
  }
  let report: ReplayReport;
  try {
    const [bundle, overlay] = await Promise.all([readBundle(parsed.bundle), readOverlay(parsed.data)]);
    const candidate = await loadPolicyInstance(bundle, overlay, { requiredEntrypoints: [GOVERNANCE_ENTRYPOINT] });
    const files = parsed.logs.length === 1 ? await chainFiles(parsed.logs[0]!) : parsed.logs;
    report = await replayLog(files, candidate, { partial: parsed.partial });
  } catch (e) {
    if (e instanceof AuditError || e instanceof CustosError) {
      err(`${e.code}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const broken = report.chain.error;
  if (parsed.json) out(JSON.stringify(report));
  else for (const line of summary(report)) (broken ? err : out)(line);
  if (broken) return 2;
  return report.changed > 0 ? 1 : 0;
}

/** The human summary. */
function summary(r: ReplayReport): string[] {
  const c = r.chain;
  if (c.error) {
    return [`BROKEN ${c.error.file}:${c.error.line} ${c.error.kind}: ${c.error.message} (${c.records} records verified before it); nothing replayed`];
  }
  const lines = [
    `chain OK: ${c.records} records in ${c.files} file${c.files === 1 ? "" : "s"}${c.truncated ? ` (torn last line at ${c.truncated.file}:${c.truncated.line})` : ""}`,
    `replayed ${r.replayed} decisions against revision ${r.candidate.revision} (${r.not_replayable} without a recorded policy output) ` +
      `in ${r.seconds.toFixed(2)} s, ${r.records_per_second} records/s`,
    r.changed === 0 ? "no decision would change" : `${r.changed} decision${r.changed === 1 ? "" : "s"} would change`,
  ];
  if (r.changed === 0) return lines;
  lines.push("by direction:");
  for (const [k, t] of sorted(r.by_direction, (t) => t.count)) lines.push(`  ${k}  ${t.count}  e.g. ${t.samples.join(", ")}`);
  lines.push("by reason code:");
  for (const [k, t] of sorted(r.by_code, (t) => t.added + t.removed)) {
    lines.push(`  ${k}  ${t.added > 0 ? `+${t.added}` : ""}${t.added > 0 && t.removed > 0 ? " " : ""}${t.removed > 0 ? `-${t.removed}` : ""}  e.g. ${t.samples.join(", ")}`);
  }
  lines.push("by identity:");
  for (const [k, n] of sorted(r.by_identity, (n) => n).slice(0, 20)) lines.push(`  ${k}  ${n}`);
  lines.push("by resource:");
  for (const [k, n] of sorted(r.by_resource, (n) => n).slice(0, 20)) lines.push(`  ${k}  ${n}`);
  return lines;
}

function sorted<T>(o: Record<string, T>, weight: (t: T) => number): [string, T][] {
  return Object.entries(o).sort((a, b) => weight(b[1]) - weight(a[1]) || (a[0] < b[0] ? -1 : 1));
}
