#!/usr/bin/env bash
# Policy checks: formatting, strict compilation against the WebAssembly capabilities, the Rego unit tests, and a probe
# that the capabilities still refuse a built-in opa-wasm cannot run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
opa=$(bash scripts/ensure-opa.sh)
caps=scripts/opa-capabilities.json
"$opa" fmt --list --fail rego
"$opa" check --strict --capabilities "$caps" rego
"$opa" test rego
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'package probe\n\nx := crypto.sha256("x")\n' >"$probe/probe.rego"
if "$opa" check --capabilities "$caps" "$probe" >/dev/null 2>&1; then
  echo "policy-test: $caps admits crypto.sha256, which opa-wasm cannot run" >&2
  exit 1
fi
echo "capabilities refuse built-ins without a WebAssembly implementation"
