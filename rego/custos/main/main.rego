# The governance decision (entrypoint custos/main/decision): combines the reasons of every concern
# (deny > escalate > allow), adds the risk threshold, and derives obligations, risk and the session update. Reasons
# whose codes are in `settings.monitor_codes` are set apart in `monitored`: reported, never enforced (they count for
# neither the decision, the obligations, the risk nor the violation).
package custos.main

import data.custos.approval
import data.custos.classification
import data.custos.content
import data.custos.credential
import data.custos.delegation
import data.custos.identity
import data.custos.injection
import data.custos.lib
import data.custos.mtls
import data.custos.purpose
import data.custos.resource
import data.custos.scopes
import data.custos.session
import data.custos.tools
import data.custos.usage

found := ((((((((((((identity.reasons | credential.reasons) | resource.reasons) | scopes.reasons) | delegation.reasons) | purpose.reasons) | classification.reasons) | tools.reasons) | mtls.reasons) | approval.reasons) | content.reasons) | session.reasons) | usage.reasons) | injection.reasons

default monitor_codes := set()

monitor_codes := {c | some c in lib.setting("monitor_codes"); is_string(c)} if is_array(lib.setting("monitor_codes"))

base := {r | some r in found; not r.code in monitor_codes}

points := lib.setting("risk_points")

risk_of(codes) := sum([object.get(points, c, 0) | some c in codes])

base_codes := {r.code | some r in base}

threshold := lib.setting("risk_threshold")

default session_risk := 0

session_risk := input.state.session.risk if is_number(input.state.session.risk)

risk_after := session_risk + risk_of(base_codes)

threshold_reasons contains lib.reason("RISK_THRESHOLD_EXCEEDED", msg) if {
	not input.state.session.terminated == true
	risk_after >= threshold
	msg := concat("", ["session risk ", format_int(risk_after, 10), " reached the threshold of ", format_int(threshold, 10)])
}

# Risk follows the principal (the identity, never the delegators it acts for) across its sessions: its windowed
# risk (input.state.principal.risk) plus this decision's reaching settings.principal_risk_threshold flags it. The
# service then records a critical signal on it, so a new session does not escape it until an operator clears it.
default principal_risk := 0

principal_risk := input.state.principal.risk if is_number(input.state.principal.risk)

principal_threshold := lib.setting("principal_risk_threshold")

principal_risk_reasons contains lib.reason("PRINCIPAL_FLAGGED", msg) if {
	lib.setting("principal_risk_window_seconds") > 0
	principal_threshold > 0
	risk_of(base_codes) > 0
	principal_risk + risk_of(base_codes) >= principal_threshold
	msg := concat("", ["the principal's risk across its sessions reached the threshold of ", format_int(principal_threshold, 10)])
}

all := {r | some r in ((base | threshold_reasons) | principal_risk_reasons); not r.code in monitor_codes}

watched := {r | some r in ((found | threshold_reasons) | principal_risk_reasons); r.code in monitor_codes}

codes := {r.code | some r in all}

effects := {r.effect | some r in all}

outcome := "deny" if {
	"deny" in effects
} else := "escalate" if {
	"escalate" in effects
} else := "allow"

# One reason per code, messages joined, in code order.
combine(rs) := [{
	"code": code,
	"message": concat("; ", sort([r.message | some r in rs; r.code == code])),
	"severity": data.custos.catalogue[code].severity,
	"controls": data.custos.catalogue[code].controls,
} |
	some code in sort({r.code | some r in rs})
]

reasons := combine(all)

monitored := combine(watched)

needs contains "redact" if {
	some r in all
	r.code == "PII_IN_CONTENT"
	r.effect == "info"
}

needs contains "review" if "SECRET_IN_CONTENT" in codes

needs contains "review" if {
	some r in all
	r.code == "PII_IN_CONTENT"
	r.effect == "escalate"
}

needs contains "review" if injection.review

# Every escalation is held for a human: the service creates (or reuses) the approval bound to this request.
needs contains "approval" if outcome == "escalate"

terminate if "PRINCIPAL_FLAGGED" in codes

terminate if "RISK_THRESHOLD_EXCEEDED" in codes

terminate if "CREDENTIAL_MISUSE" in codes

needs contains "session_termination" if terminate

obligations := [{"type": t} | some t in ["redact", "review", "approval", "session_termination"]; t in needs]

default classification_out := null

classification_out := lib.request_classification

# The data labels this decision lets the session see (the request's and the registered resource's); the service
# adds them to the session's labels_seen unless the decision is a deny.
labels_out := sort({l | some l in object.get(object.get(lib.request, "data", {}), "labels", [])} | {l | some l in object.get(object.get(lib.resources, object.get(object.get(lib.request, "resource", {}), "id", ""), {}), "labels", [])})

# `true` when this decision ingested content flagged PROMPT_INJECTION: the service marks the session tainted (and
# its sub-agent sessions inherit it). The rules that set it are in custos.injection.
default taint := false

taint := injection.taint

decision := {
	"decision": outcome,
	"reasons": reasons,
	"obligations": obligations,
	"risk_delta": risk_of(codes),
	"violation": violation,
	"terminate": terminate == true,
	"classification": classification_out,
	"taint": taint == true,
	"labels": labels_out,
	"monitored": monitored,
}

default terminate := false

default violation := false

# A deny for anything but the session's earlier termination counts as a new violation.
violation if {
	some r in all
	r.effect == "deny"
	r.code != "SESSION_TERMINATED"
}
