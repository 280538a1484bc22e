// The Lua scripts behind the Redis store's read-then-write operations; each touches the keys of one slot only.
// ioredis `defineCommand` sends them with EVALSHA and falls back to EVAL on NOSCRIPT, so each is sent once per
// connection. Field names are those documented in keys.ts.

/** Shared tail: record the event, cap the list, refresh every TTL of the session's keys (KEYS 1..4). */
const RECORD = `
redis.call('LPUSH', KEYS[2], ev)
redis.call('LTRIM', KEYS[2], 0, maxEvents - 1)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('EXPIRE', KEYS[4], ttl)
`;

/**
 * One decision's write. KEYS: session hash, events list, labels set, children set. ARGV: risk delta, violation
 * (0|1), terminate (0|1), terminate reason, risk threshold (0 = off), classification rank (-1 = none), event JSON,
 * max events, TTL seconds, threshold reason, policy actor, tainting decision id (`""` = none), parent id (`""` =
 * none), max labels, then the labels to add. Returns `{hash fields, events, 1 when this write terminated the session
 * else 0, 1 when the session was already terminated before it else 0, labels, children (when it terminated it)}`:
 * what the write found decides what the answer may be.
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
if ARGV[12] ~= '' then redis.call('HSETNX', s, 'tn', ARGV[12]) end
if ARGV[13] ~= '' then redis.call('HSETNX', s, 'p', ARGV[13]) end
local maxLabels = tonumber(ARGV[14])
for i = 15, #ARGV do
  if redis.call('SCARD', KEYS[3]) >= maxLabels then break end
  redis.call('SADD', KEYS[3], ARGV[i])
end
${RECORD}
local children = {}
if terminated == 1 then children = redis.call('SMEMBERS', KEYS[4]) end
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1), terminated, was, redis.call('SMEMBERS', KEYS[3]), children }`;

/**
 * An admin termination or resume (also a parent's termination reaching a child). KEYS: session hash, events list,
 * labels set, children set. ARGV: action (terminate|resume), reason, actor, event JSON, max events, TTL seconds. A
 * termination keeps the first reason; a resume also clears the risk. Returns `{hash fields, events, labels,
 * children}`.
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
return { redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1), redis.call('SMEMBERS', KEYS[3]), redis.call('SMEMBERS', KEYS[4]) }`;

/**
 * Links a child session to its parent and reads what it inherits, in the parent's slot, so that a termination of
 * the parent either comes first (the child reads it) or finds the child linked (and ends it). KEYS: parent hash,
 * parent labels, parent children. ARGV: child id, max children, TTL seconds. Returns `{parent hash fields, parent
 * labels, 1 when the parent links too many children already (the child was not linked) else 0}`.
 */
export const LINK_CHILD_SCRIPT = `
local full = 0
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 0 then
  if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[2]) then full = 1 else redis.call('SADD', KEYS[3], ARGV[1]) end
end
if full == 0 then redis.call('EXPIRE', KEYS[3], tonumber(ARGV[3])) end
return { redis.call('HGETALL', KEYS[1]), redis.call('SMEMBERS', KEYS[2]), full }`;

/** Shared head of the principal and credential scripts: all quota counters (KEYS from \`q0\`+1) counted, or none. */
const QUOTAS = `
local full = 0
for i = 1, nq do
  if tonumber(redis.call('GET', KEYS[q0 + i]) or '0') >= tonumber(ARGV[a0 + 2 * i - 1]) then full = i break end
end
if full == 0 then
  for i = 1, nq do
    redis.call('INCR', KEYS[q0 + i])
    redis.call('EXPIRE', KEYS[q0 + i], tonumber(ARGV[a0 + 2 * i]))
  end
end
`;

/**
 * A decision's cross-session write on its principal. KEYS: signals zset, risk hash, then the principal's quota
 * counters. ARGV: now (seconds), risk delta, window seconds (0 = off), bucket seconds, threshold (0 = off), the
 * threshold signal's member, then (max, TTL) per quota counter. Returns `{windowed risk after (string), 1 when this
 * write flagged the principal else 0, index of the first full quota (nothing counted) or 0}`.
 */
