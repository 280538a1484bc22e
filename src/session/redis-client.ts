// Builds the ioredis client for a parsed REDIS_URL: one primary, a Sentinel-managed primary, or a Redis Cluster,
// each with the fail-fast options of the ledger (no offline queue, no silent resend: apply is not idempotent).
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisTarget, TlsFiles } from "./redis-url.js";

/** The timing policy every mode shares. */
export interface ClientPolicy {
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectMaxDelayMs: number;
}

/** Either kind of client; both run the same commands, scripts and pipelines. */
export type LedgerClient = Redis | Cluster;

/** Creates the client; it starts connecting at once. */
export function createLedgerClient(target: RedisTarget, policy: ClientPolicy): LedgerClient {
  const backoff = (times: number) => Math.min(50 * 2 ** Math.min(times - 1, 16), policy.reconnectMaxDelayMs);
  const tls = target.tls ? tlsOptions(target.tls) : undefined;
  const perNode = {
    username: target.username ?? undefined,
    password: target.password ?? undefined,
    tls,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: policy.commandTimeoutMs,
    connectTimeout: policy.connectTimeoutMs,
  } satisfies RedisOptions;

  if (target.mode === "cluster") {
    return new Cluster(target.nodes, {
      redisOptions: perNode,
      enableOfflineQueue: false,
      clusterRetryStrategy: backoff,
      // A command on a dropped connection may have run (a replica may have it), so it is not resent; nor is one
      // refused with CLUSTERDOWN retried past the caller's budget. MOVED/ASK (nothing ran) are followed at once,
      // and they refresh the slot map, which is how a promoted replica is found.
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      retryDelayOnTryAgain: 20,
      slotsRefreshTimeout: policy.connectTimeoutMs,
      // Seed names are kept as given rather than resolved to addresses first, so TLS checks the certificate
      // against the name in the URL (nodes announced by address are checked against their address).
      dnsLookup: (address, callback) => callback(null, address),
      lazyConnect: false,
    });
  }

  const common: RedisOptions = {
    ...perNode,
    enableOfflineQueue: false,
    retryStrategy: backoff,
    // A primary demoted by a failover answers writes with READONLY: reconnect, which finds the new one (Sentinel)
    // or re-resolves the name (a managed endpoint). The failed call is not resent; READONLY means it did not run.
    reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 1 : false),
    lazyConnect: false,
  };
  if (target.mode === "standalone") return new Redis({ ...common, host: target.node.host, port: target.node.port, db: target.db });
  return new Redis({
    ...common,
    sentinels: target.sentinels,
    name: target.name,
    db: target.db,
    role: "master",
    // Not ioredis's failoverDetector: it logs every failed reconnect to a Sentinel that is down to stderr. See
    // watchFailovers instead.
    enableTLSForSentinelMode: Boolean(tls),
    sentinelTLS: tls,
    sentinelCommandTimeout: policy.commandTimeoutMs,
    sentinelRetryStrategy: backoff,
  });
}

/**
 * Reconnects `client` as soon as a Sentinel announces that its master was switched (`+switch-master`), through
 * one subscriber connection per Sentinel of the URL; returns the function that closes them. Without this the
 * client would keep writing to the old master until Sentinel demotes it, which it does only on its next look at it
 * (up to 10 s later); writes it took in between are lost when it resyncs from the new one.
 */
export function watchFailovers(target: RedisTarget, client: Redis, policy: ClientPolicy): () => void {
  if (target.mode !== "sentinel") return () => {};
  const tls = target.tls ? tlsOptions(target.tls) : undefined;
  const subscribers = target.sentinels.map((sentinel) => {
    const sub = new Redis({
      host: sentinel.host,
      port: sentinel.port,
      tls,
      connectTimeout: policy.connectTimeoutMs,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), Math.max(policy.reconnectMaxDelayMs, 1000)),
      maxRetriesPerRequest: null,
    });
    // A Sentinel that is down is the normal case for one of several; the main client reports what matters.
    sub.on("error", () => undefined);
    sub.subscribe("+switch-master").catch(() => undefined);
    sub.on("message", (_channel: string, message: string) => {
      if (message.split(" ")[0] === target.name && client.status === "ready") client.disconnect(true);
    });
    return sub;
  });
  return () => {
    for (const sub of subscribers) sub.disconnect();
  };
}

/** TLS options from the URL's files (read once, at start). */
function tlsOptions(files: TlsFiles): ConnectionOptions {
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read the ${what} file of REDIS_URL: ${(err as Error).message}`);
    }
  };
  const out: ConnectionOptions = {};
  if (files.ca !== null) out.ca = read("tls_ca", files.ca);
  if (files.cert !== null) out.cert = read("tls_cert", files.cert);
  if (files.key !== null) out.key = read("tls_key", files.key);
  return out;
}
