#!/usr/bin/env bash
# Installs the Debian 12 packages authgate needs to build, test and benchmark. Idempotent: it asks
# apt-get only for what is missing, so a second run costs a second. Needs root (or sudo).
set -euo pipefail

build=(cmake ninja-build g++ clang libclang-rt-14-dev clang-format clang-tidy pkg-config
       libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
       libssl-dev libcrypt-dev libargon2-dev libaprutil1-dev libapr1-dev libyaml-cpp-dev
       libspdlog-dev libfmt-dev libcli11-dev libhiredis-dev libgtest-dev libgmock-dev libbenchmark-dev)
test=(curl ca-certificates openssl python3 python3-pytest python3-requests python3-httpx
      python3-jwt python3-jwcrypto python3-cryptography nodejs
      apache2-utils whois argon2 nginx-light caddy redis-server procps)
browser=(chromium nodejs npm)

want=("${build[@]}" "${test[@]}")
[[ "${1:-}" == "--browser" || "${AUTHGATE_BROWSER_TESTS:-1}" == "1" ]] && want+=("${browser[@]}")

missing=()
for pkg in "${want[@]}"; do
  # NodeSource's nodejs bundles npm and conflicts with Debian's npm package: the command is what we need.
  [[ "$pkg" == npm ]] && command -v npm >/dev/null && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#want[@]} packages present"
fi

here=$(cd "$(dirname "$0")/.." && pwd)

# test_bearer.py mints tokens with npm jose too (pinned in tests/integration/node/package.json).
if [[ ! -d "$here/tests/integration/node/node_modules/jose" ]]; then
  (cd "$here/tests/integration/node" && npm install --no-audit --no-fund --silent)
fi

# The browser test drives Debian's Chromium with playwright-core from npm (no browser download).
if [[ " ${want[*]} " == *" chromium "* && ! -d "$here/tests/browser/node_modules/playwright-core" ]]; then
  (cd "$here/tests/browser" && npm install --no-audit --no-fund --silent)
fi
