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

test_purpose_variants_and_unknown_identities_are_not_approved if {
	every p in ["Customer_support", "customer_support ", " customer_support", "customer-support"] {
		codes(purpose.reasons) == {"PURPOSE_NOT_APPROVED"} with input as {"request": {"identity": {"id": "user:dana"}, "purpose": p}}
	}

	# An unregistered look-alike is UNREGISTERED_IDENTITY (custos.identity), not judged here.
	codes(purpose.reasons) == set() with input as {"request": {"identity": {"id": "User:dana"}, "purpose": "customer_support"}}
}

test_messages_never_quote_the_purpose if {
	rs1 := purpose.reasons with input as {"request": {"identity": {"id": "user:dana"}, "purpose": "MARKER-p", "resource": {"id": "dataset:support-cases"}}}
	rs0 := purpose.reasons with input as {"request": {"identity": {"id": "user:MARKER"}, "purpose": "customer_support"}}
	every r in rs0 {
		not contains(r.message, "MARKER")
	}
	every r in rs1 {
		not contains(r.message, "MARKER")
	}
}
