// decide(): inspect → read state → evaluate → update state → record. The one place a decision is made.
import { randomUUID } from "node:crypto";
import { CustosError } from "../errors.js";
import { GOVERNANCE_ENTRYPOINT, type PolicyInstance } from "../policy/policy-engine.js";
import { mapStrings } from "./content-strings.js";
import { crossSessionSettings, quotasFor } from "./cross-session.js";
import { bindingOf, buildPolicyInput, higherClassification, readPolicyOutput, unionLabels, withoutText, type PolicyOutput } from "./policy-contract.js";
import { extractToolPaths } from "./tool-paths.js";
import {
  emptySession,
  StateUnavailableError,
  type ApplyResult,
  type ApprovalRecord,
  type ContentInspector,
  type DecisionSink,
  type EvaluatedInput,
  type Finding,
  type InspectedField,
  type PrincipalResult,
  type SessionState,
  type SessionStore,
  type StateSnapshot,
} from "./ports.js";
import type { DecideRequest, DecisionResponse, Obligation, Reason } from "./request.js";
import { verifyIdentity, type CallerFacts, type IdentityVerifier } from "./verified-identity.js";
import type { DecisionOutcomeTag } from "./vocabulary.js";

/** The reason given when the state store cannot be reached (fail closed). */
export const STATE_UNAVAILABLE_REASON: Reason = {
  code: "STATE_UNAVAILABLE",
  message: "session state store unavailable; failing closed",
  severity: "high",
  controls: ["NIST-CSF-PR.IR-03", "OWASP-LLM10"],
};

/**
 * Reasons the service itself gives when the ledger's atomic update contradicts what the policy saw in its read
 * (a concurrent decision or an admin got there first); severity and controls as in the policy's catalogue.
 */
export const LEDGER_REASONS = {
  SESSION_TERMINATED: { severity: "high", controls: ["OWASP-ASI10", "NIST-CSF-RS.MI-01", "NIST-AI-RMF-MANAGE-2.4"] },
  RISK_THRESHOLD_EXCEEDED: { severity: "critical", controls: ["OWASP-ASI10", "NIST-CSF-DE.AE-02", "NIST-CSF-RS.MI-01", "NIST-AI-RMF-MANAGE-2.4"] },
  APPROVAL_INVALID: { severity: "high", controls: ["OWASP-ASI09", "NIST-CSF-PR.AA-05", "NIST-AI-RMF-MAP-3.5"] },
  PRINCIPAL_FLAGGED: { severity: "critical", controls: ["OWASP-ASI10", "NIST-CSF-DE.CM-03", "NIST-CSF-RS.MI-01", "NIST-AI-RMF-MANAGE-2.4"] },
  QUOTA_EXCEEDED: { severity: "medium", controls: ["OWASP-LLM10", "OWASP-NHI-05", "NIST-CSF-PR.IR-04", "NIST-AI-RMF-MANAGE-2.4"] },
  CREDENTIAL_MISUSE: { severity: "critical", controls: ["OWASP-NHI-09", "OWASP-NHI-02", "OWASP-ASI03", "NIST-CSF-DE.CM-03", "NIST-CSF-RS.MI-01"] },
} as const satisfies Record<string, Pick<Reason, "severity" | "controls">>;

function ledgerReason(code: keyof typeof LEDGER_REASONS, message: string): Reason {
  return { code, message, severity: LEDGER_REASONS[code].severity, controls: [...LEDGER_REASONS[code].controls] };
}

/** What the decision core needs. */
export interface DeciderDeps {
  /** The active policy (hot-swappable), or null when none is loaded. */
  policy: () => PolicyInstance | null;
  store: SessionStore;
  inspector: ContentInspector;
  sink: DecisionSink;
  /** @default "closed" */
  failMode?: "closed" | "open";
  /** Keyed digest of `data.text` for the evidence record (never the text itself). */
  textDigest: (text: string) => string;
  /** Called when the store fails (for metrics). */
  onStateError?: (err: StateUnavailableError) => void;
  /** Verifies a presented `identity.credential.token` (CUSTOS_ISSUERS_FILE); null: every presented token fails. */
  verifier?: IdentityVerifier | null;
  /** Unix milliseconds. */
  clock: () => number;
  /**
   * Receives each decided request's policy input and the live policy's output, after the answer is complete (the
   * shadow evaluator); must not throw and must not block.
   */
  onEvaluated?: (evaluated: EvaluatedInput) => void;
}

