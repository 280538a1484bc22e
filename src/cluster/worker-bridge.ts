// A cluster worker's side of the IPC with the primary (messages.ts): the decision log it forwards, the aggregated
// metrics it asks for, and bundle reloads it passes on and receives.
import { AggregatorRegistry, type Registry } from "prom-client";
import { isCustosMessage, type PrimaryMessage, type WorkerMessage } from "./messages.js";

/** How often buffered decision-log records are handed to the primary. */
const HAND_OVER_MS = 10;
/** How long a worker waits for the primary to answer a flush or a metrics request. */
const ANSWER_TIMEOUT_MS = 5_000;

type Send = (message: WorkerMessage) => void;

const pending = new Map<number, (message: PrimaryMessage) => void>();
const reloadListeners: (() => void)[] = [];
let nextId = 1;
let listening = false;

function send(message: WorkerMessage): void {
  if (!process.send) throw new Error("not a cluster worker: no IPC channel to the primary");
  process.send(message);
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on("message", (message: unknown) => {
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
}

/** Sends `message` (with a fresh id) and resolves with the primary's answer to it. */
function ask(make: (id: number) => WorkerMessage, what: string): Promise<PrimaryMessage> {
  listen();
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
      send(make(id));
    } catch (err) {
      clearTimeout(timer);
      pending.delete(id);
      reject(err as Error);
    }
  });
}

/** The decision log of a worker: records go to the primary, which chains and writes them to the one log file. */
export interface ForwardedDecisionLog {
  append(record: Record<string, unknown>): void;
  /** Resolves once the primary has written and fdatasynced every record appended before the call. */
  flush(): Promise<void>;
  /** Flushes; `append` throws afterwards. Idempotent. */
  close(): Promise<void>;
}

/**
 * Forwards records to the primary in batches every {@link HAND_OVER_MS}. A record that cannot be serialized
 * is replaced by `{"type":"unserializable",...}` and reported through `onError`, as the in-process log does.
 */
export function createForwardedDecisionLog(onError: (err: Error) => void, transport: Send = send): ForwardedDecisionLog {
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
      transport({ custos: "audit", texts });
    } catch (err) {
      onError(err as Error);
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
      let text: string;
      try {
        text = JSON.stringify(record);
      } catch (err) {
        onError(err as Error);
        text = JSON.stringify({ type: "unserializable", error: (err as Error).message });
      }
      buffer.push(text);
      timer ??= setTimeout(handOver, HAND_OVER_MS);
    },
    flush,
    close() {
      closed ??= flush();
      return closed;
    },
  };
}

/**
 * Lets the primary collect this worker's `registry` (prom-client's cluster protocol) and returns a function that
 * answers /metrics with every worker's metrics aggregated by the primary.
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs prom-client's worker-side listener
  return async () => {
    const answer = await ask((id) => ({ custos: "metrics", id }), "metrics request");
    if (answer.custos !== "metrics" || answer.text === undefined) throw new Error(answer.custos === "metrics" ? (answer.error ?? "no metrics") : "unexpected answer");
    return answer.text;
  };
}

/** Tells the primary that this worker reloaded its bundle on an admin's request, so that every worker does. */
export function broadcastReload(): void {
  send({ custos: "reload" });
}

/** Calls `reload` whenever another worker's admin reload is passed on by the primary. */
export function onReloadBroadcast(reload: () => void): void {
  listen();
  reloadListeners.push(reload);
}
