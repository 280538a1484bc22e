# Untrusted content: prompt-injection findings (from the service's detector: where, how sure, which signals; never
# the text) judged per event by `settings.injection`; the session taint that a retrieval or tool result carrying one
# sets; and what a tainted session may still do without a human (high-risk actions escalate).
package custos.injection

import data.custos.approval
import data.custos.lib
import data.custos.tools

findings := [f | some f in object.get(input.facts, "findings", []); f.kind == "injection"]

found if count(findings) > 0

# DESIGN.md's defaults; an event with no entry (tool_call, model_access) is reviewed, not blocked.
default_outcomes := {"prompt": "deny", "retrieval": "deny", "tool_result": "deny", "output": "review"}

configured := object.get(lib.settings, "injection", {})

outcome_setting := object.get(configured, lib.request.event, object.get(default_outcomes, lib.request.event, "review"))

# A value that is not one of the three fails closed.
effects := {"deny": "deny", "escalate": "escalate", "review": "info"}

default effect := "deny"

effect := effects[outcome_setting]

# Field names never quote content (message indexes, argument names), signals are the detector's names.
located := {concat("", [f.location.field, " (", concat(", ", f.signals), ")"]) | some f in findings}

reasons contains lib.reason_with("PROMPT_INJECTION", concat("", ["instructions aimed at the model in content: ", lib.list(located)]), effect) if found

# Deny and review both open a review item; an escalation is settled by its approval.
review if {
	found
	effect in {"deny", "info"}
}

# What the model will read as the world's rather than the user's: a retrieval, a tool's result, or a conversation
# turn of role `tool` forwarded with any event.
untrusted_finding(_) if lib.request.event in {"retrieval", "tool_result"}

untrusted_finding(f) if role_of(f.location.field) == "tool"

role_of(field) := role if {
	parts := split(field, ".")
	parts[0] == "data"
	parts[1] == "messages"
	regex.match(`^[0-9]{1,4}$`, parts[2])
	role := lib.request.data.messages[to_number(parts[2])].role
}

# Set whatever the outcome (monitored, reviewed, denied): the content reached, or nearly reached, the model.
default taint := false

taint if {
	some f in findings
	untrusted_finding(f)
}

tainted if input.state.session.tainted == true

high_risk_actions := {"write", "delete", "execute", "deploy", "export"}

# The actions a request may perform: the one it names and the one its tool is registered with (a PEP cannot
# downgrade a tool's action by naming a milder one).
actions contains lib.request.action if is_string(lib.request.action)

actions contains tools.entry.action if is_string(tools.entry.action)

risky contains a if {
	some a in actions
	a in high_risk_actions
}

risky contains "external egress" if lib.request.data.destination == "external"

risky contains "external egress" if lib.resource.external == true

risky contains "external egress" if tools.entry.egress == true

# A tool call whose action nobody knows is treated as high risk (fail closed).
risky contains "a tool call of unknown action" if {
	lib.request.event == "tool_call"
	count(actions) == 0
}

untrusted_action if {
	tainted
	count(risky) > 0
}

reasons contains lib.reason("UNTRUSTED_CONTEXT", msg) if {
	untrusted_action
	not approval.granted
	msg := concat("", ["the session ingested content flagged PROMPT_INJECTION; ", lib.list(risky), " needs human approval"])
}
