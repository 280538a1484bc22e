// The decision log run in a worker thread: the service thread only turns each record into JSON (JSON.stringify,
// native) and hands the texts over in batches; the worker (log-worker.ts) parses them and does the costly part,
// canonical JSON and SHA-256 per record, chaining, writing and fdatasync, on another core.
//
// Handing over costs a postMessage (a copy and a wake-up of the worker), so texts are handed over every
// `flushIntervalMs / 5` (10 ms by default) rather than per record, and the worker writes every `flushIntervalMs`
// minus that, so a record still waits at most `flushIntervalMs` before it is written.
//
// What stays exactly as with an in-process log (decision-log.ts): the file format and chain (the worker runs that
// very log), the 50 ms batches and fdatasync, restart and torn-tail repair, rotation, error reporting. Canonical JSON
// follows JSON.stringify exactly, so sealing `JSON.parse(JSON.stringify(record))` gives the bytes sealing `record`
// would. What differs: `append` returns nothing (the chain position is assigned in the worker). A `kill -9` loses at
// most the records of the last `flushIntervalMs`, as with the in-process log. `flush()` and `close()` hand over at once and cover
// every record appended before them.
import { Worker } from "node:worker_threads";
import { AuditError, type AuditErrorCode } from "./audit-error.js";
import { recordText, safeReporter, type AuditLog } from "./audit-log.js";
import type { DecisionLogOptions } from "./decision-log.js";

/** Service thread → worker. */
export type ToLogWorker = { t: "append"; texts: string } | { t: "flush" | "close"; id: number };

/** Worker → service thread. */
export type FromLogWorker =
  | { t: "ready" }
  | { t: "failed"; error: WireError }
  | { t: "error"; error: WireError }
  | { t: "done"; id: number; error?: WireError };

interface WireError {
  code: string;
  message: string;
}

/** A decision log written by a worker thread; `append` serializes and queues (the worker seals); `close` ends it. */
export interface ThreadedDecisionLog extends AuditLog {
  append(record: Record<string, unknown>): void;
  /** The live file. */
  readonly path: string;
}

/**
 * Starts the worker, which opens (or creates) the log at `options.path` and continues its chain.
 * @throws AuditError `audit_log_unavailable` when the file cannot be opened or read; `audit_invalid_options`.
 */
export async function startDecisionLogThread(options: DecisionLogOptions): Promise<ThreadedDecisionLog> {
  const { onError, ...rest } = options;
  const interval = rest.flushIntervalMs ?? 50;
  const handOverMs = interval / 5;
  const workerOptions = { ...rest, flushIntervalMs: interval - handOverMs };
  const report = safeReporter(onError);
  const worker = new Worker(new URL("./log-worker.js", import.meta.url), { workerData: workerOptions });
  const waiters = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let pending: string[] = [];
  let handOver: NodeJS.Timeout | null = null;
  let dead: Error | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;

  await new Promise<void>((resolve, reject) => {
    const early = (err: Error) => reject(new AuditError("audit_log_unavailable", `the decision log worker failed: ${err.message}`, { cause: err }));
    worker.once("error", early);
    worker.once("message", (m: FromLogWorker) => {
      worker.off("error", early);
      if (m.t === "ready") resolve();
      else reject(toError(m.t === "failed" ? m.error : { code: "audit_log_unavailable", message: "unexpected message from the log worker" }));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  worker.on("message", (m: FromLogWorker) => {
    if (m.t === "error") report(toError(m.error));
    else if (m.t === "done") settle(m.id, m.error ? toError(m.error) : null);
  });
  worker.on("error", (err) => fail(err));
  worker.on("exit", (code) => {
    if (!closed) fail(new Error(`the decision log worker exited (code ${code})`));
  });
  // The worker keeps the process alive only while someone waits for a flush or close.
  worker.unref();

  function fail(err: Error): void {
    if (dead) return;
    dead = new AuditError("audit_write_failed", `the decision log worker stopped; records are no longer written: ${err.message}`, { cause: err });
    report(dead);
    for (const id of [...waiters.keys()]) settle(id, dead);
  }

  function settle(id: number, error: Error | null): void {
    const w = waiters.get(id);
    if (!w) return;
    waiters.delete(id);
    if (waiters.size === 0) worker.unref();
    if (error) w.reject(error);
    else w.resolve();
  }

  /** Hands the queued texts to the worker, in one message. */
  function send(): void {
    if (handOver) clearTimeout(handOver);
    handOver = null;
    if (pending.length === 0 || dead) return;
    const texts = pending.join("\n");
    pending = [];
    worker.postMessage({ t: "append", texts } satisfies ToLogWorker);
  }

  function request(t: "flush" | "close"): Promise<void> {
    send();
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      waiters.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ t, id } satisfies ToLogWorker);
    });
  }

  return {
    path: options.path,
    append(record) {
      if (closed) throw new AuditError("audit_log_closed", `the decision log ${options.path} is closed`);
      if (dead) return;
      pending.push(recordText(record, report));
      handOver ??= setTimeout(send, handOverMs).unref();
    },
    flush: () => request("flush"),
    close() {
      if (closing) return closing;
      closed = true;
      closing = (async () => {
        try {
          if (!dead) await request("close");
        } finally {
          await worker.terminate();
        }
      })();
      return closing;
    },
  };
}

function toError(e: WireError): AuditError {
  return new AuditError(e.code as AuditErrorCode, e.message);
}
