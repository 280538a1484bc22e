package custos.authzen_test

import data.custos.authzen

agent_call := {
	"subject": {
		"type": "agent", "id": "agent:coder",
		"properties": {"scopes": ["repo:read"], "on_behalf_of": [{"type": "user", "id": "user:dana"}]},
	},
	"action": {"name": "invoke"},
	"resource": {"type": "tool", "id": "github/read_file", "properties": {"arguments": {"path": "src/app.ts"}}},
	"context": {"session": {"id": "s-1"}, "purpose": "coding", "mtls": true, "ip": "10.0.0.1"},
}

test_maps_subject_action_resource_and_context if {
	authzen.request == {
		"session": {"id": "s-1"},
		"event": "tool_call",
		"identity": {
			"id": "agent:coder", "type": "agent", "scopes": ["repo:read"],
			"on_behalf_of": [{"type": "human", "id": "user:dana"}],
		},
		"action": "invoke",
		"resource": {"id": "github/read_file", "type": "tool"},
		"tool": {"server": "github", "name": "read_file", "arguments": {"path": "src/app.ts"}},
		"purpose": "coding",
		"context": {"mtls": true},
	} with input as agent_call
}

test_action_naming_an_event_is_the_event if {
	r := authzen.request with input as {
		"subject": {"type": "user", "id": "user:dana"},
		"action": {"name": "output", "properties": {"action": "export"}},
		"resource": {"type": "document", "id": "doc:1"},
		"context": {"session": "s-2", "data": {"classification": "internal", "text": "never sent to policy"}},
	}
	r.event == "output"
	r.action == "export"
	r.identity.type == "human"
	r.session.id == "s-2"
	r.data == {"classification": "internal"}
}

test_event_property_wins_and_unknown_resources_have_none if {
	authzen.request.event == "prompt" with input as {
		"subject": {"type": "user", "id": "u"}, "action": {"name": "read", "properties": {"event": "prompt"}},
		"resource": {"type": "endpoint", "id": "chat"},
	}
	not authzen.request.event with input as {"subject": {"type": "user", "id": "u"}, "action": {"name": "read"}, "resource": {"type": "endpoint", "id": "chat"}}
}

test_service_part_of_the_input if {
	i := authzen.governance_input with input as object.union(agent_call, {"custos": {"now": 1763633100, "state": {"approval": null}}})
	i.now == 1763633100
	i.facts.binding == {"session": "s-1", "identity": "agent:coder", "action": "invoke", "resource": "github/read_file", "tool": "github/read_file", "arguments_digest": ""}
	i.state.session.terminated == false
}

reason := {"code": "SCOPE_MISSING", "message": "scope repo:write missing", "severity": "high", "controls": ["OWASP-NHI-05"]}

with_now := object.union(agent_call, {"custos": {"now": 1763633100}})

test_allow_is_true if {
	authzen.evaluation == {"decision": true} with input as with_now
		with data.custos.main.decision as {"decision": "allow", "reasons": [], "obligations": []}
}

test_allow_with_obligations_carries_them if {
	authzen.evaluation == {"decision": true, "context": {"obligations": [{"type": "redact"}]}} with input as with_now
		with data.custos.main.decision as {"decision": "allow", "reasons": [], "obligations": [{"type": "redact"}]}
}

test_deny_is_false_with_reasons if {
	e := authzen.evaluation with input as with_now
		with data.custos.main.decision as {"decision": "deny", "reasons": [reason], "obligations": [{"type": "session_termination"}]}
	e.decision == false
	e.context.reasons[0].id == "SCOPE_MISSING"
	e.context.reasons[0].reason_admin == {"en": "scope repo:write missing"}
	e.context.obligations == [{"type": "session_termination"}]
}

test_escalate_is_an_access_request if {
	e := authzen.evaluation with input as with_now
		with data.custos.main.decision as {"decision": "escalate", "reasons": [reason], "obligations": [{"type": "approval"}]}
	e.decision == false
	e.context.access_request == {}
	e.context.obligations == [{"type": "approval"}]
}

test_without_the_clock_it_fails_closed if {
	e := authzen.evaluation with input as agent_call
		with data.custos.main.decision as {"decision": "allow", "reasons": [], "obligations": []}
	e.decision == false
}
