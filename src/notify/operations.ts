// Security operations behind the evidence fan-out: each decision is recorded in the operations store (inventory,
// blast radius, the approval and review queues), counted by reason code, and the notifications it calls for are put in
// the webhook outbox; each admin action sends its notification. Runs after the answer is computed and never blocks it.
import { recordedRequest } from "../decision/policy-contract.js";
import { readFileSync } from "node:fs";
import type { DecisionRecord, SessionState, SessionStore } from "../decision/ports.js";
import { DEFAULT_INVENTORY_TTL_SECONDS, type DecisionFacts, type OpsStore, type ReviewItem } from "../decision/operations.js";
import type { AdminAction } from "../decision/vocabulary.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { WebhookDispatcher } from "./webhook-dispatcher.js";
import type { WebhookEventType } from "./webhook-event.js";

/** The label value of every reason code the catalogue does not know (keeps `custos_reasons_total` bounded). */
export const OTHER_REASON_LABEL = "OTHER";

/** The reason codes of the shipped catalogue, plus the one the service produces itself. */
function catalogueCodes(): Set<string> {
  const codes = new Set<string>(["STATE_UNAVAILABLE"]);
  try {
    const text = readFileSync(new URL("../../../rego/custos/catalogue/data.json", import.meta.url), "utf8");
    for (const code of Object.keys(JSON.parse(text) as Record<string, unknown>)) codes.add(code);
  } catch {
    // without the catalogue every policy code is counted as OTHER
  }
  return codes;
}

export interface Operations {
  decision(record: DecisionRecord): void;
  admin(action: AdminAction): void;
  /**
   * Terminates every live session of a principal or a credential (those the operations store has seen within its
   * retention) in the shared ledger, so every replica sees it; returns the sessions that this call terminated.
   */
  terminateSessions(of: { principal: string } | { credential: string }, reason: string, actor: string): Promise<string[]>;
  /** Waits for the recordings in flight (tests, shutdown). */
  settle(): Promise<void>;
}

export interface OperationsOptions {
  ops: OpsStore;
  ledger: SessionStore;
  dispatcher: WebhookDispatcher | null;
  metrics: Metrics;
  logger: Logger;
  clock: () => number;
  /** Whether the live registry knows a principal: unregistered ones are shadow AI in the inventory. */
  isRegistered: (principalId: string) => boolean;
  inventoryTtlSeconds?: number;
  sessionTtlSeconds?: number;
}

interface Obl {
  type?: string;
  review_id?: string;
  approval_id?: string;
  expires_at?: string;
}

