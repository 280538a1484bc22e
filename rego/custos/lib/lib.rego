# Shared helpers of the governance policy: registries, the reason constructor, classification order.
package custos.lib

# Without governance data nobody is registered (every request is denied UNREGISTERED_IDENTITY).
default governance := {}

governance := data.governance

settings := object.get(governance, "settings", {})

principals := object.get(governance, "principals", {})

resources := object.get(governance, "resources", {})

# The defaults of DESIGN.md, used when an operator's data leaves a setting out (never "no limit").
default_settings := {
	"max_token_ttl_seconds": 3600,
	"max_static_key_age_days": 90,
	"max_delegation_depth": 2,
	"risk_threshold": 100,
	"risk_points": {},
	"protected_labels": [],
	"approver_groups": [],
	"credential_clock_skew_seconds": 60,
	"verified_credential_required": [],
	"principal_risk_threshold": 300,
	"principal_risk_window_seconds": 86400,
	"credential_misuse_window_seconds": 3600,
	"quotas": [],
	"monitor_codes": [],
}

setting(name) := object.get(settings, name, default_settings[name])

# Classification order: public < internal < confidential < restricted.
rank := {"public": 0, "internal": 1, "confidential": 2, "restricted": 3}

level_names := ["public", "internal", "confidential", "restricted"]

request := input.request

identity := input.request.identity

# The registered principal of the identity (undefined when unregistered).
principal := principals[input.request.identity.id]

# The registered resource (undefined when unknown or absent).
resource := resources[input.request.resource.id]

delegators := object.get(input.request.identity, "on_behalf_of", [])

# A reason with the catalogue's severity, controls and effect.
reason(code, message) := {
	"code": code,
	"message": message,
	"severity": data.custos.catalogue[code].severity,
	"controls": data.custos.catalogue[code].controls,
	"effect": data.custos.catalogue[code].effect,
}

# A reason with an explicit effect (deny, escalate or info).
reason_with(code, message, effect) := object.union(reason(code, message), {"effect": effect})

# The registered clearance rank of a principal (public when not set).
clearance_rank(p) := rank[object.get(p, "clearance", "public")]

# Comma-separated sorted list of a set of strings.
list(items) := concat(", ", sort(items))

# The highest classification rank this request touches: data.classification and the registered resource's.
request_ranks contains rank[input.request.data.classification]

request_ranks contains rank[resource.classification]

request_rank := max(request_ranks) if count(request_ranks) > 0

request_classification := level_names[request_rank]
