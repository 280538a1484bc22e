// Verifies a decision log's hash chain across its files and names the first line where it breaks, and how.
//
// Every line must be a record whose `hash` matches its content, whose `seq` is one more than the previous record's
// and whose `prev` is the previous record's `hash`; the first record of the chain has seq 1 and `prev` 64 zeros
// (unless `partial` is set, for a chain whose oldest files were removed). Lines that are not records are accepted
// in two cases only, both left by a crash: one torn line at the very end of the chain (reported as `truncated`,
// `ok` stays true), or lines immediately followed by a recovery record whose `truncated_bytes` is exactly their
// length (see decision-log.ts). Records removed from the very end of the last file leave no trace in the file
// itself: compare the reported `last` seq and hash with a copy kept elsewhere to catch that.
import { access, constants, stat } from "node:fs/promises";
import { AuditError } from "./audit-error.js";
import { ChainFiles } from "./chain-files.js";
import { GENESIS_HASH, hashMatches, parseChainLine, type ChainRecord } from "./chain-record.js";
import { classifyBreak, type BreakKind, type LineRef } from "./classify-break.js";

/** How a chain breaks. */
export type { BreakKind } from "./classify-break.js";

/** The verdict on a chain. */
export interface VerifyResult {
  /** True when every line is accounted for (a torn last line included). */
  ok: boolean;
  /** Records verified (up to the first bad line when not ok). */
  records: number;
  /** Files given. */
  files: number;
  /** `seq` and `hash` of the last good record: the value to keep elsewhere to anchor the chain's end. */
  last?: { seq: number; hash: string };
  /** The torn last line, when the chain ends in one (a write cut short by a crash). */
  truncated?: { file: string; line: number };
  /** The first bad line (1-based) and what is wrong with it. */
  error?: { file: string; line: number; kind: BreakKind; message: string };
}

/** Options of {@link verifyChain}. */
export interface VerifyOptions {
  /**
   * Accept a first record that is not seq 1 (its `prev` is taken on trust), for a chain whose oldest rotated files
   * were deleted. @default false
   */
  partial?: boolean;
  /**
   * Called with each record once it is verified, in chain order, so a reader (audit:query, policy:replay) verifies
   * and reads in one pass. Records after the first bad line are never passed.
   */
  onRecord?: (body: Record<string, unknown>, at: LineRef) => void | Promise<void>;
}

/**
 * Verifies the chain running through `paths`, given in chain order (oldest rotated file first, live file last; see
 * `chainFiles` for a log's files in that order).
 * @throws AuditError `audit_file_unreadable` when a file cannot be read (before any line is judged).
 */
export async function verifyChain(paths: string[], options: VerifyOptions = {}): Promise<VerifyResult> {
  for (const file of paths) await assertReadable(file);
  const files = new ChainFiles(paths);
  let records = 0;
  let expected: { seq: number; prev: string } | null = options.partial ? null : { seq: 1, prev: GENESIS_HASH };
  let previous: (LineRef & { record: ChainRecord }) | null = null;
  const result = (rest: Partial<VerifyResult>): VerifyResult => ({
    ok: rest.error === undefined,
    records,
    files: paths.length,
    ...(previous ? { last: { seq: previous.record.seq, hash: previous.record.hash } } : {}),
    ...rest,
  });

  for (let f = 0; f < files.length; f++) {
    const lines = await files.get(f);
    for (let i = 0; i < lines.count; i++) {
      const at: LineRef = { file: lines.file, line: i + 1 };
      const record = parseChainLine(lines.text(i));
      if (!record) {
        let end = i + 1;
        while (end < lines.count && !parseChainLine(lines.text(end))) end++;
        const torn = end === lines.count && !lines.endsWithNewline;
        if (torn && end - i === 1) {
          if (await nothingAfter(files, f)) return result({ truncated: at });
          return result({ error: { ...at, kind: "truncated", message: "torn line (no newline) at the end of a file that another file follows" } });
        }
        const next = end < lines.count ? parseChainLine(lines.text(end)) : null;
        if (next?.body.type === "recovery" && next.body.truncated_bytes === lines.span(i, end)) {
          i = end - 1;
          continue;
        }
        const message = "not a chain record (not JSON, or no valid seq/prev/hash), and no recovery record declares it";
        return result({ error: { ...at, kind: "malformed", message } });
      }
      if (!hashMatches(record)) {
        return result({ error: { ...at, kind: "edited", message: `seq ${record.seq}: the hash does not match the content` } });
      }
      expected ??= { seq: record.seq, prev: record.prev };
      if (record.seq !== expected.seq || record.prev !== expected.prev) {
        const verdict = classifyBreak({ record, at, expected, previous, following: () => following(files, f, i + 1) });
        return result({ error: await verdict });
      }
      records++;
      previous = { ...at, record };
      if (options.onRecord) await options.onRecord(record.body, at);
      expected = { seq: record.seq + 1, prev: record.hash };
    }
  }
  return result({});
}

/** Up to 4096 records after line `from` of file `f` (null for lines that are not records), across files. */
async function following(files: ChainFiles, f: number, from: number): Promise<(ChainRecord | null)[]> {
  const out: (ChainRecord | null)[] = [];
  for (let k = f; k < files.length && out.length < 4096; k++) {
    const lines = await files.get(k);
    for (let i = k === f ? from : 0; i < lines.count && out.length < 4096; i++) out.push(parseChainLine(lines.text(i)));
  }
  return out;
}

async function nothingAfter(files: ChainFiles, f: number): Promise<boolean> {
  for (let k = f + 1; k < files.length; k++) if ((await files.get(k)).count > 0) return false;
  return true;
}

async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
    if (!(await stat(file)).isFile()) throw new Error("not a regular file");
  } catch (err) {
    throw new AuditError("audit_file_unreadable", `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}
