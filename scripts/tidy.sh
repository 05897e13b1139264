#!/usr/bin/env bash
# clang-tidy over every layer (src/**/*.cpp and apps/authgate/*.cpp) with the checked-in .clang-tidy, one
# file per job on every core. Any finding fails the run. Usage: scripts/tidy.sh [build-dir]
set -euo pipefail
build=${1:-build/release}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ -f "$build/compile_commands.json" ]] ||
  { echo "tidy: no $build/compile_commands.json (configure first)"; exit 1; }

# The gateway's commands force-include GCC's precompiled header, which clang cannot read; give clang-tidy
# the same header as text instead.
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
sed -E "s#-include [^ \"]*/cmake_pch\\.hxx#-include $root/src/gateway/pch.hpp#g" \
  "$build/compile_commands.json" >"$db/compile_commands.json"

# Headers are checked when they are ours: .clang-tidy's HeaderFilterRegex, anchored here to this checkout
# so that the build tree's generated include/authgate/ and third-party headers stay out.
header_filter="^$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$root")/(include/authgate|src|apps/authgate)/"

# Files that include Asio/Beast take ~20 s each: start them first so both cores finish together.
mapfile -t all < <(git ls-files -co --exclude-standard 'src/*.cpp' 'apps/authgate/*.cpp')
((${#all[@]})) || { echo "tidy: nothing to check"; exit 0; }
mapfile -t heavy < <(printf '%s\n' "${all[@]}" | grep -E '^(src/gateway|src/net|src/http|apps)/' || true)
mapfile -t light < <(printf '%s\n' "${all[@]}" | grep -vE '^(src/gateway|src/net|src/http|apps)/' || true)
for f in "${all[@]}"; do
  grep -qF "\"file\": \"$root/$f\"" "$db/compile_commands.json" ||
    { echo "tidy: $f is not in $build/compile_commands.json (re-run cmake)"; exit 1; }
done

# Each job prints its file's findings in one piece (no interleaving) and only when there are any.
status=0
printf '%s\n' "${heavy[@]}" "${light[@]}" | grep . | xargs -P "$(nproc)" -n 1 sh -c '
  out=$(clang-tidy -p "$0" --quiet --warnings-as-errors="*" --header-filter="$1" "$2" 2>&1) && exit 0
  printf "%s\n" "$out" |
    grep -vE "^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed|^Use -header-filter"
  exit 1' "$db" "$header_filter" || status=$?
echo "tidy: ${#all[@]} files, exit $status"
exit $status
