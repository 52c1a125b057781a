#!/usr/bin/env python3
"""gen-syscalls.py CSV [UNKNOWN.tsv] > src/gen/syscalls.inc

Turn libseccomp's syscalls.csv (one row per syscall name; per arch a number
or PNR, then a kernel-version column we do not use) into a C table:

  - rows: one per name, sorted by name (strcmp order), each an index into
    sp_syscall_name_off[] (where its name starts in sp_syscall_pool, the
    names NUL-terminated one after the other) and sp_syscall_col[][] (the
    number of the syscall per column, -1 when the syscall does not exist
    on that arch);
  - sp_syscall_by_nr_rows[]: per column, row indexes sorted by number, for
    number -> name lookups by binary search, the columns one after the
    other, and sp_syscall_by_nr[col] where each column starts and its
    length (offsets, not pointers: no relocation at load);
  - SP_COL_<ARCH>: the column indexes arch.c refers to.

  - sp_syscall_scmp_unknown[]: per row, a bit per column where the name is
    unknown to libseccomp 2.5.4, which Debian 12's runc links (UNKNOWN.tsv,
    "column<TAB>name" lines, written by tools/gen-scmp-unknown.sh).

Numbers are stored as in the csv: WITHOUT the x32 bit 0x40000000 and
WITHOUT the MIPS ABI bases (4000 o32, 5000 n64, 6000 n32); struct
sp_arch.nr_base adds those. Reads only the csv, never the host libseccomp.
"""
import csv
import hashlib
import os
import sys


def die(msg):
    sys.stderr.write("gen-syscalls.py: %s\n" % msg)
    sys.exit(1)


def read_table(path):
    with open(path, "rb") as f:
        raw = f.read()
    rows = list(csv.reader(raw.decode("ascii").splitlines()))
    header, body = rows[0], [r for r in rows[1:] if r and not r[0].startswith("#")]
    if not header[0].startswith("#syscall"):
        die("%s: first line is not libseccomp's '#syscall' header" % path)
    # Columns come in pairs: <arch>, <arch>_kver.
    arches = header[1::2]
    for a, k in zip(header[1::2], header[2::2]):
        if k != a + "_kver":
            die("%s: column '%s' should be '%s_kver'" % (path, k, a))
    table = {}
    for r in body:
        if len(r) != len(header):
            die("%s: row '%s' has %d fields, want %d" % (path, r[0], len(r), len(header)))
        if r[0] in table:
            die("%s: duplicate syscall '%s'" % (path, r[0]))
        nums = []
        for a, v in zip(arches, r[1::2]):
            if v == "PNR":
                nums.append(-1)
            elif v.isdigit():
                nums.append(int(v))
            else:
                die("%s: %s on %s: bad number '%s'" % (path, r[0], a, v))
        table[r[0]] = nums
    return header[0], arches, table, hashlib.sha256(raw).hexdigest()


# The names arch/x86/entry/syscalls/syscall_64.tbl gives the ABI "64":
# x86_64 only. The x32 table the kernel builds holds the "common" and "x32"
# rows alone, so where the csv gives one of these names its x86_64 number on
# x32 too (map_shadow_stack 453 in libseccomp's csv) the x32 kernel has no
# such syscall. The older ones have x32 numbers of their own (512-547, "x32"
# rows), which stay. uretprobe (335) and uprobe (336) are "common".
X86_64_ONLY = {
    "rt_sigaction", "rt_sigreturn", "ioctl", "readv", "writev", "recvfrom",
    "sendmsg", "recvmsg", "setsockopt", "getsockopt", "execve", "ptrace",
    "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo", "sigaltstack",
    "uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module",
    "nfsservctl", "set_thread_area", "io_setup", "io_submit",
    "get_thread_area", "epoll_ctl_old", "epoll_wait_old", "timer_create",
    "vserver", "mq_notify", "kexec_load", "waitid", "set_robust_list",
    "get_robust_list", "vmsplice", "move_pages", "preadv", "pwritev",
    "rt_tgsigqueueinfo", "recvmmsg", "sendmmsg", "process_vm_readv",
    "process_vm_writev", "execveat", "preadv2", "pwritev2",
    "map_shadow_stack",
}


