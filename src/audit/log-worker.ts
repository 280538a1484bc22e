// The worker-thread side of the threaded decision log (see log-thread.ts): owns one decision log, parses the JSON
// texts the service thread sends, and seals, chains and writes them there, off the thread that answers requests.
import { parentPort, workerData } from "node:worker_threads";
import { AuditError } from "./audit-error.js";
import { createDecisionLog, type DecisionLog, type DecisionLogOptions } from "./decision-log.js";
import type { ToLogWorker, FromLogWorker } from "./log-thread.js";

const port = parentPort;
if (!port) throw new Error("log-worker.js runs only as a worker thread (see log-thread.ts)");
const post = (message: FromLogWorker): void => port.postMessage(message);
const asWire = (err: unknown): { code: string; message: string } => ({
  code: err instanceof AuditError ? err.code : "audit_write_failed",
  message: (err as Error)?.message ?? String(err),
});

let log: DecisionLog | null = null;
try {
  const options = workerData as Omit<DecisionLogOptions, "onError">;
  log = createDecisionLog({ ...options, onError: (err) => post({ t: "error", error: asWire(err) }) });
  post({ t: "ready" });
} catch (err) {
  post({ t: "failed", error: asWire(err) });
  port.close();
}

if (log) {
  const opened = log;
  port.on("message", (message: ToLogWorker) => {
    if (message.t === "append") {
      // The texts are JSON.stringify output, which never holds a raw newline and always parses.
      for (const text of message.texts.split("\n")) opened.append(JSON.parse(text) as Record<string, unknown>);
      return;
    }
    const done = message.t === "flush" ? opened.flush() : opened.close();
    done.then(
      () => post({ t: "done", id: message.id }),
      (err: unknown) => post({ t: "done", id: message.id, error: asWire(err) }),
    );
    if (message.t === "close") void done.finally(() => port.close());
  });
}
