package custos.lib_test

import data.custos.lib

test_request_rank_takes_the_higher_of_data_and_resource if {
	lib.request_classification == "restricted" with input as {"request": {
		"resource": {"id": "dataset:payroll"},
		"data": {"classification": "internal"},
	}}
	lib.request_classification == "confidential" with input as {"request": {"data": {"classification": "confidential"}}}
	not lib.request_rank with input as {"request": {}}
}

test_reason_carries_catalogue_severity_and_controls if {
	r := lib.reason("SCOPE_MISSING", "m")
	r.severity == "high"
	count(r.controls) > 0
	r.effect == "deny"
}

test_missing_settings_fall_back_to_the_documented_defaults if {
	lib.setting("max_delegation_depth") == 2 with data.governance as {"principals": {}}
	lib.setting("risk_threshold") == 7 with data.governance.settings as {"risk_threshold": 7}
	lib.setting("approver_groups") == [] with data.governance as {}
}
