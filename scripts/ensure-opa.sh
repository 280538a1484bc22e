#!/usr/bin/env bash
# Installs the pinned `opa` into .tools/bin (with `go install`) unless it is already there, and prints its path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/tool-versions.sh"
bin="$root/.tools/bin"
opa="$bin/opa"
if [ -x "$opa" ] && "$opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}$"; then
  echo "$opa"
  exit 0
fi
command -v go >/dev/null || { echo "ensure-opa: Go is needed to install opa $OPA_VERSION" >&2; exit 1; }
mkdir -p "$bin"
echo "ensure-opa: installing opa $OPA_VERSION with go install (about a minute)" >&2
GOBIN="$bin" CGO_ENABLED=0 go install "github.com/open-policy-agent/opa@$OPA_VERSION" >&2
"$opa" version | grep -q "^Version: ${OPA_VERSION#v}$" || { echo "ensure-opa: installed opa is not $OPA_VERSION" >&2; exit 1; }
echo "$opa"
