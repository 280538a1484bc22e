#!/usr/bin/env bash
# Installs the pinned `vegeta` (fixed-rate HTTP load generator, benchmarks only) into .tools/bin unless it is
# already there; prints its path.
set -euo pipefail
here=$(dirname "$0")
. "$here/tool-versions.sh"
exec bash "$here/ensure-go-tool.sh" vegeta github.com/tsenart/vegeta/v12 "$VEGETA_VERSION"
