package custos.main_test

import data.custos.main

now := 1763633100

empty_state := {"session": {"risk": 0, "violations": 0, "terminated": false, "max_classification": null}, "credential": {"revoked": false}, "principal": {"signals": []}, "approval": null}

doc(request, findings, state) := {"request": request, "now": now, "facts": {"credential": {}, "tool_paths": [], "findings": findings, "binding": {}}, "state": state}

support := {
	"session": {"id": "s1"}, "event": "retrieval",
	"identity": {"id": "agent:support-summarizer", "type": "agent", "on_behalf_of": [{"id": "user:dana", "type": "human"}]},
	"action": "read", "resource": {"id": "dataset:support-cases"}, "purpose": "customer_support",
}

test_allow_with_classification if {
	d := main.decision with input as doc(support, [], empty_state)
	d.decision == "allow"
	d.reasons == []
	d.classification == "confidential"
	d.risk_delta == 0
	d.violation == false
}

test_deny_wins_and_merges_one_reason_per_code if {
	d := main.decision with input as doc(object.union(support, {"purpose": "marketing", "identity": {"on_behalf_of": [{"id": "user:x", "type": "human"}]}}), [], empty_state)
	d.decision == "deny"
	[r.code | some r in d.reasons] == ["PURPOSE_NOT_APPROVED", "SCOPE_MISSING", "UNREGISTERED_IDENTITY"]
	d.violation == true
	d.risk_delta == 30
}

test_secret_review_and_pii_redact if {
	secret := {"rule": "r", "kind": "secret", "type": "github-token", "severity": "critical", "location": {"field": "data.text", "start": 0, "end": 1}, "fingerprint": "f"}
	d := main.decision with input as doc(support, [secret], empty_state)
	d.decision == "deny"
	d.obligations == [{"type": "review"}]
	pii := object.union(secret, {"kind": "pii", "type": "email"})
	d2 := main.decision with input as doc(support, [pii], empty_state)
	d2.decision == "allow"
	d2.obligations == [{"type": "redact"}]
}

test_pii_escalation_is_held_for_approval if {
	pii := {"rule": "r", "kind": "pii", "type": "us-ssn", "severity": "high", "location": {"field": "data.text", "start": 0, "end": 1}, "fingerprint": "f"}
	restricted := object.union(empty_state, {"session": {"max_classification": "restricted"}})
	d := main.decision with input as doc(support, [pii], restricted)
	d.decision == "escalate"
	[r.code | some r in d.reasons] == ["PII_IN_CONTENT"]
	d.obligations == [{"type": "review"}, {"type": "approval"}]
}

test_escalate_carries_approval_obligation if {
	req := {"session": {"id": "s1"}, "event": "model_access", "identity": {"id": "service:model-trainer", "type": "service"}, "action": "train", "resource": {"id": "model:fin-forecaster"}, "purpose": "model_training"}
	d := main.decision with input as doc(req, [], empty_state)
	d.decision == "escalate"
	d.obligations == [{"type": "approval"}]
	d.violation == false
}

test_risk_threshold_terminates if {
	state := object.union(empty_state, {"session": {"risk": 95}})
	d := main.decision with input as doc(object.union(support, {"purpose": "marketing"}), [], state)
	"RISK_THRESHOLD_EXCEEDED" in {r.code | some r in d.reasons}
	d.terminate == true
	{"type": "session_termination"} in d.obligations
}

test_terminated_session_is_not_a_new_violation if {
	state := object.union(empty_state, {"session": {"terminated": true, "risk": 500}})
	d := main.decision with input as doc(support, [], state)
	[r.code | some r in d.reasons] == ["SESSION_TERMINATED"]
	d.violation == false
	d.terminate == false
}

test_flagged_principal_terminates if {
	state := object.union(empty_state, {"principal": {"signals": [{"kind": "k", "severity": "high", "expires_at": now + 10}]}})
	d := main.decision with input as doc(support, [], state)
	d.decision == "deny"
	d.terminate == true
	d.obligations == [{"type": "session_termination"}]
}

