// The Redis connection policy of the ledger: fail fast while Redis is away, reconnect by itself, no unhandled events.
// Calls made while a connection attempt is in flight wait for it (bounded); calls made while Redis is known to be
// down are refused at once. Either way a caller gets a StateUnavailableError, never a hang, and never the password.
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./ledger-rules.js";
import { Cluster, type Redis } from "ioredis";
import { StateUnavailableError } from "../decision/ports.js";
import { createLedgerClient, watchFailovers, type LedgerClient } from "./redis-client.js";
import { CROSS_SESSION_SCRIPTS, LEDGER_SCRIPTS } from "./redis-scripts.js";
import { parseRedisUrl, passwordRedactor, type RedisTarget } from "./redis-url.js";

/** Timeouts in a row on a connection that looks healthy before it is dropped and re-established. */
const TIMEOUTS_BEFORE_RECONNECT = 3;

/** Connection options of the Redis store. */
export interface RedisConnectionOptions {
  /**
   * `redis[s]://[[user]:password@]host[:port][/db]`, `redis[s]+cluster://…host:port,host:port`, or
   * `redis[s]+sentinel://…host:port,host:port/<master>`, with options `tls_ca`, `tls_cert`, `tls_key`,
   * `wait_replicas` (the forms and options are documented in redis-url.ts).
   */
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
  client: LedgerClient;
  /** What the URL named (mode, nodes, options); the password is in it, so never log it whole. */
  target: RedisTarget;
  /** Runs `fn` once the client is ready; every failure becomes a {@link StateUnavailableError}. */
  run<T>(what: string, fn: (client: LedgerClient) => Promise<T>): Promise<T>;
  /**
   * Like {@link run}, on a second client kept for writes that WAIT for replicas (unless `wait_replicas=0`, then the
   * same client): WAIT holds its connection until the replicas answer or it times out, and decisions must not
   * queue behind it.
   */
  runDurable<T>(what: string, fn: (client: LedgerClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the connection (asynchronously; the first calls wait for it up to `commandTimeoutMs`).
 * @throws Error when the URL is invalid or a TLS file cannot be read (the message never holds the password).
 */
export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const target = parseRedisUrl(options.url);
  const policy = {
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 1000,
  };
  const main = supervise(createLedgerClient(target, policy), policy.commandTimeoutMs, passwordRedactor(target), options.onError);
  const durable = target.waitReplicas !== 0 ? supervise(createLedgerClient(target, policy), policy.commandTimeoutMs, passwordRedactor(target), undefined) : main;
  const clients = durable === main ? [main] : [main, durable];
  const stopWatching = clients.map((c) => (c.client instanceof Cluster ? () => {} : watchFailovers(target, c.client, policy)));
  return {
    client: main.client,
    target,
    run: main.run,
    runDurable: durable.run,
    async close() {
      for (const stop of stopWatching) stop();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** The policy around one client: bounded waits for a connection in progress, deadlines, redaction, reconnects. */
function supervise(client: LedgerClient, commandTimeoutMs: number, redact: (text: string) => string, onError: ((err: Error) => void) | undefined) {
  for (const [name, script] of Object.entries(LEDGER_SCRIPTS)) client.defineCommand(name, script);
  // Their number of keys varies with the quotas: the caller gives it as the first argument.
  for (const [name, script] of Object.entries(CROSS_SESSION_SCRIPTS)) client.defineCommand(name, script);
  // A Cluster call may follow redirections and a replica's promotion; past this it has failed for the caller,
  // whatever ioredis still does with it (a timed-out write may yet land, as with any timeout).
  const deadlineMs = commandTimeoutMs * 2;

  let reported = false;
  // Why the connection is down (e.g. WRONGPASS), so that refused calls say it too; cleared once ready.
  let lastError = "";
  client.on("error", (err: Error) => {
    const safe = redactError(err, redact);
    lastError = `; last error: ${safe.message}`;
    if (reported) return;
    reported = true;
    onError?.(safe);
  });
  // Calls waiting for an attempt under way: settled by its outcome ("ready", or "close" when it failed).
  const waiters = new Set<(err: Error | null) => void>();
  const settle = (err: Error | null) => {
    for (const done of [...waiters]) done(err);
  };
  client.on("ready", () => {
    reported = false;
    lastError = "";
    settle(null);
  });
  client.on("close", () => settle(new Error(`redis connection closed${lastError}`)));
  client.on("end", () => settle(new Error(`redis connection ended${lastError}`)));

  /** Resolves when ready; waits only while a connection attempt is under way, and at most `commandTimeoutMs`. */
  function ready(): Promise<void> {
    const status = client.status;
    if (status === "ready") return Promise.resolve();
    if (status !== "connecting" && status !== "connect" && status !== "wait") {
      return Promise.reject(new Error(`redis is not connected (${status}${lastError})`));
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

  /** Settles once a node's connection attempt has (the outcome does not matter: a dead node fails its own calls). */
  const attempts = new WeakMap<Redis, Promise<void>>();
  function attempted(node: Redis): Promise<void> {
    let attempt = attempts.get(node);
    if (!attempt) {
      attempt = new Promise((resolve) => {
        const done = () => {
          for (const event of ["ready", "close", "end"]) node.off(event, done);
          resolve();
        };
        for (const event of ["ready", "close", "end"]) node.on(event, done);
      });
      attempts.set(node, attempt);
    }
    return attempt;
  }

  /**
   * A Cluster opens its node connections lazily, and with no offline queue a command for a node still connecting
   * is refused; so before a call, master connections not yet open (at startup, a promoted replica) are opened and
   * waited for, at most `commandTimeoutMs`.
   */
  async function mastersConnected(): Promise<void> {
    if (!(client instanceof Cluster)) return;
    const opening = client.nodes("master").filter((n) => n.status === "wait" || n.status === "connecting" || n.status === "connect");
    if (opening.length === 0) return;
    for (const node of opening) if (node.status === "wait") node.connect().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, commandTimeoutMs)));
    await Promise.race([Promise.all(opening.map(attempted)), bound]);
    clearTimeout(timer);
  }

  // A peer that vanished without a FIN or RST (host gone, network cut) leaves a socket that looks open for as long
  // as TCP keepalive takes; consecutive timeouts on a "ready" connection drop it so the reconnect loop takes over.
  let timeoutsInARow = 0;
  function noteOutcome(err: unknown): void {
    if (!(err instanceof Error && (err.message === "Command timed out" || err instanceof DeadlineError))) {
      timeoutsInARow = 0;
      return;
    }
    if (++timeoutsInARow >= TIMEOUTS_BEFORE_RECONNECT && client.status === "ready") {
      timeoutsInARow = 0;
      // On a Cluster the slow node is one of several (and may be a master pausing writes for a failover): ask
      // for the slot map again rather than drop every connection; a failed-over node then gets no more calls.
      if (client instanceof Cluster) client.refreshSlotsCache();
      else client.disconnect(true);
    }
  }

  return {
    client,
    async run<T>(what: string, fn: (client: LedgerClient) => Promise<T>): Promise<T> {
      try {
        await ready();
        await mastersConnected();
        const result = await withDeadline(fn(client), deadlineMs);
        noteOutcome(null);
        return result;
      } catch (err) {
        noteOutcome(err);
        const cause = redactError(err instanceof Error ? err : new Error(String(err)), redact);
        throw new StateUnavailableError(`redis ${what} failed: ${cause.message}`, { cause });
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

class DeadlineError extends Error {}

/** `work`, or a rejection with a {@link DeadlineError} after `ms`; a late outcome of `work` is ignored. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * A copy of `err` with its name and its message, the password replaced: never `err` itself, since an ioredis
 * ReplyError carries the command it answered (`command.args`), and for AUTH those are the credentials.
 */
function redactError(err: Error, redact: (text: string) => string): Error {
  const copy = new Error(redact(err.message));
  copy.name = err.name;
  return copy;
}
