// The `audit:verify` command (`main.ts audit-verify …`): checks a decision log's hash chain and answers with a one-line verdict and exit code.
//
// Usage: `npm run audit:verify -- [--partial] <file…>`. Given one path, it verifies the log's whole chain: the
// rotated files `<path>.1`, `<path>.2`, … in number order, then `<path>`. Given several paths, it verifies them as
// one chain in the order given. `--partial` accepts a chain whose oldest files were removed. Exit codes: 0 the chain
// is intact (a torn last line from a crash is reported but intact), 1 it is broken (the first bad file:line and the
// kind are printed), 2 usage error (no file, unknown option, unreadable file).
import { AuditError } from "./audit-error.js";
import { chainFiles } from "./rotated-files.js";
import { verifyChain, type VerifyResult } from "./verify.js";

const USAGE = "usage: audit:verify [--partial] <file…>  (one path: its rotated files <path>.1, <path>.2, … first)";

/** Runs the command on `args`; returns the exit code and writes the verdict through `out` / `err`. */
export async function runVerify(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const flags = args.filter((a) => a.startsWith("-"));
  const paths = args.filter((a) => !a.startsWith("-"));
  if (flags.includes("--help") || flags.includes("-h")) {
    out(USAGE);
    return 0;
  }
  const unknown = flags.filter((f) => f !== "--partial");
  if (unknown.length > 0 || paths.length === 0) {
    err(unknown.length > 0 ? `unknown option ${unknown[0]}` : "no file given");
    err(USAGE);
    return 2;
  }
  let result: VerifyResult;
  try {
    const files = paths.length === 1 ? await chainFiles(paths[0]!) : paths;
    result = await verifyChain(files, { partial: flags.includes("--partial") });
  } catch (e) {
    if (e instanceof AuditError && e.code === "audit_file_unreadable") {
      err(e.message);
      return 2;
    }
    throw e;
  }
  out(summary(result));
  return result.ok ? 0 : 1;
}

/** The one-line verdict. */
function summary(r: VerifyResult): string {
  const counted = `${r.records} record${r.records === 1 ? "" : "s"} in ${r.files} file${r.files === 1 ? "" : "s"}`;
  if (r.error) return `BROKEN ${r.error.file}:${r.error.line} ${r.error.kind}: ${r.error.message} (${counted} verified before it)`;
  const last = r.last ? `, last seq ${r.last.seq} hash ${r.last.hash}` : "";
  const torn = r.truncated ? `; torn last line at ${r.truncated.file}:${r.truncated.line} (truncation, a write cut short)` : "";
  return `OK ${counted}${last}${torn}`;
}
