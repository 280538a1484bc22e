# Content findings (from the service's detectors, never the values) and protected labels leaving.
package custos.content

import data.custos.approval
import data.custos.lib

findings := object.get(input.facts, "findings", [])

secret_types := {f.type | some f in findings; f.kind == "secret"}

pii_types := {f.type | some f in findings; f.kind == "pii"}

reasons contains lib.reason("SECRET_IN_CONTENT", concat("", ["credential-like secret in content: ", lib.list(secret_types)])) if {
	count(secret_types) > 0
}

restricted_context if lib.request_rank == lib.rank.restricted

restricted_context if input.state.session.max_classification == "restricted"

# Personal data in a restricted context needs a human's review: the request escalates with an approval obligation,
# and a repeat carrying that approval, once granted, is treated like personal data anywhere else (allow + redact).
pii_review if {
	count(pii_types) > 0
	restricted_context
}

reasons contains lib.reason_with("PII_IN_CONTENT", msg, "escalate") if {
	pii_review
	not approval.granted
	msg := concat("", ["personal data in restricted context (", lib.list(pii_types), "); review required"])
}

reasons contains lib.reason_with("PII_IN_CONTENT", msg, "info") if {
	pii_review
	approval.granted
	msg := concat("", ["personal data in restricted context (", lib.list(pii_types), ") approved by ", approval.approval.approver.id, "; redact before use"])
}

reasons contains lib.reason_with("PII_IN_CONTENT", msg, "info") if {
	count(pii_types) > 0
	not restricted_context
	msg := concat("", ["personal data in content (", lib.list(pii_types), "); redact before use"])
}

labels := {l | some l in lib.request.data.labels} | {l | some l in lib.resource.labels}

protected := labels & {l | some l in lib.setting("protected_labels")}

exporting if lib.request.action == "export"

exporting if lib.request.data.destination == "external"

reasons contains lib.reason("PROTECTED_DATA_EXPORT", concat("", ["protected data (", lib.list(protected), ") may not leave"])) if {
	count(protected) > 0
	exporting
}
