#!/usr/bin/env python3
"""pin.py < lint --json output: one line per finding, 'ID severity path line:col',
the form tests/lint/*.expected pin (messages may be reworded; these may not)."""
import json
import sys

for f in json.load(sys.stdin):
    print("%s %s %s %d:%d%s" % (f["id"], f["severity"], f["path"] or "(profile)", f["line"],
                                f["column"], "  e.g. " + f["example"] if f["example"] else ""))
