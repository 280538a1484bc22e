#!/usr/bin/env bash
# Policy checks: formatting, strict compilation against the WebAssembly capabilities, and the Rego unit tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
opa=$(bash scripts/ensure-opa.sh)
"$opa" fmt --list --fail rego
"$opa" check --strict --capabilities scripts/opa-capabilities.json rego
"$opa" test rego
