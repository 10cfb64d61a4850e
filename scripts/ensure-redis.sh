#!/usr/bin/env bash
# Make sure the Redis at $REDIS_URL (default redis://127.0.0.1:6379/0) answers; start one if not.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if redis-cli -u "$url" ping >/dev/null 2>&1; then exit 0; fi
case "$url" in
  redis://127.0.0.1:*|redis://localhost:*) ;;
  *) echo "Redis at $url does not answer; start it or fix REDIS_URL." >&2; exit 1 ;;
esac
port=$(echo "$url" | sed -E 's#redis://[^:]+:([0-9]+).*#\1#')
mkdir -p var
echo "Starting redis-server on port $port (data in ./var)…"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$PWD/var" --appendonly yes --logfile "$PWD/var/redis.log"
for _ in $(seq 50); do redis-cli -u "$url" ping >/dev/null 2>&1 && exit 0; sleep 0.1; done
echo "redis-server did not start; see var/redis.log" >&2
exit 1
