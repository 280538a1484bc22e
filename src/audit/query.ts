// Answers "what did this credential, identity or session touch?" from the decision log: reads the chain (rotated
// files included), verifies it while reading, and sums up the matching decisions and admin actions.
import { recordedRequest } from "../decision/policy-contract.js";
import { verifyChain, type VerifyResult } from "./verify.js";

/** What to look for; at least one of credential, identity, session. Times are ISO 8601, inclusive. */
export interface AuditQuery {
  credential?: string;
  /** Matches the identity itself and decisions where it stands in the delegation chain. */
  identity?: string;
  session?: string;
  since?: string;
  until?: string;
}

/** One matching decision, as the log holds it (ids and codes, never content). */
export interface QueriedDecision {
  decision_id: string;
  time: string;
  seq: number;
  event: string;
  decision: string;
  identity: string | null;
  credential: string | null;
  session: string | null;
  resource: string | null;
  tool: string | null;
  caller: string | null;
  codes: string[];
}

/** The answer: the verification verdict, a summary, and every matching decision and admin action. */
export interface AuditQueryResult {
  verify: VerifyResult;
  summary: {
    decisions: number;
    by_decision: Record<string, number>;
    by_code: Record<string, number>;
    principals: string[];
    credentials: string[];
    sessions: string[];
    resources: string[];
    tools: string[];
    callers: string[];
    first_seen: string | null;
    last_seen: string | null;
  };
  decisions: QueriedDecision[];
  admin: { time: string; seq: number; action: string; actor: string | null; target: string | null }[];
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The facts of one decision record that a query matches and reports. */
export function decisionFacts(body: Record<string, unknown>, seq: number): QueriedDecision & { chain: string[] } {
  const input = recordedRequest(body.input);
  const identity = obj(input.identity);
  const tool = obj(input.tool);
  const result = obj(body.result);
  const chain = Array.isArray(identity.on_behalf_of) ? identity.on_behalf_of.map((p) => str(obj(p).id)).filter((x): x is string => x !== null) : [];
  return {
    decision_id: str(body.decision_id) ?? "",
    time: str(body.time) ?? "",
    seq,
    event: str(body.event) ?? "",
    decision: str(result.decision) ?? "",
    identity: str(identity.id),
    credential: str(obj(identity.credential).id),
    session: str(obj(input.session).id),
    resource: str(obj(input.resource).id),
    tool: str(tool.server) && str(tool.name) ? `${tool.server}/${tool.name}` : null,
    caller: str(body.caller),
    codes: Array.isArray(result.reasons) ? result.reasons.map((r) => str(obj(r).code)).filter((c): c is string => c !== null) : [],
    chain,
  };
}

/**
 * Runs `query` over the chain in `paths` (oldest file first). The chain is verified as it is read; when it breaks,
 * `verify.ok` is false and only the records before the break are counted.
 * @throws AuditError `audit_file_unreadable`.
 */
export async function queryLog(paths: string[], query: AuditQuery, options: { partial?: boolean } = {}): Promise<AuditQueryResult> {
  const since = query.since ? Date.parse(query.since) : -Infinity;
  const until = query.until ? Date.parse(query.until) : Infinity;
  const decisions: QueriedDecision[] = [];
  const admin: AuditQueryResult["admin"] = [];
  const inRange = (time: unknown) => {
    const t = typeof time === "string" ? Date.parse(time) : NaN;
    return Number.isFinite(t) && t >= since && t <= until;
  };
  const verify = await verifyChain(paths, {
    partial: options.partial ?? false,
    onRecord(body) {
      const seq = typeof body.seq === "number" ? body.seq : 0;
      if (!inRange(body.time)) return;
      if (body.type === "decision") {
        const f = decisionFacts(body, seq);
        if (query.credential !== undefined && f.credential !== query.credential) return;
        if (query.session !== undefined && f.session !== query.session) return;
        if (query.identity !== undefined && f.identity !== query.identity && !f.chain.includes(query.identity)) return;
        const { chain: _chain, ...reported } = f;
        decisions.push(reported);
      } else if (body.type === "admin") {
        const target = str(body.target);
        const wanted = [query.credential, query.identity, query.session].filter((x): x is string => x !== undefined);
        if (target !== null && wanted.includes(target)) admin.push({ time: str(body.time) ?? "", seq, action: str(body.action) ?? "", actor: str(body.actor), target });
      }
    },
  });
  const count = (xs: string[]) => xs.reduce<Record<string, number>>((acc, x) => ((acc[x] = (acc[x] ?? 0) + 1), acc), {});
  const distinct = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null))].sort();
  const times = decisions.map((d) => d.time).sort();
  return {
    verify,
    summary: {
      decisions: decisions.length,
      by_decision: count(decisions.map((d) => d.decision)),
      by_code: count(decisions.flatMap((d) => d.codes)),
      principals: distinct(decisions.map((d) => d.identity)),
      credentials: distinct(decisions.map((d) => d.credential)),
      sessions: distinct(decisions.map((d) => d.session)),
      resources: distinct(decisions.map((d) => d.resource)),
      tools: distinct(decisions.map((d) => d.tool)),
      callers: distinct(decisions.map((d) => d.caller)),
      first_seen: times[0] ?? null,
      last_seen: times[times.length - 1] ?? null,
    },
    decisions,
    admin,
  };
}
