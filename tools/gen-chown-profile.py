#!/usr/bin/env python3
"""gen-chown-profile.py MOBY_DEFAULT_JSON > tests/data/run-chown-audit-control.json

The custom profile of the chown seed of Docker's seccomp documentation: Docker's default with every chown
syscall taken out of the rules that allow it, and one rule added that allows
them only when the container holds CAP_AUDIT_CONTROL. `useradd` then fails
under Docker's default caps and works with --cap-add CAP_AUDIT_CONTROL.
"""
import json
import sys

CHOWN = ["chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32"]


def main():
    with open(sys.argv[1]) as f:
        prof = json.load(f)
    for rule in prof["syscalls"]:
        rule["names"] = [n for n in rule.get("names", []) if n not in CHOWN]
    prof["syscalls"] = [r for r in prof["syscalls"] if r["names"]]
    prof["syscalls"].append({
        "names": CHOWN,
        "action": "SCMP_ACT_ALLOW",
        "args": [],
        "comment": "chown only with CAP_AUDIT_CONTROL (seed 002)",
        "includes": {"caps": ["CAP_AUDIT_CONTROL"]},
        "excludes": {},
    })
    json.dump(prof, sys.stdout, indent="\t")
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