export const PRINCIPAL_SCRIPT = `
local now = tonumber(ARGV[1])
local q0, a0, nq = 2, 6, #KEYS - 2
${QUOTAS}
local risk, flagged = 0, 0
local window = tonumber(ARGV[3])
if window > 0 then
  local width = tonumber(ARGV[4])
  local h = redis.call('HGETALL', KEYS[2])
  for i = 1, #h, 2 do
    if h[i] ~= 'w' then
      if tonumber(h[i]) + width > now - window then risk = risk + tonumber(h[i + 1]) else redis.call('HDEL', KEYS[2], h[i]) end
    end
  end
  local delta = tonumber(ARGV[2])
  if delta > 0 then
    redis.call('HINCRBYFLOAT', KEYS[2], string.format('%d', now - now % width), ARGV[2])
    redis.call('HSET', KEYS[2], 'w', ARGV[3])
    redis.call('EXPIRE', KEYS[2], window + width)
    risk = risk + delta
  end
  local threshold = tonumber(ARGV[5])
  if threshold > 0 and risk >= threshold and tonumber(redis.call('ZSCORE', KEYS[1], ARGV[6]) or '0') <= now then
    redis.call('ZADD', KEYS[1], now + window, ARGV[6])
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
    if top[2] then redis.call('EXPIREAT', KEYS[1], math.ceil(tonumber(top[2]))) end
    flagged = 1
  end
end
return { tostring(risk), flagged, full }`;

/**
 * A decision's cross-session write on its credential. KEYS: the credential's principals hash, then its quota
 * counters. ARGV: now (milliseconds), misuse window seconds (0 = off), principal, max principals, then (max, TTL)
 * per quota counter. Returns `{the credential's first principal when it is another one, else "", index of the first
 * full quota or 0}`.
 */
export const CREDENTIAL_SCRIPT = `
local now = tonumber(ARGV[1])
local q0, a0, nq = 1, 4, #KEYS - 1
${QUOTAS}
local owner = ''
local window = tonumber(ARGV[2])
if window > 0 then
  local h = redis.call('HGETALL', KEYS[1])
  local best, bestFirst, mine, n = false, 0, false, 0
  for i = 1, #h, 2 do
    local first, last = string.match(h[i + 1], '^(%d+),(%d+)$')
    if not first or tonumber(last) <= now - window * 1000 then
      redis.call('HDEL', KEYS[1], h[i])
    else
      n = n + 1
      if h[i] == ARGV[3] then mine = first end
      local f = tonumber(first)
      if not best or f < bestFirst or (f == bestFirst and h[i] < best) then best, bestFirst = h[i], f end
    end
  end
  if best and best ~= ARGV[3] then owner = best end
  if mine then
    redis.call('HSET', KEYS[1], ARGV[3], mine .. ',' .. ARGV[1])
  elseif n < tonumber(ARGV[4]) then
    redis.call('HSET', KEYS[1], ARGV[3], ARGV[1] .. ',' .. ARGV[1])
  end
  redis.call('EXPIRE', KEYS[1], window)
end
return { owner, full }`;

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
  custosApply: { lua: APPLY_SCRIPT, numberOfKeys: 4 },
  custosAdminSession: { lua: ADMIN_SESSION_SCRIPT, numberOfKeys: 4 },
  custosLinkChild: { lua: LINK_CHILD_SCRIPT, numberOfKeys: 3 },
  custosDecideApproval: { lua: DECIDE_APPROVAL_SCRIPT, numberOfKeys: 1 },
  custosConsumeApproval: { lua: CONSUME_APPROVAL_SCRIPT, numberOfKeys: 1 },
  custosAddSignal: { lua: ADD_SIGNAL_SCRIPT, numberOfKeys: 1 },
} as const;

/** The cross-session scripts, whose key counts vary with the quotas (the number of keys is their first argument). */
export const CROSS_SESSION_SCRIPTS = {
  custosPrincipal: { lua: PRINCIPAL_SCRIPT },
  custosCredential: { lua: CREDENTIAL_SCRIPT },
} as const;

export type LedgerScriptName = keyof typeof LEDGER_SCRIPTS | keyof typeof CROSS_SESSION_SCRIPTS;
