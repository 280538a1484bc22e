package custos.resource_test

import data.custos.resource

codes(rs) := {r.code | some r in rs}

req(event, action, id) := {"request": {"event": event, "action": action, "resource": {"id": id}}}

test_registered_resource_and_listed_action if {
	codes(resource.reasons) == set() with input as req("retrieval", "read", "dataset:support-cases")
	codes(resource.reasons) == set() with input as req("model_access", "deploy", "model:fin-forecaster")
}

test_model_access_and_retrieval_need_a_resource if {
	codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as {"request": {"event": "model_access", "action": "deploy"}}
	codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as {"request": {"event": "retrieval", "action": "read"}}
	codes(resource.reasons) == set() with input as {"request": {"event": "prompt"}}
	codes(resource.reasons) == set() with input as {"request": {"event": "tool_call", "action": "read"}}
}

test_unknown_ids_case_and_whitespace_variants_are_unregistered if {
	every id in ["model:fin-forecaster ", " model:fin-forecaster", "Model:fin-forecaster", "model:FIN-forecaster", "dataset:Payroll", "dataset:payroll\t", "dataset:payroll\u0000", "dataset:pay roll", "dataset:unknown", "", "model:fin-forecaster\u200b"] {
		codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as req("model_access", "deploy", id)
		codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as req("output", "export", id)
		codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as req("tool_call", "read", id)
		codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as req("prompt", "invoke", id)
	}
}

test_resource_without_an_id_is_unregistered if {
	codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as {"request": {"event": "output", "resource": {"type": "dataset"}}}
	codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as {"request": {"event": "output", "resource": {"id": 7}}}
}

test_unlisted_action_is_not_permitted if {
	every action in ["delete", "execute", "deploy", "train", "export", "invoke"] {
		codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as req("tool_call", action, "repository:custos-app")
	}
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as req("retrieval", "READ", "dataset:support-cases")
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as req("retrieval", "read ", "dataset:support-cases")
}

test_null_scope_permits_and_missing_scopes_permit_nothing if {
	registry := {"kb:docs": {"scopes": {"read": "kb:read", "invoke": null}}, "kb:bare": {}, "kb:odd": {"scopes": ["read"]}, "kb:open": {"scopes": {"read": null}}, "kb:guarded": {"scopes": {"deploy": null}, "mtls_actions": ["deploy"]}}
	codes(resource.reasons) == set() with input as req("retrieval", "invoke", "kb:docs") with data.governance.resources as registry
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as req("retrieval", "write", "kb:docs") with data.governance.resources as registry
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as req("retrieval", "read", "kb:bare") with data.governance.resources as registry
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as req("retrieval", "read", "kb:odd") with data.governance.resources as registry
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as {"request": {"event": "retrieval", "resource": {"id": "kb:bare"}}} with data.governance.resources as registry
	codes(resource.reasons) == set() with input as {"request": {"event": "retrieval", "resource": {"id": "kb:open"}}} with data.governance.resources as registry
	codes(resource.reasons) == {"ACTION_NOT_PERMITTED"} with input as {"request": {"event": "model_access", "resource": {"id": "kb:guarded"}}} with data.governance.resources as registry
}

test_registry_entry_that_is_not_an_object_is_unregistered if {
	codes(resource.reasons) == {"RESOURCE_UNREGISTERED"} with input as req("retrieval", "read", "kb:null") with data.governance.resources as {"kb:null": null}
}

test_messages_never_quote_an_unregistered_id if {
	rs1 := resource.reasons with input as req("model_access", "deploy", "model:MARKER-1")
	every r in rs1 {
		not contains(r.message, "MARKER")
	}
}
