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

cred(type, facts) := {
	"request": {"identity": {"id": "user:dana", "credential": {"id": "MARKER-cred", "type": type}}},
	"now": now, "facts": {"credential": facts}, "state": {"credential": {"revoked": false}},
}

test_issued_in_the_future_beyond_the_skew if {
	codes(credential.reasons) == {"CREDENTIAL_INVALID"} with input as cred("jwt", {"issued_at": now + 61, "expires_at": now + 600})
	codes(credential.reasons) == {"CREDENTIAL_INVALID"} with input as cred("api_key", {"issued_at": now + 86400})
	codes(credential.reasons) == set() with input as cred("jwt", {"issued_at": now + 60, "expires_at": now + 600})
	codes(credential.reasons) == set() with input as cred("jwt", {"issued_at": now + 300, "expires_at": now + 600}) with data.governance.settings.credential_clock_skew_seconds as 300
}

test_expiring_before_issued if {
	codes(credential.reasons) == {"CREDENTIAL_EXPIRED", "CREDENTIAL_INVALID"} with input as cred("jwt", {"issued_at": now - 10, "expires_at": now - 20})
	codes(credential.reasons) == {"CREDENTIAL_INVALID"} with input as cred("mtls_cert", {"issued_at": now + 30, "expires_at": now + 10})
}

test_tokens_must_expire if {
	every type in ["jwt", "oauth_token", "workload_identity"] {
		codes(credential.reasons) == {"CREDENTIAL_REQUIRED"} with input as cred(type, {"issued_at": now - 60})
		codes(credential.reasons) == {"CREDENTIAL_REQUIRED"} with input as cred(type, {})
	}
	codes(credential.reasons) == set() with input as cred("api_key", {"issued_at": now - 60})
	codes(credential.reasons) == set() with input as cred("mtls_cert", {})
}

test_lifetime_without_issue_time_counts_from_now if {
	codes(credential.reasons) == {"CREDENTIAL_TTL_TOO_LONG"} with input as cred("jwt", {"expires_at": now + 86400})
	codes(credential.reasons) == set() with input as cred("jwt", {"expires_at": now + 600})
}

test_messages_never_quote_the_credential if {
	rs1 := credential.reasons with input as cred("jwt", {"issued_at": now + 600, "expires_at": now - 1})
	every r in rs1 {
		not contains(r.message, "MARKER")
	}
	count(credential.reasons) > 0 with input as cred("jwt", {"issued_at": now + 600, "expires_at": now - 1})
}

verified_input(verified, type) := {
	"request": {"identity": {"id": "agent:support-summarizer", "type": type, "credential": {"id": "t1", "type": "jwt"}}},
	"now": now, "facts": {"credential": {"issued_at": now - 60, "expires_at": now + 600}},
	"state": {"credential": {"revoked": false}},
	"verified": verified,
}

test_verified_token_passes if {
	codes(credential.reasons) == set() with input as verified_input({"presented": true, "ok": true, "issuer": "https://idp", "token_digest": "d", "contradictions": []}, "agent")
}

test_failed_verification_is_invalid_and_names_the_check if {
	rs := credential.reasons with input as verified_input({"presented": true, "ok": false, "check": "audience", "message": "the token is not meant for this service (audience)", "token_digest": "d", "contradictions": []}, "agent")
	codes(rs) == {"CREDENTIAL_INVALID"}
	some r in rs
	contains(r.message, "(audience)")
}

test_no_verifier_outcome_means_no_token if {
	codes(credential.reasons) == set() with input as object.remove(verified_input({}, "agent"), ["verified"])
}

test_verified_credential_required if {
	codes(credential.reasons) == {"CREDENTIAL_REQUIRED"} with input as verified_input({"presented": false, "ok": false}, "agent")
		with data.governance.settings.verified_credential_required as ["agent", "service"]
	codes(credential.reasons) == set() with input as verified_input({"presented": false, "ok": false}, "human")
		with data.governance.settings.verified_credential_required as ["agent", "service"]
	codes(credential.reasons) == {"CREDENTIAL_INVALID", "CREDENTIAL_REQUIRED"} with input as verified_input({"presented": true, "ok": false, "check": "signature", "token_digest": "d", "contradictions": []}, "agent")
		with data.governance.settings.verified_credential_required as ["agent"]
	codes(credential.reasons) == set() with input as verified_input({"presented": true, "ok": true, "token_digest": "d", "contradictions": []}, "agent")
		with data.governance.settings.verified_credential_required as ["agent"]
}

test_verified_credential_not_required_by_default if {
	codes(credential.reasons) == set() with input as verified_input({"presented": false, "ok": false}, "agent")
}
