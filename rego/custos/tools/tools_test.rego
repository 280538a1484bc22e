package custos.tools_test

import data.custos.tools

codes(rs) := {r.code | some r in rs}

call(name, paths) := {
	"request": {"event": "tool_call", "identity": {"id": "agent:coding-assistant"}, "tool": {"server": "github", "name": name}},
	"facts": {"tool_paths": paths},
}

test_allowed_tool_and_path if {
	codes(tools.reasons) == set() with input as call("read_file", [{"key": "path", "normalized": "src/app.ts", "escapes": false}])
}

test_tool_not_in_allowlist if {
	codes(tools.reasons) == {"TOOL_NOT_ALLOWED"} with input as call("delete_repo", [])
	codes(tools.reasons) == {"TOOL_NOT_ALLOWED"} with input as {"request": {"event": "tool_call", "identity": {"id": "agent:coding-assistant"}}}
}

test_paths_outside_globs_or_escaping if {
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "path", "normalized": ".env", "escapes": false}])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "path", "normalized": "/etc/passwd", "escapes": true}])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "path", "normalized": "src/x", "escapes": true}])
}
