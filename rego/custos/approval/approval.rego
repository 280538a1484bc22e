# Human approval for the resource's high-risk actions: escalate without a valid approval; a presented approval must
# be granted, unexpired, bound to this very request, granted by an approver group member who is neither the
# requester nor anyone in its delegation chain.
package custos.approval

import data.custos.content
import data.custos.injection
import data.custos.lib

needed if lib.request.action in object.get(lib.resource, "approval_actions", [])

# Personal data in a restricted context escalates (content); the approval that settles it is checked here too.
needed if content.pii_review

# A high-risk action in a tainted session escalates (injection); its approval is checked here too.
needed if injection.untrusted_action

approval := input.state.approval

# A record was found for the presented approval id.
found if is_object(approval)

# Helpers for `not`: negating a built-in call whose argument is undefined fails instead of succeeding.
known_status if approval.status in {"pending", "granted", "denied", "consumed"}

unexpired if approval.expires_at > input.now

named_approver if is_string(approval.approver.id)

approval_id := lib.request.context.approval_id

# Names the registered resource only; never an unregistered id or a missing action's absence as text.
action_label := concat("", [lib.request.action, " on ", lib.request.resource.id]) if {
	lib.resource
	is_string(lib.request.action)
} else := "the request"

# The action itself needs approval (content that needs review says so with its own reason).
action_needs_approval if lib.request.action in object.get(lib.resource, "approval_actions", [])

reasons contains lib.reason("APPROVAL_REQUIRED", concat("", [action_label, " requires human approval"])) if {
	action_needs_approval
	not approval_id
}

reasons contains lib.reason("APPROVAL_REQUIRED", concat("", [action_label, " awaits approval ", approval.id])) if {
	needed
	approval_id
	count(invalid) == 0
	approval.status == "pending"
}

invalid contains "the approval is unknown" if {
	approval_id
	not found
}

invalid contains "the approval is unknown" if approval.id != approval_id

invalid contains "the approval was denied" if approval.status == "denied"

# Single-use approvals (the default, `settings.approval_reuse: false`) are consumed by the decision they allow.
invalid contains "the approval was already used" if approval.status == "consumed"

invalid contains "the approval has an unknown status" if {
	found
	not known_status
}

invalid contains "the approval has expired" if {
	found
	not unexpired
}

invalid contains "the approval is bound to another request" if {
	found
	approval.binding != input.facts.binding
}

invalid contains "the approval names no approver" if {
	approval.status == "granted"
	not named_approver
}

invalid contains "the approver is not in an approver group" if {
	approval.status == "granted"
	not approver_in_chain
	count({g | some g in approver_groups} & {g | some g in lib.setting("approver_groups")}) == 0
}

# A registered approver's groups come from the registry; otherwise from the grant.
default approver_groups := []

approver_groups := object.get(lib.principals[approval.approver.id], "groups", []) if lib.principals[approval.approver.id]

else := groups if {
	groups := approval.approver.groups
	is_array(groups)
}

reasons contains lib.reason("APPROVAL_INVALID", concat("", [action_label, ": ", lib.list(invalid)])) if {
	needed
	approval_id
	count(invalid) > 0
}

chain := {lib.identity.id} | {d.id | some d in lib.delegators}

# A requester (or one of its delegators) approving its own request is a separation-of-duties violation, reported as
# that alone: whether it is also in an approver group does not matter then.
approver_in_chain if approval.approver.id in chain

# The presented approval is granted, valid and bound to this very request.
granted if {
	approval_id
	count(invalid) == 0
	approval.status == "granted"
	not approver_in_chain
}

reasons contains lib.reason("SEPARATION_OF_DUTIES", concat("", ["approver ", approval.approver.id, " is the requester or in its delegation chain"])) if {
	needed
	approval.status == "granted"
	approver_in_chain
}
