# The presented credential: expiry, token lifetime, static key age and revocation (times are Unix seconds from
# facts.credential; the clock is input.now, never the PEP's).
package custos.credential

import data.custos.lib

facts := object.get(input.facts, "credential", {})

token_types := {"oauth_token", "jwt", "workload_identity"}

credential_type := lib.identity.credential.type

credential_label := concat("", ["credential ", object.get(lib.identity.credential, "id", "(no id)")])

reasons contains lib.reason("CREDENTIAL_EXPIRED", concat("", [credential_label, " has expired"])) if {
	facts.expires_at <= input.now
}

reasons contains lib.reason("CREDENTIAL_TTL_TOO_LONG", msg) if {
	credential_type in token_types
	ttl := facts.expires_at - facts.issued_at
	max_ttl := lib.setting("max_token_ttl_seconds")
	ttl > max_ttl
	msg := concat("", [credential_label, " lives ", format_int(ttl, 10), " s; at most ", format_int(max_ttl, 10), " s allowed"])
}

reasons contains lib.reason("STATIC_KEY_TOO_OLD", msg) if {
	credential_type == "api_key"
	age_days := floor((input.now - facts.issued_at) / 86400)
	max_days := lib.setting("max_static_key_age_days")
	input.now - facts.issued_at > max_days * 86400
	msg := concat("", [credential_label, " is ", format_int(age_days, 10), " days old; rotate keys within ", format_int(max_days, 10), " days"])
}

reasons contains lib.reason("CREDENTIAL_REVOKED", concat("", [credential_label, " has been revoked"])) if {
	input.state.credential.revoked == true
}
