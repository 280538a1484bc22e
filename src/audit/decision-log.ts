// The tamper-evident decision log: an append-only file of hash-chained JSON lines, written off the hot path.
//
// Format. One record per line: the canonical JSON of the record plus `seq`, `prev` and `hash` (see chain-record.ts),
// then `\n`. `append` seals the record at once (so its seq and hash are known to the caller) and buffers the line;
// a timer writes the buffer every `flushIntervalMs`, in order, and fdatasyncs it. A `kill -9` therefore loses at
// most the records of the last interval, and everything before them stays a valid chain.
//
// Restart. On open the log reads the tail of the file (its last 64 KiB, more only if no intact line is found there)
// and continues the chain from the last intact record. When the live file is missing or empty it continues from the
// highest-numbered rotated file instead (a crash between rotation's rename and the first write of the new file).
// - If the file ends in an intact record without its newline, the newline is added and nothing else is needed.
// - If the file does not end in a newline and its last bytes are not an intact record, a write was cut short (a
//   torn line). The log leaves those bytes in place and writes, in one write, `\n` and a recovery record
//   `{"type":"recovery","reason":"torn_line","truncated_bytes":n,...}` chained from the last intact record, where n
//   is the byte length of everything between that record's newline and the added `\n`. The verifier accepts
//   unparseable lines only when the record right after them is a recovery record declaring exactly their length
//   (or when it is one torn line at the very end of the chain), so a torn line stays visible and explained.
// - Complete lines after the last intact record that are not records (the file ends in `\n`) are not what a crash
//   leaves; they are reported through `onError` and left for the verifier to flag.
//
// Rotation. Before a write would take the file past `maxBytes`, it is fdatasynced and renamed to `<path>.N` (N one
// above the highest existing number) and a new `<path>` is started; its first record's `prev` is the last hash of
// the renamed file, so one chain runs through `<path>.1`, `<path>.2`, …, `<path>`.
//
// Failures. A failed write is cut back to the last whole line, reported once per failure streak through `onError`,
// its records kept in order and retried with backoff; pending `flush()` calls reject. `append` only throws once the
// log is closed. One process must own a path: two writers on one file would fork the chain.
import { closeSync, fstatSync, fdatasyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { AuditError } from "./audit-error.js";
import { safeReporter, unserializableError, unserializableRecord, type AuditLog } from "./audit-log.js";
import { GENESIS_HASH, sealRecord, type AuditEntry } from "./chain-record.js";
import { FileWriter } from "./file-writer.js";
import { readTail } from "./log-tail.js";
import { rotatedNumbersSync, rotatedPath } from "./rotated-files.js";

/** Options of {@link createDecisionLog}. */
export interface DecisionLogOptions {
  /** The live file; rotated files are `<path>.1`, `<path>.2`, … Its folder is created when missing. */
  path: string;
  /** Size past which the file is rotated. @default 67108864 (64 MiB) */
  maxBytes?: number;
  /** How long appended records may wait before they are written. @default 50 */
  flushIntervalMs?: number;
  /**
   * Records waiting to be written at which a write starts at once instead of at the next tick, which bounds the
   * buffer under a burst. While the disk is failing, records are kept (and retried) beyond it. @default 10000
   */
  maxBufferedRecords?: number;
  /** Receives write, rotation and recovery problems; the log never throws them at the caller. */
  onError?: (err: Error) => void;
}

/** An open decision log, in this thread. */
export interface DecisionLog extends AuditLog {
  /**
   * Seals `record` as the next entry of the chain and buffers it for writing; cheap and synchronous. The log owns
   * the `seq`, `prev` and `hash` members and overwrites any the record carries. A record that cannot be serialized
   * (cycle, BigInt) is replaced in the chain by `{"type":"unserializable",...}` and reported through `onError`.
   * @throws AuditError `audit_log_closed` after `close()`.
   */
  append(record: Record<string, unknown>): AuditEntry;
  /** Resolves once every record appended before the call is written and fdatasynced; rejects if writing failed. */
  flush(): Promise<void>;
  /** Flushes, then closes the file; `append` throws afterwards. Idempotent. */
  close(): Promise<void>;
  /** The live file. */
  readonly path: string;
}

/** Default {@link DecisionLogOptions.maxBytes}: 64 MiB. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Opens (or creates) the decision log at `options.path` and continues its chain (repairing a torn tail as the file
 * header describes). Opening is synchronous, so the log can seal records at once.
 * @throws AuditError `audit_log_unavailable` when the file cannot be opened or read; `audit_invalid_options`.
 */
export function createDecisionLog(options: DecisionLogOptions): DecisionLog {
  const { path } = options;
  const interval = options.flushIntervalMs ?? 50;
  const maxBuffered = options.maxBufferedRecords ?? 10_000;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(maxBytes > 0) || !(interval >= 0) || !(maxBuffered >= 1) || !(interval < 2 ** 31)) {
    throw new AuditError("audit_invalid_options", "maxBytes and maxBufferedRecords must be positive, flushIntervalMs at least 0");
  }
  const report = safeReporter(options.onError);
  const opened = openChain(path, report);
  const writer = new FileWriter({ path, fd: opened.fd, size: opened.size, maxBytes, report });
  let seq = opened.seq;
  let last = opened.hash;
  let pending: string[] = [];
  let durableSeq = seq;
  let waiters: { seq: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  let failures = 0;
  let closed = false;
  let closing: Promise<void> | null = null;

  const schedule = (delay: number, ref: boolean): void => {
    if (timer || running) return;
    timer = setTimeout(kick, delay);
    if (!ref) timer.unref();
  };

  /** Starts a write now (or asks the running one to go on). */
  function kick(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void drain().then((failed) => {
      running = false;
      if (writer.closed) return;
      if (failed) {
        // Unref'd: a failing disk must not keep a finished process alive.
        if (!closed) schedule(Math.min(interval * 2 ** failures, 5_000), false);
      } else if (again || waiters.length > 0) kick();
      else if (pending.length > 0) schedule(interval, true);
    });
  }

  /** Writes batches until nothing urgent is left; `true` when a write failed. */
  async function drain(): Promise<boolean> {
    for (;;) {
      again = false;
      if (pending.length === 0 && durableSeq >= seq) return false;
      const batch = pending;
      const batchSeq = seq;
      pending = [];
      const { written, error } = await writer.write(batch);
      if (error) {
        pending = batch.slice(written).concat(pending);
        if (failures++ === 0) report(error);
        settle(durableSeq, error);
        return true;
      }
      failures = 0;
      durableSeq = batchSeq;
      settle(durableSeq, null);
      if (!(again || waiters.length > 0 || closed || pending.length >= maxBuffered)) return false;
    }
  }

  /** Resolves the waiters covered by `upTo`; on `error`, rejects the others. */
  function settle(upTo: number, error: Error | null): void {
    const left: typeof waiters = [];
    for (const w of waiters) {
      if (w.seq <= upTo) w.resolve();
      else if (error) w.reject(error);
      else left.push(w);
    }
    waiters = left;
  }

  return {
    path,
    append(record) {
      if (closed) throw new AuditError("audit_log_closed", `the decision log ${path} is closed`);
      let sealed: { hash: string; line: string };
      try {
        sealed = sealRecord(record, seq + 1, last);
      } catch (err) {
        report(unserializableError(err));
        sealed = sealRecord(unserializableRecord(err), seq + 1, last);
      }
      seq += 1;
      last = sealed.hash;
      pending.push(`${sealed.line}\n`);
      // While the disk is failing, the backoff timer alone decides when to try again.
      if (pending.length >= maxBuffered && failures === 0) kick();
      else schedule(interval, true);
      return { seq, hash: last };
    },
    flush() {
      if (durableSeq >= seq) return Promise.resolve();
      if (writer.closed) return Promise.reject(new AuditError("audit_log_closed", `the decision log ${path} closed with records unwritten`));
      return new Promise((resolve, reject) => {
        waiters.push({ seq, resolve, reject });
        kick();
      });
    },
    close() {
      if (closing) return closing;
      closed = true;
      closing = (async () => {
        try {
          if (durableSeq < seq) {
            await new Promise<void>((resolve, reject) => {
              waiters.push({ seq, resolve, reject });
              kick();
            });
          }
        } finally {
          if (timer) clearTimeout(timer);
          timer = null;
          await writer.close();
        }
      })();
      return closing;
    },
  };
}

/** Opens the live file for appending and finds (or repairs) the end of the chain, as the file header describes. */
function openChain(path: string, report: (err: Error) => void): { fd: number; size: number; seq: number; hash: string } {
  let fd: number | null = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tail = readTail(path);
    let anchor = tail;
    if (!tail || tail.size === 0) {
      const newest = rotatedNumbersSync(path).at(-1);
      const rotated = newest === undefined ? null : readTail(rotatedPath(path, newest));
      if (rotated) anchor = rotated;
      if (rotated && rotated.tornBytes + rotated.corruptBytes > 0) {
        report(new AuditError("audit_tail_corrupt", `${rotatedPath(path, newest!)} ends in bytes that are not chain records; the chain continues from its last intact record`));
      }
    }
    fd = openSync(path, "a");
    let size = fstatSync(fd).size;
    let seq = anchor?.seq ?? 0;
    let hash = anchor?.hash ?? GENESIS_HASH;
    if (tail?.missingNewline) size += writeFully(fd, "\n");
    if (tail && tail.corruptBytes > 0) {
      report(new AuditError("audit_tail_corrupt", `${path} ends in ${tail.corruptBytes} bytes of complete lines that are not chain records; the chain continues from seq ${seq}`));
    }
    if (tail && tail.tornBytes > 0) {
      const recovery = { type: "recovery", reason: "torn_line", truncated_bytes: tail.tornBytes, time: new Date().toISOString() };
      const sealed = sealRecord(recovery, seq + 1, hash);
      size += writeFully(fd, `\n${sealed.line}\n`);
      fdatasyncSync(fd);
      seq += 1;
      hash = sealed.hash;
    }
    return { fd, size, seq, hash };
  } catch (err) {
    if (fd !== null) closeSync(fd);
    throw new AuditError("audit_log_unavailable", `cannot open the decision log ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function writeFully(fd: number, text: string): number {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
  return buf.length;
}
