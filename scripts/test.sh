#!/usr/bin/env bash
# Builds authgate from scratch and runs every test: format and lint, unit tests (release and
# ASan+UBSan), every fuzz target for a bounded time, then the black-box integration and browser tests
# against real clients. Installs what it needs first (apt-get, as root). The last line is pytest's summary.
#
#   AUTHGATE_FUZZ_SECONDS=20   seconds per fuzz target      AUTHGATE_JOBS=2   parallel build jobs
#   AUTHGATE_SKIP=asan,fuzz,tidy   skip stages (for a quick local loop; CI skips nothing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${AUTHGATE_JOBS:-$(nproc)}
fuzz_seconds=${AUTHGATE_FUZZ_SECONDS:-20}
skip=",${AUTHGATE_SKIP:-},"
# Each stage prints the minutes spent so far, so a slow run shows where its time went.
stage() { printf '\n=== %s (at %d min)\n' "$*" $((SECONDS / 60)); }
skipped() { [[ "$skip" == *",$1,"* ]]; }

stage "dependencies"
scripts/install-deps.sh --test

stage "format (clang-format --dry-run)"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src include apps tests fuzz bench -name '*.[ch]pp')
clang-format --dry-run --Werror "${sources[@]}"

# Line tables (-g1) are all a failing test, a sanitizer report or a profile needs; full debug info would
# cost a third more compile time in every build below.
stage "release build (-Werror)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTHGATE_WERROR=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
cmake --build build/release -j "$jobs"

stage "unit tests (release)"
ctest --test-dir build/release -L unit -j "$jobs" --output-on-failure --no-tests=error

if ! skipped tidy; then
  stage "clang-tidy (every layer, ~15 min on 2 cores)"
  scripts/tidy.sh build/release
fi

if ! skipped asan; then
  stage "unit tests (ASan + UBSan)"
  # -Werror is enforced by the release build. -O0: the instrumented build is the longest stage, and -O1
  # took 40 % longer to compile for a test run of one minute either way. Only the test executables: the
  # authgate executable is exercised by pytest, from the release build.
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
        -DAUTHGATE_SANITIZE=ON -DAUTHGATE_BENCH=OFF -DAUTHGATE_APPS=OFF >/dev/null
  cmake --build build/asan -j "$jobs"
  # One process per test executable, not per test as ctest does above: starting an instrumented process
  # costs ~0.3 s, ten times the average test. The leak check then covers the whole run of each executable.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    scripts/run-unit-binaries.sh build/asan "$jobs"
fi

if ! skipped fuzz; then
  stage "fuzz targets (${fuzz_seconds}s each)"
  CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTHGATE_FUZZ=ON \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
        -DAUTHGATE_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
  cmake --build build/fuzz -j "$jobs"
  ctest --test-dir build/fuzz -L fuzz -j "$jobs" --output-on-failure --no-tests=error
fi

stage "integration and browser tests (pytest, real clients)"
export AUTHGATE_BIN="$root/build/release/authgate"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration tests/browser bench/cost.d/test_cost.py
