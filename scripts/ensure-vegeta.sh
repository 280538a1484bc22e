#!/usr/bin/env bash
# Installs the pinned `vegeta` (fixed-rate HTTP load generator, benchmarks only) into .tools/bin with `go install`
# unless it is already there, and prints its path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/tool-versions.sh"
bin="$root/.tools/bin"
vegeta="$bin/vegeta"
# `go install` does not stamp a version into vegeta, so the installed one is recorded beside it.
if [ -x "$vegeta" ] && [ "$(cat "$vegeta.version" 2>/dev/null)" = "$VEGETA_VERSION" ]; then
  echo "$vegeta"
  exit 0
fi
command -v go >/dev/null || { echo "ensure-vegeta: Go is needed to install vegeta $VEGETA_VERSION" >&2; exit 1; }
mkdir -p "$bin"
echo "ensure-vegeta: installing vegeta $VEGETA_VERSION with go install" >&2
GOBIN="$bin" CGO_ENABLED=0 go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION" >&2
echo "$VEGETA_VERSION" > "$vegeta.version"
echo "$vegeta"