test_violation_needs_a_deny_other_than_the_termination if {
	pii := {"rule": "r", "kind": "pii", "type": "email", "severity": "medium", "location": {"field": "data.text", "start": 0, "end": 1}, "fingerprint": "f"}
	terminated := object.union(empty_state, {"session": {"terminated": true}})
	d := main.decision with input as doc(support, [pii], terminated)
	d.decision == "deny"
	d.violation == false
	d2 := main.decision with input as doc(object.union(support, {"purpose": "marketing"}), [], terminated)
	d2.violation == true
}

test_reasons_have_exactly_the_contract_fields if {
	d := main.decision with input as doc(object.union(support, {"purpose": "marketing"}), [], empty_state)
	every r in d.reasons {
		object.keys(r) == {"code", "message", "severity", "controls"}
	}
}

test_catalogue_covers_every_code_with_controls if {
	count(data.custos.catalogue) == 36
	every code, entry in data.custos.catalogue {
		entry.severity in {"low", "medium", "high", "critical"}
		entry.effect in {"deny", "escalate", "info"}
		count(entry.controls) > 0
		is_string(entry.title)
		is_string(entry.outcome)
		regex.match(`^[A-Z_]+$`, code)
	}
}

codes_of(d) := {r.code | some r in d.reasons}

test_registry_variants_are_denied_by_default if {
	deploy := {
		"session": {"id": "s1"}, "event": "model_access", "identity": {"id": "service:model-trainer", "type": "service"},
		"action": "deploy", "resource": {"id": "model:fin-forecaster "}, "purpose": "model_training",
	}
	d1 := main.decision with input as doc(deploy, [], empty_state)
	d1.decision == "deny"
	"RESOURCE_UNREGISTERED" in codes_of(d1)
	export := {
		"session": {"id": "s1"}, "event": "output", "identity": {"id": "user:priya", "type": "human"},
		"action": "export", "resource": {"id": "dataset:Payroll"}, "purpose": "payroll_review",
		"data": {"destination": "external"}, "context": {"device": {"managed": true, "compliant": true}},
	}
	d2 := main.decision with input as doc(export, [], empty_state)
	d2.decision == "deny"
	"RESOURCE_UNREGISTERED" in codes_of(d2)
	every action in ["delete", "execute"] {
		repo := {
			"session": {"id": "s1"}, "event": "tool_call", "identity": {"id": "user:sam", "type": "human", "scopes": ["repo:read"]},
			"action": action, "resource": {"id": "repository:custos-app"}, "purpose": "software_development",
		}
		d3 := main.decision with input as doc(repo, [], empty_state)
		d3.decision == "deny"
		"ACTION_NOT_PERMITTED" in codes_of(d3)
	}
}

test_no_reason_message_quotes_request_values if {
	marked := {
		"session": {"id": "MARKER-s"}, "event": "tool_call",
		"identity": {
			"id": "MARKER-id", "type": "agent", "scopes": ["MARKER-scope"],
			"credential": {"id": "MARKER-cred", "type": "jwt"},
			"on_behalf_of": [{"id": "MARKER-d", "type": "human", "scopes": ["MARKER-ds"]}],
		},
		"action": "read", "resource": {"id": "MARKER-res", "type": "dataset"},
		"tool": {"server": "MARKER-srv", "name": "MARKER-tool", "arguments": {"path": "MARKER-path"}},
		"data": {"labels": ["MARKER-label"], "destination": "external"}, "purpose": "MARKER-purpose",
		"context": {"approval_id": "MARKER-apr"},
	}
	d := main.decision with input as doc(marked, [], object.union(empty_state, {"session": {"max_classification": "restricted"}}))
	d.decision == "deny"
	count(d.reasons) > 3
	every r in d.reasons {
		not contains(r.message, "MARKER")
	}
}

