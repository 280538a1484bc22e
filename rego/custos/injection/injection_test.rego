package custos.injection_test

import data.custos.injection
import data.custos.main

codes(rs) := {r.code | some r in rs}

inj(field) := {"rule": "prompt-injection", "kind": "injection", "type": "prompt-injection", "severity": "high", "location": {"field": field, "start": 0, "end": 10}, "score": 0.9, "signals": ["override-phrase"]}

req(event) := {"session": {"id": "s"}, "event": event, "identity": {"id": "agent:x", "type": "agent"}, "data": {}}

with_finding(event, field) := {"request": req(event), "facts": {"findings": [inj(field)]}, "state": {"session": {}}}

effect_of(rs) := {r.effect | some r in rs; r.code == "PROMPT_INJECTION"}

test_default_outcomes_per_event if {
	effect_of(injection.reasons) == {"deny"} with input as with_finding("prompt", "data.text")
	effect_of(injection.reasons) == {"deny"} with input as with_finding("retrieval", "data.text")
	effect_of(injection.reasons) == {"deny"} with input as with_finding("tool_result", "data.text")
	effect_of(injection.reasons) == {"info"} with input as with_finding("output", "data.text")
	effect_of(injection.reasons) == {"info"} with input as with_finding("tool_call", "tool.arguments.body")
}

test_settings_choose_the_outcome if {
	effect_of(injection.reasons) == {"escalate"} with input as with_finding("prompt", "data.text")
		with data.governance.settings.injection as {"prompt": "escalate"}
	effect_of(injection.reasons) == {"info"} with input as with_finding("retrieval", "data.text")
		with data.governance.settings.injection as {"retrieval": "review"}
	effect_of(injection.reasons) == {"deny"} with input as with_finding("output", "data.text")
		with data.governance.settings.injection as {"output": "deny"}
}

test_an_unknown_setting_fails_closed if {
	effect_of(injection.reasons) == {"deny"} with input as with_finding("output", "data.text")
		with data.governance.settings.injection as {"output": "allow"}
	effect_of(injection.reasons) == {"deny"} with input as with_finding("output", "data.text")
		with data.governance.settings.injection as {"output": 3}
}

test_no_finding_no_reason if {
	codes(injection.reasons) == set() with input as {"request": req("prompt"), "facts": {"findings": [{"kind": "secret", "type": "aws-access-key", "location": {"field": "data.text"}}]}, "state": {"session": {}}}
	not injection.taint with input as {"request": req("tool_result"), "facts": {"findings": []}, "state": {"session": {}}}
}

test_the_message_names_fields_and_signals_only if {
	some r in injection.reasons with input as with_finding("prompt", "data.messages.3.content")
	r.message == "instructions aimed at the model in content: data.messages.3.content (override-phrase)"
}

test_review_for_deny_and_review_not_for_escalate if {
	injection.review with input as with_finding("prompt", "data.text")
	injection.review with input as with_finding("output", "data.text")
	not injection.review with input as with_finding("prompt", "data.text") with data.governance.settings.injection as {"prompt": "escalate"}
}

test_retrievals_and_tool_results_taint_prompts_do_not if {
	injection.taint with input as with_finding("retrieval", "data.text")
	injection.taint with input as with_finding("tool_result", "data.text")
	not injection.taint with input as with_finding("prompt", "data.text")
	not injection.taint with input as with_finding("output", "data.text")
}

test_taint_whatever_the_outcome if {
	injection.taint with input as with_finding("tool_result", "data.text") with data.governance.settings.injection as {"tool_result": "review"}
	injection.taint with input as with_finding("retrieval", "data.text") with data.governance.settings.injection as {"retrieval": "escalate"}
}

messages := [{"role": "system"}, {"role": "user"}, {"role": "tool"}]

test_a_tool_message_in_a_conversation_taints if {
	in_tool := {"request": object.union(req("prompt"), {"data": {"messages": messages}}), "facts": {"findings": [inj("data.messages.2.content")]}, "state": {"session": {}}}
	injection.taint with input as in_tool
	in_user := {"request": object.union(req("prompt"), {"data": {"messages": messages}}), "facts": {"findings": [inj("data.messages.1.content")]}, "state": {"session": {}}}
	not injection.taint with input as in_user
	odd := {"request": object.union(req("prompt"), {"data": {"messages": messages}}), "facts": {"findings": [inj("data.messages.x.content")]}, "state": {"session": {}}}
	not injection.taint with input as odd
}

tainted(request) := {"request": request, "facts": {"findings": []}, "state": {"session": {"tainted": true}}}

registry := {"principals": {"agent:x": {"type": "agent", "tools": {
	"github/read_file": {"action": "read"},
	"github/create_pull_request": {"action": "write"},
	"github/mystery": {},
	"web/fetch": {"action": "read", "egress": true},
}}}}

call(name) := object.union(req("tool_call"), {"tool": {"server": split(name, "/")[0], "name": split(name, "/")[1]}})

test_high_risk_actions_in_a_tainted_session_escalate if {
	every a in ["write", "delete", "execute", "deploy", "export"] {
		codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(object.union(req("model_access"), {"action": a}))
	}
	codes(injection.reasons) == set() with input as tainted(object.union(req("retrieval"), {"action": "read"}))
	codes(injection.reasons) == set() with input as tainted(object.union(req("model_access"), {"action": "invoke"}))
}

test_registered_tool_actions_count if {
	codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(call("github/create_pull_request")) with data.governance as registry
	codes(injection.reasons) == set() with input as tainted(call("github/read_file")) with data.governance as registry

	# A PEP cannot call a writing tool a read.
	codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(object.union(call("github/create_pull_request"), {"action": "read"})) with data.governance as registry

	# Unknown action: fail closed.
	codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(call("github/mystery")) with data.governance as registry
	codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(call("other/unregistered")) with data.governance as registry
}

test_external_egress_in_a_tainted_session_escalates if {
	codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(call("web/fetch")) with data.governance as registry
	codes(injection.reasons) == {"UNTRUSTED_CONTEXT"} with input as tainted(object.union(req("output"), {"data": {"destination": "external"}}))
	codes(injection.reasons) == set() with input as tainted(object.union(req("output"), {"data": {"destination": "internal"}}))
}

test_untainted_sessions_are_not_held if {
	codes(injection.reasons) == set() with input as {"request": call("github/create_pull_request"), "facts": {"findings": []}, "state": {"session": {"tainted": false}}} with data.governance as registry
	codes(injection.reasons) == set() with input as {"request": call("github/create_pull_request"), "facts": {"findings": []}, "state": {"session": {}}} with data.governance as registry
}

test_a_granted_approval_lets_the_action_pass if {
	codes(injection.reasons) == set() with input as tainted(call("github/create_pull_request")) with data.governance as registry with data.custos.approval.granted as true
}

# Through the governance decision: deny + review, the taint in the output, an approval that settles the escalation.
test_decision_output if {
	d := main.decision with input as with_finding("tool_result", "data.text")
	d.decision == "deny"
	"PROMPT_INJECTION" in {r.code | some r in d.reasons}
	{"type": "review"} in d.obligations
	d.taint == true
	o := main.decision with input as with_finding("output", "data.text")
	"PROMPT_INJECTION" in {r.code | some r in o.reasons}
	{"type": "review"} in o.obligations
	o.taint == false
	e := main.decision with input as tainted(call("github/create_pull_request")) with data.governance as registry
	"UNTRUSTED_CONTEXT" in {r.code | some r in e.reasons}
	data.custos.approval.needed with input as tainted(call("github/create_pull_request")) with data.governance as registry
}
