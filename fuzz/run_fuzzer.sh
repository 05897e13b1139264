#!/usr/bin/env bash
# run_fuzzer.sh TARGET SEED_DIR WORK_DIR SECONDS — fuzz for a bounded time from the checked-in seeds.
# New inputs go to WORK_DIR (never into the source tree); any crash, leak or timeout fails the test.
set -euo pipefail
target=$1 seeds=$2 work=$3 seconds=$4
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
"$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=70000 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
