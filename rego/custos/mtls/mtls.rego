# Mutual TLS for the resource's model-management actions.
package custos.mtls

import data.custos.lib

reasons contains lib.reason("MTLS_REQUIRED", concat("", ["action ", lib.request.action, " on ", lib.request.resource.id, " requires mutual TLS"])) if {
	lib.request.action in object.get(lib.resource, "mtls_actions", [])
	not lib.request.context.mtls == true
}
