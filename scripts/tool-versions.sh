# The one place external tool versions are pinned. Sourced by the scripts that install or call them.
OPA_VERSION=v1.22.2