/** Creates the operations service. */
export function createOperations(options: OperationsOptions): Operations {
  const { ops, ledger, dispatcher, metrics, logger, clock } = options;
  const known = catalogueCodes();
  const retention = options.inventoryTtlSeconds ?? DEFAULT_INVENTORY_TTL_SECONDS;
  const sessionTtl = options.sessionTtlSeconds ?? 86_400;
  const inflight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>, what: string): void => {
    const q = p.catch((err: Error) => logger.warn("operations store write failed", { event: "ops_error", what, error: err.message }));
    inflight.add(q);
    void q.finally(() => inflight.delete(q));
  };
  const notify = (type: WebhookEventType, data: Record<string, unknown>): Promise<unknown> =>
    dispatcher ? dispatcher.notify(type, data) : Promise.resolve();
  /** `session.terminated` once per session, across replicas, until it is resumed. */
  const sessionTerminated = async (session: string, by: string, principal: string | null): Promise<void> => {
    if (!(await ops.once(`terminated:${session}`, Math.max(sessionTtl, 60)))) return;
    await notify("session.terminated", { session_id: session, by, ...(principal ? { principal_id: principal } : {}) });
  };

  return {
    decision(record) {
      const reasons = record.result.reasons as { code?: string; message?: string }[];
      const label = (r: { code?: string }) => ({ code: typeof r.code === "string" && known.has(r.code) ? r.code : OTHER_REASON_LABEL });
      for (const r of reasons) metrics.reasons.inc(label(r));
      const monitored = record.result.monitored;
      if (Array.isArray(monitored)) for (const r of monitored as { code?: string }[]) metrics.monitored.inc(label(r));
      const input = recordedRequest(record.input) as {
        session?: { id?: string };
        identity?: { id?: string; credential?: { id?: string }; on_behalf_of?: { id?: string }[] };
        resource?: { id?: string };
        tool?: { server?: string; name?: string };
        action?: string;
        purpose?: string;
      };
      const session = input.session?.id;
      const principal = input.identity?.id;
      const decision = record.result.decision;
      if (typeof session !== "string" || typeof principal !== "string" || (decision !== "allow" && decision !== "deny" && decision !== "escalate")) return;
      const at = Date.parse(record.time);
      const nowS = Math.floor(at / 1000);
      const codes = reasons.map((r) => r.code).filter((c): c is string => typeof c === "string");
      const tool = input.tool?.server && input.tool.name ? `${input.tool.server}/${input.tool.name}` : null;
      const facts: DecisionFacts = {
        at,
        decision_id: record.decision_id,
        session,
        principal,
        credential: input.identity?.credential?.id ?? null,
        caller: record.caller,
        registered: options.isRegistered(principal),
        decision,
        resource: input.resource?.id ?? null,
        tool,
      };
      const obligations = record.result.obligations as Obl[];
      const reviews: ReviewItem[] = obligations
        .filter((o) => o.type === "review" && typeof o.review_id === "string")
        .map((o) => ({
          id: o.review_id!, status: "open", created_at: nowS, expires_at: nowS + retention, decision_id: record.decision_id, decision,
          session, principal, chain: (input.identity?.on_behalf_of ?? []).map((p) => String(p.id)), event: record.event,
          action: input.action ?? "", resource: input.resource?.id ?? "", tool: tool ?? "", purpose: input.purpose ?? "",
          codes, verdict: null, note: null, resolved_by: null, resolved_at: null,
        }));
      const created = record.approval_created ? obligations.find((o) => o.type === "approval" && o.approval_id === record.approval_created) : undefined;
      const approval = created
        ? { id: created.approval_id!, at, expires_at: Math.floor(Date.parse(created.expires_at ?? "") / 1000) || nowS, codes }
        : null;
      track(
        (async () => {
          await ops.recordDecision(facts, approval, reviews);
          if (record.approval_consumed) await ops.approvalSettled(record.approval_consumed);
          if (approval) {
            await notify("approval.requested", {
              approval_id: approval.id, session_id: session, principal_id: principal, decision_id: record.decision_id, event: record.event,
              action: input.action ?? "", resource_id: input.resource?.id ?? "", tool: tool ?? "", purpose: input.purpose ?? "", codes,
              expires_at: new Date(approval.expires_at * 1000).toISOString(),
            });
          }
          for (const r of reviews) await notify("review.opened", { review_id: r.id, session_id: session, principal_id: principal, decision_id: record.decision_id, codes });
          if (record.session_terminated) await sessionTerminated(session, "policy", principal);
        })(),
        "decision",
      );
    },
    admin(action) {
      const work = async (): Promise<void> => {
        switch (action.action) {
          case "session.terminate":
            await sessionTerminated(action.target, action.actor, null);
            break;
          case "session.resume":
            await ops.release(`terminated:${action.target}`);
            break;
          case "approval.grant":
          case "approval.deny":
            await ops.approvalSettled(action.target);
            break;
          case "principal.signal":
            await notify("principal.flagged", { principal_id: action.target, kind: action.reason, severity: String(action.details?.severity ?? ""), by: action.actor });
            break;
          case "credential.revoke":
            await notify("credential.revoked", {
              credential_id: action.target, by: action.actor,
              ...(typeof action.details?.sessions_terminated === "number" ? { sessions_terminated: action.details.sessions_terminated } : {}),
            });
            break;
          default:
            break;
        }
      };
      track(work(), action.action);
    },
    async terminateSessions(of, reason, actor) {
      const nowS = Math.floor(clock() / 1000);
      const ids = await ops.sessionsOf(of, nowS);
      const ended: string[] = [];
      // Bounded concurrency: each termination is one admin write of the shared ledger (acknowledged by replicas).
      for (let i = 0; i < ids.length; i += 32) {
        const chunk = ids.slice(i, i + 32);
        const results = await Promise.all(
          chunk.map(async (id): Promise<[string, SessionState, boolean]> => {
            const before = await ledger.getSession(id);
            return [id, before.terminated ? before : await ledger.terminate(id, reason, actor, clock()), before.terminated];
          }),
        );
        for (const [id, , was] of results) {
          if (was) continue;
          ended.push(id);
          metrics.sessionsTerminated.inc();
          track(sessionTerminated(id, actor, "principal" in of ? of.principal : null), "terminate");
        }
      }
      return ended;
    },
    async settle() {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
  };
}
