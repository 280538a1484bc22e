package custos.delegation_test

import data.custos.delegation

codes(rs) := {r.code | some r in rs}

test_chain_too_deep if {
	codes(delegation.reasons) == {"DELEGATION_TOO_DEEP"} with input as {"request": {"identity": {
		"id": "agent:support-summarizer", "type": "agent",
		"on_behalf_of": [{"id": "user:dana", "type": "human"}, {"id": "user:dana", "type": "human"}, {"id": "user:dana", "type": "human"}],
	}}}
}

test_agent_asks_more_than_delegator if {
	codes(delegation.reasons) == {"DELEGATION_SCOPE_EXCEEDED"} with input as {"request": {"identity": {
		"id": "agent:coding-assistant", "type": "agent", "scopes": ["repo:write"],
		"on_behalf_of": [{"id": "user:dana", "type": "human"}],
	}}}
	codes(delegation.reasons) == set() with input as {"request": {"identity": {
		"id": "agent:support-summarizer", "type": "agent", "scopes": ["cases:read"],
		"on_behalf_of": [{"id": "user:dana", "type": "human"}],
	}}}
}

test_scope_variants_exceed_the_delegator if {
	every s in ["Cases:read", "cases:read ", "MARKER-scope"] {
		doc := {"request": {"identity": {
			"id": "agent:support-summarizer", "type": "agent", "scopes": [s],
			"on_behalf_of": [{"id": "user:dana", "type": "human"}],
		}}}
		codes(delegation.reasons) == {"DELEGATION_SCOPE_EXCEEDED"} with input as doc
		msgs := [r.message | some r in delegation.reasons] with input as doc
		every m in msgs {
			not contains(m, s)
		}
	}
}

test_unknown_delegator_holds_nothing if {
	codes(delegation.reasons) == {"DELEGATION_SCOPE_EXCEEDED"} with input as {"request": {"identity": {
		"id": "agent:support-summarizer", "type": "agent", "scopes": ["cases:read"],
		"on_behalf_of": [{"id": "User:dana", "type": "human"}],
	}}}
}
