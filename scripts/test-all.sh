#!/usr/bin/env bash
# The one test command (`npm test`): type-check and build, policy checks (`opa fmt`, `opa check --strict`,
# `opa test`), then every unit and integration test through node's test runner. Installs the pinned opa and
# redis-server first when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-deps.mjs
OPA=$(bash scripts/ensure-opa.sh)
export CUSTOS_OPA="$OPA"
bash scripts/ensure-redis.sh

echo "== typecheck and build"
rm -rf dist
npx tsc -p tsconfig.json

echo "== policy: fmt, check, test"
bash scripts/policy-test.sh

echo "== unit and integration tests"
node --test --test-concurrency=2 --test-timeout=180000 dist/test/unit dist/test/integration
