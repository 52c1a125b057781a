#!/usr/bin/env python3
"""relocs.py ELF - the symbols whose words ld.so relocates at load: one
line "SYMBOL COUNT" per symbol, sorted, for each R_X86_64_RELATIVE entry
of .rela.dyn and each address of a DT_RELR bitmap (.relr.dyn), as readelf
-r lists them. A static local's ".N" suffix is dropped; an address in no
sized symbol (.init_array, __dso_handle, a string's address gcc keeps
anonymous) counts under "?". docs/CONVENTIONS.md §18 says why they should
be few; tests/suites/abi.sh checks the list."""
import bisect
import collections
import re
import subprocess
import sys


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def relocated(elf):
    """Each address ld.so adds the load address to. readelf lists a DT_RELR
    bitmap as "N offsets" and then one address a line (binutils 2.40); a
    readelf that lists it otherwise must fail here, not count nothing."""
    relr, want, got = False, 0, 0
    for line in run("readelf", "-rW", elf).splitlines():
        f = line.split()
        if line.startswith("Relocation section"):
            relr = "'.relr.dyn'" in line
        elif relr and re.fullmatch(r"\d+ offsets", line.strip()):
            want += int(f[0])
        elif relr and len(f) == 1 and re.fullmatch(r"[0-9a-f]+", f[0]):
            got += 1
            yield int(f[0], 16)
        elif len(f) >= 3 and f[2] in ("R_X86_64_RELATIVE", "R_X86_64_64"):
            yield int(f[0], 16)
    if got != want:
        sys.exit(f"{elf}: readelf announced {want} DT_RELR offsets and listed {got}")


def main():
    elf = sys.argv[1]
    syms = []
    for line in run("nm", "-S", "-n", "--defined-only", elf).splitlines():
        f = line.split()
        if len(f) == 4 and int(f[1], 16) > 0:
            syms.append((int(f[0], 16), int(f[1], 16), re.sub(r"\.\d+$", "", f[3])))
    starts = [s[0] for s in syms]
    count = collections.Counter()
    for addr in relocated(elf):
        i = bisect.bisect_right(starts, addr) - 1
        inside = i >= 0 and addr < syms[i][0] + syms[i][1]
        count[syms[i][2] if inside else "?"] += 1
    for name in sorted(count):
        print(name, count[name])


main()
