#!/usr/bin/env bash
# Builds the fuzzers' seed corpora in fuzz/corpus/<target>/ (git-ignored) from the repository's
# own synthetic material: the bad-input corpus, the default codebooks, a synthetic workspace
# (codifica::synth) exported as XLSX and REFI-QDA, and the models trained on it. Never copies
# anything from ../shared. Needs a built codifica (BIN, default ../target/release/codifica) and
# the synth example (SYNTH, default ../target/release/examples/synth).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD/..
BIN=${BIN:-$ROOT/target/release/codifica}
SYNTH=${SYNTH:-$ROOT/target/release/examples/synth}
C=$PWD/corpus
rm -rf "$C"; mkdir -p "$C"/{csv_import,xlsx_import,xlsx_limits,codebook_parse,qdc_parse,search_query,model_load}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

for f in "$ROOT"/tests/bad_inputs/*.csv; do
  [ "$(stat -c %s "$f")" -le 65536 ] && cp "$f" "$C/csv_import/"
done
"$SYNTH" 300 "$C/csv_import/synth_300.csv" 1
"$SYNTH" 3000 "$TMP/synth_3000.csv" 1 2>/dev/null
cp "$ROOT"/tests/bad_inputs/pdf_renamed.xlsx "$C/xlsx_import/"
# xlsx_limits: 16 bytes of shape (far row, far column, shared strings announced, text run) and
# a little text. Small values (a readable workbook), the maxima (XFD1048576), and in between.
printf '\x02\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x10\x00\x00\x00hola' >"$C/xlsx_limits/small"
printf '\xff\xff\x0f\x00\xff\x3f\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00far' >"$C/xlsx_limits/far_xfd"
printf '\xff\xff\x0f\x00\x19\x00\x00\x00\xff\xff\xff\xff\x00\x00\x50\x00\x01big' >"$C/xlsx_limits/far_z_big"
cp "$ROOT"/lexicons/codebooks/*.toml "$C/codebook_parse/"

WS=$TMP/ws
"$BIN" -w "$WS" -q init
"$BIN" -w "$WS" -q import "$TMP/synth_3000.csv" >/dev/null
# Small workbooks (fuzzing works best on small inputs): a 40-answer workspace exported.
"$SYNTH" 40 "$TMP/synth_40.csv" 9 2>/dev/null
"$BIN" -w "$TMP/small" -q init
"$BIN" -w "$TMP/small" -q import "$TMP/synth_40.csv" >/dev/null
"$BIN" -w "$TMP/small" -q export --format xlsx --output "$C/xlsx_import/export.xlsx"
"$BIN" -w "$TMP/small" -q export --format matrix --output "$C/xlsx_import/matrix.xlsx" || true
for q in articulacion_instrumentos necesidades_debilidades fortalecimiento_capacidades demanda_temas; do
  "$BIN" -w "$WS" -q codebook export --question "$q" --output "$C/qdc_parse/$q.qdc"
done
"$BIN" -w "$WS" -q train --cv-folds 0
i=0
for m in "$WS"/models/*.model; do
  i=$((i + 1))
  # mode byte 0: the whole file; mode byte 1: the payload, wrapped in a valid header by the target
  { printf '\x00'; cat "$m"; } >"$C/model_load/file_$i"
  { printf '\x01'; tail -c +25 "$m"; } >"$C/model_load/payload_$i"
done

n=0
while IFS= read -r q; do
  n=$((n + 1)); printf '%s' "$q" >"$C/search_query/q$n"
done <<'QUERIES'
planeación territorial
agua OR acueducto
NOT vías
vías -rurales
(agua OR luz) rural
"listas de espera"
"plan desarrollo"~2
capacit*
rotacion~1 personal
asistencia AND NOT (conectividad OR "mala señal")
region:pacifico mes:2020-07
"sin cerrar
((((a
a OR OR b
*
-
ñandú PDT KPT SGR
a0~2 OR a1~2 OR a2~2 OR a3~2 OR a4~2 OR a5~2 OR a6~2 OR a7~2 OR a8~2
asistencia~2 OR asistencia~2 OR asistencia~2 OR asistencia~2 OR asistencia~2
p* q* r* s* t* u* v* w* x*
QUERIES
# The query caps (issue 15): just under and just over the length limit, 65 distinct words.
printf '%s' "$(printf 'a%.0s' $(seq 1000))" >"$C/search_query/len_1000"
printf '%s' "$(printf 'a%.0s' $(seq 1001))" >"$C/search_query/len_1001"
printf '%s' "$(seq -f 'w%g' -s ' ' 0 64)" >"$C/search_query/terms_65"
ls "$C"/* | head -50
