package custos.mtls_test

import data.custos.mtls

codes(rs) := {r.code | some r in rs}

test_deploy_needs_mtls if {
	codes(mtls.reasons) == {"MTLS_REQUIRED"} with input as {"request": {"action": "deploy", "resource": {"id": "model:fin-forecaster"}}}
	codes(mtls.reasons) == set() with input as {"request": {"action": "deploy", "resource": {"id": "model:fin-forecaster"}, "context": {"mtls": true}}}
	codes(mtls.reasons) == set() with input as {"request": {"action": "invoke", "resource": {"id": "model:fin-forecaster"}}}
}

test_mtls_on_unknown_resources_is_left_to_default_deny if {
	# An unregistered id lists no mTLS actions; custos.resource denies it (RESOURCE_UNREGISTERED).
	every id in ["model:fin-forecaster ", "Model:fin-forecaster"] {
		codes(mtls.reasons) == set() with input as {"request": {"action": "deploy", "resource": {"id": id}}}
	}
	codes(mtls.reasons) == {"MTLS_REQUIRED"} with input as {"request": {"action": "deploy", "resource": {"id": "model:fin-forecaster"}, "context": {"mtls": "true"}}}
}
