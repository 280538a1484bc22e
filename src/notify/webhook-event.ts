// The notifications Custos sends to operators' systems: their types, their shape, and what a payload may carry
// (ids and codes only: a notification leaves Custos, so no content, no message text, nothing a request wrote).

/** The kinds of notification. */
export const WEBHOOK_EVENT_TYPES = ["approval.requested", "review.opened", "session.terminated", "principal.flagged", "credential.revoked"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A value a notification may carry: an id, a code, a count, a time, or a list of those. */
export type WebhookValue = string | number | boolean | null | readonly (string | number)[];

/** One notification, as delivered: `{id, type, time, data}`. */
export interface WebhookEvent {
  /** Unique per notification (`evt-<uuid>`); a receiver deduplicates on it (delivery is at least once). */
  id: string;
  type: WebhookEventType;
  /** ISO 8601. */
  time: string;
  data: Record<string, WebhookValue>;
}

/** Longest string a payload may carry: ids and codes are short; anything longer is not an id. */
const MAX_VALUE_LENGTH = 256;
/** Most entries in a list (codes of a decision, sessions of a principal). */
const MAX_LIST_LENGTH = 64;
/** Keys a payload may use: ids and codes of the objects it names, never free text. */
const ALLOWED_KEYS = new Set([
  "approval_id",
  "review_id",
  "session_id",
  "principal_id",
  "credential_id",
  "decision_id",
  "event",
  "action",
  "resource_id",
  "tool",
  "purpose",
  "codes",
  "severity",
  "kind",
  "by",
  "reason_code",
  "expires_at",
  "sessions_terminated",
  "caller",
]);

/**
 * `data` reduced to what a notification may carry: allowed keys, short scalar values and short lists; anything else
 * is dropped, so a caller that passes too much can never leak it to a webhook.
 */
export function sanitizeData(data: Record<string, unknown>): Record<string, WebhookValue> {
  const out: Record<string, WebhookValue> = {};
  for (const [k, v] of Object.entries(data)) {
    if (!ALLOWED_KEYS.has(k)) continue;
    if (v === null || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
    else if (typeof v === "string" && v.length <= MAX_VALUE_LENGTH) out[k] = v;
    else if (Array.isArray(v)) {
      const items = v.filter((x): x is string | number => (typeof x === "string" && x.length <= MAX_VALUE_LENGTH) || (typeof x === "number" && Number.isFinite(x)));
      out[k] = items.slice(0, MAX_LIST_LENGTH);
    }
  }
  return out;
}

/** A one-line summary for chat tools (Slack-compatible `text`): the type and the ids, still no content. */
export function summaryLine(event: WebhookEvent): string {
  const parts = Object.entries(event.data)
    .filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
  return `Custos ${event.type}: ${parts.join(" ")}`;
}
