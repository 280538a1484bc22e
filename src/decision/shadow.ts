// Shadow evaluation: a candidate policy evaluated beside the live one on the very inputs the live policy decided,
// off the request path. decide() hands over each input once its answer is complete; the evaluator queues it (bounded:
// when full the input is dropped and counted, never waited for) and evaluates in small batches on later turns of the
// event loop, after the answers are written, within a share of the process's time (a token bucket of evaluation
// milliseconds: beyond it an input is skipped and counted, so a saturated service loses at most that share of its
// throughput to the shadow). It only reads: no answer, ledger or approval is touched. A disagreement
// (any byte of the output differs) becomes a `shadow` record with both decisions and codes.
import type { PolicyInstance } from "../policy/policy-engine.js";
import { diffOutputs, evaluateCandidate, outputCodes, type OutputDiff } from "./output-diff.js";
import type { EvaluatedInput } from "./ports.js";

/** What the decision log keeps of one disagreement: ids, revisions, decisions and codes, never the input. */
export interface ShadowRecord {
  decision_id: string;
  /** ISO 8601 time of the live decision. */
  time: string;
  revision: string;
  shadow_revision: string;
  live: { decision: string; codes: string[]; monitored: string[] };
  /** `decision` is `error` when the shadow failed on this input. */
  shadow: { decision: string; codes: string[]; monitored: string[] };
}

/** The result of one offered input; `dropped`: the queue was full, `skipped`: the shadow had used its share of time. */
export type ShadowResult = "agree" | "disagree" | "error" | "dropped" | "skipped";

/** Options of {@link createShadowEvaluator}. */
export interface ShadowOptions {
  /** The shadow policy (hot-swappable), or null while none is loaded (inputs are then not evaluated). */
  policy: () => PolicyInstance | null;
  /** Inputs waiting at most; more are dropped. @default 1024 */
  queueSize?: number;
  /** Inputs evaluated per turn of the event loop, so a backlog never holds the loop for long. @default 32 */
  batchSize?: number;
  /**
   * Share of the process's time the shadow may spend evaluating, in (0, 1]: it earns that many milliseconds per
   * millisecond (saving up at most one second's worth) and skips inputs while it has none left. @default 1
   */
  maxShare?: number;
  /** Milliseconds of a monotonic clock (tests). @default performance.now */
  now?: () => number;
  /** Called for each disagreement (the decision log); must not throw. */
  onDisagreement: (record: ShadowRecord, diff: OutputDiff) => void;
  /** Called for each input offered (metrics); must not throw. */
  onResult?: (result: ShadowResult, diff: OutputDiff | null) => void;
}

/** A running shadow evaluator. */
export interface ShadowEvaluator {
  /** Queues one decided input; never blocks, never throws. */
  offer(evaluated: EvaluatedInput): void;
  /** Resolves once every input offered so far is evaluated (or dropped). */
  idle(): Promise<void>;
  /** Inputs waiting. */
  readonly pending: number;
}

/** Creates the evaluator. */
export function createShadowEvaluator(options: ShadowOptions): ShadowEvaluator {
  const max = options.queueSize ?? 1024;
  const batch = options.batchSize ?? 32;
  const share = Math.min(1, Math.max(0, options.maxShare ?? 1));
  const now = options.now ?? (() => performance.now());
  const cap = 1000 * share;
  let budget = cap;
  let refilled = now();
  /** True while the shadow may still spend time; earns `share` ms per ms elapsed since the last call. */
  const affordable = (): boolean => {
    if (share >= 1) return true;
    const t = now();
    budget = Math.min(cap, budget + (t - refilled) * share);
    refilled = t;
    return budget > 0;
  };
  let queue: EvaluatedInput[] = [];
  let scheduled = false;
  let waiters: (() => void)[] = [];

  const result = (r: ShadowResult, diff: OutputDiff | null) => {
    try {
      options.onResult?.(r, diff);
    } catch {
      // Metrics must not stop the shadow.
    }
  };

  function evaluate(e: EvaluatedInput): void {
    const policy = options.policy();
    if (!policy) return;
    const out = evaluateCandidate(policy, e.input);
    const failed = out === undefined;
    const diff = diffOutputs(e.output, failed ? undefined : out);
    if (!diff) return result("agree", null);
    const live = outputCodes(e.output) ?? { decision: "invalid", codes: [], monitored: [] };
    const shadow = (!failed && outputCodes(out)) || { decision: "error", codes: [], monitored: [] };
    result(shadow.decision === "error" ? "error" : "disagree", diff);
    try {
      options.onDisagreement(
        { decision_id: e.decision_id, time: new Date(e.time).toISOString(), revision: e.revision, shadow_revision: policy.revision, live, shadow },
        diff,
      );
    } catch {
      // The log reports its own failures; the shadow goes on.
    }
  }

  function drain(): void {
    scheduled = false;
    const taken = queue.splice(0, batch);
    for (const e of taken) {
      if (!affordable()) {
        result("skipped", null);
        continue;
      }
      const started = now();
      evaluate(e);
      if (share < 1) budget -= now() - started;
    }
    // Spent: what still waits is skipped now rather than held for later turns (see offer).
    if (share < 1 && !affordable()) {
      for (let i = 0; i < queue.length; i++) result("skipped", null);
      queue = [];
    }
    if (queue.length > 0) schedule();
    else {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate runs after the pending I/O callbacks and microtasks: the answer in hand is written first.
    setImmediate(drain);
  }

  return {
    offer(evaluated) {
      // Over its share the input is skipped at once, not queued: a queue held full under load would keep a thousand
      // inputs alive for the collector to move, which costs the live path more than the evaluations it saves.
      if (!affordable()) return result("skipped", null);
      if (queue.length >= max) return result("dropped", null);
      queue.push(evaluated);
      schedule();
    },
    idle() {
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get pending() {
      return queue.length;
    },
  };
}
