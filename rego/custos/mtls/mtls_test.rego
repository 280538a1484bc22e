package custos.mtls_test

import data.custos.mtls

codes(rs) := {r.code | some r in rs}

test_deploy_needs_mtls if {
	codes(mtls.reasons) == {"MTLS_REQUIRED"} with input as {"request": {"action": "deploy", "resource": {"id": "model:fin-forecaster"}}}
	codes(mtls.reasons) == set() with input as {"request": {"action": "deploy", "resource": {"id": "model:fin-forecaster"}, "context": {"mtls": true}}}
	codes(mtls.reasons) == set() with input as {"request": {"action": "invoke", "resource": {"id": "model:fin-forecaster"}}}
}
