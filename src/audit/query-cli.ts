// The `audit:query` command: what a credential, identity or session touched, from the decision log's full history.
//
// Usage: `npm run audit:query -- (--credential ID | --identity ID | --session ID)… [--since T] [--until T] [--json]
// [--partial] <log file…>`. One path: its rotated files `<path>.1`, `<path>.2`, … first, then `<path>`. The chain is
// verified while reading. Prints a human-readable summary, or with `--json` the whole answer. Exit codes: 0 the chain
// verified, 1 it is broken (the answer covers the records before the break, and the first bad line is named), 2 usage.
import { AuditError } from "./audit-error.js";
import { queryLog, type AuditQuery, type AuditQueryResult } from "./query.js";
import { chainFiles } from "./rotated-files.js";

const USAGE =
  "usage: audit:query (--credential ID | --identity ID | --session ID) [--since T] [--until T] [--json] [--partial] <log file…>";

/** Parses `args`; returns an error text on a usage problem. */
export function parseQueryArgs(args: string[]): { query: AuditQuery; json: boolean; partial: boolean; paths: string[] } | string {
  const query: AuditQuery = {};
  const paths: string[] = [];
  let json = false;
  let partial = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--json") json = true;
    else if (a === "--partial") partial = true;
    else if (a === "--credential" || a === "--identity" || a === "--session" || a === "--since" || a === "--until") {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) return `${a} needs a value`;
      if ((a === "--since" || a === "--until") && !Number.isFinite(Date.parse(v))) return `${a} must be an ISO 8601 time`;
      query[a.slice(2) as keyof AuditQuery] = v;
    } else if (a.startsWith("-")) return `unknown option ${a}`;
    else paths.push(a);
  }
  if (query.credential === undefined && query.identity === undefined && query.session === undefined) return "give --credential, --identity or --session";
  if (paths.length === 0) return "no log file given";
  return { query, json, partial, paths };
}

/** The human-readable answer. */
export function describe(r: AuditQueryResult): string[] {
  const s = r.summary;
  const list = (xs: string[]) => (xs.length === 0 ? "none" : xs.join(", "));
  const lines = [
    r.verify.ok
      ? `chain verified: ${r.verify.records} records in ${r.verify.files} file${r.verify.files === 1 ? "" : "s"}`
      : `CHAIN BROKEN at ${r.verify.error?.file}:${r.verify.error?.line} (${r.verify.error?.kind}): only the ${r.verify.records} records before it are counted`,
    `decisions: ${s.decisions} (${Object.entries(s.by_decision).map(([k, v]) => `${k} ${v}`).join(", ") || "none"})`,
    `first seen: ${s.first_seen ?? "never"}; last seen: ${s.last_seen ?? "never"}`,
    `principals: ${list(s.principals)}`,
    `credentials: ${list(s.credentials)}`,
    `sessions: ${list(s.sessions)}`,
    `resources: ${list(s.resources)}`,
    `tools: ${list(s.tools)}`,
    `callers: ${list(s.callers)}`,
    `reason codes: ${Object.entries(s.by_code).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
  ];
  for (const a of r.admin) lines.push(`admin: ${a.time} ${a.action} by ${a.actor ?? "?"} on ${a.target}`);
  return lines;
}

/** Runs the command on `args`; returns the exit code and writes through `out` / `err`. */
export async function runQuery(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    out(USAGE);
    return 0;
  }
  const parsed = parseQueryArgs(args);
  if (typeof parsed === "string") {
    err(parsed);
    err(USAGE);
    return 2;
  }
  let result: AuditQueryResult;
  try {
    const files = parsed.paths.length === 1 ? await chainFiles(parsed.paths[0]!) : parsed.paths;
    result = await queryLog(files, parsed.query, { partial: parsed.partial });
  } catch (e) {
    if (e instanceof AuditError && e.code === "audit_file_unreadable") {
      err(e.message);
      return 2;
    }
    throw e;
  }
  if (parsed.json) out(JSON.stringify(result, null, 2));
  else for (const l of describe(result)) out(l);
  return result.verify.ok ? 0 : 1;
}
