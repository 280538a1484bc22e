#!/usr/bin/env bash
# Installs a Go tool at a pinned version into .tools/bin with `go install`, unless that version is already there,
# and prints its path. `go install` stamps no version into every binary, so the installed one is recorded beside it.
#   bash scripts/ensure-go-tool.sh NAME MODULE VERSION [NOTE]
set -euo pipefail
name=$1 module=$2 version=$3 note=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
tool="$bin/$name"
if [ -x "$tool" ] && [ "$(cat "$tool.version" 2>/dev/null)" = "$version" ]; then
  echo "$tool"
  exit 0
fi
command -v go >/dev/null || { echo "ensure-$name: Go is needed to install $name $version" >&2; exit 1; }
mkdir -p "$bin"
echo "ensure-$name: installing $name $version with go install${note:+ ($note)}" >&2
GOBIN="$bin" CGO_ENABLED=0 go install "$module@$version" >&2
echo "$version" > "$tool.version"
echo "$tool"
