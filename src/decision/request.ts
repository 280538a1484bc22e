// The decision request and response of DESIGN.md, as TypeScript types (request-schema.ts is the contract).
import type { Classification, SessionState } from "./ports.js";
import type { EventType, MessageRole, PrincipalType, Severity } from "./vocabulary.js";

export type { EventType, Severity };
export type Decision = "allow" | "deny" | "escalate";

export interface Principal {
  id: string;
  type: PrincipalType;
  scopes?: string[];
}

/** A validated `POST /decide` body; the validator has removed every field the contract does not name. */
export interface DecideRequest {
  /** `parent_id`: the session that spawned this one (a sub-agent's); it inherits that session's state. */
  session: { id: string; parent_id?: string };
  event: EventType;
  identity: Principal & {
    credential?: { id?: string; type?: string; issued_at?: string; expires_at?: string; token?: string };
    on_behalf_of?: Principal[];
  };
  action?: string;
  resource?: { id?: string; type?: string };
  tool?: { server: string; name: string; arguments?: Record<string, unknown> };
  data?: {
    classification?: Classification;
    labels?: string[];
    text?: string;
    /** A conversation turn list (the shape AI gateways forward), inspected like `text`. */
    messages?: { role: MessageRole; content: string }[];
    destination?: "internal" | "external";
  };
  purpose?: string;
  context?: {
    mtls?: boolean;
    device?: { managed?: boolean; compliant?: boolean };
    network?: string;
    approval_id?: string;
    time?: string;
  };
}

export interface Reason {
  code: string;
  message: string;
  severity: Severity;
  controls: string[];
}

export type Obligation =
  | { type: "redact"; text?: string; arguments?: Record<string, unknown>; messages?: { role: MessageRole; content: string }[] }
  | { type: "review"; review_id?: string }
  | { type: "approval"; approval_id: string; expires_at: string }
  | { type: "session_termination" };

/** The body of a decision (also when it is a deny because the state store is down, with STATE_UNAVAILABLE). */
export interface DecisionResponse {
  decision: Decision;
  decision_id: string;
  reasons: Reason[];
  obligations: Obligation[];
  session: Pick<SessionState, "id" | "risk" | "violations" | "terminated" | "max_classification">;
  policy: { revision: string | null };
  /** Reasons whose codes are in `settings.monitor_codes`: found and recorded, not enforced. Omitted when empty. */
  monitored?: Reason[];
}
