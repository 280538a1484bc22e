# The AuthZEN adapter of the governance policy: maps an OpenID AuthZEN Access Evaluation request onto the
# governance request of docs/policy-contract.md, asks custos.main.decision, and answers {decision, context}.
#
# Custos's own AuthZEN API does this mapping in the service (src/interop/authzen-mapping.ts) and sends the request
# through the decision pipeline, because only the service has the clock, the content findings and the session
# ledger. This rule is for callers that bring those themselves: `opa eval`, and OPA clients of
# POST /v1/data/custos/authzen/evaluation. They put the service's part of the input under `input.custos`:
# {"now": <Unix seconds>, "facts": {...}, "state": {...}} (facts and state default to "nothing known" and a fresh
# session; approvals cannot be granted without a ledger, so an escalation carries no approval id here).
package custos.authzen

# AuthZEN subject types and the governance identity type each stands for.
subject_types := {
	"user": "human", "human": "human", "person": "human",
	"service": "service", "workload": "service", "application": "service", "client": "service",
	"agent": "agent", "ai_agent": "agent",
}

events := {"prompt", "retrieval", "tool_call", "output", "model_access"}

# The event a resource type implies when the action does not name one.
event_of_resource := {
	"tool": "tool_call", "model": "model_access",
	"dataset": "retrieval", "document": "retrieval", "repository": "retrieval",
}

# Governance context fields that pass through unchanged (time is recorded by the service, never used by policy).
context_fields := {"mtls", "device", "network", "approval_id"}

properties(entity) := object.get(entity, "properties", {})

ctx := object.get(input, "context", {})

principal_type(t) := subject_types[t]

principal_type(t) := t if not subject_types[t]

delegator(d) := object.union(d, {"type": principal_type(d.type)}) if is_object(d)

delegator(d) := d if not is_object(d)

# Keeps the members whose value is defined: {k: [v]} → {k: v}, {k: []} → nothing.
present(candidates) := {k: v[0] | some k, v in candidates; count(v) == 1}

subject_properties := properties(input.subject)

on_behalf_of := [delegator(d) | some d in subject_properties.on_behalf_of] if is_array(subject_properties.on_behalf_of)

on_behalf_of := subject_properties.on_behalf_of if not is_array(subject_properties.on_behalf_of)

identity := object.union({"id": input.subject.id, "type": principal_type(input.subject.type)}, present({
	"scopes": [s | s := subject_properties.scopes],
	"credential": [c | c := subject_properties.credential],
	"on_behalf_of": [o | o := on_behalf_of],
}))

names_event if input.action.name in events

event := properties(input.action).event

event := input.action.name if {
	not properties(input.action).event
	names_event
}

event := event_of_resource[input.resource.type] if {
	not properties(input.action).event
	not names_event
}

verb := properties(input.action).action if names_event

verb := input.action.name if not names_event

session_id := ctx.session if is_string(ctx.session)

session_id := ctx.session.id if is_object(ctx.session)

# Without a session in the context, each evaluation is a session of its own.
default session_id := "authzen"

resource_properties := properties(input.resource)

slash := indexof(input.resource.id, "/")

tool_server := resource_properties.server

tool_server := substring(input.resource.id, 0, slash) if {
	not resource_properties.server
	slash > 0
}

tool_name := resource_properties.name

tool_name := substring(input.resource.id, slash + 1, -1) if {
	not resource_properties.name
	slash > 0
}

tool_name := input.resource.id if {
	not resource_properties.name
	slash <= 0
}

# A "tool" resource is a tool call: server/name from the properties, or from an id of the form server/name.
tool := present({
	"server": [s | s := tool_server],
	"name": [n | n := tool_name],
	"arguments": [a | a := resource_properties.arguments],
}) if input.resource.type == "tool"

governance_context := object.filter(ctx, context_fields)

# The governance request this AuthZEN request stands for (absent parts stay absent).
request := object.union(
	{
		"session": {"id": session_id},
		"identity": identity,
		"resource": {"id": input.resource.id, "type": input.resource.type},
	},
	present({
		"event": [e | e := event],
		"action": [a | a := verb],
		"tool": [t | t := tool],
		"purpose": [p | p := ctx.purpose],
		"data": [d | d := object.remove(ctx.data, {"text"})],
		"context": [c | c := governance_context; count(c) > 0],
	}),
)

custos := object.get(input, "custos", {})

# What the service would know about a request it has never seen: no findings, a fresh session.
binding := {
	"session": session_id,
	"identity": input.subject.id,
	"action": object.get(request, "action", ""),
	"resource": input.resource.id,
	"tool": concat("/", [tool.server, tool.name]),
	"arguments_digest": "",
} if tool.server

binding := {
	"session": session_id,
	"identity": input.subject.id,
	"action": object.get(request, "action", ""),
	"resource": input.resource.id,
	"tool": "",
	"arguments_digest": "",
} if not tool.server

default_facts := {"credential": {}, "tool_paths": [], "findings": [], "binding": binding}

default_state := {
	"session": {"risk": 0, "violations": 0, "terminated": false, "max_classification": null},
	"credential": {"revoked": false},
	"principal": {"signals": []},
	"approval": null,
}

# The governance entrypoint's input (docs/policy-contract.md).
governance_input := {
	"request": request,
	"now": custos.now,
	"facts": object.union(default_facts, object.get(custos, "facts", {})),
	"state": object.union(default_state, object.get(custos, "state", {})),
}

# A Custos reason, readable both as itself and as an AuthZEN reason object (id, reason_admin).
reason(r) := object.union(r, {"id": r.code, "reason_admin": {"en": r.message}})

answer(d) := {"decision": true} if {
	d.decision == "allow"
	count(object.get(d, "obligations", [])) == 0
}

answer(d) := {"decision": true, "context": {"obligations": d.obligations}} if {
	d.decision == "allow"
	count(d.obligations) > 0
}

answer(d) := {"decision": false, "context": object.union(
	{"reasons": [reason(r) | some r in d.reasons]},
	present({"obligations": [o | o := d.obligations; count(o) > 0]}),
)} if d.decision == "deny"

# The service creates the approval and fills in access_request.approval_id and expires_at; here it stays open.
answer(d) := {"decision": false, "context": {
	"access_request": {},
	"obligations": object.get(d, "obligations", []),
	"reasons": [reason(r) | some r in d.reasons],
}} if d.decision == "escalate"

default evaluation := {"decision": false, "context": {"error": "no governance decision: input.custos.now (Unix seconds) is required and the bundle must define custos/main/decision"}}

evaluation := answer(decision) if {
	is_number(custos.now)
	decision := data.custos.main.decision with input as governance_input
}
