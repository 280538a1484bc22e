# MCP/tool allowlist by server/name, and path arguments (decoded and normalized by the service) against the allowed
# globs. Which string arguments are paths: the ones the tool's entry names in `path_args` (matched by argument name
# at any depth, strings nested under a named argument included); without `path_args`, every string under a path-like
# name (`path`, `file_path`, `url`, `target`, …) and every string that looks like a path (fail closed). Reason
# messages name only what is registered, never an argument's value.
package custos.tools

import data.custos.lib

tool_key := concat("/", [lib.request.tool.server, lib.request.tool.name])

reasons contains lib.reason("TOOL_NOT_ALLOWED", "tool_call without a tool") if {
	lib.request.event == "tool_call"
	not lib.request.tool
}

reasons contains lib.reason("TOOL_NOT_ALLOWED", "the tool is not in the identity's allowed tools") if {
	tool_key
	not lib.principal.tools[tool_key]
}

entry := lib.principal.tools[tool_key]

tool_paths := object.get(input.facts, "tool_paths", [])

named_args := {n | some n in entry.path_args; is_string(n)}

names_path_args if is_array(entry.path_args)

# A string the policy treats as a path for this tool.
checked(tp) if tp.overflow == true

checked(tp) if {
	names_path_args
	some n in object.get(tp, "names", [])
	n in named_args
}

checked(tp) if {
	not names_path_args
	object.get(tp, "path_key", true) == true
}

checked(tp) if {
	not names_path_args
	tp.path_like == true
}

path_ok(tp, globs) if {
	not tp.escapes
	not tp.overflow == true
	is_string(tp.normalized)
	some g in globs
	glob.match(g, ["/"], tp.normalized)
}

bad_paths := {tp.key |
	some tp in tool_paths
	checked(tp)
	not path_ok(tp, entry.paths)
}

reasons contains lib.reason("PATH_NOT_ALLOWED", msg) if {
	is_array(entry.paths)
	count(bad_paths) > 0
	msg := concat("", [format_int(count(bad_paths), 10), " path argument(s) of ", tool_key, " outside the allowed globs or escaping the root"])
}

# Paths that are not a list of globs fail closed rather than allowing everything.
reasons contains lib.reason("PATH_NOT_ALLOWED", concat("", ["the path rules of ", tool_key, " are not a list of globs"])) if {
	entry.paths
	not is_array(entry.paths)
}
