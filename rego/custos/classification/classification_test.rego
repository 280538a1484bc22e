package custos.classification_test

import data.custos.classification

codes(rs) := {r.code | some r in rs}

compliant := {"device": {"managed": true, "compliant": true}}

test_clearance_of_identity_and_delegators if {
	codes(classification.reasons) == {"CLEARANCE_INSUFFICIENT"} with input as {"request": {"identity": {"id": "user:sam"}, "data": {"classification": "confidential"}, "context": compliant}}
	codes(classification.reasons) == {"CLEARANCE_INSUFFICIENT"} with input as {"request": {
		"identity": {"id": "agent:support-summarizer", "on_behalf_of": [{"id": "user:sam"}]},
		"resource": {"id": "dataset:support-cases"},
	}}
}

test_humans_need_compliant_devices_for_confidential if {
	codes(classification.reasons) == {"DEVICE_NOT_COMPLIANT"} with input as {"request": {"identity": {"id": "user:dana"}, "data": {"classification": "confidential"}}}
	codes(classification.reasons) == set() with input as {"request": {"identity": {"id": "user:dana"}, "data": {"classification": "confidential"}, "context": compliant}}
	codes(classification.reasons) == set() with input as {"request": {"identity": {"id": "user:dana"}, "data": {"classification": "internal"}}}
}

test_unknown_resource_variants_add_no_classification if {
	# Their classification is unknown; custos.resource denies them (RESOURCE_UNREGISTERED) before this matters.
	every id in ["dataset:Payroll", "dataset:payroll ", "DATASET:payroll"] {
		codes(classification.reasons) == set() with input as {"request": {"identity": {"id": "user:sam"}, "resource": {"id": id}, "context": compliant}}
	}
	codes(classification.reasons) == {"CLEARANCE_INSUFFICIENT"} with input as {"request": {"identity": {"id": "user:sam"}, "resource": {"id": "dataset:payroll"}, "context": compliant}}
}
