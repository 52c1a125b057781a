#!/usr/bin/env python3
"""project.py - the left-out list of `secprof ir --json` (stdin), one line per
entry: REASON PATH NAME ARCH [via X] [by PATH] [detail D]; the form of the
tests/ir/*.expect files (tests/suites/ir.sh, tests/ir/regen.sh)."""
import json
import sys

ir = json.load(sys.stdin)
for d in ir["dropped"]:
    path = d["rule"]["path"] + (f".args[{d['arg']}]" if "arg" in d else "")
    line = [d["reason"], path, d["name"] or "-", d["arch"] or "-"]
    if "via" in d:
        line += ["via", d["via"]]
    if "by" in d:
        line += ["by", d["by"]["path"]]
    if "detail" in d:
        line += ["detail", d["detail"]]
    print(" ".join(line))
