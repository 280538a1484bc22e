package custos.identity_test

import data.custos.identity

codes(rs) := {r.code | some r in rs}

test_registered_identity_passes if {
	codes(identity.reasons) == set() with input as {"request": {"identity": {"id": "user:dana", "type": "human"}}}
}

test_unregistered_identity_and_delegator if {
	codes(identity.reasons) == {"UNREGISTERED_IDENTITY"} with input as {"request": {"identity": {"id": "user:mallory", "type": "human"}}}
	codes(identity.reasons) == {"UNREGISTERED_IDENTITY"} with input as {"request": {"identity": {
		"id": "agent:support-summarizer", "type": "agent",
		"on_behalf_of": [{"id": "user:ghost", "type": "human"}],
	}}}
}

test_agent_without_owner if {
	codes(identity.reasons) == {"OWNER_MISSING"} with input as {"request": {"identity": {"id": "service:legacy-batch", "type": "service"}}}
}

test_identity_case_and_whitespace_variants_are_unregistered if {
	every id in ["User:dana", "user:dana ", " user:dana", "user:DANA", "user:dana\u0000", ""] {
		codes(identity.reasons) == {"UNREGISTERED_IDENTITY"} with input as {"request": {"identity": {"id": id, "type": "human"}}}
		codes(identity.reasons) == {"UNREGISTERED_IDENTITY"} with input as {"request": {"identity": {"id": "agent:support-summarizer", "type": "agent", "on_behalf_of": [{"id": id, "type": "human"}]}}}
	}
}

test_messages_never_quote_asserted_ids if {
	rs1 := identity.reasons with input as {"request": {"identity": {"id": "user:MARKER-1", "type": "human", "on_behalf_of": [{"id": "user:MARKER-2", "type": "human"}]}}}
	every r in rs1 {
		not contains(r.message, "MARKER")
	}
}
