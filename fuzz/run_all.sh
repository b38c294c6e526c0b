#!/usr/bin/env bash
# Builds every fuzz target once, then runs each for SECONDS (default 120) on its seed corpus
# (fuzz/seed_corpus.sh), at low priority, and prints executions, speed and crashes per target.
# Crashing inputs land in fuzz/artifacts/<target>/; copy them to tests/bad_inputs/fuzz/<target>/
# so tests/it/bad_inputs.rs replays them.
#   fuzz/run_all.sh [SECONDS] [TARGET…]
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:-120}; shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(csv_import xlsx_import xlsx_limits codebook_parse qdc_parse search_query model_load)
export RUSTC_BOOTSTRAP=1
nice -n 19 cargo fuzz build -O >build.log 2>&1 || { tail -20 build.log; exit 1; }
BIN=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  nice -n 19 "$BIN/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" -max_total_time="$SECS" \
    -rss_limit_mb=2048 -timeout=20 -max_len=65536 -fork=1 -ignore_crashes=1 -ignore_ooms=1 \
    -ignore_timeouts=1 >"logs/$t.log" 2>&1
  rc=$?
  # fork mode: the parent's status lines are "#EXECS: cov: C ft: … oom/timeout/crash: a/b/c …"
  last=$(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)
  execs=$(echo "$last" | grep -oE '^#[0-9]+' | tr -d '#')
  cov=$(echo "$last" | grep -oE 'cov: [0-9]+')
  otc=$(echo "$last" | grep -oE 'oom/timeout/crash: [0-9/]+' | cut -d' ' -f2)
  printf '%-15s exit %-3s %10s execs in %ss (%s/s) %s, corpus %s, oom/timeout/crash %s, artifacts %s\n' \
    "$t" "$rc" "${execs:-?}" "$SECS" "$(( ${execs:-0} / SECS ))" "$cov" "$(ls "corpus/$t" | wc -l)" \
    "${otc:-?}" "$(ls "artifacts/$t" | wc -l)"
  grep -hE "panicked at" "logs/$t.log" fuzz-*.log 2>/dev/null | sort | uniq -c | head -5
done
found=$(find artifacts -type f | wc -l)
echo "artifacts (crashing inputs) in total: $found"
[ "$found" -eq 0 ]
