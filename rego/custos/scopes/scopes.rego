# Effective scopes (presented ∩ registered ∩ every delegator's) against the scope the resource requires for the
# action. Omitted scopes mean the registered ones, never more; a missing action never widens access.
package custos.scopes

import data.custos.lib

registered(p) := {s | some s in object.get(p, "scopes", [])}

# What a principal holds in this request: its presented scopes (or, if omitted, its registered ones) ∩ registered.
holds(x, p) := {s | some s in x.scopes} & registered(p) if is_array(x.scopes)

else := registered(p)

identity_scopes := holds(lib.identity, lib.principal)

default effective := set()

effective := {s |
	some s in identity_scopes
	every d in lib.delegators {
		s in holds(d, lib.principals[d.id])
	}
}

# The resource's scope per action (custos.resource denies actions it does not list; `null` needs no scope).
default requirements := {}

requirements := lib.resource.scopes if is_object(lib.resource.scopes)

reasons contains lib.reason("SCOPE_MISSING", msg) if {
	needed := requirements[lib.request.action]
	needed != null
	not needed in effective
	msg := concat("", ["action ", lib.request.action, " on ", lib.request.resource.id, " needs scope ", scope_name(needed)])
}

# A registry value that is neither a scope name nor null is a scope nobody holds.
scope_name(s) := s if is_string(s)

else := "(not a scope name)"

reasons contains lib.reason("SCOPE_MISSING", concat("", ["no action given for ", lib.request.resource.id, ", which requires scopes"])) if {
	not lib.request.action
	some needed in requirements
	needed != null
}
