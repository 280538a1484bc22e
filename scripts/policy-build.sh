#!/usr/bin/env bash
# Compiles rego/ (tests excluded) into bundles/governance.tar.gz: the policy.wasm the service evaluates, beside the Rego
# sources and data it was compiled from, so that `opa eval -b` evaluates the very same policy natively.
# `opa build -t wasm` runs against scripts/opa-capabilities.json, which admits only built-ins that run under opa-wasm,
# so a policy that needs another built-in fails here instead of at request time. The capabilities are those of
# `opa capabilities --current` implemented natively by OPA's WebAssembly compiler (internal/compiler/wasm) plus the
# ones @open-policy-agent/opa-wasm implements in JavaScript (sprintf, regex.split, yaml.*, json.is_valid).
# The wasm build drops the entrypoint rules from its copy of the Rego and lists wasm resolvers in its manifest, which
# an opa without a WebAssembly engine cannot load; so the published bundle is rebuilt with `opa build -b` from the
# sources plus that policy.wasm (same revision, no wasm resolvers). Same sources give a byte-identical bundle.
# Usage: npm run policy:build [-- --signing-key key.pem [--signing-alg RS256] [--output file]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
opa=$(bash scripts/ensure-opa.sh)
caps="$root/scripts/opa-capabilities.json"
out="bundles/governance.tar.gz"
sign=()
while [ $# -gt 0 ]; do
  case "$1" in
    --signing-key) sign+=(--signing-key "$2"); shift 2 ;;
    --signing-alg) sign+=(--signing-alg "$2"); shift 2 ;;
    --output) out="$2"; shift 2 ;;
    *) echo "policy-build: unknown option $1" >&2; exit 2 ;;
  esac
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/src" "$stage/wasm"
(cd rego && tar cf - --exclude='*_test.rego' .) | tar xf - -C "$stage/src"
revision=$(node scripts/policy-revision.mjs rego)
entrypoints=(-e custos/main/decision)
if [ -d rego/custos/authzen ]; then entrypoints+=(-e custos/authzen/evaluation); fi

# Built from inside the staging directory: file names end up in policy.wasm, and a temp path would differ per run.
(cd "$stage/src" && "$opa" build -t wasm "${entrypoints[@]}" --capabilities "$caps" --revision "$revision" \
  -o "$stage/wasm.tar.gz" .)
tar xzf "$stage/wasm.tar.gz" -C "$stage/wasm" 2>/dev/null
cp "$stage/wasm/policy.wasm" "$stage/src/policy.wasm"

mkdir -p "$(dirname "$out")"
(cd "$stage/src" && "$opa" build -b --capabilities "$caps" --revision "$revision" ${sign[@]+"${sign[@]}"} \
  -o "$stage/bundle.tar.gz" .)
mv "$stage/bundle.tar.gz" "$out"
echo "built $out (revision $revision)"
