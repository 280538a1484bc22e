// Reads the end of an existing log file to find where its chain stands, without reading the whole file.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { GENESIS_HASH, parseChainLine } from "./chain-record.js";

/** Where the chain of one file stands, and what follows its last intact record. */
export interface LogTail {
  /** Size of the file in bytes. */
  size: number;
  /** `seq` of the last intact record; 0 when the file has none. */
  seq: number;
  /** `hash` of the last intact record; {@link GENESIS_HASH} when the file has none. */
  hash: string;
  /** The last record is intact but its newline is missing (a write cut just before it). */
  missingNewline: boolean;
  /**
   * Bytes after the last intact record when the file does not end in a newline: the mark of a write cut short by a
   * crash. The log declares them in a recovery record. 0 when there are none.
   */
  tornBytes: number;
  /** Bytes of complete lines after the last intact record that are not records (not a crash: left for the verifier). */
  corruptBytes: number;
}

const FIRST_WINDOW = 64 * 1024;

/**
 * Reads the tail of the log at `path`, starting with its last 64 KiB and widening the window only while no intact
 * record has been found (so a large file costs one small read). `null` when the file does not exist.
 */
export function readTail(path: string): LogTail | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { size, seq: 0, hash: GENESIS_HASH, missingNewline: false, tornBytes: 0, corruptBytes: 0 };
    for (let window = FIRST_WINDOW; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buf = Buffer.alloc(size - start);
      let read = 0;
      while (read < buf.length) {
        const n = readSync(fd, buf, read, buf.length - read, start + read);
        if (n === 0) break;
        read += n;
      }
      const found = scan(buf.subarray(0, read), start, size);
      if (found) return found;
    }
  } finally {
    closeSync(fd);
  }
}

/** Looks for the last intact record in `buf` (the bytes from `start` to the end); `null` to ask for a wider window. */
function scan(buf: Buffer, start: number, size: number): LogTail | null {
  const endsWithNewline = buf[buf.length - 1] === 0x0a;
  let end = endsWithNewline ? buf.length - 1 : buf.length;
  let fragment = !endsWithNewline;
  for (;;) {
    const nl = end === 0 ? -1 : buf.lastIndexOf(0x0a, end - 1);
    if (nl < 0 && start > 0) return null;
    const record = parseChainLine(buf.toString("utf8", nl + 1, end));
    if (record || nl < 0) {
      const after = record ? (fragment ? size : start + end + 1) : 0;
      const junk = size - after;
      return {
        size,
        seq: record?.seq ?? 0,
        hash: record?.hash ?? GENESIS_HASH,
        missingNewline: record !== null && fragment,
        tornBytes: endsWithNewline ? 0 : junk,
        corruptBytes: endsWithNewline ? junk : 0,
      };
    }
    end = nl;
    fragment = false;
  }
}
