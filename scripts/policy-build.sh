#!/usr/bin/env bash
# Compiles rego/ (tests excluded) into the WebAssembly bundle bundles/governance.tar.gz with the pinned opa.
# The capabilities file admits only built-ins that run under opa-wasm, so a policy that needs another built-in fails
# here instead of at request time. The revision is a digest of the sources (scripts/policy-revision.mjs).
# Usage: npm run policy:build [-- --signing-key key.pem [--signing-alg RS256] [--output file]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
opa=$(bash scripts/ensure-opa.sh)
out="bundles/governance.tar.gz"
sign=()
while [ $# -gt 0 ]; do
  case "$1" in
    --signing-key) sign+=(--bundle --signing-key "$2"); shift 2 ;;
    --signing-alg) sign+=(--signing-alg "$2"); shift 2 ;;
    --output) out="$2"; shift 2 ;;
    *) echo "policy-build: unknown option $1" >&2; exit 2 ;;
  esac
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
(cd rego && tar cf - --exclude='*_test.rego' .) | tar xf - -C "$stage"
revision=$(node scripts/policy-revision.mjs rego)
entrypoints=(-e custos/main/decision)
if [ -d rego/custos/authzen ]; then entrypoints+=(-e custos/authzen/evaluation); fi
mkdir -p "$(dirname "$out")"
(cd "$stage" && "$opa" build -t wasm "${entrypoints[@]}" --capabilities "$root/scripts/opa-capabilities.json" \
  --revision "$revision" ${sign[@]+"${sign[@]}"} -o "$stage/bundle.tar.gz" .)
mv "$stage/bundle.tar.gz" "$out"
echo "built $out (revision $revision)"
