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
