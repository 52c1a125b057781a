#!/usr/bin/env python3
"""moby-resolve-oracle.py - a second, independent implementation of moby's
setupSeccomp (docs/COMPAT.md §2) and of Go's json.Marshal of specs.LinuxSeccomp, used to
check `secprof resolve` on random profiles.

usage: moby-resolve-oracle.py SECPROF SEED COUNT
Generates COUNT random profiles (deterministic for SEED) with archMap or
legacy architectures, includes/excludes on caps, arches and minKernel, legacy
"name", errnoRet and args; resolves each for a few (arch, kernel, caps)
containers with both implementations and compares the bytes.
Prints one line per mismatch; exit 0 when all agree, 1 otherwise.
"""
import json
import random
import subprocess
import sys

# docs/COMPAT.md §2.1: GOARCH -> native string, and native string -> archMap key.
GO_TO_NATIVE = {
    "386": "x86", "amd64": "amd64", "arm": "arm", "arm64": "arm64",
    "loong64": "loongarch64", "mips64": "mips64", "mips64le": "mipsel64",
    "mips64p32": "mips64n32", "mips64p32le": "mips3l64n32", "mipsle": "mipsel",
    "ppc": "ppc", "ppc64": "ppc64", "ppc64le": "ppc64le", "riscv64": "riscv64",
    "s390": "s390", "s390x": "s390x",
}
NATIVE_TO_SECCOMP = {
    "x86": "SCMP_ARCH_X86", "amd64": "SCMP_ARCH_X86_64", "arm": "SCMP_ARCH_ARM",
    "arm64": "SCMP_ARCH_AARCH64", "loong64": "SCMP_ARCH_LOONGARCH64",
    "mips64": "SCMP_ARCH_MIPS64", "mips64n32": "SCMP_ARCH_MIPS64N32",
    "mipsel64": "SCMP_ARCH_MIPSEL64", "mips3l64n32": "SCMP_ARCH_MIPSEL64N32",
    "mipsle": "SCMP_ARCH_MIPSEL", "ppc": "SCMP_ARCH_PPC", "ppc64": "SCMP_ARCH_PPC64",
    "ppc64le": "SCMP_ARCH_PPC64LE", "riscv64": "SCMP_ARCH_RISCV64",
    "s390": "SCMP_ARCH_S390", "s390x": "SCMP_ARCH_S390X",
}
SCMP_ARCHES = sorted(set(NATIVE_TO_SECCOMP.values()) | {"SCMP_ARCH_X32", "SCMP_ARCH_MIPS"})
ARCH_WORDS = sorted(set(GO_TO_NATIVE.values()) | {"x86_64", "x32", "loong64", "mipsle"})
CAPS = ["CAP_SYS_ADMIN", "CAP_SYSLOG", "CAP_BPF", "CAP_CHOWN", "CAP_SYS_PTRACE",
        "cap_sys_admin", "CAP_NOT_A_CAP"]
# the ones --cap-add takes: Debian 12's Docker knows no CAP_BPF, so a profile's
# CAP_BPF never matches (docs/COMPAT.md §3.4)
REAL_CAPS = [c for c in CAPS if c.isupper() and c not in ("CAP_NOT_A_CAP", "CAP_BPF")]
NAMES = ["read", "write", "open", "close", "mount", "ptrace", "clone", "chmod", "bpf"]
ACTIONS = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", "SCMP_ACT_TRAP",
           "SCMP_ACT_KILL_PROCESS"]
OPS = ["SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_GT"]


def rand_filter(r):
    f = {}
    if r.random() < 0.5:
        f["caps"] = r.sample(CAPS, r.randint(0, 2))
    if r.random() < 0.5:
        f["arches"] = r.sample(ARCH_WORDS, r.randint(0, 3))
    if r.random() < 0.4:
        f["minKernel"] = r.choice(["", "4.8", "5.10", "6.1", "6.2", "3.0", "10.0"])
    return f


def rand_rule(r):
    rule = {}
    if r.random() < 0.2:
        rule["name"] = r.choice(NAMES)
    else:
        rule["names"] = r.sample(NAMES, r.randint(1, 3))
    rule["action"] = r.choice(ACTIONS)
    if r.random() < 0.3:
        rule["errnoRet"] = r.choice([0, 1, 38, 12345])
    if r.random() < 0.3:
        rule["args"] = [{"index": r.randint(0, 5), "value": r.choice([0, 1, 2**63, 2**64 - 1]),
                         "valueTwo": r.choice([0, 0, 7]), "op": r.choice(OPS)}
                        for _ in range(r.randint(0, 2))]
    for key in ("includes", "excludes"):
        if r.random() < 0.5:
            rule[key] = rand_filter(r)
    return rule


