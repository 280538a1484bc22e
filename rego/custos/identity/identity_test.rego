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

test_identity_mismatch_names_fields_only if {
	rs := identity.reasons with input as {
		"request": {"identity": {"id": "user:dana", "type": "human"}, "event": "prompt"},
		"verified": {"presented": true, "ok": true, "contradictions": ["identity.scopes", "identity.id"]},
	}
	codes(rs) == {"IDENTITY_MISMATCH"}
	some r in rs
	r.message == "asserted identity.id, identity.scopes contradict(s) the verified token"
	codes(identity.reasons) == set() with input as {
		"request": {"identity": {"id": "user:dana", "type": "human"}, "event": "prompt"},
		"verified": {"presented": true, "ok": true, "contradictions": []},
	}
}

pep_input(id, event, caller) := {"request": {"identity": {"id": id, "type": "human"}, "event": event}, "caller": caller}

test_caller_principals_globs if {
	codes(identity.reasons) == set() with input as pep_input("user:dana", "prompt", {"name": "gw", "principals": ["user:*"]})
	codes(identity.reasons) == {"CALLER_NOT_PERMITTED"} with input as pep_input("user:dana", "prompt", {"name": "gw", "principals": ["agent:*", "user:sam"]})
	codes(identity.reasons) == set() with input as pep_input("user:dana", "prompt", {"name": "gw", "principals": ["user:d?na"]})
	codes(identity.reasons) == set() with input as pep_input("user:dana", "prompt", {"name": "gw"})
	codes(identity.reasons) == set() with input as pep_input("user:dana", "prompt", null)
}

test_caller_events if {
	codes(identity.reasons) == set() with input as pep_input("user:dana", "prompt", {"name": "gw", "events": ["prompt", "output"]})
	codes(identity.reasons) == {"CALLER_NOT_PERMITTED"} with input as pep_input("user:dana", "tool_call", {"name": "gw", "events": ["prompt"]})
}
