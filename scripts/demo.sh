#!/usr/bin/env bash
# Builds authgate (installing what it needs) and runs its embedded demo: a protected built-in echo
# upstream, with ready-to-paste curl lines printed on start. Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh >/dev/null   # build dependencies only: no test tools, no npm
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target authgate
exec build/release/authgate demo "$@"
