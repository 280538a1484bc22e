# Who is asking: a registered identity (and delegators), and an accountable owner for services and agents.
package custos.identity

import data.custos.lib

reasons contains lib.reason("UNREGISTERED_IDENTITY", concat("", ["identity ", id, " is not registered"])) if {
	id := lib.identity.id
	not lib.principals[id]
}

reasons contains lib.reason("UNREGISTERED_IDENTITY", concat("", ["delegator ", lib.list(unknown), " is not registered"])) if {
	unknown := {d.id | some d in lib.delegators; not lib.principals[d.id]}
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
