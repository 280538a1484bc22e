# MCP/tool allowlist by server/name, and path arguments (normalized by the service) against the allowed globs.
package custos.tools

import data.custos.lib

tool_key := concat("/", [lib.request.tool.server, lib.request.tool.name])

reasons contains lib.reason("TOOL_NOT_ALLOWED", "tool_call without a tool") if {
	lib.request.event == "tool_call"
	not lib.request.tool
}

reasons contains lib.reason("TOOL_NOT_ALLOWED", concat("", ["tool ", tool_key, " is not allowed for ", lib.identity.id])) if {
	tool_key
	not lib.principal.tools[tool_key]
}

path_ok(tp, globs) if {
	not tp.escapes
	some g in globs
	glob.match(g, ["/"], tp.normalized)
}

reasons contains lib.reason("PATH_NOT_ALLOWED", concat("", ["path outside the allowed globs for ", tool_key, ": ", lib.list(bad)])) if {
	globs := lib.principal.tools[tool_key].paths
	bad := {tp.normalized | some tp in object.get(input.facts, "tool_paths", []); not path_ok(tp, globs)}
	count(bad) > 0
}
