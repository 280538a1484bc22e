package custos.tools_test

import data.custos.tools

codes(rs) := {r.code | some r in rs}

call(name, paths) := {
	"request": {"event": "tool_call", "identity": {"id": "agent:coding-assistant"}, "tool": {"server": "github", "name": name}},
	"facts": {"tool_paths": paths},
}

tp(key, normalized, escapes, path_key, path_like) := {"key": key, "names": [key], "normalized": normalized, "escapes": escapes, "path_key": path_key, "path_like": path_like}

test_allowed_tool_and_path if {
	codes(tools.reasons) == set() with input as call("read_file", [{"key": "path", "normalized": "src/app.ts", "escapes": false}])
	codes(tools.reasons) == set() with input as call("read_file", [tp("path", "src/app.ts", false, true, true), tp("ref", "main", false, false, false)])
}

test_tool_not_in_allowlist if {
	codes(tools.reasons) == {"TOOL_NOT_ALLOWED"} with input as call("delete_repo", [])
	codes(tools.reasons) == {"TOOL_NOT_ALLOWED"} with input as {"request": {"event": "tool_call", "identity": {"id": "agent:coding-assistant"}}}
}

test_tool_name_case_and_whitespace_variants_are_not_allowed if {
	every name in ["Read_file", "read_file ", " read_file", "read_file\u0000", "READ_FILE"] {
		codes(tools.reasons) == {"TOOL_NOT_ALLOWED"} with input as call(name, [])
	}
	codes(tools.reasons) == {"TOOL_NOT_ALLOWED"} with input as {"request": {"event": "tool_call", "identity": {"id": "Agent:coding-assistant"}, "tool": {"server": "github", "name": "read_file"}}}
}

test_paths_outside_globs_or_escaping if {
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "path", "normalized": ".env", "escapes": false}])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "path", "normalized": "/etc/passwd", "escapes": true}])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "path", "normalized": "src/x", "escapes": true}])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [tp("path", "SRC/app.ts", false, true, true)])
}

test_without_path_args_path_like_values_under_any_name_are_checked if {
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [tp("ref", ".env", false, false, true)])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [tp("uri", "x", false, true, false)])
	codes(tools.reasons) == set() with input as call("read_file", [tp("ref", "main", false, false, false)])
}

test_overflow_fails_closed if {
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "", "names": [], "normalized": ".", "escapes": true, "path_key": true, "path_like": true, "overflow": true}])
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [{"key": "", "names": [], "normalized": "src/a", "escapes": false, "path_key": false, "path_like": false, "overflow": true}])
		with data.governance.principals["agent:coding-assistant"].tools["github/read_file"] as {"paths": ["src/**"], "path_args": ["path"]}
}

with_path_args := {"paths": ["src/**"], "path_args": ["path", "dest"]}

test_path_args_name_exactly_the_checked_arguments if {
	# A named argument is checked whatever its value looks like; others are not paths.
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [tp("dest", "x", false, false, false)])
		with data.governance.principals["agent:coding-assistant"].tools["github/read_file"] as with_path_args
	codes(tools.reasons) == set() with input as call("read_file", [tp("path", "src/a.ts", false, true, true), tp("content", "see ../../x and /etc", false, false, true)])
		with data.governance.principals["agent:coding-assistant"].tools["github/read_file"] as with_path_args
	nested := {"key": "ops.0.dest", "names": ["ops", "dest"], "normalized": ".env", "escapes": false, "path_key": true, "path_like": true}
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [nested])
		with data.governance.principals["agent:coding-assistant"].tools["github/read_file"] as with_path_args
	under := {"key": "dest.0.name", "names": ["dest", "name"], "normalized": ".env", "escapes": false, "path_key": true, "path_like": true}
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [under])
		with data.governance.principals["agent:coding-assistant"].tools["github/read_file"] as with_path_args
}

test_paths_that_are_not_a_list_fail_closed if {
	codes(tools.reasons) == {"PATH_NOT_ALLOWED"} with input as call("read_file", [])
		with data.governance.principals["agent:coding-assistant"].tools["github/read_file"] as {"paths": "src/**"}
}

test_messages_never_quote_paths_or_tool_names if {
	rs1 := tools.reasons with input as call("read_file", [tp("path", "MARKER/../../x", true, true, true)])
	every r in rs1 {
		not contains(r.message, "MARKER")
	}
	rs2 := tools.reasons with input as call("MARKER-tool", [])
	every r in rs2 {
		not contains(r.message, "MARKER")
	}
}
