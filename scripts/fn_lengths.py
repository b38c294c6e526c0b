#!/usr/bin/env python3
"""Function lengths (lines from `fn` line to its closing brace, rustfmt layout) of .rs files.
Usage: python3 scripts/fn_lengths.py FILE... ; prints per-file max and overall median/p90/max/count over 60 and 30."""
import re, sys, statistics
def lengths(text):
    lines = text.splitlines(); out = []
    for i, l in enumerate(lines):
        m = re.match(r'^(\s*)(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?fn\s+(\w+)', l)
        if not m: continue
        ind = m.group(1)
        for j in range(i, len(lines)):
            if lines[j].startswith(ind + '}') or (j == i and l.rstrip().endswith('}')):
                out.append((m.group(6), j - i + 1)); break
            if lines[j].rstrip().endswith(';') and j == i: break
    return out
allv = []
for f in sys.argv[1:]:
    ls = lengths(open(f).read()); allv += [n for _, n in ls]
    print(f"{f}: {len(open(f).read().splitlines())} lines, {len(ls)} fns, longest {max([n for _,n in ls] or [0])}")
allv.sort()
if allv:
    p90 = allv[max(0, -(-9 * len(allv) // 10) - 1)]
    print(f"ALL: n={len(allv)} median={statistics.median(allv)} p90={p90} max={allv[-1]} over30={sum(v>30 for v in allv)} over60={sum(v>60 for v in allv)}")
