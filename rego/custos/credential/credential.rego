# The presented credential: expiry, token lifetime, static key age and revocation (times are Unix seconds from
# facts.credential; the clock is input.now, never the PEP's).
package custos.credential

import data.custos.lib

facts := object.get(input.facts, "credential", {})

token_types := {"oauth_token", "jwt", "workload_identity"}

credential_type := lib.identity.credential.type

# Messages never quote the presented credential (its id is request content).
credential_label := "the presented credential"

# Tolerated clock difference for an issue time in the future.
skew := lib.setting("credential_clock_skew_seconds")

reasons contains lib.reason("CREDENTIAL_INVALID", concat("", [credential_label, " is issued in the future (beyond ", format_int(skew, 10), " s of clock skew)"])) if {
	facts.issued_at > input.now + skew
}

reasons contains lib.reason("CREDENTIAL_INVALID", concat("", [credential_label, " expires before it is issued"])) if {
	facts.expires_at < facts.issued_at
}

# Tokens must expire: one presented without an expiry cannot be judged.
reasons contains lib.reason("CREDENTIAL_REQUIRED", concat("", [credential_label, " is a token without expires_at; tokens must expire"])) if {
	credential_type in token_types
	not expiring
}

expiring if is_number(facts.expires_at)

reasons contains lib.reason("CREDENTIAL_EXPIRED", concat("", [credential_label, " has expired"])) if {
	facts.expires_at <= input.now
}

reasons contains lib.reason("CREDENTIAL_TTL_TOO_LONG", msg) if {
	credential_type in token_types
	ttl := facts.expires_at - lifetime_start
	max_ttl := lib.setting("max_token_ttl_seconds")
	ttl > max_ttl
	msg := concat("", [credential_label, " lives ", format_int(ttl, 10), " s; at most ", format_int(max_ttl, 10), " s allowed"])
}

# Without an issue time the lifetime is what remains of it from now.
lifetime_start := facts.issued_at if is_number(facts.issued_at)

else := input.now

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

# The presented token's verification (input.verified, docs/policy-contract.md): Custos checked it by its own clock.
default verified := {"presented": false, "ok": false}

verified := input.verified if is_object(input.verified)

verified_ok if verified.ok == true

check_name := verified.check if is_string(verified.check)

else := "unknown"

check_message := verified.message if is_string(verified.message)

else := "verification failed"

# A token Custos cannot verify is never trusted, and never ignored: the facts beside it are unverifiable too.
reasons contains lib.reason("CREDENTIAL_INVALID", concat("", ["the presented token failed verification (", check_name, "): ", check_message])) if {
	verified.presented == true
	not verified_ok
}

# Principal types that must present a verified token (settings.verified_credential_required).
reasons contains lib.reason("CREDENTIAL_REQUIRED", concat("", ["a ", lib.identity.type, " must present a verified token"])) if {
	lib.identity.type in lib.setting("verified_credential_required")
	not verified_ok
}
