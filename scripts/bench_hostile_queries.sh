#!/usr/bin/env bash
# Hostile-query benchmark (issue 15, item 7): seconds and peak memory of `codifica search` on
# queries built to be expensive, at N synthetic answers (default 100,000). Not a test: it prints
# figures for docs/hardening.md.
#
#   scripts/bench_hostile_queries.sh [ANSWERS]
#
# Environment:
#   PROFILE     release (default) or dev. The dev profile builds the dependencies (tantivy) at
#               opt-level 2, so a search's cost, which is tantivy's, is close to release.
#   BEFORE_BIN  another codifica binary to measure on the same workspace (e.g. one built from
#               main before the caps), shown in a second column. It must use the same analyzer
#               (else it rebuilds the index).
#   AFTER_BIN   measure this binary instead of building this branch's.
#   BENCH_DIR   default target/bench_hostile; SEED default 2020.
#
# Queries (every one also counts the web page's five facets, as /buscar does):
#   fuzzy_4900    4,900 distinct fuzzy words `asistenciaN~2 OR …` (the issue's GET; refused now)
#   repeat_2000   one word repeated 2,000 times (refused now: too long; merged if short enough)
#   long_100k     a 100,000-character query (refused now)
#   worst_ok      the costliest query the caps accept: 4 one-letter prefixes, 4 two-letter
#                 fuzzy~2 words, 56 frequent words, all ORed (≤ 1,000 characters)
#   long_fuzzy_ok 8 fuzzy~2 words of 110 characters (the automaton of a long word)
set -uo pipefail
cd "$(dirname "$0")/.."

N=${1:-100000}
PROFILE=${PROFILE:-release}
BENCH_DIR=${BENCH_DIR:-target/bench_hostile}
SEED=${SEED:-2020}
BEFORE_BIN=${BEFORE_BIN:-}

echo "== building ($PROFILE)" >&2
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet --bin codifica --example synth || exit 1
  DIR=target/release
else
  cargo build --quiet --bin codifica --example synth || exit 1
  DIR=target/debug
fi
BIN=${AFTER_BIN:-$PWD/$DIR/codifica}
SYNTH=$PWD/$DIR/examples/synth
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time) for peak memory" >&2; exit 1; }

OUT=$BENCH_DIR/$N
WS=$OUT/ws
mkdir -p "$OUT"
if [ ! -f "$WS/codifica.toml" ]; then
  echo "== $N answers: generating and importing" >&2
  "$SYNTH" "$N" "$OUT/answers.csv" "$SEED" 2>"$OUT/synth.log" || { cat "$OUT/synth.log" >&2; exit 1; }
  "$BIN" -w "$WS" -q init >/dev/null || exit 1
  "$BIN" -w "$WS" -q import "$OUT/answers.csv" || exit 1
fi

# The queries, one file each (too long for a readable command line).
Q=$OUT/queries
mkdir -p "$Q"
seq -f 'asistencia%g~2' 0 4899 | paste -sd' ' | sed 's/ / OR /g' >"$Q/fuzzy_4900"
yes planeacion | head -n 2000 | paste -sd' ' >"$Q/repeat_2000"
head -c 100000 /dev/zero | tr '\0' 'a' >"$Q/long_100k"
{
  printf 'a* OR e* OR c* OR p* OR de~2 OR la~2 OR co~2 OR en~2'
  for w in asistencia tecnica planeacion territorial municipio plan desarrollo apoyo \
    acompanamiento gestion recursos proyectos comunidad capacitacion informacion proceso \
    equipo profesionales entidad departamento seguimiento indicadores presupuesto sistema \
    programa calidad tiempo falta mayor mejor buena servicio respuesta atencion oportuna \
    reuniones virtual conectividad internet alcaldia gobernacion secretaria funcionarios \
    comunicacion dialogo articulacion instrumentos metas inversion regalias formulacion \
    ejecucion evaluacion territorio salud educacion; do
    printf ' OR %s' "$w"
  done
} >"$Q/worst_ok"
for i in 1 2 3 4 5 6 7 8; do
  printf '%s%s~2 ' "$(head -c 108 /dev/zero | tr '\0' 'a')" "$i"
done | sed 's/ $//' >"$Q/long_fuzzy_ok"

FACETS=month,question,region,code,machine_code
# run BIN QUERYFILE → "seconds peak_MB exit"
run() {
  local bin=$1 qf=$2 raw
  raw=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$raw" \
    "$bin" -w "$WS" -q search --limit 20 --count-by "$FACETS" -- "$(cat "$qf")" >/dev/null 2>"$raw.err"
  local rc=$?
  # GNU time writes "Command exited with non-zero status N" first when the command fails.
  tail -n 1 "$raw" | awk -v rc="$rc" '{printf "%.2f %.0f %s\n", $1, $2/1024, rc}'
  [ "$rc" -eq 0 ] || head -c 300 "$raw.err" | tail -n 2 >&2
  rm -f "$raw" "$raw.err"
}

printf '\n%s answers, %s profile\n' "$N" "$PROFILE"
printf '%-14s %8s %-28s' "query" "chars" "this branch: s / MB / exit"
[ -n "$BEFORE_BIN" ] && printf ' %-28s' "before: s / MB / exit"
echo
for q in fuzzy_4900 repeat_2000 long_100k worst_ok long_fuzzy_ok; do
  printf '%-14s %8s %-28s' "$q" "$(wc -m <"$Q/$q")" "$(run "$BIN" "$Q/$q")"
  [ -n "$BEFORE_BIN" ] && printf ' %-28s' "$(run "$BEFORE_BIN" "$Q/$q")"
  echo
done
