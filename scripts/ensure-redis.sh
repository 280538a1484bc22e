#!/usr/bin/env bash
# Makes sure `redis-server` (Debian's package) is on PATH for the integration tests; installs it when we are root.
set -euo pipefail
if command -v redis-server >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-redis: installing redis-server" >&2
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server >&2
  # The package starts a system service; the tests start their own servers on free ports.
  (systemctl stop redis-server 2>/dev/null || service redis-server stop 2>/dev/null || true) >&2
  exit 0
fi
echo "ensure-redis: redis-server is missing; install it (Debian: apt-get install redis-server)" >&2
exit 1
