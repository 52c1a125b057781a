#!/usr/bin/env python3
"""gen-argtypes.py SYSCALLS.CSV SYSCALLS.H > src/gen/argtypes.inc

Which arguments of each syscall the kernel reads as a 32-bit type, from the
kernel's prototypes (include/linux/syscalls.h). A syscall entry point is
defined with SYSCALL_DEFINEn, whose __se_sys_* stub receives every argument
as a long and casts it to the declared type (__SC_CAST) before the body
runs: for an `int` or `unsigned int` argument the high 32 bits of the
register never reach the kernel. libseccomp compares all 64 bits on 64-bit
ABIs, so `arg0 < 38` is true for 0x100000028 and the kernel then reads 40.

Output: sp_syscall_arg32[], one byte per row of gen/syscalls.inc
(gen/syscalls.inc, same order: the csv's names sorted as bytes), bit i set
when argument i is read as 32 bits (or fewer). Conservative by design:
 - a name with no prototype (arch-specific calls such as mmap, arch_prctl)
   keeps all six arguments 64-bit, as does an argument past the prototype's
   last one (the kernel does not read it at all);
 - a name with several prototypes (#ifdef variants such as clone's
   CLONE_BACKWARDS*, fanotify_mark's split mask) or several entry points
   (ENTRY below) has an argument 32-bit only when it is in all of them;
 - ARCH_64 lists arguments some 64-bit ABI declares wider than the
   generic prototype (ppc64's and parisc64's personality take an unsigned
   long), which therefore stay 64-bit on every arch;
 - a type the script does not know is an error, never a guess.
Types narrower than 32 bits (umode_t, old_uid_t: unsigned short) count as
32-bit: the high word is certainly ignored; bits 16-31 are still compared as
the profile says, as libseccomp does on 32-bit ABIs.
"""
import csv
import hashlib
import os
import re
import sys

# Types the kernel holds in 32 bits or fewer on every ABI (linux/types.h,
# uapi/asm-generic/posix_types.h: __kernel_pid_t, __kernel_uid32_t,
# __kernel_timer_t, __kernel_clockid_t, __kernel_mqd_t, __kernel_rwf_t and
# __kernel_key_t are int / unsigned int; key_serial_t is int32_t; qid_t is
# __kernel_uid32_t; umode_t and old_uid_t are unsigned short).
NARROW = {
    "int", "unsigned int", "unsigned", "signed int", "u32", "__u32", "s32", "__s32",
    "uint32_t", "int32_t", "pid_t", "uid_t", "gid_t", "umode_t", "key_t",
    "key_serial_t", "qid_t", "clockid_t", "timer_t", "mqd_t", "rwf_t",
    "old_uid_t", "old_gid_t",
}
# Types of a register's width on 64-bit ABIs (long, pointers in disguise).
WIDE = {
    "long", "unsigned long", "size_t", "loff_t", "off_t", "u64", "__u64",
    "aio_context_t", "old_sigset_t", "cap_user_header_t", "cap_user_data_t",
    "__sighandler_t",
}

# Syscall names whose 64-bit table entries call a function of another name
# (arch/*/entry/syscalls/*.tbl, arch/*/kernel/syscalls/syscall*.tbl):
# each listed function's prototype must agree for an argument to be 32-bit.
ENTRY = {
    "fstat": ["fstat", "newfstat"],
    "stat": ["stat", "newstat"],
    "lstat": ["lstat", "newlstat"],
    "uname": ["uname", "newuname"],
    "umount2": ["umount"],
    "umount": ["oldumount"],
    "sendfile": ["sendfile", "sendfile64"],
    "fadvise64": ["fadvise64", "fadvise64_64"],
    "_newselect": ["select"],
}

# (name, argument) that some 64-bit ABI declares as a 64-bit type although
# the generic prototype does not: ppc64_personality(unsigned long) in
# arch/powerpc/kernel/syscalls.c, parisc_personality(unsigned long) in
# arch/parisc/kernel/sys_parisc.c.
ARCH_64 = {("personality", 0)}


def die(msg):
    sys.stderr.write("gen-argtypes.py: %s\n" % msg)
    sys.exit(1)


def read_names(path):
    with open(path, "rb") as f:
        rows = list(csv.reader(f.read().decode("ascii").splitlines()))
    return sorted((r[0] for r in rows[1:] if r and not r[0].startswith("#")),
                  key=lambda s: s.encode())


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


# Types that are user-space addresses in disguise (a typedef of a pointer).
POINTER_TYPES = {"cap_user_header_t", "cap_user_data_t", "__sighandler_t"}


