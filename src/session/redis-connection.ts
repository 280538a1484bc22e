// The Redis connection policy of the ledger: fail fast while Redis is away, reconnect by itself, no unhandled events.
// Calls made while a connection attempt is in flight wait for it (bounded); calls made while Redis is known to be
// down are refused at once. Either way a caller gets a StateUnavailableError, never a hang.
import { Redis } from "ioredis";
import { StateUnavailableError } from "../decision/ports.js";
import { LEDGER_SCRIPTS } from "./redis-scripts.js";

/** Timeouts in a row on a connection that looks healthy before it is dropped and re-established. */
const TIMEOUTS_BEFORE_RECONNECT = 3;

/** Connection options of the Redis store. */
export interface RedisConnectionOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /**
   * Longest wait for one command (and for an in-flight connection attempt) before it fails.
   * @default 250
   */
  commandTimeoutMs?: number;
  /**
   * Longest wait for a TCP connection to open.
   * @default 1000
   */
  connectTimeoutMs?: number;
  /**
   * Cap of the reconnect backoff (50 ms, doubling per attempt): how late, at most, the store notices Redis is back.
   * @default 1000
   */
  reconnectMaxDelayMs?: number;
  /**
   * Told about connection errors: the first one after each healthy period, not every reconnect attempt.
   * @default undefined (errors are swallowed)
   */
  onError?: (err: Error) => void;
}

/** A connected client and the one way to run commands through it. */
export interface RedisConnection {
  client: Redis;
  /** Runs `fn` once the client is ready; every failure becomes a {@link StateUnavailableError}. */
  run<T>(what: string, fn: (client: Redis) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Opens the connection (asynchronously; the first calls wait for it up to `commandTimeoutMs`). */
export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const commandTimeoutMs = options.commandTimeoutMs ?? 250;
  const maxDelay = options.reconnectMaxDelayMs ?? 1000;
  const client = new Redis(options.url, {
    // Fail fast: no queueing while disconnected, no silent resend after a drop (apply is not idempotent).
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), maxDelay),
    lazyConnect: false,
  });
  for (const [name, script] of Object.entries(LEDGER_SCRIPTS)) client.defineCommand(name, script);

  let reported = false;
  client.on("error", (err: Error) => {
    if (reported) return;
    reported = true;
    options.onError?.(err);
  });
  // Calls waiting for an attempt under way: settled by its outcome ("ready", or "close" when it failed).
  const waiters = new Set<(err: Error | null) => void>();
  const settle = (err: Error | null) => {
    for (const done of [...waiters]) done(err);
  };
  client.on("ready", () => {
    reported = false;
    settle(null);
  });
  client.on("close", () => settle(new Error("redis connection closed")));
  client.on("end", () => settle(new Error("redis connection ended")));

  /** Resolves when ready; waits only while a connection attempt is under way, and at most `commandTimeoutMs`. */
  function ready(): Promise<void> {
    const status = client.status;
    if (status === "ready") return Promise.resolve();
    if (status !== "connecting" && status !== "connect" && status !== "wait") {
      return Promise.reject(new Error(`redis is not connected (${status})`));
    }
    return new Promise((resolve, reject) => {
      const done = (err: Error | null) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`redis did not connect within ${commandTimeoutMs} ms (${client.status})`)), commandTimeoutMs);
      waiters.add(done);
    });
  }

  // A peer that vanished without a FIN or RST (host gone, network cut) leaves a socket that looks open for as long
  // as TCP keepalive takes; consecutive timeouts on a "ready" connection drop it so the reconnect loop takes over.
  let timeoutsInARow = 0;
  function noteOutcome(err: unknown): void {
    if (!(err instanceof Error && err.message === "Command timed out")) {
      timeoutsInARow = 0;
      return;
    }
    if (++timeoutsInARow >= TIMEOUTS_BEFORE_RECONNECT && client.status === "ready") {
      timeoutsInARow = 0;
      client.disconnect(true);
    }
  }

  return {
    client,
    async run(what, fn) {
      try {
        await ready();
        const result = await fn(client);
        noteOutcome(null);
        return result;
      } catch (err) {
        noteOutcome(err);
        const message = err instanceof Error ? err.message : String(err);
        throw new StateUnavailableError(`redis ${what} failed: ${message}`, { cause: err });
      }
    },
    async close() {
      if (client.status === "ready") {
        await client.quit().catch(() => undefined);
      }
      client.disconnect();
      settle(new Error("the state store is closed"));
    },
  };
}
