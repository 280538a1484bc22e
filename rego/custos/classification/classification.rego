# Classification against clearance (the identity's and every delegator's), and compliant devices for humans
# touching confidential or restricted data.
package custos.classification

import data.custos.lib

reasons contains lib.reason("CLEARANCE_INSUFFICIENT", msg) if {
	short := {who |
		some who in ({lib.identity.id} | {d.id | some d in lib.delegators})
		p := lib.principals[who]
		lib.request_rank > lib.clearance_rank(p)
	}
	count(short) > 0
	msg := concat("", [lib.request_classification, " data exceeds the clearance of ", lib.list(short)])
}

device_ok if {
	lib.request.context.device.managed == true
	lib.request.context.device.compliant == true
}

reasons contains lib.reason("DEVICE_NOT_COMPLIANT", msg) if {
	lib.principal.type == "human"
	lib.request_rank >= lib.rank.confidential
	not device_ok
	msg := concat("", [lib.request_classification, " data requires a managed, compliant device"])
}
