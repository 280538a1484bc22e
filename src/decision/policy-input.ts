// Builds the policy input document (docs/policy-contract.md): the request without its text, the clock, derived facts
// (timestamps, normalized tool paths, findings, approval binding) and the session ledger snapshot.
import { digestOf } from "./digest.js";
import type { ApprovalBinding, Finding, StateSnapshot } from "./ports.js";
import type { DecideRequest } from "./request.js";
import { extractToolPaths } from "./tool-paths.js";

/** Unix seconds of an RFC 3339 timestamp (validated by the schema), or undefined. */
function seconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** The request with `data.text` removed (the policy sees findings instead). */
export function withoutText(request: DecideRequest): DecideRequest {
  if (request.data?.text === undefined) return request;
  const { text: _text, ...data } = request.data;
  return { ...request, data };
}

/** What an approval for this request must be bound to. */
export function bindingOf(request: DecideRequest): ApprovalBinding {
  return {
    session: request.session.id,
    identity: request.identity.id,
    chain: (request.identity.on_behalf_of ?? []).map((p) => p.id),
    event: request.event,
    action: request.action ?? "",
    resource: request.resource?.id ?? "",
    tool: request.tool ? `${request.tool.server}/${request.tool.name}` : "",
    purpose: request.purpose ?? "",
    arguments_digest: request.tool?.arguments ? digestOf(request.tool.arguments) : "",
  };
}

/** The governance entrypoint's input. */
export function buildPolicyInput(
  request: DecideRequest,
  nowSeconds: number,
  findings: Finding[],
  state: StateSnapshot,
  binding: ApprovalBinding,
): Record<string, unknown> {
  const credential: Record<string, number> = {};
  const issued = seconds(request.identity.credential?.issued_at);
  const expires = seconds(request.identity.credential?.expires_at);
  if (issued !== undefined) credential.issued_at = issued;
  if (expires !== undefined) credential.expires_at = expires;
  return {
    request: withoutText(request),
    now: nowSeconds,
    facts: {
      credential,
      tool_paths: extractToolPaths(request.tool?.arguments),
      findings,
      binding,
    },
    state: {
      session: {
        risk: state.session.risk,
        violations: state.session.violations,
        terminated: state.session.terminated,
        max_classification: state.session.max_classification,
      },
      credential: state.credential,
      principal: state.principal,
      delegators: state.delegators ?? [],
      approval: state.approval,
    },
  };
}
