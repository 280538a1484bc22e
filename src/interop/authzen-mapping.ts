// Maps an AuthZEN evaluation onto the governance decision and back: subject → identity, action → action and event,
// resource → resource and tool, context → session, purpose, data and context; allow/deny/escalate → a boolean
// decision with reasons, obligations and the access request of an escalation in `context`.
import { createHash, randomUUID } from "node:crypto";
import { CustosError, type FieldError } from "../errors.js";
import type { DecideOutcome } from "../decision/decide.js";
import type { DecideRequest, Reason } from "../decision/request.js";
import { validateDecideRequest } from "../decision/request-validator.js";
import { EVENT_TYPES, type EventType, type PrincipalType } from "../decision/vocabulary.js";
import type { EvaluationRequest, EvaluationResponse } from "./authzen-request.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** AuthZEN subject types and the governance identity type each stands for. */
export const SUBJECT_TYPES: Readonly<Record<string, PrincipalType>> = Object.freeze({
  user: "human",
  human: "human",
  person: "human",
  service: "service",
  workload: "service",
  application: "service",
  client: "service",
  agent: "agent",
  ai_agent: "agent",
});

/** The event a resource type implies when the action does not name one. */
const EVENT_OF_RESOURCE: Readonly<Record<string, EventType>> = Object.freeze({
  tool: "tool_call",
  model: "model_access",
  dataset: "retrieval",
  document: "retrieval",
  repository: "retrieval",
});

/** Governance fields of `context` that pass through unchanged (the rest is ignored, as on /decide). */
const CONTEXT_FIELDS = ["mtls", "device", "network", "approval_id"] as const;

function principalType(type: unknown): unknown {
  return typeof type === "string" ? (SUBJECT_TYPES[type] ?? type) : type;
}

/** `session` may be `{ "id": "…" }` or a string; without one each evaluation is a session of its own. */
function sessionId(context: Obj): unknown {
  const s = context.session;
  if (typeof s === "string") return s;
  if (isObject(s)) return s.id;
  return `authzen-${randomUUID()}`;
}

/** The tool of a `tool` resource: `properties.server`/`name`, or an id of the form `server/name`. */
function toolOf(resource: EvaluationRequest["resource"]): Obj {
  const p = resource.properties ?? {};
  const slash = resource.id.indexOf("/");
  const tool: Obj = {
    server: p.server ?? (slash > 0 ? resource.id.slice(0, slash) : undefined),
    name: p.name ?? (slash > 0 ? resource.id.slice(slash + 1) : resource.id),
  };
  if (p.arguments !== undefined) tool.arguments = p.arguments;
  return tool;
}

/**
 * The `/decide` request an AuthZEN evaluation stands for (not yet validated: the caller checks it against the
 * decision request schema and renames any field error with `authzenField`).
 */
export function toDecideCandidate(request: EvaluationRequest): Obj {
  const { subject, action, resource } = request;
  const context: Obj = isObject(request.context) ? request.context : {};
  const sp = subject.properties ?? {};
  const ap = action.properties ?? {};

  const identity: Obj = { id: subject.id, type: principalType(subject.type) };
  if (sp.scopes !== undefined) identity.scopes = sp.scopes;
  if (sp.credential !== undefined) identity.credential = sp.credential;
  // The token Custos verifies: `subject.properties.token`, else the original request's `Authorization: Bearer`
  // header passed as `context.authorization`.
  const token = sp.token !== undefined ? sp.token : bearerOfContext(context.authorization);
  if (token !== undefined) identity.credential = { ...(isObject(identity.credential) ? identity.credential : {}), token };
  if (Array.isArray(sp.on_behalf_of)) {
    identity.on_behalf_of = sp.on_behalf_of.map((d) => (isObject(d) ? { ...d, type: principalType(d.type) } : d));
  } else if (sp.on_behalf_of !== undefined) {
    identity.on_behalf_of = sp.on_behalf_of;
  }

  const namesEvent = (EVENT_TYPES as readonly string[]).includes(action.name);
  const event = ap.event ?? (namesEvent ? action.name : EVENT_OF_RESOURCE[resource.type]);
  const verb = namesEvent ? ap.action : action.name;

  const out: Obj = {
    session: { id: sessionId(context) },
    event,
    identity,
    resource: { id: resource.id, type: resource.type },
  };
  if (verb !== undefined) out.action = verb;
  if (resource.type === "tool") out.tool = toolOf(resource);
  if (context.purpose !== undefined) out.purpose = context.purpose;
  if (context.data !== undefined) out.data = context.data;

  const governance: Obj = {};
  for (const k of CONTEXT_FIELDS) if (context[k] !== undefined) governance[k] = context[k];
  // `time` is recorded, never trusted; AuthZEN examples omit seconds, so it is normalized or dropped, never a 400.
  if (typeof context.time === "string" && Number.isFinite(Date.parse(context.time))) {
    governance.time = new Date(Date.parse(context.time)).toISOString();
  }
  if (Object.keys(governance).length > 0) out.context = governance;
  return out;
}

