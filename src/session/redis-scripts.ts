// The Lua scripts behind the Redis store's read-then-write operations; each touches the keys of one slot only.
// ioredis `defineCommand` sends them with EVALSHA and falls back to EVAL on NOSCRIPT, so each is sent once per
// connection. Field names are those documented in keys.ts.

/** Shared tail: record the event, cap the list, refresh both TTLs. */
const RECORD = `
redis.call('LPUSH', KEYS[2], ev)
redis.call('LTRIM', KEYS[2], 0, maxEvents - 1)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
`;

/**
 * One decision's write. KEYS: session hash, events list. ARGV: risk delta, violation (0|1), terminate (0|1),
 * terminate reason, risk threshold (0 = off), classification rank (-1 = none), event JSON, max events, TTL seconds,
 * threshold reason, policy actor. Returns `{hash fields, events, 1 when this write terminated the session else 0,
 * 1 when the session was already terminated before it else 0}`: what the write found decides what the answer may be.
 */
export const APPLY_SCRIPT = `
local s = KEYS[1]
local ev, maxEvents, ttl = ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
local was = 0
if redis.call('HGET', s, 't') == '1' then was = 1 end
local risk
if tonumber(ARGV[1]) ~= 0 then
  risk = tonumber(redis.call('HINCRBYFLOAT', s, 'r', ARGV[1]))
else
  risk = tonumber(redis.call('HGET', s, 'r') or '0')
end
if ARGV[2] == '1' then redis.call('HINCRBY', s, 'v', 1) end
local threshold = tonumber(ARGV[5])
local reason = false
if ARGV[3] == '1' then
  reason = ARGV[4]
elseif threshold > 0 and risk >= threshold then
  reason = ARGV[10]
end
local terminated = 0
if reason and was == 0 then
  redis.call('HSET', s, 't', '1', 'tr', reason, 'tb', ARGV[11])
  terminated = 1
end
local rank = tonumber(ARGV[6])
if rank >= 0 and rank > tonumber(redis.call('HGET', s, 'c') or '-1') then
  redis.call('HSET', s, 'c', rank)
end
${RECORD}
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1), terminated, was }`;

/**
 * An admin termination or resume. KEYS: session hash, events list. ARGV: action (terminate|resume), reason, actor,
 * event JSON, max events, TTL seconds. A termination keeps the first reason; a resume also clears the risk.
 */
export const ADMIN_SESSION_SCRIPT = `
local s = KEYS[1]
local ev, maxEvents, ttl = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if ARGV[1] == 'terminate' then
  if redis.call('HGET', s, 't') ~= '1' then redis.call('HSET', s, 't', '1', 'tr', ARGV[2], 'tb', ARGV[3]) end
else
  redis.call('HDEL', s, 't', 'tr', 'tb', 'r')
end
${RECORD}
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1) }`;

/**
 * Grant or deny. KEYS: approval hash. ARGV: status, approver JSON, decided_at, reason JSON, now (seconds).
 * Only a pending, unexpired approval changes; returns the fields after, or nil when the key does not exist.
 */
export const DECIDE_APPROVAL_SCRIPT = `
local a = KEYS[1]
if redis.call('EXISTS', a) == 0 then return false end
if redis.call('HGET', a, 'st') == 'pending' and tonumber(redis.call('HGET', a, 'ex')) > tonumber(ARGV[5]) then
  redis.call('HSET', a, 'st', ARGV[1], 'ap', ARGV[2], 'da', ARGV[3], 'rs', ARGV[4])
end
return redis.call('HGETALL', a)
`;

/**
 * Use up a granted approval (single-use approvals). KEYS: approval hash. ARGV: now (seconds). Returns 1 when it was
 * granted and unexpired and is now `consumed`, else 0 (already consumed by a concurrent decision, or not granted).
 */
export const CONSUME_APPROVAL_SCRIPT = `
local a = KEYS[1]
if redis.call('HGET', a, 'st') == 'granted' and tonumber(redis.call('HGET', a, 'ex') or '0') > tonumber(ARGV[1]) then
  redis.call('HSET', a, 'st', 'consumed')
  return 1
end
return 0
`;

/**
 * Add or move one signal. KEYS: signals zset. ARGV: expires_at (seconds), member. Drops expired members by the
 * server clock and lets the key expire with its latest signal.
 */
export const ADD_SIGNAL_SCRIPT = `
local z = KEYS[1]
redis.call('ZADD', z, ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', z, '-inf', redis.call('TIME')[1])
local top = redis.call('ZRANGE', z, -1, -1, 'WITHSCORES')
if top[2] then redis.call('EXPIREAT', z, math.ceil(tonumber(top[2]))) end
return redis.call('ZCARD', z)
`;

/** The scripts by ioredis command name, with their key counts. */
export const LEDGER_SCRIPTS = {
  custosApply: { lua: APPLY_SCRIPT, numberOfKeys: 2 },
  custosAdminSession: { lua: ADMIN_SESSION_SCRIPT, numberOfKeys: 2 },
  custosDecideApproval: { lua: DECIDE_APPROVAL_SCRIPT, numberOfKeys: 1 },
  custosConsumeApproval: { lua: CONSUME_APPROVAL_SCRIPT, numberOfKeys: 1 },
  custosAddSignal: { lua: ADD_SIGNAL_SCRIPT, numberOfKeys: 1 },
} as const;

export type LedgerScriptName = keyof typeof LEDGER_SCRIPTS;
