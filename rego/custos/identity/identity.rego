# Who is asking: a registered identity (and delegators), and an accountable owner for services and agents.
package custos.identity

import data.custos.lib

# Messages name registered principals only, never an asserted id.
reasons contains lib.reason("UNREGISTERED_IDENTITY", "the identity is not registered") if {
	not known(lib.identity.id)
}

# A helper for `not`: negating a built-in call on an undefined argument fails instead of succeeding.
known(id) if is_object(lib.principals[id])

reasons contains lib.reason("UNREGISTERED_IDENTITY", concat("", [format_int(count(unknown), 10), " delegator(s) in the chain not registered"])) if {
	unknown := {i | some i, d in lib.delegators; not known(d.id)}
	count(unknown) > 0
}

reasons contains lib.reason("OWNER_MISSING", concat("", [lib.identity.id, " (", p.type, ") has no accountable owner"])) if {
	p := lib.principal
	p.type in {"service", "agent"}
	not has_owner(p)
}

has_owner(p) if {
	is_string(p.owner)
	p.owner != ""
}

# Asserted facts that contradict the verified token (input.verified.contradictions: field names, never values).
reasons contains lib.reason("IDENTITY_MISMATCH", concat("", ["asserted ", concat(", ", sort(fields)), " contradict(s) the verified token"])) if {
	input.verified.ok == true
	fields := [f | some f in input.verified.contradictions; is_string(f)]
	count(fields) > 0
}

# The authenticated PEP (input.caller) and what its entry of the PEP tokens file restricts it to.
caller := input.caller if is_object(input.caller)

caller_name := caller.name if is_string(caller.name)

else := "(unnamed)"

# `*` matches any run of characters (`:` and `/` included), `?` one character.
speaks_for(id) if {
	some g in caller.principals
	glob.match(g, [], id)
}

reasons contains lib.reason("CALLER_NOT_PERMITTED", concat("", ["the PEP ", caller_name, " may not speak for this principal"])) if {
	is_array(caller.principals)
	not speaks_for(lib.identity.id)
}

reasons contains lib.reason("CALLER_NOT_PERMITTED", concat("", ["the PEP ", caller_name, " may not ask about ", lib.request.event, " events"])) if {
	is_array(caller.events)
	not lib.request.event in caller.events
}
