#!/usr/bin/env bash
# Installs the Debian 12 packages authgate needs. Idempotent: it asks apt-get only for what is missing, so
# a second run costs a second. Needs root (or sudo).
#
#   scripts/install-deps.sh             build: what `cmake` + a plain build (and scripts/demo.sh) need
#   scripts/install-deps.sh --package   build, and what `cpack -G DEB` needs (docs/install.md)
#   scripts/install-deps.sh --test      build, package, and everything scripts/test.sh runs: clang
#                                       tools, real clients and servers, python and npm packages, and
#                                       Chromium for tests/browser unless AUTHGATE_BROWSER_TESTS=0
#   scripts/install-deps.sh --browser   as --test, with Chromium whatever AUTHGATE_BROWSER_TESTS says
set -euo pipefail

# A plain configure finds GoogleTest and Google Benchmark too (AUTHGATE_TESTS and AUTHGATE_BENCH are on).
build=(cmake ninja-build g++ pkg-config
       libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
       libssl-dev libcrypt-dev libargon2-dev libaprutil1-dev libapr1-dev libyaml-cpp-dev
       libspdlog-dev libfmt-dev libcli11-dev libhiredis-dev libgtest-dev libgmock-dev libbenchmark-dev)
# CPack's DEB generator runs dpkg-shlibdeps (dpkg-dev) on the files `file` says are ELF.
package=(dpkg-dev file)
test=(clang libclang-rt-14-dev clang-format clang-tidy
      curl ca-certificates openssl python3 python3-pytest python3-requests python3-httpx
      python3-jwt python3-jwcrypto python3-cryptography python3-prometheus-client nodejs
      apache2-utils whois argon2 nginx-light caddy haproxy redis-server procps)
browser=(chromium nodejs npm)

with_package=0 with_test=0 with_browser=0
for arg in "$@"; do
  case "$arg" in
    --package) with_package=1 ;;
    --test) with_package=1 with_test=1 ;;
    --browser) with_package=1 with_test=1 with_browser=1 ;;
    *) echo "usage: $0 [--package | --test | --browser]" >&2; exit 2 ;;
  esac
done
((with_test)) && [[ "${AUTHGATE_BROWSER_TESTS:-1}" == "1" ]] && with_browser=1

want=("${build[@]}")
((with_package)) && want+=("${package[@]}")
((with_test)) && want+=("${test[@]}")
((with_browser)) && want+=("${browser[@]}")

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

((with_test)) || exit 0
here=$(cd "$(dirname "$0")/.." && pwd)

# test_bearer.py mints tokens with npm jose too (pinned in tests/integration/node/package.json).
if [[ ! -d "$here/tests/integration/node/node_modules/jose" ]]; then
  (cd "$here/tests/integration/node" && npm install --no-audit --no-fund --silent)
fi

# The browser test drives Debian's Chromium with playwright-core from npm (no browser download).
if ((with_browser)) && [[ ! -d "$here/tests/browser/node_modules/playwright-core" ]]; then
  (cd "$here/tests/browser" && npm install --no-audit --no-fund --silent)
fi