def x32_fixup(arches, table):
    """Drop x86_64-only syscalls the csv numbers on x32 (X86_64_ONLY)."""
    if "x32" not in arches or "x86_64" not in arches:
        return
    c32, c64 = arches.index("x32"), arches.index("x86_64")
    for name in X86_64_ONLY:
        nums = table.get(name)
        if nums and nums[c32] >= 0 and nums[c32] == nums[c64]:
            nums[c32] = -1


M64 = (1 << 64) - 1
HASH_STEP = 0xBF58476D1CE4E5B9


def name_hash(b):
    """sp_hash_bytes of src/core/hash.h: the words of the name,
    little-endian, eight bytes at a time with a last one that overlaps,
    one multiply each; the high 32 bits of the last product."""
    n = len(b)
    le = lambda part: int.from_bytes(part, "little")
    h = (n * 0x9E3779B97F4A7C15) & M64
    if n >= 8:
        k = 0
        while k + 8 < n:
            h = ((h ^ le(b[k:k + 8])) * HASH_STEP) & M64
            k += 8
        h = ((h ^ le(b[n - 8:])) * HASH_STEP) & M64
    elif n >= 4:
        h = ((h ^ le(b[:4]) ^ (le(b[n - 4:]) << 32)) * HASH_STEP) & M64
    elif n:
        h = ((h ^ b[0] ^ (b[n // 2] << 8) ^ (b[n - 1] << 16)) * HASH_STEP) & M64
    return h >> 32


def emit_numbers(w, numbers):
    """An initialiser's numbers, as many to a line as fit in 80 columns."""
    line = "\t"
    for x in numbers:
        item = "%d, " % x
        if len(line) + len(item) > 80:
            w(line.rstrip())
            line = "\t"
        line += item
    w(line.rstrip())


def emit(src, version, arches, table, digest, unknown):
    names = sorted(table, key=lambda s: s.encode())
    out = []
    w = out.append
    w("/* syscalls.inc - GENERATED by tools/gen-syscalls.py, do not edit (run `make gen`).")
    w(" *")
    w(" * Source: %s, libseccomp's syscall table" % os.path.basename(src))
    w(" * (header: %s),\n * sha256 %s." % (version.lstrip("#"), digest))
    w(" * Numbers are the csv's: without the x32 bit and without the MIPS ABI")
    w(" * bases; struct sp_arch.nr_base adds them (see src/core/arch.c). -1 = the")
    w(" * syscall does not exist on that arch. */")
    w("")
    w("enum {")
    for i, a in enumerate(arches):
        w("\tSP_COL_%s = %d," % (a.upper(), i))
    w("\tSP_NCOLS = %d" % len(arches))
    w("};")
    w("")
    w("#define SP_SYSCALL_NAME_MAX %d" % max(len(n) for n in names))
    w("#define SP_SYSCALL_ROWS %d" % len(names))
    w("")
    # a row is an index: its name in one pool, its numbers by column, so a
    # lookup touches a few KB rather than rows of a fixed width (52 KB)
    w("/* The names of the rows, each NUL-terminated, one after the other. */")
    w("static const char sp_syscall_pool[] =")
    offsets, at = [], 0
    for n in names:
        offsets.append(at)
        at += len(n) + 1
    offsets.append(at)  # the end: a row's name is its offset to the next's, less its NUL
    if at > 65535:
        die("the names take %d bytes: more than 16-bit offsets reach" % at)
    line = "\t"
    for n in names:
        item = '"%s\\0" ' % n
        if len(line) + len(item) > 80:
            w(line.rstrip())
            line = "\t"
        line += item
    w(line.rstrip() + ";")
    w("")
    w("/* Where each row's name starts in sp_syscall_pool, and where the pool ends. */")
    w("static const uint16_t sp_syscall_name_off[SP_SYSCALL_ROWS + 1] = {")
    emit_numbers(w, offsets)
    w("};")
    w("")
    w("/* The rows' numbers, one column per arch (%s). */" % " ".join(arches))
    w("static const int32_t sp_syscall_col[SP_NCOLS][SP_SYSCALL_ROWS] = {")
    for c, a in enumerate(arches):
        w("\t[SP_COL_%s] = {" % a.upper())
        emit_numbers(w, [table[n][c] for n in names])
        w("\t},")
    w("};")
    w("")
    w("/* Per row, bit c set: libseccomp 2.5.4 (Debian 12's runc) does not know")
    w(" * the name on column c (data/libseccomp-2.5.4-unknown.tsv). */")
    w("static const uint32_t sp_syscall_scmp_unknown[%d] = {" % len(names))
    for n in names:
        bits = 0
        for c, a in enumerate(arches):
            if (a, n) in unknown:
                if table[n][c] < 0:
                    die("%s on %s: listed as unknown to libseccomp but not in the table" % (n, a))
                bits |= 1 << c
        w("\t0x%x, /* %s */" % (bits, n) if bits else "\t0,")
    w("};")
    w("")
    # every name of a profile asks whether any arch lacks it (a few do):
    # a bit a row answers that from one cache line instead of 2 KB
    w("/* Bit r %% 32 of word r / 32: sp_syscall_scmp_unknown[r] is not 0. */")
    w("static const uint32_t sp_syscall_scmp_unknown_any[%d] = {" % ((len(names) + 31) // 32))
    anyw = [0] * ((len(names) + 31) // 32)
    for r, n in enumerate(names):
        if any((a, n) in unknown for a in arches):
            anyw[r // 32] |= 1 << (r % 32)
    for x in anyw:
        w("\t0x%x," % x)
    w("};")
    w("")
    w("struct sp_syscall_index {")
    w("\tuint16_t start; /* in sp_syscall_by_nr_rows: rows, by ascending number */")
    w("\tuint16_t len;")
    w("};")
    index, rows = [], []
    for c, a in enumerate(arches):
        present = sorted((table[n][c], i) for i, n in enumerate(names) if table[n][c] >= 0)
        for (x, _), (y, _) in zip(present, present[1:]):
            if x == y:
                die("two syscalls share number %d on %s" % (x, a))
        index.append((a, len(rows), len(present)))
        rows += [i for _, i in present]
    if len(rows) > 0xFFFF:
        die("sp_syscall_by_nr_rows outgrows its 16-bit starts")
    w("")
    w("static const uint16_t sp_syscall_by_nr_rows[%d] = {" % len(rows))
    emit_numbers(w, rows)
    w("};")
    # name -> row: open addressing over name_hash, at most half full, so a
    # lookup hashes the name once and compares about one name
    size = 1
    while size < 2 * len(names):
        size *= 2
    slots = [0] * size
    for i, n in enumerate(names):
        h = name_hash(n.encode())
        while slots[h & (size - 1)]:
            h += 1
        slots[h & (size - 1)] = i + 1
    w("")
    w("/* Row of a name + 1 (0: empty) at sp_hash_bytes(name) & (size - 1), probing on. */")
    w("#define SP_SYSCALL_HASH_SIZE %d" % size)
    w("static const uint16_t sp_syscall_by_name[SP_SYSCALL_HASH_SIZE] = {")
    emit_numbers(w, slots)
    w("};")
    w("")
    w("static const struct sp_syscall_index sp_syscall_by_nr[SP_NCOLS] = {")
    for a, start, n in index:
        w("\t[SP_COL_%s] = { %d, %d }," % (a.upper(), start, n))
    w("};")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) not in (2, 3):
        die("usage: gen-syscalls.py path/to/syscalls.csv [unknown.tsv] > src/gen/syscalls.inc")
    version, arches, table, digest = read_table(sys.argv[1])
    unknown = set()
    if len(sys.argv) == 3:
        with open(sys.argv[2]) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                col, name = line.rstrip("\n").split("\t")
                if col not in arches:
                    die("%s: unknown column %s" % (sys.argv[2], col))
                unknown.add((col, name))
    x32_fixup(arches, table)
    if len(table) > 65535:
        die("too many syscalls for 16-bit row indexes")
    sys.stdout.write(emit(sys.argv[1], version, arches, table, digest, unknown))


main()
