// What the node:cluster primary and its workers say to each other over IPC. With several workers the primary owns
// what must be one per service: the decision log (one hash chain in CUSTOS_AUDIT_LOG), the aggregated /metrics,
// and the fan-out of an admin bundle reload to every worker.

/** A worker to the primary. */
export type WorkerMessage =
  /** Decision-log records, each `JSON.stringify`d, joined with "\n", in the order the worker appended them. */
  | { custos: "audit"; texts: string }
  /** Asks for every record sent before it to be written and fdatasynced; answered with `audit-flushed`. */
  | { custos: "audit-flush"; id: number }
  /** Asks for the metrics of every worker, aggregated; answered with `metrics`. */
  | { custos: "metrics"; id: number }
  /** An admin reloaded the bundle on this worker: the primary tells the others to reload too. */
  | { custos: "reload" };

/** The primary to a worker. */
export type PrimaryMessage =
  | { custos: "audit-flushed"; id: number; error?: string }
  | { custos: "metrics"; id: number; text?: string; error?: string }
  | { custos: "reload" };

/** True for a message of ours (other libraries, such as prom-client, share the channel). */
export function isCustosMessage<T extends { custos: string }>(message: unknown): message is T {
  return typeof message === "object" && message !== null && typeof (message as { custos?: unknown }).custos === "string";
}
