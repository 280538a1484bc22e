# Default deny for what the registry does not know. A model_access or retrieval must name a registered resource; any
# other event that names a resource must name a registered one too (its classification, labels and purposes would
# otherwise be unknown). Ids match exactly: no trimming, no case folding. A registered resource lists in `scopes`
# every action it permits (`null`: permitted with no scope); any other action is not permitted.
package custos.resource

import data.custos.lib

needs_resource := {"model_access", "retrieval"}

named if lib.request.resource

registered if is_object(lib.resources[lib.request.resource.id])

reasons contains lib.reason("RESOURCE_UNREGISTERED", "this event must name a registered resource and names none") if {
	lib.request.event in needs_resource
	not named
}

reasons contains lib.reason("RESOURCE_UNREGISTERED", "the resource is not registered") if {
	named
	not registered
}

# The actions the resource permits: the keys of its `scopes` (none when `scopes` is not an object).
default permitted := set()

permitted := object.keys(lib.resource.scopes) if is_object(lib.resource.scopes)

reasons contains lib.reason("ACTION_NOT_PERMITTED", concat("", ["the action is not among those ", lib.request.resource.id, " permits"])) if {
	registered
	not lib.request.action in permitted
	lib.request.action
}

# A missing action never widens access: it passes only where every listed action is permitted without a scope and
# needs neither mutual TLS nor approval; with a scoped action it is SCOPE_MISSING (custos.scopes).
guarded_actions := {a | some a in object.get(lib.resource, "mtls_actions", [])} | {a | some a in object.get(lib.resource, "approval_actions", [])}

reasons contains lib.reason("ACTION_NOT_PERMITTED", concat("", ["no action given for ", lib.request.resource.id, ", which permits none"])) if {
	registered
	not lib.request.action
	count(permitted) == 0
}

reasons contains lib.reason("ACTION_NOT_PERMITTED", concat("", ["no action given for ", lib.request.resource.id, ", which has actions that need mutual TLS or approval"])) if {
	registered
	not lib.request.action
	count(guarded_actions) > 0
}
