package custos.content_test

import data.custos.content

codes(rs) := {r.code | some r in rs}

finding(kind, type) := {"rule": type, "kind": kind, "type": type, "severity": "high", "location": {"field": "data.text", "start": 0, "end": 1}, "fingerprint": "f"}

base := {"request": {"identity": {"id": "user:dana"}, "data": {}}, "state": {"session": {"max_classification": null}}}

test_secret_denies if {
	codes(content.reasons) == {"SECRET_IN_CONTENT"} with input as object.union(base, {"facts": {"findings": [finding("secret", "aws-access-key")]}})
}

test_pii_redacts_or_escalates_when_restricted if {
	rs := content.reasons with input as object.union(base, {"facts": {"findings": [finding("pii", "email")]}})
	{r.effect | some r in rs} == {"info"}
	rs2 := content.reasons with input as object.union(base, {"facts": {"findings": [finding("pii", "email")]}, "state": {"session": {"max_classification": "restricted"}}})
	{r.effect | some r in rs2} == {"escalate"}
	rs3 := content.reasons with input as object.union(base, {"request": {"identity": {"id": "user:priya"}, "resource": {"id": "dataset:payroll"}}, "facts": {"findings": [finding("pii", "us-ssn")]}})
	{r.effect | some r in rs3} == {"escalate"}
}

test_protected_labels_may_not_leave if {
	codes(content.reasons) == {"PROTECTED_DATA_EXPORT"} with input as {"request": {"action": "export", "resource": {"id": "dataset:payroll"}, "data": {}}}
	codes(content.reasons) == {"PROTECTED_DATA_EXPORT"} with input as {"request": {"data": {"labels": ["compensation"], "destination": "external"}}}
	codes(content.reasons) == set() with input as {"request": {"data": {"labels": ["compensation"], "destination": "internal"}}}
}

test_pii_in_restricted_context_approved_is_redacted_not_escalated if {
	restricted := object.union(base, {"facts": {"findings": [finding("pii", "email")]}, "state": {"session": {"max_classification": "restricted"}}})
	rs := content.reasons with input as object.union(restricted, {"state": {"approval": {"approver": {"id": "user:grace"}}}})
		with data.custos.approval.granted as true
	{r.effect | some r in rs} == {"info"}
	content.pii_review with input as restricted
}
