#!/usr/bin/env bash
# Side-by-side benchmark of codifica's classifier and the scikit-learn / fastText peers
# (../shared/peers) on the real cabildos answers, in one run, one table, on exactly the same folds:
#
#   1. leave one region out (15 folds of whole regions: every answer is tested by a model that
#      never saw anybody of its region — what a new month and a new region look like);
#   2. the file's suggested split (train / test).
#
#   bash scripts/bench_classifier.sh                    # all four themes, both protocols
#   THEMES="derechos" bash scripts/bench_classifier.sh  # some themes
#   PROTOCOLS="split" bash scripts/bench_classifier.sh  # one protocol (loro | split)
#   PEERS_VENV=... DATA=... OUT=... PEER_MODELS=... bash scripts/bench_classifier.sh
#
# Quality per (protocol, theme): macro-F1, accuracy, top-3 accuracy, cov@90 / cov@80 (the share of
# answers that can be accepted, most confident first, keeping 90 % / 80 % accuracy), as means over
# folds. Peers: their own confidence (LinearSVC margin, NB / LR / fastText probability); codifica:
# its calibrated confidence. Then the whole job as a user runs it (train the four themes on the
# train part, each one process, then classify the test part): codifica CLI wall time and peak RSS
# against the char 2–5 peer's worker, and codifica's batch docs/s per core after load.
# Figures are medians of one run on a shared machine: read the ratios.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${DATA:-$root/../shared/data/cabildos-2016/cabildos_provincial.csv}"
V="${PEERS_VENV:-$HOME/.cache/codifica-peers-venv}"
OUT="${OUT:-$root/target/bench_classifier}"
THEMES="${THEMES:-deberes_responsabilidades derechos instituciones valores_principios}"
PROTOCOLS="${PROTOCOLS:-loro split}"
PEER_MODELS="${PEER_MODELS:-word12_linearsvc,word12_cnb,stem12_cnb,char25_linearsvc,fasttext}"
if [ ! -f "$DATA" ]; then echo "SKIPPED: $DATA not found"; exit 0; fi
if [ ! -x "$V/bin/python" ]; then
    echo "peer venv missing at $V: run bash $root/../shared/peers/setup.sh" >&2; exit 1
fi
mkdir -p "$OUT/loro" "$OUT/split" "$OUT/cli"
cd "$root"
cargo build --release --quiet --bin codifica
bench_bin="$(cargo bench --bench classify --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)"
codifica="$root/target/release/codifica"
peer() { "$V/bin/python" "$root/../shared/peers/bench_peers.py" "$DATA" --where text_is_placeholder=0 \
    --models "$PEER_MODELS" --latency-docs 0 "$@" >&2; }

for t in $THEMES; do
    for p in $PROTOCOLS; do
        echo "== $t ($p)" >&2
        if [ "$p" = loro ]; then
            peer --where "theme=$t" --group-col region --min-predict-s 0.1 --out-dir "$OUT/loro" --tag "$t"
            "$bench_bin" --data "$DATA" --theme "$t" --group-col region --json "$OUT/loro/codifica_$t.json" >&2
        else
            peer --where "theme=$t" --split-col suggested_split --out-dir "$OUT/split" --tag "$t"
            "$bench_bin" --data "$DATA" --theme "$t" --group-col suggested_split --json "$OUT/split/codifica_$t.json" >&2
        fi
    done
    # The whole job as a user runs it: train on the train part, classify the test part.
    sel=(--examples "$DATA" --text-column text --code-column label --group-column region
         --where text_is_placeholder=0 --where "theme=$t")
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/cli/train_$t.time" \
        "$codifica" -q train "${sel[@]}" --where suggested_split=train --model "$OUT/cli/$t.model" >/dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/cli/classify_$t.time" \
        "$codifica" -q classify --model "$OUT/cli/$t.model" --input "$DATA" --text-column text \
        --id-column id --where text_is_placeholder=0 --where "theme=$t" --where suggested_split=test \
        --output "$OUT/cli/$t.csv"
done
"$bench_bin" --data "$DATA" --throughput --json "$OUT/throughput.json" >&2

python3 "$root/scripts/bench_classifier_table.py" "$OUT" "$PROTOCOLS" $THEMES
