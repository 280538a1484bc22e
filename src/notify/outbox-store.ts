// Where notifications wait until a receiver has taken them: the port, and the single-process implementation kept in
// a file (so a restart does not lose what was not delivered yet). The Redis implementation is redis-outbox.ts.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { WebhookEvent } from "./webhook-event.js";

/** One waiting notification and how often its delivery failed so far. */
export interface OutboxEntry {
  event: WebhookEvent;
  attempts: number;
}

/**
 * The outbox port. `claim` hands a due entry to one caller at a time: it is not handed out again until its lease
 * ends (then it is, so a deliverer that died does not lose it: delivery is at least once).
 */
export interface OutboxStore {
  readonly kind: "memory" | "file" | "redis";
  add(event: WebhookEvent, dueMs: number): Promise<void>;
  /** Up to `limit` entries due at `nowMs`, each leased to the caller until `nowMs + leaseMs`. */
  claim(nowMs: number, limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** Delivered: forget it. */
  done(id: string): Promise<void>;
  /** Not delivered: try again at `dueMs`, having failed `attempts` times. */
  retry(entry: OutboxEntry, dueMs: number): Promise<void>;
  /** Entries waiting (due or not). */
  size(): Promise<number>;
  close(): Promise<void>;
}

interface Slot {
  entry: OutboxEntry;
  dueMs: number;
}

/**
 * An outbox in this process's memory, written through to `path` (when given) after every change, atomically
 * (a temporary file renamed over the old one), and read back at start. For one process: with several workers the
 * outbox must be in Redis, so that one notification is delivered by one of them.
 */
export function createFileOutbox(options: { path?: string | null } = {}): OutboxStore {
  const path = options.path ?? null;
  const slots = new Map<string, Slot>();
  if (path) {
    let text: string | null = null;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (text) for (const s of JSON.parse(text) as Slot[]) slots.set(s.entry.event.id, s);
  }
  const persist = (): void => {
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify([...slots.values()]));
    renameSync(tmp, path);
  };
  return {
    kind: path ? "file" : "memory",
    async add(event, dueMs) {
      slots.set(event.id, { entry: { event, attempts: 0 }, dueMs });
      persist();
    },
    async claim(nowMs, limit, leaseMs) {
      const due = [...slots.values()].filter((s) => s.dueMs <= nowMs).sort((a, b) => a.dueMs - b.dueMs).slice(0, limit);
      for (const s of due) s.dueMs = nowMs + leaseMs;
      if (due.length > 0) persist();
      return due.map((s) => ({ event: s.entry.event, attempts: s.entry.attempts }));
    },
    async done(id) {
      if (slots.delete(id)) persist();
    },
    async retry(entry, dueMs) {
      if (!slots.has(entry.event.id)) return;
      slots.set(entry.event.id, { entry, dueMs });
      persist();
    },
    async size() {
      return slots.size;
    },
    async close() {
      persist();
    },
  };
}
