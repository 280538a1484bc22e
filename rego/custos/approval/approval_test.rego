package custos.approval_test

import data.custos.approval

codes(rs) := {r.code | some r in rs}

now := 1763633100

binding := {"session": "s1", "identity": "service:model-trainer", "action": "deploy", "resource": "model:fin-forecaster", "tool": "", "arguments_digest": ""}

request(id) := {"session": {"id": "s1"}, "identity": {"id": "service:model-trainer"}, "action": "deploy", "resource": {"id": "model:fin-forecaster"}, "context": {"approval_id": id}}

record(status, approver, overrides) := object.union(
	{"id": "apr-1", "status": status, "binding": binding, "expires_at": now + 600, "approver": approver},
	overrides,
)

doc(req, appr) := {"request": req, "now": now, "facts": {"binding": binding}, "state": {"approval": appr}}

test_no_approval_escalates if {
	codes(approval.reasons) == {"APPROVAL_REQUIRED"} with input as doc(object.remove(request("x"), ["context"]), null)
}

test_pending_still_escalates if {
	codes(approval.reasons) == {"APPROVAL_REQUIRED"} with input as doc(request("apr-1"), record("pending", null, {}))
}

test_granted_by_approver_passes if {
	codes(approval.reasons) == set() with input as doc(request("apr-1"), record("granted", {"id": "user:grace", "groups": []}, {}))
}

test_invalid_approvals if {
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-x"), null)
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("denied", {"id": "user:grace", "groups": []}, {}))
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("consumed", {"id": "user:grace", "groups": []}, {}))
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("granted", {"id": "user:grace", "groups": []}, {"expires_at": now}))
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("granted", {"id": "user:grace", "groups": []}, {"binding": object.union(binding, {"resource": "model:other"})}))
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("granted", {"id": "user:sam", "groups": ["ai-governance"]}, {}))
}

test_unregistered_approver_uses_granted_groups if {
	codes(approval.reasons) == set() with input as doc(request("apr-1"), record("granted", {"id": "ext:auditor", "groups": ["ai-governance"]}, {}))
}

test_separation_of_duties if {
	codes(approval.reasons) == {"SEPARATION_OF_DUTIES"} with input as doc(request("apr-1"), record("granted", {"id": "service:model-trainer", "groups": []}, {}))
	codes(approval.reasons) == {"SEPARATION_OF_DUTIES"} with input as doc(
		object.union(request("apr-1"), {"identity": {"id": "service:model-trainer", "on_behalf_of": [{"id": "user:grace"}]}}),
		record("granted", {"id": "user:grace", "groups": []}, {}),
	)
}

messages(rs) := {r.message | some r in rs}

test_a_grant_names_a_registered_or_grouped_approver if {
	rs := approval.reasons with input as doc(request("apr-1"), record("granted", null, {}))
	codes(rs) == {"APPROVAL_INVALID"}
	some m in messages(rs)
	contains(m, "the approval names no approver")
}

test_record_must_be_the_presented_one_and_well_formed if {
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-2"), record("granted", {"id": "user:grace", "groups": []}, {}))
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), object.remove(record("granted", {"id": "user:grace", "groups": []}, {}), ["expires_at"]))
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("approved", {"id": "user:grace", "groups": []}, {}))
}

test_expired_pending_approval_is_invalid_not_pending if {
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(request("apr-1"), record("pending", null, {"expires_at": now - 1}))
}

test_no_approval_needed_no_reasons if {
	req := object.union(request("apr-x"), {"action": "invoke"})
	codes(approval.reasons) == set() with input as doc(req, null)
}

pii_request(id) := {"session": {"id": "s1"}, "identity": {"id": "user:priya"}, "action": "read", "resource": {"id": "dataset:payroll"}, "context": {"approval_id": id}}

test_pii_review_is_settled_by_an_approval if {
	no_id := object.remove(pii_request("x"), ["context"])
	codes(approval.reasons) == set() with input as doc(no_id, null) with data.custos.content.pii_review as true
	codes(approval.reasons) == {"APPROVAL_REQUIRED"} with input as doc(pii_request("apr-1"), record("pending", null, {})) with data.custos.content.pii_review as true
	codes(approval.reasons) == {"APPROVAL_INVALID"} with input as doc(pii_request("apr-1"), record("denied", {"id": "user:grace", "groups": []}, {})) with data.custos.content.pii_review as true
	approval.granted with input as doc(pii_request("apr-1"), record("granted", {"id": "user:grace", "groups": []}, {})) with data.custos.content.pii_review as true
	codes(approval.reasons) == set() with input as doc(pii_request("apr-1"), record("granted", {"id": "user:grace", "groups": []}, {})) with data.custos.content.pii_review as true
}