/**
 * The request as the evidence of a direct evaluation keeps it: a presented token (`subject.properties.token`,
 * `context.authorization`) becomes its SHA-256, never the token.
 */
export function withoutTokens(request: EvaluationRequest): EvaluationRequest {
  const digest = (v: unknown) => `sha256:${createHash("sha256").update(typeof v === "string" ? v : JSON.stringify(v) ?? "").digest("hex")}`;
  let out: EvaluationRequest = request;
  const sp = request.subject.properties;
  if (sp && sp.token !== undefined) {
    const { token, ...rest } = sp;
    out = { ...out, subject: { ...out.subject, properties: { ...rest, token_digest: digest(token) } } };
  }
  if (isObject(request.context) && request.context.authorization !== undefined) {
    const { authorization, ...rest } = request.context;
    out = { ...out, context: { ...rest, authorization_digest: digest(authorization) } };
  }
  return out;
}

/** The token of a `context.authorization` value `Bearer <token>`; any other string is passed on to fail verification. */
function bearerOfContext(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return value;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return m ? m[1] : value;
}

/** The AuthZEN field a `/decide` field came from, for error messages that name what the caller sent. */
export function authzenField(field: string): string {
  const [head = "", ...rest] = field.split(".");
  const tail = rest.join(".");
  switch (head) {
    case "identity":
      if (tail === "id" || tail === "type") return `subject.${tail}`;
      if (tail === "credential.token") return "subject.properties.token";
      return tail ? `subject.properties.${tail}` : "subject";
    case "session":
      return "context.session.id";
    case "event":
      return "action.properties.event";
    case "action":
      return "action.name";
    case "tool":
      if (rest[0] === "server" || rest[0] === "name" || rest[0] === "arguments") return `resource.properties.${tail}`;
      return "resource.id";
    case "data":
      return tail ? `context.data.${tail}` : "context.data";
    case "purpose":
      return "context.purpose";
    default:
      return field;
  }
}

/** Renames the field errors of a `/decide` validation failure to the AuthZEN request's fields. */
export function toAuthzenError(err: CustosError): CustosError {
  if (err.code !== "invalid_request" || !err.errors) return err;
  const errors: FieldError[] = err.errors.map((e) => {
    const field = authzenField(e.field);
    if (field === "action.properties.event" && e.message === "is required") {
      return { field, message: `is required: no governance event follows from resource.type; use one of ${EVENT_TYPES.join(", ")}` };
    }
    if (field === "subject.type" && e.message.startsWith("must be one of")) {
      return { field, message: `must be one of ${Object.keys(SUBJECT_TYPES).join(", ")}` };
    }
    return { field, message: e.message };
  });
  const first = errors[0] as FieldError;
  return new CustosError("invalid_request", `invalid AuthZEN request for the governance policy: ${first.field} ${first.message}`, {
    errors,
    cause: err,
  });
}

/** A Custos reason, readable both as itself and as an AuthZEN reason object (`id`, `reason_admin`). */
function reasonOf(r: Reason): Obj {
  return { id: r.code, code: r.code, message: r.message, severity: r.severity, controls: r.controls, reason_admin: { en: r.message } };
}

/**
 * The AuthZEN answer to a governance decision: allow → `true` (with obligations, if any, in `context`); deny →
 * `false` with the reasons; escalate → `false` with `context.access_request` (the pending approval to present
 * again as `context.approval_id`), the obligations and the reasons.
 * @throws CustosError `state_unavailable` for a decision the state store could not back (fail closed).
 */
export function fromDecision(outcome: DecideOutcome): EvaluationResponse {
  if (outcome.outcome !== "decided") throw new CustosError("state_unavailable", "session state store unavailable; treat as deny");
  const { decision, decision_id, reasons, obligations } = outcome.body;
  if (decision === "allow") {
    return obligations.length === 0 ? { decision: true } : { decision: true, context: { decision_id, obligations } };
  }
  const context: Obj = { decision_id };
  if (decision === "escalate") {
    const approval = obligations.find((o) => o.type === "approval");
    if (approval) context.access_request = { approval_id: approval.approval_id, expires_at: approval.expires_at };
  }
  if (obligations.length > 0) context.obligations = obligations;
  context.reasons = reasons.map(reasonOf);
  return { decision: false, context };
}

/** Validates a mapped request with the `/decide` validator, naming AuthZEN fields on failure. */
export function toDecideRequest(request: EvaluationRequest): DecideRequest {
  try {
    return validateDecideRequest(toDecideCandidate(request));
  } catch (err) {
    throw err instanceof CustosError ? toAuthzenError(err) : err;
  }
}
