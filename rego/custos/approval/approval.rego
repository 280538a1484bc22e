# Human approval for the resource's high-risk actions: escalate without a valid approval; a presented approval must
# be granted, unexpired, bound to this very request, granted by an approver group member who is neither the
# requester nor anyone in its delegation chain.
package custos.approval

import data.custos.lib

needed if lib.request.action in object.get(lib.resource, "approval_actions", [])

approval := input.state.approval

action_label := concat("", [lib.request.action, " on ", lib.request.resource.id])

reasons contains lib.reason("APPROVAL_REQUIRED", concat("", [action_label, " requires human approval"])) if {
	needed
	not lib.request.context.approval_id
}

reasons contains lib.reason("APPROVAL_REQUIRED", concat("", [action_label, " awaits approval ", approval.id])) if {
	needed
	lib.request.context.approval_id
	approval.status == "pending"
	approval.binding == input.facts.binding
	approval.expires_at > input.now
}

invalid contains "the approval is unknown" if {
	lib.request.context.approval_id
	approval == null
}

invalid contains "the approval was denied" if approval.status == "denied"

invalid contains "the approval has expired" if approval.expires_at <= input.now

invalid contains "the approval is bound to another request" if approval.binding != input.facts.binding

invalid contains "the approver is not in an approver group" if {
	approval.status == "granted"
	count({g | some g in approver_groups} & {g | some g in object.get(lib.settings, "approver_groups", [])}) == 0
}

# A registered approver's groups come from the registry; otherwise from the grant.
approver_groups := object.get(lib.principals[approval.approver.id], "groups", []) if lib.principals[approval.approver.id]

else := object.get(approval.approver, "groups", [])

reasons contains lib.reason("APPROVAL_INVALID", concat("", [action_label, ": ", lib.list(invalid)])) if {
	needed
	count(invalid) > 0
}

chain := {lib.identity.id} | {d.id | some d in lib.delegators}

reasons contains lib.reason("SEPARATION_OF_DUTIES", concat("", ["approver ", approval.approver.id, " is the requester or in its delegation chain"])) if {
	needed
	approval.status == "granted"
	approval.approver.id in chain
}
