#!/usr/bin/env python3
"""oci-config.py - turn `runc spec`'s config.json into the container Docker
would create, so runc and `secprof run --rootfs` can be compared.

usage: oci-config.py CONFIG --root DIR --caps HEXMASK [--seccomp FILE]
                     [--nnp] [--user UID:GID] -- ARGS...

Edits, in place: process.args/terminal/user/noNewPrivileges, the capability
sets as Docker writes them (bounding = effective = permitted, inheritable and
ambient empty since Docker 20.10.14, CVE-2022-24769), root.path (writable),
and linux.seccomp (the OCI object from `secprof resolve`; none = unconfined).
"""
import argparse
import json
import sys

# Linux capability numbers (include/uapi/linux/capability.h).
CAP_NAMES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
    "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
    "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--root", required=True)
    ap.add_argument("--caps", required=True, help="hex mask, as CapBnd shows it")
    ap.add_argument("--seccomp")
    ap.add_argument("--nnp", action="store_true")
    ap.add_argument("--user")
    ap.add_argument("args", nargs="+")
    o = ap.parse_args()

    with open(o.config) as f:
        cfg = json.load(f)
    mask = int(o.caps, 16)
    names = [n for i, n in enumerate(CAP_NAMES) if mask >> i & 1]
    proc = cfg["process"]
    proc["terminal"] = False
    proc["args"] = o.args
    proc["noNewPrivileges"] = o.nnp
    proc["capabilities"] = {"bounding": names, "effective": names, "permitted": names}
    if o.user:
        uid, gid = o.user.split(":")
        proc["user"] = {"uid": int(uid), "gid": int(gid)}
    cfg["root"] = {"path": o.root, "readonly": False}
    cfg["hostname"] = "secprof"
    linux = cfg.setdefault("linux", {})
    linux.pop("seccomp", None)
    if o.seccomp:
        with open(o.seccomp) as f:
            text = f.read().strip()
        if text:
            linux["seccomp"] = json.loads(text)
    with open(o.config, "w") as f:
        json.dump(cfg, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