def is_pointer(param):
    """Whether one parameter declaration is a user-space address."""
    p = " ".join(param.replace("__user", " ").replace("__force", " ").split())
    words = re.sub(r"\bconst\b", " ", p).split()
    return "*" in p or "[" in p or any(w in POINTER_TYPES for w in words)


def classify(param, where):
    """'32' or '64' for one parameter declaration."""
    p = " ".join(param.replace("__user", " ").replace("__force", " ").split())
    p = re.sub(r"\bconst\b", " ", p)
    p = " ".join(p.split())
    if "*" in p or "[" in p:
        return "64"
    if p.startswith("enum "):  # an enum of small constants: int-sized
        return "32"
    words = p.split()
    for cand in (" ".join(words), " ".join(words[:-1])):
        if cand in NARROW:
            return "32"
        if cand in WIDE:
            return "64"
    die("%s: unknown type in '%s': add it to NARROW or WIDE" % (where, param))


def read_prototypes(path):
    """sys_name -> list of argument-class lists (one per #ifdef variant)."""
    with open(path, "rb") as f:
        raw = f.read()
    text = strip_comments(raw.decode("ascii"))
    protos = {}
    for m in re.finditer(r"asmlinkage\s+long\s+sys_(\w+)\s*\(([^;]*?)\)\s*;", text, re.S):
        name, params = m.group(1), " ".join(m.group(2).split())
        args = [] if params in ("", "void") else [
            classify(x.strip(), "sys_" + name) + ("p" if is_pointer(x) else "")
            for x in params.split(",")]
        if len(args) > 6:
            die("sys_%s has %d arguments" % (name, len(args)))
        protos.setdefault(name, []).append(args)
    return protos, hashlib.sha256(raw).hexdigest()


def mask_of(name, protos):
    """(bit mask of 32-bit arguments, the variants it came from)."""
    variants = []
    for fn in ENTRY.get(name, [name]):
        variants += protos.get(fn, [])
    if not variants:
        return 0, []
    mask = 0
    for i in range(6):
        if all(i < len(v) and v[i] == "32" for v in variants) and (name, i) not in ARCH_64:
            mask |= 1 << i
    return mask, [[a.rstrip("p") for a in v] for v in variants]


def pointer_mask_of(name, protos):
    """Bit i: argument i is a user-space address in every prototype."""
    variants = []
    for fn in ENTRY.get(name, [name]):
        variants += protos.get(fn, [])
    mask = 0
    for i in range(6):
        if variants and all(i < len(v) and v[i].endswith("p") for v in variants):
            mask |= 1 << i
    return mask


def main():
    if len(sys.argv) != 3:
        die("usage: gen-argtypes.py syscalls.csv syscalls.h > src/gen/argtypes.inc")
    names = read_names(sys.argv[1])
    protos, digest = read_prototypes(sys.argv[2])
    out = []
    w = out.append
    w("/* argtypes.inc - GENERATED by tools/gen-argtypes.py, do not edit (run `make gen`).")
    w(" *")
    w(" * Source: %s, the kernel's syscall prototypes" % os.path.basename(sys.argv[2]))
    w(" * (include/linux/syscalls.h), sha256 %s," % digest)
    w(" * for the names of %s." % os.path.basename(sys.argv[1]))
    w(" * Bit i: the kernel reads argument i as a 32-bit (or narrower) type; one")
    w(" * byte per row of gen/syscalls.inc, in the same order. Names without a")
    w(" * prototype (arch-specific calls) are 0: all arguments 64-bit. */")
    w("")
    w("static const uint8_t sp_syscall_arg32[%d] = {" % len(names))
    for n in names:
        mask, variants = mask_of(n, protos)
        how = " | ".join("(%s)" % ", ".join(v) for v in variants) if variants else "no prototype"
        wide = [str(i) for (x, i) in sorted(ARCH_64) if x == n]
        if wide:
            how += "; arg %s wider on a 64-bit ABI" % ", ".join(wide)
        w("\t0x%02x, /* %s: %s */" % (mask, n, how))
    w("};")
    w("")
    w("/* Bit i: argument i is a user-space address (a pointer, or a typedef of")
    w(" * one) in every prototype of the name: the process chooses its value")
    w(" * (mmap with MAP_FIXED), so a range test on it restricts nothing. Same")
    w(" * rows; 0 where there is no prototype. */")
    w("static const uint8_t sp_syscall_argptr[%d] = {" % len(names))
    for n in names:
        w("\t0x%02x, /* %s */" % (pointer_mask_of(n, protos), n))
    w("};")
    sys.stdout.write("\n".join(out) + "\n")


main()
