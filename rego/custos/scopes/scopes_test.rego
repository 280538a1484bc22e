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

test_null_scope_needs_no_scope if {
	codes(scopes.reasons) == set() with input as {"request": {"identity": agent, "action": "invoke", "resource": {"id": "kb:docs"}}}
		with data.governance.resources as {"kb:docs": {"scopes": {"read": "kb:read", "invoke": null}}}
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {"identity": agent, "action": "read", "resource": {"id": "kb:docs"}}}
		with data.governance.resources as {"kb:docs": {"scopes": {"read": "kb:read", "invoke": null}}}
}

test_missing_action_with_some_scoped_action_is_denied if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {"identity": agent, "resource": {"id": "kb:docs"}}}
		with data.governance.resources as {"kb:docs": {"scopes": {"read": "kb:read", "invoke": null}}}
	codes(scopes.reasons) == set() with input as {"request": {"identity": agent, "resource": {"id": "kb:docs"}}}
		with data.governance.resources as {"kb:docs": {"scopes": {"invoke": null}}}
}

test_a_scope_that_is_not_a_name_is_held_by_nobody if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {"identity": agent, "action": "read", "resource": {"id": "kb:docs"}}}
		with data.governance.resources as {"kb:docs": {"scopes": {"read": ["cases:read"]}}}
}

test_case_and_whitespace_variants_of_scopes_are_not_the_scope if {
	every s in ["Cases:read", "cases:read ", " cases:read", "cases:READ"] {
		codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {"identity": object.union(agent, {"scopes": [s]}), "action": "read", "resource": {"id": "dataset:support-cases"}}}
	}
}

test_unknown_identity_holds_nothing if {
	codes(scopes.reasons) == {"SCOPE_MISSING"} with input as {"request": {"identity": {"id": "agent:support-summarizer ", "type": "agent", "scopes": ["cases:read"]}, "action": "read", "resource": {"id": "dataset:support-cases"}}}
}
