# Purpose binding: a purpose must be given and approved for both the identity and the resource.
package custos.purpose

import data.custos.lib

reasons contains lib.reason("PURPOSE_NOT_APPROVED", "no purpose given") if {
	not lib.request.purpose
}

# An unregistered identity is denied UNREGISTERED_IDENTITY; its purposes are not judged.
reasons contains lib.reason("PURPOSE_NOT_APPROVED", concat("", ["the purpose is not approved for ", lib.identity.id])) if {
	lib.request.purpose
	lib.principal
	not approved_for_identity
}

approved_for_identity if lib.request.purpose in lib.principal.purposes

reasons contains lib.reason("PURPOSE_NOT_APPROVED", concat("", ["the purpose is not approved for ", lib.request.resource.id])) if {
	purpose := lib.request.purpose
	allowed := object.get(lib.resource, "purposes", [])
	count(allowed) > 0
	not purpose in allowed
}
