// A cluster worker's side of the IPC with the primary (messages.ts): the decision log it forwards, the aggregated
// metrics it asks for, and bundle reloads it passes on and receives. It holds no state of its own beyond one
// bridge and never reaches for the process: the entry point hands it the IPC channel.
import { AggregatorRegistry, type Registry } from "prom-client";
import { recordText, safeReporter, type AuditLog } from "../audit/index.js";
import { isCustosMessage, type PrimaryMessage, type WorkerMessage } from "./messages.js";

/** How often buffered decision-log records are handed to the primary. */
const HAND_OVER_MS = 10;
/** How long a worker waits for the primary to answer a flush or a metrics request. */
const ANSWER_TIMEOUT_MS = 5_000;

/** The IPC channel to the primary (in a node:cluster worker: `process`). */
export interface PrimaryChannel {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** What a worker does with the primary. */
export interface WorkerBridge {
  /**
   * The decision log of a worker: records go to the primary, which chains and writes them to the one log file,
   * handed over in batches every {@link HAND_OVER_MS}.
   */
  decisionLog(onError: (err: Error) => void): AuditLog;
  /**
   * Lets the primary collect this worker's `registry` (prom-client's cluster protocol) and returns a function that
   * answers /metrics with every worker's metrics aggregated by the primary, or this worker's alone (and `onError`)
   * when the primary does not answer.
   */
  metrics(registry: Registry, onError: (err: Error) => void): () => Promise<string>;
  /** Tells the primary that this worker reloaded its bundle on an admin's request, so that every worker does. */
  broadcastReload(): void;
  /** Calls `reload` whenever another worker's admin reload is passed on by the primary. */
  onReload(reload: () => void): void;
}

/** Creates the bridge over `channel`; create one per worker. */
export function createWorkerBridge(channel: PrimaryChannel): WorkerBridge {
  const pending = new Map<number, (message: PrimaryMessage) => void>();
  const reloadListeners: (() => void)[] = [];
  let nextId = 1;
  channel.onMessage((message) => {
    if (!isCustosMessage<PrimaryMessage>(message)) return;
    if (message.custos === "reload") {
      for (const l of reloadListeners) l();
      return;
    }
    const answer = pending.get(message.id);
    if (answer) {
      pending.delete(message.id);
      answer(message);
    }
  });

  /** Sends `message` (with a fresh id) and resolves with the primary's answer to it. */
  const ask = (make: (id: number) => WorkerMessage, what: string): Promise<PrimaryMessage> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not answer the ${what} within ${ANSWER_TIMEOUT_MS} ms`));
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      try {
        channel.send(make(id));
      } catch (err) {
        clearTimeout(timer);
        pending.delete(id);
        reject(err as Error);
      }
    });
  };

  return {
    decisionLog(onError) {
      const report = safeReporter(onError);
      let buffer: string[] = [];
      let timer: NodeJS.Timeout | null = null;
      let closed: Promise<void> | null = null;
      const handOver = (): void => {
        if (timer) clearTimeout(timer);
        timer = null;
        if (buffer.length === 0) return;
        const texts = buffer.join("\n");
        buffer = [];
        try {
          channel.send({ custos: "audit", texts });
        } catch (err) {
          report(err as Error);
        }
      };
      const flush = async (): Promise<void> => {
        handOver();
        const answer = await ask((id) => ({ custos: "audit-flush", id }), "decision-log flush");
        if (answer.custos === "audit-flushed" && answer.error) throw new Error(answer.error);
      };
      return {
        append(record) {
          if (closed) throw new Error("the decision log is closed");
          buffer.push(recordText(record, report));
          timer ??= setTimeout(handOver, HAND_OVER_MS);
        },
        flush,
        close() {
          closed ??= flush();
          return closed;
        },
      };
    },
    metrics(registry, onError) {
      AggregatorRegistry.setRegistries([registry]);
      new AggregatorRegistry(); // installs prom-client's worker-side listener
      return async () => {
        try {
          const answer = await ask((id) => ({ custos: "metrics", id }), "metrics request");
          if (answer.custos !== "metrics" || answer.text === undefined) {
            throw new Error(answer.custos === "metrics" ? (answer.error ?? "no metrics") : "unexpected answer");
          }
          return answer.text;
        } catch (err) {
          onError(err as Error);
          return registry.metrics();
        }
      };
    },
    broadcastReload() {
      channel.send({ custos: "reload" });
    },
    onReload(reload) {
      reloadListeners.push(reload);
    },
  };
}
