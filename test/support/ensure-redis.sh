#!/usr/bin/env bash
# The adaptive Redis-store tests start Debian's redis-server. Installs it when missing (root with
# apt-get), else fails saying exactly what to install: the tests never skip silently.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: installing redis-server with apt-get (the Redis store tests need it)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  command -v redis-server >/dev/null 2>&1 && exit 0
fi
echo "ensure-redis: redis-server is missing; install it with: sudo apt-get update && sudo apt-get install -y redis-server" >&2
exit 1
