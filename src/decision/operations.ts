// The operations port: what security operators look up across decisions (queues, inventory, blast radius). It is
// kept apart from the session ledger's hot path: decisions are recorded into it after they are answered (from the
// evidence fan-out), and the admin API lists from it. `session/ops-memory.ts` and `session/ops-redis.ts` implement it.
import type { ApprovalRecord, SessionState } from "./ports.js";

/** What one decision contributes to the inventory and the blast-radius indexes (ids only, never content). */
export interface DecisionFacts {
  /** Unix milliseconds. */
  at: number;
  decision_id: string;
  session: string;
  principal: string;
  credential: string | null;
  /** The PEP that asserted the identity (its token name or certificate CN), or null (unauthenticated loopback). */
  caller: string | null;
  /** False when the policy found the identity itself unregistered (shadow AI). */
  registered: boolean;
  decision: "allow" | "deny" | "escalate";
  resource: string | null;
  /** `server/name`, or null. */
  tool: string | null;
}

/** A review item: a decision that carried a `review` obligation, kept until resolved and for the retention after. */
export interface ReviewItem {
  id: string;
  status: "open" | "resolved";
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds: when the item is forgotten. */
  expires_at: number;
  decision_id: string;
  decision: string;
  session: string;
  principal: string;
  chain: string[];
  event: string;
  action: string;
  resource: string;
  tool: string;
  purpose: string;
  /** Reason codes of the decision. */
  codes: string[];
  verdict: "benign" | "violation" | null;
  note: string | null;
  resolved_by: string | null;
  /** Unix seconds, or null. */
  resolved_at: number | null;
}

/** A new approval as the queue keeps it next to the ledger's record: the reason codes that asked for it. */
export interface ApprovalRequestFacts {
  id: string;
  /** Unix milliseconds. */
  at: number;
  /** Unix seconds. */
  expires_at: number;
  codes: string[];
}

/** The status an approval is listed with: the ledger's, or `expired` for a pending one past its expiry. */
export type ApprovalListStatus = ApprovalRecord["status"] | "expired";

/** One approval of the queue: what is asked, the reasons, who asks, and its state; never content. */
export interface ApprovalItem {
  id: string;
  status: ApprovalListStatus;
  event: string;
  action: string;
  resource: string;
  tool: string;
  purpose: string;
  reasons: string[];
  requester: string;
  session: string;
  chain: string[];
  /** ISO 8601. */
  created_at: string;
  expires_at: string;
  approver: string | null;
  decided_at: string | null;
}

/** One identity seen. */
export interface PrincipalItem {
  id: string;
  registered: boolean;
  first_seen: string;
  last_seen: string;
  decisions: { allow: number; deny: number; escalate: number };
  /** The PEPs that asserted it (at most {@link MAX_CALLERS}). */
  callers: string[];
}

/** One session seen, with its ledger state. */
export interface SessionItem {
  id: string;
  principal: string;
  credential: string | null;
  status: "active" | "terminated";
  risk: number;
  violations: number;
  terminated_reason: string | null;
  first_seen: string;
  last_seen: string;
}

/** The blast radius of one credential within the retention. */
export interface CredentialUsage {
  credential: string;
  first_seen: string;
  last_seen: string;
  decisions: { allow: number; deny: number; escalate: number };
  principals: string[];
  sessions: string[];
  resources: string[];
  tools: string[];
  /** True when a list reached its bound ({@link MAX_USAGE_MEMBERS}) and more were not kept; the decision log has all. */
  truncated: boolean;
}

/** A page of a list, newest first. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface PageQuery {
  limit: number;
  cursor: string | null;
}

/** Most items one page may ask for. */
export const MAX_PAGE_LIMIT = 500;
/** Most index entries one list call examines (filters may leave a page short; its cursor continues). */
export const MAX_SCAN_PER_PAGE = 5000;
/** Most callers kept per principal. */
export const MAX_CALLERS = 32;
/** Most members kept per blast-radius list (sessions of a credential, its resources, …) and per principal's sessions. */
export const MAX_USAGE_MEMBERS = 10_000;
/** Default retention of the inventory and of credential usage: 30 days. */
export const DEFAULT_INVENTORY_TTL_SECONDS = 30 * 86_400;

