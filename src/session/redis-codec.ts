// Converts between the port's types and the compact values the Redis store keeps (see keys.ts for the fields).
// Events are JSON arrays, not objects, to keep a full session near a couple of kilobytes.
import { emptySession, type ApprovalRecord, type SessionEvent, type SessionState } from "../decision/ports.js";
import { classificationOf } from "./ledger-rules.js";

type Fields = Record<string, string>;

/** A flat `[field, value, …]` reply (Lua HGETALL) as an object. */
export function fieldsOf(flat: unknown): Fields {
  const out: Fields = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

/** `[at, kind, ref, detail, event?]`. */
export function encodeEvent(e: SessionEvent): string {
  return JSON.stringify(e.event === undefined ? [e.at, e.kind, e.ref, e.detail] : [e.at, e.kind, e.ref, e.detail, e.event]);
}

export function decodeEvent(raw: string): SessionEvent {
  const [at, kind, ref, detail, event] = JSON.parse(raw) as [number, string, string, string, string?];
  return event === undefined ? { at, kind, ref, detail } : { at, kind, ref, detail, event };
}

/** A session from its hash fields, its event list (newest first) and its labels set. */
export function decodeSession(id: string, fields: Fields, events: unknown, labels: unknown = []): SessionState {
  const s = emptySession(id);
  if (fields.r !== undefined) s.risk = Number(fields.r);
  if (fields.v !== undefined) s.violations = Number(fields.v);
  if (fields.t === "1") {
    s.terminated = true;
    s.terminated_reason = fields.tr ?? null;
    s.terminated_by = fields.tb ?? null;
  }
  if (fields.c !== undefined) s.max_classification = classificationOf(Number(fields.c));
  if (Array.isArray(events)) s.events = events.map((e) => decodeEvent(String(e)));
  if (Array.isArray(labels)) s.labels_seen = labels.map(String).sort();
  if (fields.tn !== undefined) {
    s.tainted = true;
    s.tainted_by = fields.tn;
  }
  if (fields.p !== undefined) s.parent_id = fields.p;
  return s;
}

/** The hash fields of an approval; decision fields only once decided. */
export function encodeApproval(r: ApprovalRecord): string[] {
  const fields = ["st", r.status, "b", JSON.stringify(r.binding), "ca", String(r.created_at), "ex", String(r.expires_at)];
  if (r.approver !== null) fields.push("ap", JSON.stringify(r.approver));
  if (r.decided_at !== null) fields.push("da", String(r.decided_at));
  if (r.reason !== null) fields.push("rs", JSON.stringify(r.reason));
  return fields;
}

/** An approval from its hash fields, `null` when the hash is empty (unknown or expired). */
export function decodeApproval(id: string, f: Fields): ApprovalRecord | null {
  if (f.st === undefined || f.b === undefined) return null;
  return {
    id,
    status: f.st as ApprovalRecord["status"],
    binding: JSON.parse(f.b) as ApprovalRecord["binding"],
    created_at: Number(f.ca),
    expires_at: Number(f.ex),
    approver: f.ap === undefined ? null : (JSON.parse(f.ap) as ApprovalRecord["approver"]),
    decided_at: f.da === undefined ? null : Number(f.da),
    reason: f.rs === undefined ? null : (JSON.parse(f.rs) as string | null),
  };
}
