# The session ledger as the policy sees it: terminated sessions, egress after restricted data, flagged principals.
package custos.session

import data.custos.lib

reasons contains lib.reason("SESSION_TERMINATED", "the session has been terminated; an admin must resume it") if {
	input.state.session.terminated == true
}

reasons contains lib.reason("RESTRICTED_DATA_EGRESS", "the session has seen restricted data; external egress is denied") if {
	input.state.session.max_classification == "restricted"
	lib.request.event in {"output", "tool_call"}
	lib.request.data.destination == "external"
}

flags := {concat("", [s.kind, " (", s.severity, ")"]) |
	some s in object.get(input.state.principal, "signals", [])
	s.severity in {"high", "critical"}
	s.expires_at > input.now
}

reasons contains lib.reason("PRINCIPAL_FLAGGED", concat("", [lib.identity.id, " is flagged: ", lib.list(flags)])) if {
	count(flags) > 0
}
