# State beyond one session, as the policy sees it: quotas per principal or credential, and a credential presented
# by more than one principal (a cloned or stolen credential).
package custos.usage

import data.custos.lib

# Each quota of settings.quotas that applies to this request, with its count in the current window
# (input.state.quotas); the service counts an admitted decision atomically, and refuses the one past max.
reasons contains lib.reason("QUOTA_EXCEEDED", msg) if {
	some q in object.get(input.state, "quotas", [])
	q.count >= q.max
	msg := concat("", ["the ", q.per, " reached its quota of ", format_int(q.max, 10), " decisions per ", format_int(q.window_seconds, 10), " s"])
}

# The principals that presented this credential within settings.credential_misuse_window_seconds, first seen first.
seen := object.get(input.state.credential, "principals", [])

earliest := min([p.first_seen | some p in seen])

# The credential's first principal (ties broken by id).
owner := min({p.id | some p in seen; p.first_seen == earliest})

reasons contains lib.reason("CREDENTIAL_MISUSE", "the credential was presented by another principal within the misuse window") if {
	lib.setting("credential_misuse_window_seconds") > 0
	count(seen) > 0
	owner != lib.identity.id
}
