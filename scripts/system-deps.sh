#!/usr/bin/env bash
# Install the system packages Baton needs from Debian's repositories, if missing.
#   scripts/system-deps.sh run    -> redis-server
#   scripts/system-deps.sh test   -> redis-server, chromium, chromium-driver (browser tests), openssl (SMTP TLS test), npm (axe-core)
#   scripts/system-deps.sh venv   -> python3-venv (Debian's python3 ships without venv)
set -euo pipefail
case "${1:-run}" in
  venv) want=(python3-venv) ;;
  test) want=(redis-server chromium chromium-driver openssl npm) ;;
  *) want=(redis-server) ;;
esac
missing=()
for pkg in "${want[@]}"; do
  # npm may come with a Node.js that is not Debian's (NodeSource, nvm): any npm on PATH will do, and
  # Debian's npm package would conflict with that Node.js.
  [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1 && continue
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Baton needs: ${missing[*]}. Install them with your package manager and run again." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing ${missing[*]} from Debian's packages…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
