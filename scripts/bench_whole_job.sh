#!/bin/bash
# Needs a release build (cargo build --release) and the peers venv (bash ../shared/peers/setup.sh).
# Prints a markdown table; REPS=N repetitions (default 3), the minimum of each side is kept.
# Whole job, codifica CLI (train + classify) vs the char 2-5 peer, alternating, REPS times; min of each.
cd "$(dirname "$0")/.."
DATA=../shared/data/cabildos-2016/cabildos_provincial.csv
V="${PEERS_VENV:-$HOME/.cache/codifica-peers-venv}"
OUT="${OUT:-target/bench_whole_job}"; mkdir -p "$OUT"
REPS=${REPS:-3}
for t in deberes_responsabilidades derechos instituciones valores_principios; do
  for r in $(seq $REPS); do
    "$V/bin/python" ../shared/peers/bench_peers.py "$DATA" --where text_is_placeholder=0 --where "theme=$t" \
      --models char25_linearsvc --latency-docs 0 --split-col suggested_split --out-dir $OUT/peer_$r --tag $t > /dev/null 2>&1
    /usr/bin/time -f "%e %U %S %M" -o $OUT/train_${t}_$r.time target/release/codifica -q train --examples "$DATA" --text-column text \
      --code-column label --group-column region --where text_is_placeholder=0 --where "theme=$t" --where suggested_split=train --model $OUT/$t.model > /dev/null 2>&1
    /usr/bin/time -f "%e %U %S %M" -o $OUT/classify_${t}_$r.time target/release/codifica -q classify --model $OUT/$t.model --input "$DATA" \
      --text-column text --id-column id --where text_is_placeholder=0 --where "theme=$t" --where suggested_split=test --output $OUT/$t.csv > /dev/null 2>&1
  done
done
OUT="$OUT" REPS="$REPS" python3 - <<'PY'
import json,glob
import os; out=os.environ.get('OUT','target/bench_whole_job')
tc=tp=0
print("| theme | codifica wall s (train + classify), min of 3 | char25 peer wall s, min of 3 | ratio | codifica CPU s | peak RSS MiB codifica / peer |")
print("|---|---:|---:|---:|---:|---:|")
for t in ['deberes_responsabilidades','derechos','instituciones','valores_principios']:
    cw=[];cc=[];rss=0;pw=[];prss=0
    for r in range(1, int(os.environ.get("REPS","3"))+1):
        try:
            a=open(f'{out}/train_{t}_{r}.time').read().split()[-4:]; b=open(f'{out}/classify_{t}_{r}.time').read().split()[-4:]
        except Exception: continue
        cw.append(float(a[0])+float(b[0])); cc.append(float(a[1])+float(a[2])+float(b[1])+float(b[2])); rss=max(rss,float(a[3]),float(b[3]))/1
        j=json.load(open(f'{out}/peer_{r}/{t}.json'))["runs"]["char25_linearsvc"][0]
        pw.append(j["worker_wall_s"]-(j["predict_reps"]-1)*j["predict_s"]); prss=max(prss,j["peak_rss_mb"])
    c,p=min(cw),min(pw); tc+=c; tp+=p
    print(f"| {t} | {c:.2f} | {p:.2f} | {c/p:.2f} | {min(cc):.2f} | {rss/1024:.0f} / {prss:.0f} |")
print(f"| **all four** | **{tc:.2f}** | **{tp:.2f}** | **{tc/tp:.2f}** | | |")
PY
