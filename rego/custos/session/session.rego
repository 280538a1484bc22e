# The session ledger as the policy sees it: terminated sessions, egress after restricted data, flagged principals.
package custos.session

import data.custos.lib

reasons contains lib.reason("SESSION_TERMINATED", "the session has been terminated; an admin must resume it") if {
	input.state.session.terminated == true
}

# Restricted data seen earlier in the session (its high-water mark) or carried by this very request.
restricted_seen contains "the session has seen restricted data" if input.state.session.max_classification == "restricted"

restricted_seen contains "the request carries restricted data" if lib.request_rank == lib.rank.restricted

# Egress: data leaving for anywhere not known to be internal. An output or tool_call is internal only when it says
# `destination: "internal"` (a missing destination is not internal); a prompt or model_access leaves when it says
# `destination: "external"`, when the registered model is `external: true`, or when it names no registered resource
# and no internal destination (the model it reaches is unknown).
egress if {
	lib.request.event in {"output", "tool_call"}
	not lib.request.data.destination == "internal"
}

egress if {
	lib.request.event in {"prompt", "model_access"}
	lib.request.data.destination == "external"
}

egress if {
	lib.request.event in {"prompt", "model_access"}
	lib.resource.external == true
}

egress if {
	lib.request.event in {"prompt", "model_access"}
	not lib.resource
	not lib.request.data.destination == "internal"
}

reasons contains lib.reason("RESTRICTED_DATA_EGRESS", concat("", [lib.list(restricted_seen), "; egress to anywhere not known to be internal is denied"])) if {
	count(restricted_seen) > 0
	egress
}

# A high or critical signal on the identity, or on anyone it acts for (the delegators' signals are read with it).
flagged_principals contains {"id": lib.identity.id, "signals": object.get(input.state.principal, "signals", [])}

flagged_principals contains d if some d in object.get(input.state, "delegators", [])

flags := {concat("", [s.kind, " (", s.severity, ")"]) |
	some p in flagged_principals
	some s in object.get(p, "signals", [])
	s.severity in {"high", "critical"}
	active(s)
}

# The store passes only unexpired signals; a signal without an expiry counts as active.
active(s) if s.expires_at > input.now

active(s) if not expiring(s)

expiring(s) if is_number(s.expires_at)

reasons contains lib.reason("PRINCIPAL_FLAGGED", concat("", ["the identity or its delegation chain carries a risk signal: ", lib.list(flags)])) if {
	count(flags) > 0
}
