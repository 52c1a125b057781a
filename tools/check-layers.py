#!/usr/bin/env python3
"""check-layers.py [ROOT] - check that src/'s folders include only downward.

The layers of libsecprof, lowest first (docs/ARCHITECTURE.md, "Layers"):

    gen < core < profile < ir < bpf < analyze < export < sandbox < record < api

src/gen/ holds generated tables any layer may include; files directly in src/
(the public API front, src/api_*.c) are the top. Every `#include "..."` of a
file under src/ is resolved as the compiler does with -Iinclude -Isrc (first
beside the including file, then src/, then include/), and it is an error when:
  - a file includes a header of a higher layer;
  - a folder of src/ is not in the layer list (a new folder needs a place);
  - the folders' include graph has a cycle;
  - an include names no file.
cli/ may include only secprof.h and cli.h (the CLI goes through the public API).
Its other includes are printed as warnings, and errors only with --strict-cli,
until the CLI is off the internal headers.

Exit 0 when clean, 1 on an error. Prints one line per finding.
"""
import os
import re
import sys

LAYERS = ["gen", "core", "profile", "ir", "bpf", "analyze", "export", "sandbox", "record", "api"]
RANK = {name: i for i, name in enumerate(LAYERS)}
CLI_ALLOWED = {"include/secprof.h", "cli/cli.h"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def strip_comments(text):
    # An #include inside a comment is not one.
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = strip_comments(f.read())
    for m in INCLUDE_RE.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1)


def resolve(root, src_file, name):
    """The include's file, relative to root, or None."""
    for base in (os.path.dirname(src_file), "src", "include"):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def layer_of(rel):
    """The layer of a file under src/ or include/ (None for other trees)."""
    parts = rel.split(os.sep)
    if parts[0] == "include":
        return "include"
    if parts[0] != "src":
        return None
    if len(parts) == 2:
        return "api"
    return parts[1]


def walk(root, top, exts=(".c", ".h", ".inc")):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
        dirnames.sort()
        for fn in sorted(filenames):
            if fn.endswith(exts):
                yield os.path.relpath(os.path.join(dirpath, fn), root)


def find_cycle(graph):
    """One cycle of the folder graph as a list of folders, or None."""
    state = {}
    stack = []

    def dfs(v):
        state[v] = 1
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if state.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if w not in state:
                c = dfs(w)
                if c:
                    return c
        stack.pop()
        state[v] = 2
        return None

    for v in sorted(graph):
        if v not in state:
            c = dfs(v)
            if c:
                return c
    return None


def main(argv):
    strict_cli = "--strict-cli" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    errors = []
    warnings = []
    graph = {}

    for rel in walk(root, "src"):
        lay = layer_of(rel)
        if lay not in RANK:
            errors.append(f"{rel}: folder src/{lay}/ is in no layer (tools/check-layers.py LAYERS)")
            continue
        for line, name in includes(os.path.join(root, rel)):
            target = resolve(root, rel, name)
            if target is None:
                errors.append(f"{rel}:{line}: #include \"{name}\" names no file")
                continue
            tl = layer_of(target)
            if tl == "include" or tl == lay:
                continue
            if tl not in RANK:
                errors.append(f"{rel}:{line}: #include \"{name}\" reaches outside src/ and include/")
                continue
            graph.setdefault(lay, set()).add(tl)
            if RANK[tl] > RANK[lay]:
                errors.append(f"{rel}:{line}: {lay} includes \"{name}\" of the higher layer {tl}")

    cycle = find_cycle(graph)
    if cycle:
        errors.append("include cycle between folders: " + " -> ".join(cycle))

    for rel in walk(root, "cli", (".c", ".h")):
        for line, name in includes(os.path.join(root, rel)):
            target = resolve(root, rel, name)
            if target is None:
                errors.append(f"{rel}:{line}: #include \"{name}\" names no file")
            elif target not in CLI_ALLOWED:
                msg = f"{rel}:{line}: cli includes \"{name}\" (only secprof.h and cli.h)"
                (errors if strict_cli else warnings).append(msg)

    for w in warnings:
        print("check-layers: warning: " + w)
    for e in errors:
        print("check-layers: error: " + e)
    print(f"check-layers: {len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
