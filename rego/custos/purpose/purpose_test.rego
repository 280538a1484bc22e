package custos.purpose_test

import data.custos.purpose

codes(rs) := {r.code | some r in rs}

test_missing_purpose_is_not_approved if {
	codes(purpose.reasons) == {"PURPOSE_NOT_APPROVED"} with input as {"request": {"identity": {"id": "user:dana"}}}
}

test_purpose_must_fit_identity_and_resource if {
	codes(purpose.reasons) == set() with input as {"request": {"identity": {"id": "user:dana"}, "purpose": "customer_support", "resource": {"id": "dataset:support-cases"}}}
	codes(purpose.reasons) == {"PURPOSE_NOT_APPROVED"} with input as {"request": {"identity": {"id": "user:dana"}, "purpose": "marketing"}}
	codes(purpose.reasons) == {"PURPOSE_NOT_APPROVED"} with input as {"request": {"identity": {"id": "user:priya"}, "purpose": "financial_analysis", "resource": {"id": "dataset:payroll"}}}
}
