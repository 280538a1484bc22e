// The Redis key layout of the session ledger: names, id encoding and how long each key lives.
//
// With the default prefix `custos:` (ids are percent-encoded with encodeURIComponent, so `:`, `{` and `}` in an id
// never reach the key name or its hash tag):
//
// | key                                   | type   | holds                                         | TTL                                   |
// |---------------------------------------|--------|-----------------------------------------------|---------------------------------------|
// | `custos:{s:<session>}:session`        | hash   | r risk, v violations, t terminated, tr reason,| idle TTL (`sessionTtlSeconds`),       |
// |                                       |        | tb by, c max classification rank (0..3)       | refreshed by every write              |
// | `custos:{s:<session>}:events`         | list   | compact JSON events, newest first, capped     | same as the session hash              |
// | `custos:cred:<credential>:revoked`    | string | `{"reason","at"}`                             | `ttl_seconds`, 30 days when 0/absent  |
// | `custos:principal:<principal>:signals`| zset   | member `[kind,severity]`, score `expires_at`  | until the latest signal's `expires_at`|
// | `custos:approval:<approval>`          | hash   | st status, b binding, ca, ex, ap, da, rs      | until `expires_at` + grace (1 day)    |
//
// A session's two keys share the hash tag `{s:<session>}`, so they live in one Cluster slot and one Lua script may
// touch both. Credentials, principals and approvals are keyed on their own ids and so land in other slots: the read
// and the approval written next to `apply` are separate commands, never one cross-slot script; on a Cluster they
// go out as one pipeline per slot, sent together (redis-store.ts).

/** Encodes an id for use inside a key: no `:`, `{` or `}` survives, so ids cannot collide or break the hash tag. */
export function encodeId(id: string): string {
  return encodeURIComponent(id);
}

/** The Redis keys of the ledger under one prefix. */
export interface LedgerKeys {
  session(sessionId: string): string;
  events(sessionId: string): string;
  revoked(credentialId: string): string;
  signals(principalId: string): string;
  approval(approvalId: string): string;
}

/**
 * Builds the key names under `prefix`.
 * @throws Error when the prefix contains `{` or `}` (it would replace the per-session hash tag).
 */
export function ledgerKeys(prefix: string): LedgerKeys {
  if (/[{}]/.test(prefix)) throw new Error(`redis key prefix must not contain '{' or '}': ${JSON.stringify(prefix)}`);
  const tag = (sessionId: string) => `${prefix}{s:${encodeId(sessionId)}}`;
  return {
    session: (id) => `${tag(id)}:session`,
    events: (id) => `${tag(id)}:events`,
    revoked: (id) => `${prefix}cred:${encodeId(id)}:revoked`,
    signals: (id) => `${prefix}principal:${encodeId(id)}:signals`,
    approval: (id) => `${prefix}approval:${encodeId(id)}`,
  };
}
