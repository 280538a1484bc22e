package custos.session_test

import data.custos.session

codes(rs) := {r.code | some r in rs}

now := 1763633100

test_terminated_session if {
	codes(session.reasons) == {"SESSION_TERMINATED"} with input as {"request": {}, "now": now, "state": {"session": {"terminated": true}}}
}

test_restricted_high_water_mark_blocks_external_egress if {
	codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": "output", "data": {"destination": "external"}}, "now": now, "state": {"session": {"max_classification": "restricted"}}}
	codes(session.reasons) == set() with input as {"request": {"event": "output", "data": {"destination": "internal"}}, "now": now, "state": {"session": {"max_classification": "restricted"}}}
	codes(session.reasons) == set() with input as {"request": {"event": "output", "data": {"destination": "external"}}, "now": now, "state": {"session": {"max_classification": "confidential"}}}
}

test_flagged_principal if {
	codes(session.reasons) == {"PRINCIPAL_FLAGGED"} with input as {"request": {"identity": {"id": "user:dana"}}, "now": now, "state": {"principal": {"signals": [{"kind": "impossible_travel", "severity": "critical", "expires_at": now + 60}]}}}
	codes(session.reasons) == set() with input as {"request": {"identity": {"id": "user:dana"}}, "now": now, "state": {"principal": {"signals": [{"kind": "x", "severity": "high", "expires_at": now}]}}}
	codes(session.reasons) == set() with input as {"request": {"identity": {"id": "user:dana"}}, "now": now, "state": {"principal": {"signals": [{"kind": "x", "severity": "medium", "expires_at": now + 60}]}}}
}

test_restricted_data_in_the_request_itself_may_not_leave if {
	codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": "tool_call", "data": {"classification": "restricted", "destination": "external"}}, "now": now, "state": {"session": {"max_classification": null}}}
	codes(session.reasons) == set() with input as {"request": {"event": "retrieval", "data": {"classification": "restricted", "destination": "external"}}, "now": now, "state": {"session": {"max_classification": null}}}
}

test_signal_without_expiry_counts if {
	codes(session.reasons) == {"PRINCIPAL_FLAGGED"} with input as {"request": {"identity": {"id": "user:dana"}}, "now": now, "state": {"principal": {"signals": [{"kind": "k", "severity": "high"}]}}}
}

restricted := {"session": {"max_classification": "restricted"}}

test_missing_destination_is_not_internal if {
	every event in ["output", "tool_call"] {
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event}, "now": now, "state": restricted}
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event, "data": {}}, "now": now, "state": restricted}
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event, "data": {"destination": "Internal"}}, "now": now, "state": restricted}
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event, "data": {"destination": "internal "}}, "now": now, "state": restricted}
		codes(session.reasons) == set() with input as {"request": {"event": event, "data": {"destination": "internal"}}, "now": now, "state": restricted}
	}
}

test_prompt_and_model_access_to_an_external_or_unknown_model_are_egress if {
	every event in ["prompt", "model_access"] {
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event, "resource": {"id": "model:support-llm"}, "data": {"destination": "external"}}, "now": now, "state": restricted}
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event, "resource": {"id": "model:partner-llm"}}, "now": now, "state": restricted}
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event}, "now": now, "state": restricted}
		codes(session.reasons) == {"RESTRICTED_DATA_EGRESS"} with input as {"request": {"event": event, "resource": {"id": "Model:support-llm"}}, "now": now, "state": restricted}
		codes(session.reasons) == set() with input as {"request": {"event": event, "resource": {"id": "model:support-llm"}}, "now": now, "state": restricted}
		codes(session.reasons) == set() with input as {"request": {"event": event, "data": {"destination": "internal"}}, "now": now, "state": restricted}
		codes(session.reasons) == set() with input as {"request": {"event": event, "resource": {"id": "model:partner-llm"}}, "now": now, "state": {"session": {"max_classification": "confidential"}}}
	}
	codes(session.reasons) == set() with input as {"request": {"event": "retrieval"}, "now": now, "state": restricted}
}

test_flagged_delegator_stops_the_agent_acting_for_her if {
	agent := {"id": "agent:a", "on_behalf_of": [{"id": "user:dana"}]}
	flagged := [{"id": "user:dana", "signals": [{"kind": "unusual_privilege_use", "severity": "high", "expires_at": now + 60}]}]
	codes(session.reasons) == {"PRINCIPAL_FLAGGED"} with input as {"request": {"identity": agent}, "now": now, "state": {"principal": {"signals": []}, "delegators": flagged}}
	calm := [{"id": "user:dana", "signals": [{"kind": "k", "severity": "low", "expires_at": now + 60}]}]
	codes(session.reasons) == set() with input as {"request": {"identity": agent}, "now": now, "state": {"principal": {"signals": []}, "delegators": calm}}
}
