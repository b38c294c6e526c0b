#!/usr/bin/env bash
# Builds every fuzz target once, then runs each for SECONDS (default 120) on its seed corpus
# (fuzz/seed_corpus.sh), at low priority, and prints executions, speed and crashes per target.
# Crashing inputs land in fuzz/artifacts/<target>/; copy them to tests/bad_inputs/fuzz/<target>/
# so tests/bad_inputs.rs replays them.
#   fuzz/run_all.sh [SECONDS] [TARGET…]
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:-120}; shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(csv_import xlsx_import codebook_parse qdc_parse search_query model_load)
export RUSTC_BOOTSTRAP=1
nice -n 19 cargo fuzz build -O >build.log 2>&1 || { tail -20 build.log; exit 1; }
BIN=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  nice -n 19 "$BIN/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" -max_total_time="$SECS" \
    -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -max_len=65536 >"logs/$t.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
  cov=$(grep -oE '#[0-9]+.*cov: [0-9]+' "logs/$t.log" | tail -1 | grep -oE 'cov: [0-9]+')
  crashes=$(ls "artifacts/$t" | wc -l)
  printf '%-15s exit %-3s %10s execs in %ss (%s/s) %s corpus %s, artifacts %s\n' "$t" "$rc" "${execs:-?}" "$SECS" \
    "$(( ${execs:-0} / SECS ))" "$cov" "$(ls "corpus/$t" | wc -l)" "$crashes"
  grep -E "panicked at|ERROR: libFuzzer|SUMMARY" "logs/$t.log" | head -3
done
