#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""No two of xtcp's module files call each other, directly or round a loop.

Reads the objects of a module build (nm: which functions each file
defines and which symbols it needs), draws an edge from a file to each
file whose xtcp_* function it calls, and prints every import cycle, one
per line. Exit 0 when there is
none. The KUnit suites are #included into the files they test and may
reach anywhere, so check an object built without them.

Usage: layering.py DIR/module/a.o DIR/module/b.o ...
"""
import os
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, needed = set(), set()
    for line in out.splitlines():
        parts = line.split()
        kind, name = parts[-2], parts[-1]
        if not name.startswith("xtcp_"):
            continue
        if kind == "U":
            needed.add(name)
        elif kind == "T":
            # functions only: main.c's parameters and net id are data
            # every file reads, not calls
            defined.add(name)
    return defined, needed


def main(objs):
    owner, needs = {}, {}
    for obj in objs:
        name = os.path.basename(obj)[:-2] + ".c"
        defined, needed = symbols(obj)
        for sym in defined:
            owner[sym] = name
        needs[name] = needed
    edges = {f: sorted({owner[s] for s in n if s in owner} - {f})
             for f, n in needs.items()}
    cycles, seen = [], set()

    def walk(path):
        for nxt in edges[path[-1]]:
            if nxt == path[0]:
                key = frozenset(path)
                if key not in seen:
                    seen.add(key)
                    cycles.append(path + [nxt])
            elif nxt not in path and nxt > path[0]:
                walk(path + [nxt])

    for start in sorted(edges):
        walk([start])
    for c in cycles:
        print("import cycle: " + " -> ".join(c))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
