package custos.credential_test

import data.custos.credential

codes(rs) := {r.code | some r in rs}

now := 1763633100

test_valid_token if {
	codes(credential.reasons) == set() with input as {
		"request": {"identity": {"id": "user:dana", "credential": {"id": "t1", "type": "jwt"}}},
		"now": now, "facts": {"credential": {"issued_at": now - 60, "expires_at": now + 600}},
		"state": {"credential": {"revoked": false}},
	}
}

test_expired if {
	codes(credential.reasons) == {"CREDENTIAL_EXPIRED"} with input as {
		"request": {"identity": {"id": "user:dana", "credential": {"id": "t1", "type": "jwt"}}},
		"now": now, "facts": {"credential": {"issued_at": now - 600, "expires_at": now - 1}},
	}
}

test_token_lifetime_too_long if {
	codes(credential.reasons) == {"CREDENTIAL_TTL_TOO_LONG"} with input as {
		"request": {"identity": {"id": "user:dana", "credential": {"id": "t1", "type": "oauth_token"}}},
		"now": now, "facts": {"credential": {"issued_at": now - 60, "expires_at": now + 86400}},
	}
}

test_static_key_too_old if {
	codes(credential.reasons) == {"STATIC_KEY_TOO_OLD"} with input as {
		"request": {"identity": {"id": "user:dana", "credential": {"id": "k1", "type": "api_key"}}},
		"now": now, "facts": {"credential": {"issued_at": now - (91 * 86400)}},
	}
	codes(credential.reasons) == set() with input as {
		"request": {"identity": {"id": "user:dana", "credential": {"id": "k1", "type": "api_key"}}},
		"now": now, "facts": {"credential": {"issued_at": now - (89 * 86400)}},
	}
}

test_revoked if {
	codes(credential.reasons) == {"CREDENTIAL_REVOKED"} with input as {
		"request": {"identity": {"id": "user:dana", "credential": {"id": "k1", "type": "api_key"}}},
		"now": now, "facts": {"credential": {}}, "state": {"credential": {"revoked": true}},
	}
}
