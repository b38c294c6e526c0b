#!/usr/bin/env bash
# Side-by-side benchmark of codifica's classifier and the scikit-learn / fastText peers
# (../shared/peers) on the cabildos data: same rows (text_is_placeholder=0), one model per theme,
# train on suggested_split=train, test on suggested_split=test, all in one run, one table.
#
#   bash scripts/bench_classifier.sh                    # all four themes
#   THEMES="derechos" bash scripts/bench_classifier.sh  # some themes
#   PEERS_VENV=... DATA=... OUT=... bash scripts/bench_classifier.sh
#
# Columns per (theme, model): macro-F1, accuracy on test; train s (model fitting only, in
# process); docs/s (batch classification after load, one thread); peak RSS MiB (of the process).
# codifica also gets whole-process wall times of the real CLI (`codifica train` — incl. reading
# the CSV, 5-fold CV for calibration and offsets, writing the model — and `codifica classify`
# of the test rows incl. reading and writing files). Ratios compare codifica with the best peer
# of each theme (highest macro-F1). Figures are medians of one run; the machine is shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${DATA:-$root/../shared/data/cabildos-2016/cabildos_provincial.csv}"
V="${PEERS_VENV:-$HOME/.cache/codifica-peers-venv}"
OUT="${OUT:-$root/target/bench_classifier}"
THEMES="${THEMES:-deberes_responsabilidades derechos instituciones valores_principios}"
if [ ! -f "$DATA" ]; then echo "SKIPPED: $DATA not found"; exit 0; fi
if [ ! -x "$V/bin/python" ]; then
    echo "peer venv missing at $V: run bash $root/../shared/peers/setup.sh" >&2; exit 1
fi
mkdir -p "$OUT/peers" "$OUT/cli"
cd "$root"
cargo build --release --quiet --bin codifica
bench_bin="$(cargo bench --bench classify --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)"
codifica="$root/target/release/codifica"

for t in $THEMES; do
    echo "== $t" >&2
    "$V/bin/python" "$root/../shared/peers/bench_peers.py" "$DATA" --split-col suggested_split \
        --where text_is_placeholder=0 --where "theme=$t" --out-dir "$OUT/peers" --tag "$t" >&2
    "$bench_bin" --data "$DATA" --theme "$t" --json "$OUT/codifica_$t.json" >&2
    sel=(--examples "$DATA" --text-column text --code-column label
         --where text_is_placeholder=0 --where "theme=$t")
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/cli/train_$t.time" \
        "$codifica" -q train "${sel[@]}" --where suggested_split=train --model "$OUT/cli/$t.model" >/dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/cli/classify_$t.time" \
        "$codifica" -q classify --model "$OUT/cli/$t.model" --input "$DATA" --text-column text \
        --id-column id --where text_is_placeholder=0 --where "theme=$t" --where suggested_split=test \
        --output "$OUT/cli/$t.csv"
    "$codifica" -q evaluate "${sel[@]}" --where suggested_split=test --model "$OUT/cli/$t.model" \
        --json > "$OUT/cli/eval_$t.json"
done

python3 - "$OUT" $THEMES <<'PY'
import json, sys
out, themes = sys.argv[1], sys.argv[2:]
print("| theme | model | macro-F1 | accuracy | train s | docs/s | peak RSS MiB |")
print("|---|---|---:|---:|---:|---:|---:|")
ratios = []
for t in themes:
    peers = json.load(open(f"{out}/peers/{t}.json"))["summary"]
    peers = {m: s for m, s in peers.items() if m != "majority" and "macro_f1" in s}
    for m, s in sorted(peers.items(), key=lambda kv: -kv[1]["macro_f1"]):
        print(f"| {t} | {m} | {s['macro_f1']:.4f} | {s['accuracy']:.4f} | {s['train_s']:.2f} | "
              f"{s['predict_docs_per_s']:,.0f} | {s['peak_rss_mb']:.0f} |")
    c = json.load(open(f"{out}/codifica_{t}.json"))[0]
    tr_wall, tr_u, tr_s, tr_rss = map(float, open(f"{out}/cli/train_{t}.time").read().split()[-4:])
    cl_wall, cl_u, cl_s, cl_rss = map(float, open(f"{out}/cli/classify_{t}.time").read().split()[-4:])
    cli = json.load(open(f"{out}/cli/eval_{t}.json"))[0]["report"]
    print(f"| {t} | **{c['model']}** | **{c['macro_f1']:.4f}** | {c['accuracy']:.4f} | "
          f"{c['train_s']:.2f} | {c['docs_per_s']:,.0f} | {c['peak_rss_mib']:.0f} |")
    print(f"| {t} | codifica CLI (whole processes) | {cli['macro_f1']:.4f} | {cli['accuracy']:.4f} | "
          f"train {tr_wall:.2f} + classify {cl_wall:.2f} s wall (CPU {tr_u + tr_s + cl_u + cl_s:.2f} s) | – | "
          f"{max(tr_rss, cl_rss) / 1024:.0f} |")
    best_name, best = max(peers.items(), key=lambda kv: kv[1]["macro_f1"])
    run = json.load(open(f"{out}/peers/{t}.json"))["runs"][best_name][0]
    n_test = run["test_docs"]
    # The peer worker's whole process (import, read, vectorize, train, predict once): its wall
    # time minus the extra throughput repetitions, the warm-up and the 1-doc latency loop.
    peer_whole = (run["worker_wall_s"] - (run["predict_reps"] - 1) * run["predict_s"]
                  - run["predict_s"] * min(100, n_test) / n_test
                  - min(300, n_test) * (run["latency_p50_us"] or 0) / 1e6)
    ratios.append((t, best_name, c["macro_f1"] - best["macro_f1"], best["macro_f1"],
                   tr_wall + cl_wall, peer_whole, c["docs_per_s"] / best["predict_docs_per_s"],
                   max(tr_rss, cl_rss, c["peak_rss_mib"] * 1024) / 1024 / best["peak_rss_mb"]))
print()
print("| theme | best peer (macro-F1) | Δ macro-F1 (codifica − peer) | whole-process train+classify s: codifica CLI / peer | docs/s ratio | peak RSS ratio |")
print("|---|---|---:|---:|---:|---:|")
for t, name, d, bf, ours, peer, dps, rss in ratios:
    print(f"| {t} | {name} ({bf:.4f}) | {d:+.4f} | {ours:.2f} / {peer:.2f} = {ours / peer:.2f} | {dps:.1f}× | {rss:.2f} |")
PY
