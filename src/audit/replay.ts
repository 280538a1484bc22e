// Policy replay: re-evaluates every recorded decision of a decision log with a candidate policy, while verifying the
// chain, and reports what would change: flips by direction, reason codes gained and lost, the identities and
// resources concerned, with sample decision ids. A record carries the complete policy input and the live policy's
// output (decision/decide.ts), so the same bundle gives the same output, byte for byte.
import { diffOutputs, evaluateCandidate } from "../decision/output-diff.js";
import type { PolicyInstance } from "../policy/policy-engine.js";
import { verifyChain, type VerifyResult } from "./verify.js";

/** Sample decision ids kept per direction and per code. */
const SAMPLES = 5;

/** A count with sample decision ids. */
export interface Tally {
  count: number;
  samples: string[];
}

/** What replaying a log with a candidate found. */
export interface ReplayReport {
  /** The chain's verdict (replay refuses a broken chain: see `chain.error`). */
  chain: VerifyResult;
  candidate: { revision: string };
  /** Decision records re-evaluated. */
  replayed: number;
  /** Decision records without a recorded policy output (the store failed first, direct AuthZEN / Data API evaluations). */
  not_replayable: number;
  /** Re-evaluated decisions whose output differs from the recorded one. */
  changed: number;
  /** Changes by `live→candidate` decision (`allow→deny`, `deny→allow`, `deny→deny` when only reasons changed, `…→error`). */
  by_direction: Record<string, Tally>;
  /** Reason codes gained (`added`) and lost (`removed`) by the changed decisions (`monitored:` prefixed when monitored). */
  by_code: Record<string, { added: number; removed: number; samples: string[] }>;
  /** Changed decisions per identity id and per resource (`resource.id`, else the tool `server/name`, else the event). */
  by_identity: Record<string, number>;
  by_resource: Record<string, number>;
  seconds: number;
  records_per_second: number;
}

/**
 * Verifies the chain through `paths` (chain order) and re-evaluates each decision record with `candidate`.
 * @throws AuditError `audit_file_unreadable`.
 */
export async function replayLog(paths: string[], candidate: PolicyInstance, options: { partial?: boolean } = {}): Promise<ReplayReport> {
  const started = performance.now();
  const report: Omit<ReplayReport, "chain" | "seconds" | "records_per_second"> = {
    candidate: { revision: candidate.revision },
    replayed: 0,
    not_replayable: 0,
    changed: 0,
    // Keys come from records (identity ids, resource ids): no prototype, so `__proto__` is counted like any other.
    by_direction: dict(),
    by_code: dict(),
    by_identity: dict(),
    by_resource: dict(),
  };
  const onRecord = (body: Record<string, unknown>): void => {
    if (body.type !== "decision") return;
    const input = body.input;
    if (!("output" in body) || !input || typeof input !== "object" || Array.isArray(input)) {
      report.not_replayable++;
      return;
    }
    report.replayed++;
    const out = evaluateCandidate(candidate, input);
    const diff = diffOutputs(body.output, out);
    if (!diff) return;
    const id = typeof body.decision_id === "string" ? body.decision_id : `seq ${String(body.seq)}`;
    report.changed++;
    tally(report.by_direction, diff.direction, id);
    for (const code of diff.added) codeTally(report.by_code, code, "added", id);
    for (const code of diff.removed) codeTally(report.by_code, code, "removed", id);
    const { identity, resource } = subjectOf(input as Record<string, unknown>, body.event);
    report.by_identity[identity] = (report.by_identity[identity] ?? 0) + 1;
    report.by_resource[resource] = (report.by_resource[resource] ?? 0) + 1;
  };
  const chain = await verifyChain(paths, { partial: options.partial === true, onRecord });
  const seconds = (performance.now() - started) / 1000;
  return { chain, ...report, seconds, records_per_second: seconds > 0 ? Math.round(chain.records / seconds) : chain.records };
}

function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function tally(into: Record<string, Tally>, key: string, id: string): void {
  const t = (into[key] ??= { count: 0, samples: [] });
  t.count++;
  if (t.samples.length < SAMPLES) t.samples.push(id);
}

function codeTally(into: ReplayReport["by_code"], code: string, side: "added" | "removed", id: string): void {
  const t = (into[code] ??= { added: 0, removed: 0, samples: [] });
  t[side]++;
  if (t.samples.length < SAMPLES) t.samples.push(id);
}

function subjectOf(input: Record<string, unknown>, event: unknown): { identity: string; resource: string } {
  const request = (input.request ?? {}) as { identity?: { id?: unknown }; resource?: { id?: unknown }; tool?: { server?: unknown; name?: unknown } };
  const identity = typeof request.identity?.id === "string" ? request.identity.id : "(none)";
  const resource =
    typeof request.resource?.id === "string"
      ? request.resource.id
      : typeof request.tool?.server === "string" && typeof request.tool.name === "string"
        ? `${request.tool.server}/${request.tool.name}`
        : `(${typeof event === "string" ? event : "none"})`;
  return { identity, resource };
}
