#!/usr/bin/env python3
"""Function lengths (lines from `fn` to its closing brace) of Rust files: median, p90, max.

Usage: python3 scripts/fn_lengths.py src/cli/*.rs (issue 12: median <= 8, p90 <= 30, none over 60)."""
import re, sys, statistics
def lengths(text):
    lines = text.split('\n'); out = []
    i = 0
    while i < len(lines):
        if re.match(r'\s*(pub(\([a-z]+\))?\s+)?(async\s+)?fn\s', lines[i]):
            depth, started, j = 0, False, i
            while j < len(lines):
                code = re.sub(r'"([^"\\]|\\.)*"', '""', lines[j].split('//')[0])
                depth += code.count('{') - code.count('}')
                if '{' in code: started = True
                if started and depth <= 0: break
                if not started and code.rstrip().endswith(';'): break
                j += 1
            if started: out.append((j - i + 1, lines[i].strip()[:60]))
            i = j + 1
        else:
            i += 1
    return out
allf = []
for p in sys.argv[1:]:
    t = open(p).read(); n = len(t.rstrip('\n').split('\n')); L = lengths(t)
    allf += [l for l, _ in L]
    print(f"{p}: {n} lines, {len(L)} fns, max {max([l for l,_ in L] or [0])}")
allf.sort()
p90 = allf[int(0.9 * (len(allf) - 1))]
print(f"ALL: {len(allf)} fns, median {statistics.median(allf)}, p90 {p90}, max {allf[-1]}, over 30: {sum(l > 30 for l in allf)}, over 60: {sum(l > 60 for l in allf)}")
