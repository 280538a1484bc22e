package custos.usage_test

import data.custos.usage

codes(rs) := {r.code | some r in rs}

quota(n) := {"id": "q1", "per": "principal", "max": 50, "window_seconds": 60, "count": n}

test_quota_reached if {
	codes(usage.reasons) == {"QUOTA_EXCEEDED"} with input as {"request": {"identity": {"id": "a"}}, "state": {"credential": {}, "quotas": [quota(50)]}}
	codes(usage.reasons) == {"QUOTA_EXCEEDED"} with input as {"request": {"identity": {"id": "a"}}, "state": {"credential": {}, "quotas": [quota(49), quota(51)]}}
	codes(usage.reasons) == set() with input as {"request": {"identity": {"id": "a"}}, "state": {"credential": {}, "quotas": [quota(49)]}}
	codes(usage.reasons) == set() with input as {"request": {"identity": {"id": "a"}}, "state": {"credential": {}}}
}

test_credential_of_another_principal if {
	first := {"id": "agent:a", "first_seen": 1000, "last_seen": 5000}
	later := {"id": "agent:b", "first_seen": 2000, "last_seen": 6000}
	codes(usage.reasons) == {"CREDENTIAL_MISUSE"} with input as {"request": {"identity": {"id": "agent:b"}}, "state": {"credential": {"principals": [first, later]}}}
	codes(usage.reasons) == {"CREDENTIAL_MISUSE"} with input as {"request": {"identity": {"id": "agent:c"}}, "state": {"credential": {"principals": [first]}}}
	codes(usage.reasons) == set() with input as {"request": {"identity": {"id": "agent:a"}}, "state": {"credential": {"principals": [first, later]}}}
	codes(usage.reasons) == set() with input as {"request": {"identity": {"id": "agent:a"}}, "state": {"credential": {"principals": []}}}
}

test_misuse_check_off if {
	first := {"id": "agent:a", "first_seen": 1000, "last_seen": 5000}
	codes(usage.reasons) == set() with input as {"request": {"identity": {"id": "agent:b"}}, "state": {"credential": {"principals": [first]}}}
		with data.governance.settings.credential_misuse_window_seconds as 0
}

test_tie_on_first_seen_goes_to_the_smaller_id if {
	a := {"id": "agent:a", "first_seen": 1000, "last_seen": 5000}
	b := {"id": "agent:b", "first_seen": 1000, "last_seen": 5000}
	codes(usage.reasons) == {"CREDENTIAL_MISUSE"} with input as {"request": {"identity": {"id": "agent:b"}}, "state": {"credential": {"principals": [b, a]}}}
}
