# Purpose binding: a purpose must be given and approved for both the identity and the resource.
package custos.purpose

import data.custos.lib

reasons contains lib.reason("PURPOSE_NOT_APPROVED", "no purpose given") if {
	not lib.request.purpose
}

reasons contains lib.reason("PURPOSE_NOT_APPROVED", concat("", ["the purpose is not approved for ", lib.identity.id])) if {
	purpose := lib.request.purpose
	p := lib.principal
	not purpose in object.get(p, "purposes", [])
}

reasons contains lib.reason("PURPOSE_NOT_APPROVED", concat("", ["the purpose is not approved for ", lib.request.resource.id])) if {
	purpose := lib.request.purpose
	allowed := object.get(lib.resource, "purposes", [])
	count(allowed) > 0
	not purpose in allowed
}
