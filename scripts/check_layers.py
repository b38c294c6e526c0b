#!/usr/bin/env python3
"""Fail on a dependency cycle between codifica's library modules.

Layers must depend only downward (issue 12): a cycle means two modules cannot be understood,
tested or moved apart. This script derives the graph from the `crate::…`, `super::…` and
`self::…` paths in `src/` (the binary's `src/cli` and `src/main.rs` are a separate crate and are
skipped) and prints every cycle it finds, exiting 1 if there is one.

Nodes are the top-level modules, plus the submodules of `report/` and `web/` (each `web/pages/*`
file counts as `web::pages`). A path through a parent's re-export (`crate::web::Session`, where
`web/mod.rs` says `pub use server::Session`) is an edge to the submodule that defines the item.
Test modules (`#[cfg(test)] mod … { … }`) and comments are left out: they do not shape the layers.

Usage: python3 scripts/check_layers.py [SRC_DIR]   (default: src next to this script's parent)
       --graph  prints the edges too.
"""

import os
import re
import sys

SPLIT_PARENTS = ("report", "web")

# Known upward edges, tolerated until they are moved (each with why it exists). The check ignores
# them, so it still fails on any *new* cycle; delete an entry once its edge is gone.
KNOWN_UPWARD = {
    ("workspace", "codebook"): "Workspace::open rolls an interrupted codebook edit forward "
    "(codebook::edit::recover, which opens the store); belongs in a use-case layer above both",
}


def strip_comments(text):
    """Drop `//` comments (doc comments included) and `/* */` blocks, keeping string contents."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for line in text.splitlines():
        out.append(re.sub(r"//.*$", "", line) if '"' not in line else _strip_line(line))
    return "\n".join(out)


def _strip_line(line):
    """Remove a trailing `//` comment from a line that contains string literals."""
    in_str = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\" and in_str:
            i += 2
            continue
        if c == '"':
            in_str = not in_str
        elif not in_str and line.startswith("//", i):
            return line[:i]
        i += 1
    return line


def strip_test_modules(text):
    """Remove `#[cfg(test)] mod name { … }` blocks by brace matching."""
    pattern = re.compile(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{")
    while True:
        m = pattern.search(text)
        if not m:
            return text
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: m.start()] + text[i:]


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e'] (aliases and globs kept as text)."""
    tree = tree.strip()
    brace = tree.find("{")
    if brace < 0:
        return [re.sub(r"\s+as\s+\w+$", "", tree)]
    prefix, inner = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    parts, depth, start = [], 0, 0
    for i, c in enumerate(inner):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if c == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    paths = []
    for part in parts:
        if part.strip():
            paths += [prefix + p if p != "self" else prefix.rstrip(":") for p in expand_use_tree(part)]
    return paths


def module_path(rel):
    """'report/html.rs' -> ['report', 'html']; 'model/mod.rs' -> ['model']; 'lib.rs' -> []."""
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def paths_in(text, here):
    """Absolute module paths (lists of segments) that a file's code names."""
    found = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        found += expand_use_tree(re.sub(r"\s+", " ", m.group(1)))
    found += re.findall(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", text)
    resolved = []
    for path in found:
        segs = [s.strip() for s in path.split("::") if s.strip()]
        if not segs or segs[0] not in ("crate", "super", "self"):
            continue
        resolved.append(absolute(segs, here))
    return resolved


def absolute(segs, here):
    """Resolve `crate::`/`super::`/`self::` segments against the file's module path."""
    base = list(here)
    if segs[0] == "crate":
        return segs[1:]
    while segs and segs[0] in ("super", "self"):
        if segs[0] == "super" and base:
            base = base[:-1]
        segs = segs[1:]
    return base + segs


def reexports(src):
    """{('report',): {'RenderOptions': 'html', …}, (): {'Error': 'error'}} from `pub use` lines."""
    table = {}
    for rel, here in (("lib.rs", ()), ("report/mod.rs", ("report",)), ("web/mod.rs", ("web",))):
        path = os.path.join(src, rel)
        if not os.path.exists(path):
            continue
        text = strip_comments(open(path, encoding="utf-8").read())
        names = {}
        for m in re.finditer(r"\bpub\s+use\s+([^;]+);", text):
            for full in expand_use_tree(re.sub(r"\s+", " ", m.group(1))):
                segs = [s for s in full.split("::") if s and s not in ("self", "crate")]
                if len(segs) >= 2:
                    names[segs[-1]] = segs[0]
        table[here] = names
    return table


def node_of(path, submodules, exports):
    """Map an absolute module path to its graph node, following parents' re-exports."""
    if not path:
        return None
    top = path[0]
    if top in exports.get((), {}) and top not in submodules[()]:
        top = exports[()][top]
    if top not in SPLIT_PARENTS or len(path) < 2:
        return top if top in submodules[()] else None
    second = path[1]
    if second in submodules.get((top,), set()):
        return f"{top}::{second}"
    target = exports.get((top,), {}).get(second)
    return f"{top}::{target}" if target else top


def file_node(here):
    if here and here[0] in SPLIT_PARENTS and len(here) >= 2:
        return f"{here[0]}::{here[1]}"
    return here[0] if here else None


def list_submodules(src):
    subs = {(): set()}
    for name in os.listdir(src):
        if name in ("main.rs", "lib.rs", "cli"):
            continue
        if name.endswith(".rs") or os.path.isdir(os.path.join(src, name)):
            subs[()].add(name[:-3] if name.endswith(".rs") else name)
    for parent in SPLIT_PARENTS:
        folder = os.path.join(src, parent)
        if os.path.isdir(folder):
            subs[(parent,)] = {
                n[:-3] if n.endswith(".rs") else n for n in os.listdir(folder) if n != "mod.rs"
            }
    return subs


def build_graph(src):
    submodules, exports = list_submodules(src), reexports(src)
    graph = {}
    for root, dirs, files in os.walk(src):
        rel_root = os.path.relpath(root, src)
        if rel_root.split(os.sep)[0] == "cli":
            continue
        for name in files:
            rel = os.path.normpath(os.path.join(rel_root, name)).replace(os.sep, "/")
            if not name.endswith(".rs") or rel in ("main.rs", "lib.rs"):
                continue
            here = module_path(rel)
            me = file_node(here)
            text = strip_test_modules(strip_comments(open(os.path.join(root, name), encoding="utf-8").read()))
            for path in paths_in(text, here):
                other = node_of(path, submodules, exports)
                if other and other != me:
                    graph.setdefault(me, set()).add(other)
            graph.setdefault(me, set())
    return graph


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan), each with one cycle."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def one_cycle(graph, comp):
    """A concrete cycle through the component's first node (breadth-first back to it)."""
    start, members = comp[0], set(comp)
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    graph = build_graph(src)
    for (v, w), why in sorted(KNOWN_UPWARD.items()):
        if w in graph.get(v, set()):
            graph[v].discard(w)
            print(f"known upward edge, ignored: {v} -> {w} ({why})")
    if "--graph" in argv:
        for v in sorted(graph):
            print(f"{v} -> {', '.join(sorted(graph[v]))}")
    found = cycles(graph)
    for comp in found:
        print(f"module cycle among {{{', '.join(comp)}}}: {' -> '.join(one_cycle(graph, comp))}")
        inside = [f"{v} -> {w}" for v in comp for w in sorted(graph[v]) if w in comp]
        print(f"  edges inside it: {'; '.join(inside)}")
    if found:
        print(f"check_layers: {len(found)} cycle(s) between modules in {src}", file=sys.stderr)
        return 1
    print(f"check_layers: no module cycle ({len(graph)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