def rand_profile(r):
    p = {"defaultAction": r.choice(ACTIONS)}
    if r.random() < 0.5:
        p["defaultErrnoRet"] = r.choice([0, 1, 38])
    if r.random() < 0.3:
        p["architectures"] = r.sample(SCMP_ARCHES, r.randint(0, 3))
    elif r.random() < 0.8:
        p["archMap"] = [{"architecture": r.choice(SCMP_ARCHES),
                         "subArchitectures": r.sample(SCMP_ARCHES, r.randint(0, 2))}
                        for _ in range(r.randint(0, 5))]
    if r.random() < 0.2:
        p["flags"] = ["SECCOMP_FILTER_FLAG_LOG"]
    p["syscalls"] = [rand_rule(r) for _ in range(r.randint(1, 8))]
    return p


def kernel_ge(kernel, mk):
    if mk == "":
        return True  # {0,0}: always met
    a, b = (int(x) for x in mk.split("."))
    return kernel[0] > a or (kernel[0] == a and kernel[1] >= b)


def setup_seccomp(p, goarch, kernel, caps):
    """moby/profiles seccomp_linux.go setupSeccomp, step by step."""
    if p.get("defaultAction", "") == "" and not p.get("syscalls"):
        return None
    native = GO_TO_NATIVE[goarch]
    out = {"defaultAction": p["defaultAction"]}
    if "defaultErrnoRet" in p:
        out["defaultErrnoRet"] = p["defaultErrnoRet"]
    arches = list(p.get("architectures", []))
    key = NATIVE_TO_SECCOMP.get(native)
    for a in p.get("archMap", []) if key else []:
        if a["architecture"] == key:
            arches += [a["architecture"]] + a["subArchitectures"]
            break
    if arches:
        out["architectures"] = arches
    if p.get("flags"):
        out["flags"] = p["flags"]
    calls = []
    for call in p["syscalls"]:
        ex, inc = call.get("excludes", {}), call.get("includes", {})
        if ex.get("arches") and native in ex["arches"]:
            continue
        if ex.get("caps") and any(c in caps for c in ex["caps"]):
            continue
        if "minKernel" in ex and kernel_ge(kernel, ex["minKernel"]):
            continue
        if inc.get("arches") and native not in inc["arches"]:
            continue
        if inc.get("caps") and not all(c in caps for c in inc["caps"]):
            continue
        if "minKernel" in inc and not kernel_ge(kernel, inc["minKernel"]):
            continue
        s = {"names": [call["name"]] if "name" in call else call["names"],
             "action": call["action"]}
        if "errnoRet" in call:
            s["errnoRet"] = call["errnoRet"]
        args = []
        for a in call.get("args", []):
            arg = {"index": a["index"], "value": a["value"]}
            if a["valueTwo"]:
                arg["valueTwo"] = a["valueTwo"]
            arg["op"] = a["op"]
            args.append(arg)
        if args:
            s["args"] = args
        calls.append(s)
    if calls:
        out["syscalls"] = calls
    return out


def main():
    secprof, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    r = random.Random(seed)
    bad = runs = 0
    for i in range(count):
        p = rand_profile(r)
        text = json.dumps(p)
        for _ in range(3):
            goarch = r.choice(sorted(GO_TO_NATIVE))
            kernel = r.choice([(4, 7), (4, 8), (5, 10), (6, 1), (6, 2)])
            caps = set(r.sample(REAL_CAPS, r.randint(0, len(REAL_CAPS))))
            cmd = [secprof, "-q", "resolve", "-", "--arch", goarch, "--kernel",
                   "%d.%d" % kernel, "--cap-drop", "ALL"]
            for c in sorted(caps):
                cmd += ["--cap-add", c]
            got = subprocess.run(cmd, input=text.encode(), capture_output=True)
            want = json.dumps(setup_seccomp(p, goarch, kernel, caps), separators=(",", ":"))
            runs += 1
            if got.returncode != 0 or got.stdout.decode().rstrip("\n") != want:
                bad += 1
                print("mismatch: profile %d %s kernel %d.%d caps %s" % (i, goarch, *kernel, sorted(caps)))
                print("  profile: " + text)
                print("  got:  " + got.stdout.decode().strip() + got.stderr.decode().strip())
                print("  want: " + want)
                if bad >= 3:
                    return 1
    print("%d resolutions of %d random profiles, %d differ" % (runs, count, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
