#!/usr/bin/env bash
# Scale benchmark (issue 6, part 4): seconds and peak memory of every stage of codifica at
# 10k, 100k and (optionally) 1M synthetic answers.
#
#   scripts/bench_scale.sh                 # 10k and 100k
#   scripts/bench_scale.sh 10000 100000 1000000
#
# For each size: writes a seeded synthetic canonical CSV (examples/synth.rs, constant memory),
# creates a workspace, then times each stage with its peak RSS (/usr/bin/time, else VmHWM is not
# available and memory shows "?"): import (+ index), search (5 queries, summed), train (all coded
# questions, default settings), classify (the last month, which has no human codes), trends,
# flags (last month) and report (last month). A stage whose subcommand is missing or fails is
# shown as n/a and its error kept in the run folder. Prints the table, then the growth ratios
# between consecutive sizes (1.0 × size ratio = linear).
#
# Environment: BENCH_DIR (default target/bench_scale), SEED (default 2020),
# TRAIN_ARGS (extra `codifica train` options, e.g. "--cv-folds 0").
set -uo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000)
BENCH_DIR=${BENCH_DIR:-target/bench_scale}
SEED=${SEED:-2020}
TRAIN_ARGS=${TRAIN_ARGS:-}
STAGES=(import search train classify trends flags report)

echo "== building (release)" >&2
cargo build --release --quiet --bin codifica --example synth || exit 1
BIN=$PWD/target/release/codifica
SYNTH=$PWD/target/release/examples/synth
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""
mkdir -p "$BENCH_DIR"

# measure NAME CMD... : runs CMD, records "seconds peak_mb" (or n/a) in $OUT/NAME.m
measure() {
  local name=$1; shift
  local m="$OUT/$name.m" log="$OUT/$name.log"
  if [ -n "$TIME" ]; then
    if "$TIME" -f "%e %M" -o "$m.raw" "$@" >"$log" 2>&1; then
      awk '{printf "%.2f %.0f\n", $1, $2/1024}' "$m.raw" >"$m"
    else
      echo "n/a n/a" >"$m"
    fi
  else
    local t0 t1
    t0=$(date +%s.%N)
    if "$@" >"$log" 2>&1; then
      t1=$(date +%s.%N)
      echo "$(echo "$t1 - $t0" | bc) ?" >"$m"
    else
      echo "n/a n/a" >"$m"
    fi
  fi
}

# add_search: sums the seconds and keeps the max RSS of several queries
search_all() {
  local q
  for q in "planeación" "asistencia AND NOT conectividad" "\"plan de desarrollo\"" "capacit*" "rotacion~1 personal"; do
    "$BIN" -w "$WS" -q search --limit 10 --json -- "$q" >/dev/null || return 1
  done
  "$BIN" -w "$WS" -q search --limit 0 --count-by region,month "asistencia" >/dev/null || return 1
  "$BIN" -w "$WS" -q search --limit 10 --region "Pacifico" --month "$LAST" "comunicación" >/dev/null || return 1
}

for N in "${SIZES[@]}"; do
  OUT=$BENCH_DIR/$N
  rm -rf "$OUT"; mkdir -p "$OUT"
  CSV=$OUT/answers.csv
  WS=$OUT/ws
  echo "== $N answers: generating" >&2
  "$SYNTH" "$N" "$CSV" "$SEED" 2>"$OUT/synth.log" || { cat "$OUT/synth.log" >&2; exit 1; }
  LAST=$(tail -n 1 "$CSV" | awk -F, '{for (i = 1; i <= NF; i++) if ($i ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]$/) {print $i; exit}}')
  "$BIN" -w "$WS" -q init >/dev/null || exit 1
  echo "== $N answers: import (last month $LAST)" >&2
  measure import "$BIN" -w "$WS" -q import "$CSV"
  echo "== $N answers: search" >&2
  export -f search_all; export BIN WS LAST
  measure search bash -c search_all
  echo "== $N answers: train" >&2
  # shellcheck disable=SC2086
  measure train "$BIN" -w "$WS" -q train $TRAIN_ARGS
  echo "== $N answers: classify $LAST" >&2
  measure classify "$BIN" -w "$WS" -q classify --month "$LAST"
  echo "== $N answers: trends, flags, report" >&2
  measure trends "$BIN" -w "$WS" -q trends --json
  measure flags "$BIN" -w "$WS" -q flags --month "$LAST"
  measure report "$BIN" -w "$WS" -q report --month "$LAST" --out "$OUT/report"
  du -sm "$WS/index" | awk '{print $1}' >"$OUT/index_mb"
done

printf '\n%-9s' "answers"
for s in "${STAGES[@]}"; do printf ' %9s' "$s"; done
printf ' %8s %8s\n' "peak_MB" "index_MB"
for N in "${SIZES[@]}"; do
  OUT=$BENCH_DIR/$N
  printf '%-9s' "$N"
  peak=0
  for s in "${STAGES[@]}"; do
    read -r sec mb <"$OUT/$s.m"
    printf ' %9s' "$sec"
    if [ "$mb" != "n/a" ] && [ "$mb" != "?" ] && [ "$mb" -gt "$peak" ]; then peak=$mb; fi
  done
  printf ' %8s %8s\n' "$peak" "$(cat "$OUT/index_mb")"
done

printf '\npeak MB per stage\n%-9s' "answers"
for s in "${STAGES[@]}"; do printf ' %9s' "$s"; done
echo
for N in "${SIZES[@]}"; do
  printf '%-9s' "$N"
  for s in "${STAGES[@]}"; do read -r _ mb <"$BENCH_DIR/$N/$s.m"; printf ' %9s' "$mb"; done
  echo
done

if [ ${#SIZES[@]} -gt 1 ]; then
  printf '\ngrowth of seconds (size ratio in brackets; equal = linear)\n'
  for ((i = 1; i < ${#SIZES[@]}; i++)); do
    a=${SIZES[$((i - 1))]}; b=${SIZES[$i]}
    printf '%-18s' "$b/$a [$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.0f", b/a}')x]"
    for s in "${STAGES[@]}"; do
      read -r ta _ <"$BENCH_DIR/$a/$s.m"; read -r tb _ <"$BENCH_DIR/$b/$s.m"
      awk -v a="$ta" -v b="$tb" 'BEGIN{ if (a == "n/a" || b == "n/a" || a + 0 == 0) printf " %9s", "n/a"; else printf " %9.1f", b / a }'
    done
    echo
  done
fi
