#!/usr/bin/env python3
"""One table from scripts/bench_classifier.sh's outputs (codifica and the peers, same folds).

    python3 scripts/bench_classifier_table.py OUT "loro split" THEME...
"""
import json
import os
import sys

out, protocols, themes = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
NAMES = {"loro": "leave one region out (15 folds)", "split": "suggested split"}
QUAL = ["macro_f1", "accuracy", "top3_accuracy", "coverage_at_90", "coverage_at_80"]


def load(path):
    with open(path) as fh:
        return json.load(fh)


def fmt(v):
    return "–" if v is None else f"{v:.4f}"


summary = {}
for p in protocols:
    print(f"\n### {NAMES.get(p, p)}\n")
    print("| theme | model | macro-F1 | accuracy | top-3 acc | cov@90 | cov@80 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for t in themes:
        peers = load(f"{out}/{p}/{t}.json")["summary"]
        peers = {m: s for m, s in peers.items() if m != "majority" and s.get("macro_f1") is not None}
        for m, s in sorted(peers.items(), key=lambda kv: -kv[1]["macro_f1"]):
            print(f"| {t} | {m} | " + " | ".join(fmt(s.get(k)) for k in QUAL) + " |")
        c = load(f"{out}/{p}/codifica_{t}.json")[0]
        print(f"| {t} | **codifica** | " + " | ".join(f"**{fmt(c.get(k))}**" for k in QUAL) + " |")
        best_f1 = max(peers.items(), key=lambda kv: kv[1]["macro_f1"])
        best_acc = max(s["accuracy"] for s in peers.values())
        best_cov = max(s.get("coverage_at_90") or 0.0 for s in peers.values())
        summary.setdefault(p, []).append((t, best_f1, best_acc, best_cov, c))

print("\n### codifica against the best peer of each theme (same folds)\n")
print("| protocol | theme | best peer (macro-F1) | Δ macro-F1 | accuracy codifica / best peer | cov@90 codifica / best peer |")
print("|---|---|---|---:|---:|---:|")
for p, rows in summary.items():
    d_f1, covs = [], []
    for t, (name, best), best_acc, best_cov, c in rows:
        d = c["macro_f1"] - best["macro_f1"]
        d_f1.append(d)
        ratio = c["coverage_at_90"] / best_cov if best_cov else float("nan")
        covs.append((c["coverage_at_90"], best_cov))
        print(f"| {p} | {t} | {name} ({best['macro_f1']:.4f}) | {d:+.4f} | "
              f"{c['accuracy']:.4f} / {best_acc:.4f} | {c['coverage_at_90']:.4f} / {best_cov:.4f} = {ratio:.2f}× |")
    mean_c = sum(a for a, _ in covs) / len(covs)
    mean_p = sum(b for _, b in covs) / len(covs)
    print(f"| {p} | **mean** | | **{sum(d_f1) / len(d_f1):+.4f}** | | "
          f"**{mean_c:.4f} / {mean_p:.4f} = {mean_c / mean_p if mean_p else float('nan'):.2f}×** |")

# The whole job as a user runs it: codifica CLI train + classify per theme (whole processes)
# against the char 2–5 peer's worker on the suggested split (its own whole process, less the
# harness's extra timing repetitions).
if os.path.exists(f"{out}/split/{themes[0]}.json"):
    print("\n### The whole job (suggested split): train on the train part, classify the test part\n")
    print("| theme | codifica CLI wall s (train + classify) | char25 peer wall s | ratio | peak RSS MiB codifica / peer |")
    print("|---|---:|---:|---:|---:|")
    tot_c = tot_p = 0.0
    rss_c = rss_p = 0.0
    for t in themes:
        tr = open(f"{out}/cli/train_{t}.time").read().split()[-4:]
        cl = open(f"{out}/cli/classify_{t}.time").read().split()[-4:]
        wall = float(tr[0]) + float(cl[0])
        rss = max(float(tr[3]), float(cl[3])) / 1024
        run = load(f"{out}/split/{t}.json")["runs"]["char25_linearsvc"][0]
        # worker_wall_s already leaves out the coverage scoring; drop the extra timing repetitions.
        peer = run["worker_wall_s"] - (run["predict_reps"] - 1) * run["predict_s"]
        tot_c += wall
        tot_p += peer
        rss_c, rss_p = max(rss_c, rss), max(rss_p, run["peak_rss_mb"])
        print(f"| {t} | {wall:.2f} | {peer:.2f} | {wall / peer:.2f} | {rss:.0f} / {run['peak_rss_mb']:.0f} |")
    print(f"| **all four** | **{tot_c:.2f}** | **{tot_p:.2f}** | **{tot_c / tot_p:.2f}** | {rss_c:.0f} / {rss_p:.0f} |")
if os.path.exists(f"{out}/throughput.json"):
    rows = load(f"{out}/throughput.json")
    print("\nBatch classification after load, one thread (full predictions: code, confidence, top-3, terms):")
    for r in rows:
        per_cpu = r.get("docs_per_cpu_s")
        extra = f", {per_cpu:,.0f} per CPU-second (per core)" if per_cpu else ""
        print(f"- {r['theme']}: {r['docs_per_s']:,.0f} answers/s wall{extra}")