test_principal_risk_across_sessions_flags_and_terminates if {
	state := object.union(empty_state, {"principal": {"signals": [], "risk": 290}})
	bad := object.union(support, {"purpose": "marketing"})
	d := main.decision with input as doc(bad, [], state)
		with data.governance.settings.principal_risk_threshold as 300
	"PRINCIPAL_FLAGGED" in {r.code | some r in d.reasons}
	d.terminate == true
	{"type": "session_termination"} in d.obligations
	d2 := main.decision with input as doc(bad, [], object.union(empty_state, {"principal": {"signals": [], "risk": 100}}))
		with data.governance.settings.principal_risk_threshold as 300
	not "PRINCIPAL_FLAGGED" in {r.code | some r in d2.reasons}

	# A decision that adds no risk does not flag, whatever the window holds (the signal does that).
	d3 := main.decision with input as doc(support, [], object.union(empty_state, {"principal": {"signals": [], "risk": 500}}))
		with data.governance.settings.principal_risk_threshold as 300
	d3.decision == "allow"
}

test_credential_misuse_terminates if {
	state := object.union(empty_state, {"credential": {"revoked": false, "principals": [{"id": "agent:other", "first_seen": 1, "last_seen": 2}]}})
	d := main.decision with input as doc(support, [], state)
	d.decision == "deny"
	"CREDENTIAL_MISUSE" in {r.code | some r in d.reasons}
	d.terminate == true
}

test_taint_and_labels_out if {
	d := main.decision with input as doc(object.union(support, {"data": {"labels": ["b", "a"]}}), [], empty_state)
	d.taint == false
	d.labels == ["a", "b", "customer_data"]
	d2 := main.decision with input as doc(support, [], empty_state)
	d2.labels == ["customer_data"]
}

test_monitored_code_changes_neither_decision_nor_obligations if {
	secret := {"rule": "r", "kind": "secret", "type": "github-token", "severity": "critical", "location": {"field": "data.text", "start": 0, "end": 1}, "fingerprint": "f"}
	d := main.decision with input as doc(support, [secret], empty_state) with data.governance.settings.monitor_codes as ["SECRET_IN_CONTENT"]
	d.decision == "allow"
	d.reasons == []
	d.obligations == []
	d.risk_delta == 0
	d.violation == false
	[r.code | some r in d.monitored] == ["SECRET_IN_CONTENT"]
	d.monitored[0].severity == data.custos.catalogue.SECRET_IN_CONTENT.severity
}

test_monitoring_one_code_keeps_the_others_enforced if {
	req := object.union(support, {"purpose": "marketing", "identity": {"on_behalf_of": [{"id": "user:x", "type": "human"}]}})
	d := main.decision with input as doc(req, [], empty_state) with data.governance.settings.monitor_codes as ["SCOPE_MISSING"]
	d.decision == "deny"
	[r.code | some r in d.reasons] == ["PURPOSE_NOT_APPROVED", "UNREGISTERED_IDENTITY"]
	[r.code | some r in d.monitored] == ["SCOPE_MISSING"]
	d.risk_delta == 20
}

test_monitored_risk_does_not_reach_the_threshold if {
	near := object.union(empty_state, {"session": {"risk": 95}})
	req := object.union(support, {"purpose": "marketing"})
	d := main.decision with input as doc(req, [], near) with data.governance.settings.monitor_codes as ["PURPOSE_NOT_APPROVED"]
	d.decision == "allow"
	d.terminate == false
	[r.code | some r in d.monitored] == ["PURPOSE_NOT_APPROVED"]
}

test_monitor_codes_that_are_not_a_list_monitor_nothing if {
	req := object.union(support, {"purpose": "marketing"})
	d := main.decision with input as doc(req, [], empty_state) with data.governance.settings.monitor_codes as "PURPOSE_NOT_APPROVED"
	d.decision == "deny"
	d.monitored == []
}

test_no_monitor_codes_no_monitored if {
	d := main.decision with input as doc(support, [], empty_state)
	d.monitored == []
}
