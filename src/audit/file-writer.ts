// Writes batches of sealed lines to the live file in order, rotating it before it would pass its size limit.
import { close, fdatasync, fstat, fsync, ftruncate, open, rename, write } from "node:fs";
import { dirname } from "node:path";
import { AuditError } from "./audit-error.js";
import { rotatedNumbers, rotatedPath } from "./rotated-files.js";

/** The outcome of one {@link FileWriter.write}: how many lines reached the file, and the failure if any. */
export interface WriteOutcome {
  written: number;
  error: Error | null;
}

/** The append-only file behind a decision log: one open descriptor, its size, and rotation. */
export class FileWriter {
  #fd: number;
  #size: number;
  #dirty = false;
  #rotationFailing = false;
  #closed = false;
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #report: (err: Error) => void;

  constructor(options: { path: string; fd: number; size: number; maxBytes: number; report: (err: Error) => void }) {
    this.#path = options.path;
    this.#fd = options.fd;
    this.#size = options.size;
    this.#maxBytes = options.maxBytes;
    this.#report = options.report;
  }

  /** Whether {@link close} has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends `lines` (each ending in `\n`) and fdatasyncs them; an empty batch only syncs. On failure the partial
   * line is cut off again, so the file always ends on a whole line, and the outcome says how many lines are in.
   */
  async write(lines: string[]): Promise<WriteOutcome> {
    let i = 0;
    try {
      if (this.#dirty) {
        await call((cb) => ftruncate(this.#fd, this.#size, cb));
        this.#dirty = false;
      }
      let rotationBlocked = false;
      while (i < lines.length) {
        let bytes = Buffer.byteLength(lines[i]!);
        if (!rotationBlocked && this.#size > 0 && this.#size + bytes > this.#maxBytes) rotationBlocked = !(await this.#rotate());
        let j = i + 1;
        for (; j < lines.length; j++) {
          const next = Buffer.byteLength(lines[j]!);
          if (!rotationBlocked && this.#size + bytes + next > this.#maxBytes) break;
          bytes += next;
        }
        const buf = Buffer.from(lines.slice(i, j).join(""));
        this.#dirty = true;
        await writeAll(this.#fd, buf);
        this.#dirty = false;
        this.#size += buf.length;
        i = j;
      }
      await call((cb) => fdatasync(this.#fd, cb));
      return { written: i, error: null };
    } catch (err) {
      if (this.#dirty) {
        await call((cb) => ftruncate(this.#fd, this.#size, cb)).then(
          () => (this.#dirty = false),
          () => undefined,
        );
      }
      const message = `writing the decision log ${this.#path} failed: ${(err as Error).message}`;
      return { written: i, error: new AuditError("audit_write_failed", message, { cause: err }) };
    }
  }

  /** Closes the descriptor. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await call((cb) => close(this.#fd, cb));
  }

  /**
   * Renames the live file to the next `<path>.N` and opens a fresh one; `false` (reported once per failure streak)
   * when that fails, and writing goes on in the current file. A live file already gone (renamed by a rotation
   * whose open failed) is not an error: the fresh file is simply created.
   */
  async #rotate(): Promise<boolean> {
    try {
      await call((cb) => fdatasync(this.#fd, cb));
      const n = ((await rotatedNumbers(this.#path)).at(-1) ?? 0) + 1;
      await call((cb) => rename(this.#path, rotatedPath(this.#path, n), cb)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
      const fd = await call<number>((cb) => open(this.#path, "a", cb));
      const old = this.#fd;
      this.#fd = fd;
      this.#size = (await call<{ size: number }>((cb) => fstat(fd, cb))).size;
      await syncFolder(dirname(this.#path));
      await call((cb) => close(old, cb));
      this.#rotationFailing = false;
      return true;
    } catch (err) {
      if (!this.#rotationFailing) {
        const message = `rotating the decision log ${this.#path} failed (writing on in the current file): ${(err as Error).message}`;
        this.#report(new AuditError("audit_rotate_failed", message, { cause: err }));
      }
      this.#rotationFailing = true;
      return false;
    }
  }
}

type Callback<T> = (err: NodeJS.ErrnoException | null, value?: T) => void;

/** Runs a callback-style fs call as a promise (the fd-based calls have no promise form). */
function call<T = void>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

async function writeAll(fd: number, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length; ) {
    off += await call<number>((cb) => write(fd, buf, off, buf.length - off, null, cb));
  }
}

/** Makes a rename durable where the platform allows fsyncing a folder; best effort elsewhere. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const fd = await call<number>((cb) => open(folder, "r", cb));
    await call((cb) => fsync(fd, cb)).catch(() => undefined);
    await call((cb) => close(fd, cb));
  } catch {
    // Not every platform lets a folder be opened or synced; the rename itself has happened.
  }
}
