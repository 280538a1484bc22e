// Reads the files of a chain for the verifier: each file's lines, addressed by file and line number.
import { readFile } from "node:fs/promises";
import { AuditError } from "./audit-error.js";

/** One file of a chain, split into lines. */
export interface FileLines {
  file: string;
  /** Number of lines; a final `\n` does not start another line. */
  count: number;
  /** Whether the file ends in `\n` (an empty file counts as ending cleanly). */
  endsWithNewline: boolean;
  /** Text of line `i` (0-based), without its `\n`. */
  text(i: number): string;
  /** Byte length of lines `from` to `to` (exclusive) joined by `\n`, without a final `\n`. */
  span(from: number, to: number): number;
}

/**
 * Reads `file` whole (files are bounded by the log's rotation size).
 * @throws AuditError `audit_file_unreadable`.
 */
export async function readLines(file: string): Promise<FileLines> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new AuditError("audit_file_unreadable", `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const starts: number[] = [];
  const ends: number[] = [];
  for (let at = 0; at < buf.length; ) {
    const nl = buf.indexOf(0x0a, at);
    const end = nl < 0 ? buf.length : nl;
    starts.push(at);
    ends.push(end);
    at = end + 1;
  }
  return {
    file,
    count: starts.length,
    endsWithNewline: buf.length === 0 || buf[buf.length - 1] === 0x0a,
    text: (i) => buf.toString("utf8", starts[i], ends[i]),
    span: (from, to) => ends[to - 1]! - starts[from]!,
  };
}

/** Lazily loads the files of a chain in order, keeping only those still needed in memory. */
export class ChainFiles {
  readonly #paths: readonly string[];
  readonly #loaded = new Map<number, Promise<FileLines>>();

  constructor(paths: readonly string[]) {
    this.#paths = paths;
  }

  get length(): number {
    return this.#paths.length;
  }

  /** File `index`; files before `index - 1` are released. */
  get(index: number): Promise<FileLines> {
    for (const k of this.#loaded.keys()) if (k < index - 1) this.#loaded.delete(k);
    let file = this.#loaded.get(index);
    if (!file) {
      file = readLines(this.#paths[index]!);
      this.#loaded.set(index, file);
    }
    return file;
  }
}
