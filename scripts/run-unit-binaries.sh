#!/usr/bin/env bash
# Runs every GoogleTest executable of a build tree (tests/unit_* and budget_*) once each, N at a time,
# largest first so the jobs finish together. Prints one summary line per executable, and the whole output
# of any that fails (or runs past 10 minutes). Usage: scripts/run-unit-binaries.sh BUILD_DIR [N]
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [N]}
jobs=${2:-$(nproc)}
mapfile -t binaries < <(find "$build/tests" -maxdepth 1 -type f -executable \( -name 'unit_*' -o -name 'budget_*' \) \
                          -printf '%s %p\n' | sort -rn | cut -d' ' -f2-)
((${#binaries[@]})) || { echo "run-unit-binaries: no test executables under $build/tests"; exit 1; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
printf '%s\n' "${binaries[@]}" | xargs -P "$jobs" -I{} sh -c '
  log="$1/$(basename "$0").log"
  if timeout 600 "$0" --gtest_brief=1 >"$log" 2>&1; then
    echo "$(basename "$0"): $(grep -E "^\[  PASSED  \]" "$log")"
  else
    status=$?
    printf "%s: FAILED (exit %s)\n%s\n" "$(basename "$0")" "$status" "$(cat "$log")"; exit 1
  fi' {} "$logs"
