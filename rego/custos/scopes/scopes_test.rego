package custos.scopes_test

import data.custos.scopes

codes(rs) := {r.code | some r in rs}

agent := {"id": "agent:support-summarizer", "type": "agent", "on_behalf_of": [{"id": "user:dana", "type": "human"}]}

test_effective_scope_present if {
	codes(scopes.reasons) == set() with input as {"request": {"identity": agent, "action": "read", "resource": {"id": "dataset:support-cases"}}}
}

test_presented_scopes_narrow_the_registered if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {
		"identity": object.union(agent, {"scopes": ["llm:invoke"]}),
		"action": "read", "resource": {"id": "dataset:support-cases"},
	}}
}

test_presented_scopes_never_widen if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {
		"identity": {"id": "user:sam", "type": "human", "scopes": ["payroll:read"]},
		"action": "read", "resource": {"id": "dataset:payroll"},
	}}
}

test_delegator_limits_the_agent if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {
		"identity": {"id": "agent:coding-assistant", "type": "agent", "on_behalf_of": [{"id": "user:dana", "type": "human"}]},
		"action": "read", "resource": {"id": "repository:custos-app"},
	}}
}

test_missing_action_never_widens if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {"identity": agent, "resource": {"id": "dataset:support-cases"}}}
}
