# The one place external tool versions are pinned. Sourced by the scripts that install or call them.
OPA_VERSION=v1.22.2
# Open-loop (fixed-rate) load generator for `node scripts/bench/rate.mjs`; benchmarks only, never the tests.
VEGETA_VERSION=v12.13.0
