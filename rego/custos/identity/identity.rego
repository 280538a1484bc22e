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
