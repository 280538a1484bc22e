// Delivers notifications to CUSTOS_WEBHOOK_URL from the outbox: at least once, signed, retried with exponential
// backoff until the receiver answers 2xx, one deliverer at a time per notification however many workers poll.
//
// Signature (when a secret is set): header `Custos-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
// "<t>.<body>")>`, as Stripe-style receivers verify it: recompute over the raw body, compare in constant time, and
// refuse a `t` too far from now (replay).
import { createHmac, randomUUID } from "node:crypto";
import type { OutboxEntry, OutboxStore } from "./outbox-store.js";
import { sanitizeData, summaryLine, type WebhookEvent, type WebhookEventType } from "./webhook-event.js";

/** Outcome of one delivery attempt, for metrics (`custos_webhook_deliveries_total{result}`). */
export type DeliveryResult = "delivered" | "failed";

/** Options of {@link createWebhookDispatcher}. */
export interface WebhookDispatcherOptions {
  /** The receiver. */
  url: string;
  /** HMAC key of `Custos-Signature`; unsigned when null. @default null */
  secret?: string | null;
  /** `custos` sends `{id, type, time, data}`; `slack` sends `{text, custos: {id, type, time, data}}` (an incoming-webhook body). @default "custos" */
  format?: "custos" | "slack";
  store: OutboxStore;
  /** Per-attempt timeout. @default 5000 */
  timeoutMs?: number;
  /** How often the outbox is polled for due notifications (new ones are sent at once). @default 1000 */
  pollMs?: number;
  /** First retry delay; doubles per failure. @default 1000 */
  backoffBaseMs?: number;
  /** Longest retry delay. @default 300000 */
  backoffMaxMs?: number;
  /** How long a claimed notification is reserved for this deliverer. @default 30000 */
  leaseMs?: number;
  /** Notifications claimed per poll. @default 20 */
  batch?: number;
  onResult?: (result: DeliveryResult, event: WebhookEvent, detail: { status?: number; error?: string }) => void;
  /** @default Date.now */
  clock?: () => number;
}

/** A running dispatcher. */
export interface WebhookDispatcher {
  /** Queues a notification (its `data` reduced to ids and codes) and starts delivering it; resolves once it is stored. */
  notify(type: WebhookEventType, data: Record<string, unknown>): Promise<WebhookEvent>;
  /** Delivers what is due now; resolves when this round is done (tests, shutdown). */
  deliverDue(): Promise<void>;
  /** Starts polling. */
  start(): void;
  /** Stops polling and waits for the round in flight. */
  stop(): Promise<void>;
}

/** The signature header value for `body` at `t` (Unix seconds). */
export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/** Creates the dispatcher (not yet polling: call `start`). */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const clock = options.clock ?? Date.now;
  const { store } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const pollMs = options.pollMs ?? 1000;
  const baseMs = options.backoffBaseMs ?? 1000;
  const maxMs = options.backoffMaxMs ?? 300_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const batch = options.batch ?? 20;
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const bodyOf = (event: WebhookEvent): string =>
    JSON.stringify(options.format === "slack" ? { text: summaryLine(event), custos: event } : event);

  async function attempt(entry: OutboxEntry): Promise<void> {
    const { event } = entry;
    const body = bodyOf(event);
    const headers: Record<string, string> = { "content-type": "application/json", "custos-event-id": event.id, "custos-event-type": event.type };
    if (options.secret) headers["custos-signature"] = signature(options.secret, Math.floor(clock() / 1000), body);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(options.url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = (err as Error).name === "TimeoutError" ? "timeout" : "unreachable";
    }
    if (status !== undefined && status >= 200 && status < 300) {
      await store.done(event.id);
      options.onResult?.("delivered", event, { status });
      return;
    }
    const attempts = entry.attempts + 1;
    const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
    // Jitter (up to a fifth of the delay) so that many failed notifications do not all retry in the same instant.
    await store.retry({ event, attempts }, clock() + delay + Math.floor(Math.random() * (delay / 5)));
    options.onResult?.("failed", event, { ...(status === undefined ? {} : { status }), ...(error ? { error } : {}) });
  }

  async function runRound(): Promise<void> {
    do {
      again = false;
      let claimed: OutboxEntry[];
      try {
        claimed = await store.claim(clock(), batch, leaseMs);
      } catch {
        return; // the store is unreachable: the next poll tries again
      }
      await Promise.all(claimed.map((e) => attempt(e).catch(() => undefined)));
      if (claimed.length === batch) again = true;
    } while (again && !stopped);
  }

  function deliverDue(): Promise<void> {
    if (round) {
      again = true;
      return round;
    }
    round = runRound().finally(() => {
      round = null;
    });
    return round;
  }

  return {
    async notify(type, data) {
      const event: WebhookEvent = { id: `evt-${randomUUID()}`, type, time: new Date(clock()).toISOString(), data: sanitizeData(data) };
      await store.add(event, clock());
      if (!stopped) void deliverDue();
      return event;
    },
    deliverDue,
    start() {
      stopped = false;
      if (timer) return;
      timer = setInterval(() => void deliverDue(), pollMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await round;
    },
  };
}
