# Delegation chains: depth, and an agent asking for more than any delegator holds.
package custos.delegation

import data.custos.lib
import data.custos.scopes

reasons contains lib.reason("DELEGATION_TOO_DEEP", msg) if {
	depth := count(lib.delegators)
	max_depth := lib.setting("max_delegation_depth")
	depth > max_depth
	msg := concat("", ["delegation chain of ", format_int(depth, 10), " exceeds the maximum of ", format_int(max_depth, 10)])
}

# What a delegator holds (an unregistered one holds nothing); messages name registered delegators only.
held(d) := scopes.holds(d, lib.principals[d.id]) if is_object(lib.principals[d.id])

else := set()

label(d) := d.id if is_object(lib.principals[d.id])

else := "an unregistered delegator"

reasons contains lib.reason("DELEGATION_SCOPE_EXCEEDED", concat("", ["requested scopes exceed what ", lib.list(short), " hold(s)"])) if {
	short := {label(d) |
		some s in lib.identity.scopes
		some d in lib.delegators
		not s in held(d)
	}
	count(short) > 0
}