/** Options of one decision. */
export interface DecideOptions {
  /** Return the policy input and raw output too (`?explain=1`). */
  explain?: boolean;
  /** The authenticated PEP, when known: its name, or its name and restrictions (`input.caller`). */
  caller?: string | CallerFacts | null;
}

/**
 * A decision, tagged with how it ended: `decided` by the policy, or `state_unavailable` (a deny, failing closed,
 * because the state store could not be reached; the body then also carries `code` and `message`).
 */
export interface DecideOutcome {
  outcome: DecisionOutcomeTag;
  body: DecisionResponse & { code?: string; message?: string };
  explain?: { entrypoint: string; input: unknown; output: unknown };
}

export type Decide = (request: DecideRequest, options?: DecideOptions) => Promise<DecideOutcome>;

/**
 * Most findings one request may produce. Past it the request is refused (`413`): a redaction or a record that
 * silently kept only the first findings would let the rest through in clear, and an unbounded list is unbounded
 * memory and log size. @default 256
 */
export const MAX_FINDINGS_PER_REQUEST = 256;

/**
 * The strings of a request that content inspection reads: `data.text`, the `content` of each turn of `data.messages`
 * (`data.messages.<index>.content`) and every string and key in `tool.arguments`.
 */
export function inspectedFields(request: DecideRequest): InspectedField[] {
  const fields: InspectedField[] = [];
  if (typeof request.data?.text === "string") fields.push({ field: "data.text", text: request.data.text });
  request.data?.messages?.forEach((m, i) => fields.push({ field: messageField(i), text: m.content }));
  if (request.tool?.arguments) {
    mapStrings(request.tool.arguments, "tool.arguments", 0, (field, text, name) => {
      fields.push(name === undefined ? { field, text } : { field, text, name });
      return undefined;
    });
  }
  return fields;
}

/** The field name of the content of the `index`-th turn of `data.messages`. */
function messageField(index: number): string {
  return `data.messages.${index}.content`;
}

/** The conversation with each turn's content redacted of its findings (the inspector redacts only what it may). */
function redactMessages(messages: NonNullable<NonNullable<DecideRequest["data"]>["messages"]>, findings: Finding[], inspector: ContentInspector) {
  return messages.map((m, i) => {
    const own = findings.filter((f) => f.location.field === messageField(i));
    return own.length > 0 ? { role: m.role, content: inspector.redact(m.content, own) } : m;
  });
}

/** A copy of the tool arguments in which each string with findings is replaced by its redacted form. */
function redactArguments(args: Record<string, unknown>, findings: Finding[], inspector: ContentInspector): Record<string, unknown> {
  const byField = new Map<string, Finding[]>();
  for (const f of findings) byField.set(f.location.field, [...(byField.get(f.location.field) ?? []), f]);
  return mapStrings(args, "tool.arguments", 0, (field, text) => {
    const own = byField.get(field);
    return own ? inspector.redact(text, own) : undefined;
  }) as Record<string, unknown>;
}

function summary(session: SessionState): DecisionResponse["session"] {
  return {
    id: session.id,
    risk: session.risk,
    violations: session.violations,
    terminated: session.terminated,
    max_classification: session.max_classification,
  };
}