/** The operations store port. Every method may reject with a StateUnavailableError. */
export interface OpsStore {
  readonly kind: "memory" | "redis";
  /** Records one decision's facts, the approval it created and the reviews it opened. */
  recordDecision(facts: DecisionFacts, approval: ApprovalRequestFacts | null, reviews: ReviewItem[]): Promise<void>;
  listApprovals(filter: { status?: ApprovalListStatus; principal?: string; session?: string }, page: PageQuery, nowS: number): Promise<Page<ApprovalItem>>;
  countPendingApprovals(nowS: number): Promise<number>;
  /** An approval is no longer pending (granted, denied, consumed): it leaves the pending count. */
  approvalSettled(id: string): Promise<void>;
  listReviews(filter: { status?: "open" | "resolved"; code?: string; principal?: string }, page: PageQuery, nowS: number): Promise<Page<ReviewItem>>;
  getReview(id: string, nowS: number): Promise<ReviewItem | null>;
  /** Resolves an open review; null when unknown; the unchanged item when already resolved. */
  resolveReview(id: string, verdict: "benign" | "violation", note: string | null, by: string, nowS: number): Promise<ReviewItem | null>;
  countOpenReviews(nowS: number): Promise<number>;
  listPrincipals(filter: { registered?: boolean }, page: PageQuery, nowS: number): Promise<Page<PrincipalItem>>;
  listSessions(filter: { status?: "active" | "terminated"; minRisk?: number; principal?: string }, page: PageQuery, nowS: number): Promise<Page<SessionItem>>;
  credentialUsage(id: string, nowS: number): Promise<CredentialUsage | null>;
  /** Sessions seen for a principal or a credential within the retention (at most {@link MAX_USAGE_MEMBERS}). */
  sessionsOf(of: { principal: string } | { credential: string }, nowS: number): Promise<string[]>;
  /** True for the first caller (across replicas) to claim `key` until it is released or `ttlSeconds` pass. */
  once(key: string, ttlSeconds: number): Promise<boolean>;
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

/** The ledger reads the operations store needs to list approvals and sessions with their live state. */
export interface LedgerReader {
  getApproval(id: string): Promise<ApprovalRecord | null>;
  getSession(id: string): Promise<SessionState>;
}

/** An opaque cursor: the last examined index position (score, member), base64url. */
export function encodeCursor(score: number, member: string): string {
  return Buffer.from(JSON.stringify([score, member]), "utf8").toString("base64url");
}

/** The position of a cursor, or null when it is not one this service made. */
export function decodeCursor(cursor: string): [number, string] | null {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && Number.isFinite(v[0]) && typeof v[1] === "string") return [v[0], v[1]];
  } catch {
    // not ours
  }
  return null;
}

/** The queue view of a ledger approval plus its reason codes. */
export function approvalItem(record: ApprovalRecord, codes: string[], nowS: number): ApprovalItem {
  const b = record.binding;
  const iso = (s: number) => new Date(s * 1000).toISOString();
  return {
    id: record.id,
    status: record.status === "pending" && record.expires_at <= nowS ? "expired" : record.status,
    event: b.event,
    action: b.action,
    resource: b.resource,
    tool: b.tool,
    purpose: b.purpose,
    reasons: codes,
    requester: b.identity,
    session: b.session,
    chain: b.chain,
    created_at: iso(record.created_at),
    expires_at: iso(record.expires_at),
    approver: record.approver?.id ?? null,
    decided_at: record.decided_at === null ? null : iso(record.decided_at),
  };
}

/** Index order: newest first; equal scores by member, descending. True when (s, m) comes after the cursor. */
export function afterCursor(score: number, member: string, cursor: [number, string] | null): boolean {
  if (!cursor) return true;
  return score < cursor[0] || (score === cursor[0] && member < cursor[1]);
}
