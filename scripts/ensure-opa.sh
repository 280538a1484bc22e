#!/usr/bin/env bash
# Installs the pinned `opa` (scripts/tool-versions.sh) into .tools/bin unless it is already there; prints its path.
set -euo pipefail
here=$(dirname "$0")
. "$here/tool-versions.sh"
exec bash "$here/ensure-go-tool.sh" opa github.com/open-policy-agent/opa "$OPA_VERSION" "about a minute"