function settingNumber(policy: PolicyInstance, name: string, fallback: number): number {
  const v = policy.settings[name];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** Creates the decision function. */
export function createDecider(deps: DeciderDeps): Decide {
  const { clock } = deps;
  const failOpen = deps.failMode === "open";

  const unavailable = (id: string, request: DecideRequest, revision: string | null): DecideOutcome => ({
    outcome: "state_unavailable",
    body: {
      code: "state_unavailable",
      message: "session state store unavailable; treat as deny",
      decision: "deny",
      decision_id: id,
      reasons: [STATE_UNAVAILABLE_REASON],
      obligations: [],
      session: { ...summary(emptySession(request.session.id)) },
      policy: { revision },
    },
  });

  return async function decide(asked, options = {}) {
    const started = performance.now();
    // The policy input and the policy's raw output, once evaluated: what the record keeps so it can be replayed.
    let evaluated: { input: Record<string, unknown>; output: unknown } | null = null;
    const decisionId = randomUUID();
    const nowMs = clock();
    const nowS = Math.floor(nowMs / 1000);
    const policy = deps.policy();
    if (!policy) throw new CustosError("policy_unavailable", "no policy bundle is active");
    if (!policy.has(GOVERNANCE_ENTRYPOINT)) throw new CustosError("not_found", "the active bundle has no governance entrypoint");
    const caller: CallerFacts | null = typeof options.caller === "string" ? { name: options.caller } : (options.caller ?? null);
    // From here on `request` is the request as judged: a verified token's facts in place of the asserted ones, and
    // never the token itself (the ledger, the policy and the evidence see only its digest).
    const { request, verified } = await verifyIdentity(asked, deps.verifier ?? null, nowS);

    const t0 = performance.now();
    const findings = deps.inspector.inspect(inspectedFields(request));
    const inspectMs = performance.now() - t0;
    if (findings.length > MAX_FINDINGS_PER_REQUEST) {
      throw new CustosError("payload_too_large", `content has more than ${MAX_FINDINGS_PER_REQUEST} findings; split it into smaller requests`, {
        errors: [{ field: findings[MAX_FINDINGS_PER_REQUEST]!.location.field, message: `more than ${MAX_FINDINGS_PER_REQUEST} findings in one request` }],
      });
    }

    const cross = crossSessionSettings(policy.settings);
    const quotas = quotasFor(request, cross.quotas);
    const credentialId = request.identity.credential?.id ?? null;
    const parentId = request.session.parent_id !== undefined && request.session.parent_id !== request.session.id ? request.session.parent_id : null;
    let snapshot: StateSnapshot;
    let stateOk = true;
    try {
      snapshot = await deps.store.read({
        sessionId: request.session.id,
        principalId: request.identity.id,
        delegatorIds: (request.identity.on_behalf_of ?? []).map((p) => p.id),
        credentialId: request.identity.credential?.id ?? null,
        approvalId: request.context?.approval_id ?? null,
        now: nowS,
        parentId,
        principalRiskWindowSeconds: cross.principalRiskWindowSeconds,
        credentialWindowSeconds: cross.credentialWindowSeconds,
        quotas,
      });
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      deps.onStateError?.(err);
      if (!failOpen) return record(unavailable(decisionId, request, policy.revision), 0);
      stateOk = false;
      snapshot = { session: emptySession(request.session.id), credential: { revoked: false }, principal: { signals: [] }, delegators: [], approval: null };
    }

    const binding = bindingOf(request);
    const input = buildPolicyInput(request, nowS, findings, snapshot, binding, { verified, caller }, quotas);
    const t1 = performance.now();
    const raw = policy.evaluate(GOVERNANCE_ENTRYPOINT, input);
    const evalMs = performance.now() - t1;
    const output = readPolicyOutput(raw);
    evaluated = { input, output: raw };

    // Obligations the service completes: redaction text, the approval to create or reuse.
    let newApproval: ApprovalRecord | null = null;
    let approvalKey: string | null = null;
    const obligations: Obligation[] = [];
    for (const o of output.obligations) {
      if (o.type === "redact") {
        const text = request.data?.text;
        const own = findings.filter((f) => f.location.field === "data.text");
        const redacted: Obligation = { type: "redact" };
        if (typeof text === "string") redacted.text = deps.inspector.redact(text, own);
        if (request.tool?.arguments && findings.some((f) => f.location.field.startsWith("tool.arguments."))) {
          redacted.arguments = redactArguments(request.tool.arguments, findings, deps.inspector);
        }
        const messages = request.data?.messages;
        if (messages && findings.some((f) => f.location.field.startsWith("data.messages."))) {
          redacted.messages = redactMessages(messages, findings, deps.inspector);
        }
        obligations.push(redacted);
      } else if (o.type === "approval") {
        const prior = snapshot.approval;
        const reusable =
          prior && prior.status === "pending" && prior.expires_at > nowS && JSON.stringify(prior.binding) === JSON.stringify(binding);
        // A request repeated without its approval_id gets the approval its binding already has: one queue item and
        // one notification however often an agent retries (a lookup only when an approval is asked for and none was
        // presented; should it fail, a new approval is created as before).
        approvalKey = deps.textDigest(`approval-binding:${JSON.stringify(binding)}`);
        const pending = reusable ? prior : await deps.store.findPendingApproval(approvalKey, nowS).catch(() => null);
        if (pending && JSON.stringify(pending.binding) === JSON.stringify(binding)) {
          obligations.push({ type: "approval", approval_id: pending.id, expires_at: new Date(pending.expires_at * 1000).toISOString() });
        } else {
          const ttl = settingNumber(policy, "approval_ttl_seconds", 3600);
          newApproval = {
            id: `apr-${randomUUID()}`,
            status: "pending",
            binding,
            created_at: nowS,
            expires_at: nowS + ttl,
            approver: null,
            decided_at: null,
            reason: null,
          };
          obligations.push({ type: "approval", approval_id: newApproval.id, expires_at: new Date(newApproval.expires_at * 1000).toISOString() });
        }
      } else if (o.type === "review") {
        // Every review obligation is a stored review item (the operations store, from the evidence fan-out).
        obligations.push({ type: "review", review_id: `rev-${randomUUID()}` });
      } else {
        obligations.push(o as Obligation);
      }
    }

    // A single-use approval (the default) is used up by the decision it allows, in the same atomic write.
    const presented = snapshot.approval;
    const consume =
      output.decision === "allow" &&
      presented !== null &&
      presented.status === "granted" &&
      policy.settings.approval_reuse !== true &&
      JSON.stringify(presented.binding) === JSON.stringify(binding)
        ? presented.id
        : null;

    // State beyond the session (principal risk, quotas, the credential's principals): its atomic write decides
    // whether this decision may pass, before the session's own write records it. Skipped when no rule needs it.
    const crossReasons: Reason[] = [];
    let crossTerminate: string | null = null;
    const parent = snapshot.parent ?? null;
    if (stateOk) {
      const counted = output.decision === "deny" ? [] : quotas;
      const seen = snapshot.credential.principals ?? [];
      // The only principal of its credential, seen in the last half window: nobody else can be first, nothing to write.
      const steady = seen.length === 1 && seen[0]!.id === request.identity.id && seen[0]!.last_seen > nowMs - cross.credentialWindowSeconds * 500;
      const needCredential = credentialId !== null && cross.credentialWindowSeconds > 0 && !steady;
      const needRisk = output.risk_delta > 0 && cross.principalRiskWindowSeconds > 0;
      if (needRisk || counted.length > 0 || needCredential) {
        let result: PrincipalResult;
        try {
          result = await deps.store.applyPrincipal({
            principalId: request.identity.id,
            riskDelta: needRisk ? output.risk_delta : 0,
            riskWindowSeconds: needRisk ? cross.principalRiskWindowSeconds : 0,
            riskThreshold: cross.principalRiskThreshold,
            quotas: counted,
            credentialId: needCredential || counted.some((q) => q.per === "credential") ? credentialId : null,
            credentialWindowSeconds: needCredential ? cross.credentialWindowSeconds : 0,
            now: nowMs,
          });
        } catch (err) {
          if (!(err instanceof StateUnavailableError)) throw err;
          deps.onStateError?.(err);
          if (!failOpen) return record(unavailable(decisionId, request, policy.revision), evalMs);
          result = { risk: 0, flaggedNow: false, quotaExceeded: null, misuseOwner: null };
        }
        const has = (code: string) => output.reasons.some((r) => r.code === code);
        if (result.quotaExceeded && !has("QUOTA_EXCEEDED")) {
          const q = result.quotaExceeded;
          crossReasons.push(ledgerReason("QUOTA_EXCEEDED", `the ${q.per} went over its quota of ${q.max} decisions per ${q.window_seconds} s`));
        }
        if (result.misuseOwner !== null && !has("CREDENTIAL_MISUSE")) {
          crossReasons.push(ledgerReason("CREDENTIAL_MISUSE", "the credential was presented by another principal within the misuse window"));
          crossTerminate = "CREDENTIAL_MISUSE";
        }
        if (result.flaggedNow && !has("PRINCIPAL_FLAGGED")) {
          crossReasons.push(ledgerReason("PRINCIPAL_FLAGGED", `the principal's risk across its sessions reached the threshold of ${cross.principalRiskThreshold}`));
          crossTerminate = crossTerminate === null ? "PRINCIPAL_FLAGGED" : `${crossTerminate},PRINCIPAL_FLAGGED`;
        }
      }
    }
    // A child beyond its parent's bound cannot be ended with its parent, so it may not run.
    if (parent?.full && !parent.terminated) {
      crossReasons.push(ledgerReason("SESSION_TERMINATED", "the parent session links too many sub-agent sessions; this one may not start"));
    }
    const ledgerDeny = crossReasons.length > 0;
    const finalDeny = ledgerDeny || output.decision === "deny";
    // A child ends with its parent: a terminated parent terminates it now.
    const inheritedTermination = parent?.terminated === true && !snapshot.session.terminated ? "parent session terminated" : null;
    const terminateReason = output.terminate ? terminationReason(output) : crossTerminate ?? inheritedTermination;
    const taintedBy = output.taint ? decisionId : parent?.tainted ? (parent.tainted_by ?? decisionId) : null;

    let after: SessionState = snapshot.session;
    let applied: ApplyResult | null = null;
    if (stateOk || failOpen) {
      try {
        applied = await deps.store.applyDecision({
          sessionId: request.session.id,
          riskDelta: output.risk_delta,
          violation: output.violation || ledgerDeny,
          terminate: terminateReason,
          riskThreshold: settingNumber(policy, "risk_threshold", 100),
          classification: higherClassification(finalDeny ? null : output.classification, parent?.max_classification ?? null),
          event: { at: nowMs, kind: "decision", ref: decisionId, detail: finalDeny ? "deny" : output.decision, event: request.event },
          approval: finalDeny ? null : newApproval,
          approvalKey: finalDeny ? null : approvalKey,
          consume: finalDeny ? null : consume,
          now: nowMs,
          taint: taintedBy,
          labels: unionLabels(finalDeny ? [] : output.labels, parent?.labels_seen ?? []),
          parentId,
        });
        after = applied.session;
      } catch (err) {
        if (!(err instanceof StateUnavailableError)) throw err;
        deps.onStateError?.(err);
        if (!failOpen) return record(unavailable(decisionId, request, policy.revision), evalMs);
      }
    }

    // The atomic updates, not the read before them, decide what the answer may be.
    let decision = output.decision;
    let reasons = output.reasons;
    let answerObligations = obligations;
    if (ledgerDeny) {
      decision = "deny";
      reasons = [...reasons, ...crossReasons].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      answerObligations = answerObligations.filter((o) => o.type !== "approval");
    }
    if (applied) {
      const extra: Reason[] = [];
      if (applied.wasTerminated && !reasons.some((r) => r.code === "SESSION_TERMINATED")) {
        extra.push(ledgerReason("SESSION_TERMINATED", `the session was terminated (${after.terminated_reason ?? "by policy"}) before this decision was recorded; an admin must resume it`));
      }
      if (applied.terminatedNow && terminateReason === null) {
        extra.push(ledgerReason("RISK_THRESHOLD_EXCEEDED", `session risk ${after.risk} reached the threshold of ${settingNumber(policy, "risk_threshold", 100)}`));
      }
      if (applied.consumed === false) {
        extra.push(ledgerReason("APPROVAL_INVALID", `the approval ${consume} was already used (approvals are single-use)`));
      }
      if (extra.length > 0) {
        decision = "deny";
        reasons = [...reasons, ...extra].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
        // A deny holds no approval; only what this answer still requires is kept.
        answerObligations = answerObligations.filter((o) => o.type !== "approval");
      }
      // Exactly the one decision whose update terminated the session carries the obligation.
      const terminating = answerObligations.some((o) => o.type === "session_termination");
      if (applied.terminatedNow && !terminating) answerObligations = [...answerObligations, { type: "session_termination" }];
      if (!applied.terminatedNow && terminating) answerObligations = answerObligations.filter((o) => o.type !== "session_termination");
    }

    const outcome: DecideOutcome = {
      outcome: "decided",
      body: {
        decision,
        decision_id: decisionId,
        reasons,
        obligations: answerObligations,
        session: summary(after),
        policy: { revision: policy.revision },
        ...(output.monitored.length > 0 ? { monitored: output.monitored } : {}),
      },
    };
    if (options.explain) outcome.explain = { entrypoint: GOVERNANCE_ENTRYPOINT, input, output: raw };
    const created = newApproval && applied && answerObligations.some((o) => o.type === "approval" && o.approval_id === newApproval.id) ? newApproval.id : null;
    record(outcome, evalMs, applied ? applied.terminatedNow : false, created, applied?.consumed === true ? consume : null);
    deps.onEvaluated?.({ decision_id: decisionId, time: nowMs, revision: policy.revision, input, output: raw });
    return outcome;

    function record(o: DecideOutcome, evaluationMs: number, endedSession = false, approvalCreated: string | null = null, approvalConsumed: string | null = null): DecideOutcome {
      // Evidence never holds content values: the text becomes a keyed digest, and tool-argument strings with
      // findings are redacted the way the redact obligation would.
      let req = withoutText(request) as unknown as Record<string, unknown>;
      if (request.tool?.arguments && findings.some((f) => f.location.field.startsWith("tool.arguments."))) {
        req = { ...req, tool: { ...request.tool, arguments: redactArguments(request.tool.arguments, findings, deps.inspector) } };
      }
      // The conversation's turns keep their role and a keyed digest of their content.
      const text = request.data?.text;
      const messages = request.data?.messages;
      const evidenceRequest: Record<string, unknown> =
        typeof text === "string" || messages
          ? {
              ...req,
              data: {
                ...(req.data as object),
                ...(typeof text === "string" ? { text_digest: deps.textDigest(text) } : {}),
                ...(messages ? { messages: messages.map((m) => ({ role: m.role, content_digest: deps.textDigest(m.content) })) } : {}),
              },
            }
          : req;
      deps.sink({
        decision_id: o.body.decision_id,
        time: new Date(nowMs).toISOString(),
        revision: o.body.policy.revision,
        caller: caller?.name ?? null,
        input: evaluated ? recordedInput(evaluated.input, evidenceRequest, req) : { request: evidenceRequest, now: nowS, verified, facts: { findings } },
        ...(evaluated ? { output: evaluated.output } : {}),
        result: {
          decision: o.body.decision,
          reasons: o.body.reasons,
          obligations: redactedObligations(o.body.obligations),
          ...(o.body.monitored ? { monitored: o.body.monitored } : {}),
        },
        session: o.body.session as unknown as Record<string, unknown>,
        latency_ms: performance.now() - started,
        outcome: o.outcome,
        event: request.event,
        timings: { inspect_ms: inspectMs, eval_ms: evaluationMs },
        ...(endedSession ? { session_terminated: true as const } : {}),
        ...(approvalCreated ? { approval_created: approvalCreated } : {}),
        ...(approvalConsumed ? { approval_consumed: approvalConsumed } : {}),
      });
      return o;
    }
  };
}

/**
 * The policy input as the record keeps it: the very object the policy evaluated, its request replaced by the
 * content-free form (text as a keyed digest, argument strings with findings redacted) and, when arguments were
 * redacted, the tool paths derived again from the redacted arguments, so no string of content is in clear.
 */
function recordedInput(input: Record<string, unknown>, evidenceRequest: Record<string, unknown>, req: Record<string, unknown>): Record<string, unknown> {
  const recorded: Record<string, unknown> = { ...input, request: evidenceRequest };
  const tool = req.tool as DecideRequest["tool"];
  const original = (input.request as DecideRequest).tool;
  if (tool?.arguments && original?.arguments && tool.arguments !== original.arguments) {
    recorded.facts = { ...(input.facts as Record<string, unknown>), tool_paths: extractToolPaths(tool.arguments) };
  }
  return recorded;
}

/** The evidence keeps that a redaction was required, not the redacted text (which may still say too much). */
function redactedObligations(obligations: Obligation[]): unknown[] {
  return obligations.map((o) => (o.type === "redact" ? { type: "redact" } : o));
}

function terminationReason(output: PolicyOutput): string {
  const codes = output.reasons.map((r) => r.code).filter((c) => c === "PRINCIPAL_FLAGGED" || c === "RISK_THRESHOLD_EXCEEDED");
  return codes.length > 0 ? codes.join(",") : "policy";
}
