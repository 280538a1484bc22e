// The outbox in Redis, shared by every worker and replica: a sorted set of ids by due time and a hash of entries,
// under one hash tag so that each script touches one Cluster slot. A claim moves the due time forward by the lease
// in the same script that reads it, so two workers never deliver one notification at the same time.
//
//   custos:{outbox}:due      zset  member event id, score due time (Unix ms)
//   custos:{outbox}:entries  hash  event id -> {"event": {...}, "attempts": n}
// Entries live until delivered (no TTL: a notification is kept across restarts until a receiver takes it).
import type { Cluster, Redis } from "ioredis";
import type { OutboxEntry, OutboxStore } from "./outbox-store.js";

const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[2], id)
  if v then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), id)
    out[#out + 1] = v
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

const RETRY = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
end
return 1
`;

type OutboxClient = (Redis | Cluster) & {
  outboxClaim(due: string, entries: string, now: number, limit: number, lease: number): Promise<string[]>;
  outboxRetry(due: string, entries: string, id: string, dueMs: number, value: string): Promise<number>;
};

/**
 * An outbox on `client` under `keyPrefix` (which must not contain `{` or `}`). The client is borrowed: `close` does
 * not disconnect it unless `ownsClient`.
 */
export function createRedisOutbox(client: Redis | Cluster, options: { keyPrefix?: string; ownsClient?: boolean } = {}): OutboxStore {
  const prefix = options.keyPrefix ?? "custos:";
  if (/[{}]/.test(prefix)) throw new Error("redis key prefix must not contain '{' or '}'");
  const due = `${prefix}{outbox}:due`;
  const entries = `${prefix}{outbox}:entries`;
  const c = client as OutboxClient;
  if (typeof c.outboxClaim !== "function") {
    client.defineCommand("outboxClaim", { numberOfKeys: 2, lua: CLAIM });
    client.defineCommand("outboxRetry", { numberOfKeys: 2, lua: RETRY });
  }
  return {
    kind: "redis",
    async add(event, dueMs) {
      await client.multi().hset(entries, event.id, JSON.stringify({ event, attempts: 0 })).zadd(due, dueMs, event.id).exec();
    },
    async claim(nowMs, limit, leaseMs) {
      const raw = await c.outboxClaim(due, entries, nowMs, limit, leaseMs);
      return raw.map((v) => JSON.parse(v) as OutboxEntry);
    },
    async done(id) {
      await client.multi().zrem(due, id).hdel(entries, id).exec();
    },
    async retry(entry, dueMs) {
      await c.outboxRetry(due, entries, entry.event.id, dueMs, JSON.stringify(entry));
    },
    async size() {
      return client.hlen(entries);
    },
    async close() {
      if (options.ownsClient) client.disconnect();
    },
  };
}
