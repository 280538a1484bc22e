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
// |                                       |        | tn tainting decision id, p parent id          |                                       |
// | `custos:{s:<session>}:labels`         | set    | data labels seen, at most MAX_LABELS_SEEN     | same as the session hash              |
// | `custos:{s:<session>}:children`       | set    | sub-agent session ids, at most MAX_CHILD_SESSIONS | same as the session hash          |
// | `custos:{p:<principal>}:signals`      | zset   | member `[kind,severity]`, score `expires_at`  | until the latest signal's `expires_at`|
// | `custos:{p:<principal>}:risk`         | hash   | w window seconds; `<bucket start s>` → risk   | the risk window, refreshed by writes  |
// | `custos:{p:<principal>}:q:<quota>:<start>` | string | decisions counted in one fixed window    | the quota's window                    |
// | `custos:cred:<credential>:revoked`    | string | `{"reason","at"}`                             | `ttl_seconds`, 30 days when 0/absent  |
// | `custos:{c:<credential>}:seen`        | hash   | principal → `first_ms,last_ms`, at most MAX_CREDENTIAL_PRINCIPALS | the misuse window |
// | `custos:{c:<credential>}:q:<quota>:<start>` | string | as the principal's quota counters       | the quota's window                    |
// | `custos:approval:<approval>`          | hash   | st status, b binding, ca, ex, ap, da, rs      | until `expires_at` + grace (1 day)    |
// | `custos:approval-for:<digest>`        | string | the latest approval id of one binding (HMAC)  | as that approval                      |
//
// A session's keys share the hash tag `{s:<session>}`, so they live in one Cluster slot and one Lua script may
// touch them all; a principal's keys share `{p:<principal>}` (its signals, windowed risk and quota counters: the
// script that adds risk may flag it atomically), a credential's misuse window and quota counters share
// `{c:<credential>}`. The revocation and approvals are keyed on their own ids. No script spans two slots: the read
// and the writes next to `apply` are separate commands; on a Cluster they go out as one pipeline per slot, sent
// together (redis-store.ts).

/** Encodes an id for use inside a key: no `:`, `{` or `}` survives, so ids cannot collide or break the hash tag. */
export function encodeId(id: string): string {
  return encodeURIComponent(id);
}

/** The Redis keys of the ledger under one prefix. */
export interface LedgerKeys {
  session(sessionId: string): string;
  events(sessionId: string): string;
  revoked(credentialId: string): string;
  labels(sessionId: string): string;
  children(sessionId: string): string;
  signals(principalId: string): string;
  principalRisk(principalId: string): string;
  credentialSeen(credentialId: string): string;
  /** The counter of one quota's fixed window starting at `windowStart` (Unix seconds). */
  quota(per: "principal" | "credential", owner: string, quotaId: string, windowStart: number): string;
  approval(approvalId: string): string;
  /** The latest approval of one binding, by the binding's keyed digest. */
  approvalFor(approvalKey: string): string;
}

/**
 * Builds the key names under `prefix`.
 * @throws Error when the prefix contains `{` or `}` (it would replace the per-session hash tag).
 */
export function ledgerKeys(prefix: string): LedgerKeys {
  if (/[{}]/.test(prefix)) throw new Error(`redis key prefix must not contain '{' or '}': ${JSON.stringify(prefix)}`);
  const tag = (sessionId: string) => `${prefix}{s:${encodeId(sessionId)}}`;
  const ptag = (principalId: string) => `${prefix}{p:${encodeId(principalId)}}`;
  const ctag = (credentialId: string) => `${prefix}{c:${encodeId(credentialId)}}`;
  return {
    session: (id) => `${tag(id)}:session`,
    events: (id) => `${tag(id)}:events`,
    labels: (id) => `${tag(id)}:labels`,
    children: (id) => `${tag(id)}:children`,
    revoked: (id) => `${prefix}cred:${encodeId(id)}:revoked`,
    signals: (id) => `${ptag(id)}:signals`,
    principalRisk: (id) => `${ptag(id)}:risk`,
    credentialSeen: (id) => `${ctag(id)}:seen`,
    quota: (per, owner, quotaId, start) => `${per === "principal" ? ptag(owner) : ctag(owner)}:q:${quotaId}:${start}`,
    approval: (id) => `${prefix}approval:${encodeId(id)}`,
    approvalFor: (key) => `${prefix}approval-for:${encodeId(key)}`,
  };
}
