// The evidence of an evaluation that does not go through decide() (a plain AuthZEN bundle, the OPA Data API): the
// same decision record, so the decision log and the metrics see every answer Custos gives.
import { randomUUID } from "node:crypto";
import { mapStrings } from "../decision/content-strings.js";
import type { ContentInspector, DecisionRecord, DecisionSink } from "../decision/ports.js";
import type { RecordOutcome } from "../decision/vocabulary.js";

/** What one direct evaluation reports. */
export interface DirectEvaluation {
  /** `authzen` or `data_api` (the metrics' `event` label). */
  event: string;
  /** `allow`/`deny` for AuthZEN; `defined`/`undefined` for the Data API. */
  decision: string;
  revision: string | null;
  caller: string | null;
  input: Record<string, unknown>;
  /** How the answer ended: `decided`, or `failed` when the evaluation threw. */
  outcome: RecordOutcome;
  startedAt: number;
  evalMs: number;
  /** Reuse an id already given to the caller. */
  decisionId?: string;
}

/** Each string in `value` (at any depth) with its secrets and personal data redacted, as /decide's evidence is. */
function redactStrings(value: unknown, inspector: ContentInspector): unknown {
  return mapStrings(value, "input", 0, (field, text, name) => {
    const findings = inspector.inspect([name === undefined ? { field, text } : { field, text, name }]);
    return findings.length > 0 ? inspector.redact(text, findings) : undefined;
  });
}

/**
 * Records a direct evaluation and returns its decision id. Its input may hold anything (no schema says where the
 * content is), so every string of it is inspected and recorded redacted.
 */
export function recordDirect(sink: DecisionSink, e: DirectEvaluation, nowMs: number, inspector: ContentInspector): string {
  const id = e.decisionId ?? randomUUID();
  const record: DecisionRecord = {
    decision_id: id,
    time: new Date(nowMs).toISOString(),
    revision: e.revision,
    caller: e.caller,
    input: redactStrings(e.input, inspector) as Record<string, unknown>,
    result: { decision: e.decision, reasons: [], obligations: [] },
    session: {},
    latency_ms: performance.now() - e.startedAt,
    outcome: e.outcome,
    event: e.event,
    timings: { inspect_ms: 0, eval_ms: e.evalMs },
  };
  sink(record);
  return id;
}
