/* test_syscalls.c - the arch table and the generated syscall table. Known
 * facts from the csv and the kernel ABI, the AUDIT_ARCH_* values against
 * <linux/audit.h>, the native numbers against <sys/syscall.h>, and the
 * consistency of every name <-> number lookup. */
#include <linux/audit.h>
#include <sys/syscall.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "tap.h"

static const struct sp_arch *arch(const char *name)
{
	const struct sp_arch *a = sp_arch_by_name(name);
	if (!a)
		tap_diag("no arch '%s'", name);
	return a;
}

/* Numbers from shared/reference/syscalls.csv, plus the ABI base the kernel
 * adds (x32 bit, MIPS 4000/5000/6000). */
static void test_known_numbers(void)
{
	static const struct {
		const char *arch, *name;
		int32_t nr;
	} known[] = {
		{ "x86_64", "read", 0 },
		{ "x86_64", "write", 1 },
		{ "x86_64", "openat", 257 },
		{ "x86", "read", 3 },
		{ "x86", "openat", 295 },
		{ "x86", "socketcall", 102 },
		{ "arm", "openat", 322 },
		{ "aarch64", "read", 63 },
		{ "aarch64", "openat", 56 },
		{ "riscv64", "write", 64 },
		{ "s390x", "openat", 288 },
		{ "ppc64le", "openat", 286 },
		{ "loongarch64", "openat", 56 },
		{ "m68k", "openat", 288 },
		{ "sh", "openat", 295 },
		{ "parisc", "openat", 275 },
		{ "x32", "read", 0x40000000 },
		{ "x32", "openat", 0x40000000 + 257 },
		{ "mips", "read", 4003 },
		{ "mipsel", "write", 4004 },
		{ "mips64", "read", 5000 },
		{ "mipsel64", "openat", 5247 },
		{ "mips64n32", "read", 6000 },
		{ "mipsel64n32", "openat", 6251 },
		{ "x86_64", "fchmodat2", 452 },
		{ "x86_64", "listmount", 458 },
		{ "x86_64", "lsm_get_self_attr", 459 },
		{ "x86_64", "mseal", 462 },
		{ "x86_64", "socketcall", -1 },
		{ "aarch64", "open", -1 },
		{ "arm", "set_tls", 0x0f0005 },
		{ "x86_64", "no_such_call", -1 },
	};
	for (size_t i = 0; i < SP_ARRAY_SIZE(known); i++) {
		char what[96];
		snprintf(what, sizeof(what), "%s on %s is %ld", known[i].name, known[i].arch,
			 (long)known[i].nr);
		TAP_EQ_INT(sp_syscall_nr(arch(known[i].arch), known[i].name), known[i].nr, what);
	}
	TAP_EQ_STR(sp_syscall_name(arch("x32"), 0x40000000 + 1), "write",
		   "x32 number with the bit");
	tap_ok(!sp_syscall_name(arch("x32"), 1), "x32 number without the bit is not x32's");
	tap_ok(!sp_syscall_name(arch("mips"), 3), "MIPS o32 number below 4000 is nothing");
	TAP_EQ_STR(sp_syscall_name(arch("mips64"), 5000), "read", "mips64 5000 is read");
	TAP_EQ_INT(sp_syscall_max(arch("x32")), 0x40000000 + 547, "x32 max carries the bit");
	TAP_EQ_INT(sp_syscall_max(arch("mips")), 4000 + 471, "mips max carries the base");
	TAP_EQ_INT(sp_syscall_max(arch("x86_64")), 471, "x86_64 max");
	TAP_EQ_INT(sp_syscall_max(NULL), -1, "max of no arch");
	TAP_EQ_INT(sp_syscall_nr(NULL, "read"), -1, "nr on no arch");
	tap_ok(!sp_syscall_name(arch("x86_64"), -1) && !sp_syscall_name(arch("x86_64"), 100000),
	       "numbers out of range have no name");
	tap_ok(sp_syscall_known("socketcall") && !sp_syscall_known("no_such_call") &&
		       !sp_syscall_known(NULL),
	       "sp_syscall_known");
}

/* Every AUDIT_ARCH_* value in arch.c is spelled out; check each against the
 * kernel's header so none is a guess. */
static void test_audit_values(void)
{
	static const struct {
		const char *scmp;
		uint32_t audit;
	} want[] = {
		{ "SCMP_ARCH_X86", AUDIT_ARCH_I386 },
		{ "SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64 },
		{ "SCMP_ARCH_X32", AUDIT_ARCH_X86_64 },
		{ "SCMP_ARCH_ARM", AUDIT_ARCH_ARM },
		{ "SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64 },
		{ "SCMP_ARCH_MIPS", AUDIT_ARCH_MIPS },
		{ "SCMP_ARCH_MIPSEL", AUDIT_ARCH_MIPSEL },
		{ "SCMP_ARCH_MIPS64", AUDIT_ARCH_MIPS64 },
		{ "SCMP_ARCH_MIPSEL64", AUDIT_ARCH_MIPSEL64 },
		{ "SCMP_ARCH_MIPS64N32", AUDIT_ARCH_MIPS64N32 },
		{ "SCMP_ARCH_MIPSEL64N32", AUDIT_ARCH_MIPSEL64N32 },
		{ "SCMP_ARCH_PPC", AUDIT_ARCH_PPC },
		{ "SCMP_ARCH_PPC64", AUDIT_ARCH_PPC64 },
		{ "SCMP_ARCH_PPC64LE", AUDIT_ARCH_PPC64LE },
		{ "SCMP_ARCH_S390", AUDIT_ARCH_S390 },
		{ "SCMP_ARCH_S390X", AUDIT_ARCH_S390X },
		{ "SCMP_ARCH_RISCV64", AUDIT_ARCH_RISCV64 },
		{ "SCMP_ARCH_LOONGARCH64", AUDIT_ARCH_LOONGARCH64 },
		{ "SCMP_ARCH_PARISC", AUDIT_ARCH_PARISC },
		{ "SCMP_ARCH_PARISC64", AUDIT_ARCH_PARISC64 },
		{ "SCMP_ARCH_M68K", AUDIT_ARCH_M68K },
		{ "SCMP_ARCH_SH", AUDIT_ARCH_SHEL },
		{ "SCMP_ARCH_SHEB", AUDIT_ARCH_SH },
	};
	TAP_EQ_INT(sp_arch_count(), SP_ARRAY_SIZE(want), "every arch has an audit check");
	for (size_t i = 0; i < SP_ARRAY_SIZE(want); i++) {
		const struct sp_arch *a = sp_arch_by_scmp(want[i].scmp);
		char what[64];
		snprintf(what, sizeof(what), "%s audit arch", want[i].scmp);
		TAP_EQ_INT(a ? a->audit : 0, want[i].audit, what);
		/* The audit token says 64-bit and little-endian too; x32 and
		 * MIPS n32 have 64-bit tokens but 32-bit arguments in libseccomp. */
		if (a)
			tap_ok(a->big_endian == !(a->audit & __AUDIT_ARCH_LE) &&
				       (a->bits == 64) ==
					       (!!(a->audit & __AUDIT_ARCH_64BIT) &&
						!strstr(a->name, "n32") && strcmp(a->name, "x32")),
			       "%s bits and endianness match its audit arch", want[i].scmp);
	}
}

static void test_arch_lookup(void)
{
	TAP_EQ_STR(sp_arch_by_name("X86_64")->scmp, "SCMP_ARCH_X86_64",
		   "names are case-insensitive");
	tap_ok(!sp_arch_by_scmp("scmp_arch_x86_64"), "SCMP_ARCH_* is exact, as runc");
	TAP_EQ_STR(sp_arch_by_go("amd64")->name, "x86_64", "go amd64");
	TAP_EQ_STR(sp_arch_by_go("x86")->name, "x86", "go x86 (GOARCH 386)");
	TAP_EQ_STR(sp_arch_by_go("mips3l64n32")->name, "mipsel64n32", "go mips3l64n32 [sic]");
	tap_ok(!sp_arch_by_go("386") && !sp_arch_by_go("x86_64"),
	       "by_go takes native strings only");
	tap_ok(!sp_arch_go(sp_arch_by_name("x32")) && !sp_arch_go(sp_arch_by_name("mips")),
	       "x32 and big-endian o32 MIPS have no Go name (docs/COMPAT.md §2.1)");
	tap_ok(!sp_arch_by_go("") && !sp_arch_lookup(""), "\"\" is no arch's Go name");
	TAP_EQ_STR(sp_arch_by_goarch("386")->name, "x86", "GOARCH 386");
	TAP_EQ_STR(sp_arch_by_goarch("loong64")->name, "loongarch64", "GOARCH loong64");
	TAP_EQ_STR(sp_arch_by_goarch("mipsle")->name, "mipsel", "GOARCH mipsle");
	tap_ok(!sp_arch_by_goarch("mips"), "GOARCH mips is not in goToNative");
	TAP_EQ_STR(sp_arch_lookup("SCMP_ARCH_PPC64LE")->name, "ppc64le", "lookup SCMP name");
	TAP_EQ_STR(sp_arch_lookup("arm64")->name, "aarch64", "lookup Go name");
	TAP_EQ_STR(sp_arch_lookup("mips64p32le")->name, "mipsel64n32", "lookup GOARCH");
	tap_ok(!sp_arch_lookup("sparc") && !sp_arch_lookup(NULL), "lookup unknown");

	TAP_EQ_STR(sp_arch_go_to_seccomp("amd64"), "SCMP_ARCH_X86_64", "nativeToSeccomp amd64");
	TAP_EQ_STR(sp_arch_go_to_seccomp("mips3l64n32"), "SCMP_ARCH_MIPSEL64N32",
		   "nativeToSeccomp mips3l64n32");
	/* The keys moby got wrong: the native strings never match (docs/COMPAT.md §2.1). */
	tap_ok(!sp_arch_go_to_seccomp("loongarch64") && !sp_arch_go_to_seccomp("mipsel"),
	       "nativeToSeccomp has no loongarch64 or mipsel");
	TAP_EQ_STR(sp_arch_go_to_seccomp("loong64"), "SCMP_ARCH_LOONGARCH64", "its key is loong64");
	TAP_EQ_STR(sp_arch_go_to_seccomp("mipsle"), "SCMP_ARCH_MIPSEL", "its key is mipsle");

	for (size_t i = 0; i < sp_arch_count(); i++) {
		const struct sp_arch *a = sp_arch_at(i);
		bool not_runc = !strcmp(a->name, "parisc") || !strcmp(a->name, "parisc64") ||
				!strcmp(a->name, "m68k") || !strcmp(a->name, "sh") ||
				!strcmp(a->name, "sheb");
		tap_ok(a->runc_ok == !not_runc, "%s runc_ok (docs/COMPAT.md §4.1.1)", a->name);
	}
	tap_ok(!sp_arch_at(sp_arch_count()), "sp_arch_at past the end");
#if defined(__x86_64__) && !defined(__ILP32__)
	TAP_EQ_STR(sp_arch_native() ? sp_arch_native()->name : NULL, "x86_64", "native arch");
#else
	tap_ok(sp_arch_native() != NULL, "native arch is known");
#endif
}

/* Whether name is one of the table's, by a plain scan. */
static bool has_name(const char *name)
{
	for (size_t s = 0; s < sp_syscall_count(); s++)
		if (!strcmp(sp_syscall_name_at(s), name))
			return true;
	return false;
}

/* The name lookup (core/arch.c row_by_name) hashes a name in overlapping
 * words (core/hash.h) and must still compare every byte and the length:
 * else a name one byte off could stand for a syscall. Each table name,
 * with each byte changed, cut by one or grown by one, is a name only when
 * the table has it. */
static void test_name_lookup_exact(void)
{
	size_t wrong = 0, tried = 0;
	char buf[64];

	for (size_t s = 0; s < sp_syscall_count(); s++) {
		const char *name = sp_syscall_name_at(s);
		size_t len = strlen(name);
		wrong += !sp_syscall_known(name);
		for (size_t at = 0; at < len; at++, tried++) {
			memcpy(buf, name, len + 1);
			buf[at] = buf[at] == 'q' ? 'z' : 'q';
			wrong += sp_syscall_known(buf) && !has_name(buf);
		}
		memcpy(buf, name, len + 1);
		buf[len - 1] = '\0';
		wrong += sp_syscall_known(buf) != has_name(buf);
		memcpy(buf, name, len);
		memcpy(buf + len, "x", 2);
		wrong += sp_syscall_known(buf) != has_name(buf);
		tried += 2;
	}
	wrong += sp_syscall_known("") + sp_syscall_known(NULL);
	memset(buf, 'a', 40);
	buf[40] = '\0';
	wrong += sp_syscall_known(buf);
	if (!tap_ok(wrong == 0, "a name one byte off, short or long is no other name (%zu tried)",
		    tried))
		tap_diag("%zu wrong", wrong);
}

/* Name -> number -> name round trips on every arch, the by-number order,
 * and the by-name order binary search relies on. */
static void test_consistency(void)
{
	size_t bad_roundtrip = 0, bad_order = 0, present = 0;

	for (size_t i = 1; i < sp_syscall_count(); i++)
		if (strcmp(sp_syscall_name_at(i - 1), sp_syscall_name_at(i)) >= 0)
			bad_order++;
	for (size_t i = 0; i < sp_arch_count(); i++) {
		const struct sp_arch *a = sp_arch_at(i);
		int32_t prev = -1;
		for (size_t k = 0; k < sp_syscall_arch_count(a); k++) {
			const char *name;
			int32_t nr = sp_syscall_nth(a, k, &name);
			bad_order += nr <= prev;
			prev = nr;
		}
		for (size_t s = 0; s < sp_syscall_count(); s++) {
			const char *name = sp_syscall_name_at(s);
			int32_t nr = sp_syscall_nr(a, name);
			if (nr < 0)
				continue;
			present++;
			if (!sp_syscall_name(a, nr) || strcmp(sp_syscall_name(a, nr), name))
				bad_roundtrip++;
		}
	}
	TAP_EQ_INT(bad_order, 0, "names sorted, numbers ascending per arch");
	TAP_EQ_INT(bad_roundtrip, 0, "name -> number -> name on every arch");
	tap_ok(present > 8000, "the table is not empty (%zu arch/name pairs)", present);
	TAP_EQ_INT(sp_syscall_count(), 508, "508 names in the v7.1.0-rc4 csv");
}

/* The host's headers give the numbers of the native ABI. */
static int check_sys(const char *name, long nr)
{
	long got = sp_syscall_nr(sp_arch_native(), name);
	if (got != nr) {
		tap_ok(0, "native %s", name);
		tap_diag("got %ld, <sys/syscall.h> says %ld", got, nr);
	}
	return 1;
}

static void test_native_headers(void)
{
	int n = 0, failed = tap_failed;

#ifdef SYS_read
	n += check_sys("read", SYS_read);
#endif
#ifdef SYS_write
	n += check_sys("write", SYS_write);
#endif
#ifdef SYS_open
	n += check_sys("open", SYS_open);
#endif
#ifdef SYS_close
	n += check_sys("close", SYS_close);
#endif
#ifdef SYS_mmap
	n += check_sys("mmap", SYS_mmap);
#endif
#ifdef SYS_ioctl
	n += check_sys("ioctl", SYS_ioctl);
#endif
#ifdef SYS_socket
	n += check_sys("socket", SYS_socket);
#endif
#ifdef SYS_clone
	n += check_sys("clone", SYS_clone);
#endif
#ifdef SYS_fork
	n += check_sys("fork", SYS_fork);
#endif
#ifdef SYS_execve
	n += check_sys("execve", SYS_execve);
#endif
#ifdef SYS_exit
	n += check_sys("exit", SYS_exit);
#endif
#ifdef SYS_exit_group
	n += check_sys("exit_group", SYS_exit_group);
#endif
#ifdef SYS_kill
	n += check_sys("kill", SYS_kill);
#endif
#ifdef SYS_uname
	n += check_sys("uname", SYS_uname);
#endif
#ifdef SYS_ptrace
	n += check_sys("ptrace", SYS_ptrace);
#endif
#ifdef SYS_prctl
	n += check_sys("prctl", SYS_prctl);
#endif
#ifdef SYS_arch_prctl
	n += check_sys("arch_prctl", SYS_arch_prctl);
#endif
#ifdef SYS_mount
	n += check_sys("mount", SYS_mount);
#endif
#ifdef SYS_unshare
	n += check_sys("unshare", SYS_unshare);
#endif
#ifdef SYS_setns
	n += check_sys("setns", SYS_setns);
#endif
#ifdef SYS_futex
	n += check_sys("futex", SYS_futex);
#endif
#ifdef SYS_openat
	n += check_sys("openat", SYS_openat);
#endif
#ifdef SYS_accept4
	n += check_sys("accept4", SYS_accept4);
#endif
#ifdef SYS_seccomp
	n += check_sys("seccomp", SYS_seccomp);
#endif
#ifdef SYS_getrandom
	n += check_sys("getrandom", SYS_getrandom);
#endif
#ifdef SYS_memfd_create
	n += check_sys("memfd_create", SYS_memfd_create);
#endif
#ifdef SYS_bpf
	n += check_sys("bpf", SYS_bpf);
#endif
#ifdef SYS_userfaultfd
	n += check_sys("userfaultfd", SYS_userfaultfd);
#endif
#ifdef SYS_statx
	n += check_sys("statx", SYS_statx);
#endif
#ifdef SYS_io_uring_setup
	n += check_sys("io_uring_setup", SYS_io_uring_setup);
#endif
#ifdef SYS_rseq
	n += check_sys("rseq", SYS_rseq);
#endif
#ifdef SYS_pidfd_open
	n += check_sys("pidfd_open", SYS_pidfd_open);
#endif
#ifdef SYS_clone3
	n += check_sys("clone3", SYS_clone3);
#endif
#ifdef SYS_close_range
	n += check_sys("close_range", SYS_close_range);
#endif
#ifdef SYS_openat2
	n += check_sys("openat2", SYS_openat2);
#endif
#ifdef SYS_faccessat2
	n += check_sys("faccessat2", SYS_faccessat2);
#endif
#ifdef SYS_process_madvise
	n += check_sys("process_madvise", SYS_process_madvise);
#endif
#ifdef SYS_epoll_pwait2
	n += check_sys("epoll_pwait2", SYS_epoll_pwait2);
#endif
#ifdef SYS_landlock_create_ruleset
	n += check_sys("landlock_create_ruleset", SYS_landlock_create_ruleset);
#endif
#ifdef SYS_memfd_secret
	n += check_sys("memfd_secret", SYS_memfd_secret);
#endif
#ifdef SYS_futex_waitv
	n += check_sys("futex_waitv", SYS_futex_waitv);
#endif
#ifdef SYS_set_mempolicy_home_node
	n += check_sys("set_mempolicy_home_node", SYS_set_mempolicy_home_node);
#endif
#ifdef SYS_cachestat
	n += check_sys("cachestat", SYS_cachestat);
#endif
#ifdef SYS_fchmodat2
	n += check_sys("fchmodat2", SYS_fchmodat2);
#endif
#ifdef SYS_map_shadow_stack
	n += check_sys("map_shadow_stack", SYS_map_shadow_stack);
#endif
#ifdef SYS_listmount
	n += check_sys("listmount", SYS_listmount);
#endif
#ifdef SYS_mseal
	n += check_sys("mseal", SYS_mseal);
#endif
#ifdef SYS_uretprobe
	n += check_sys("uretprobe", SYS_uretprobe);
#endif
#ifdef SYS_socketcall
	n += check_sys("socketcall", SYS_socketcall);
#endif
#ifdef SYS_ipc
	n += check_sys("ipc", SYS_ipc);
#endif
#ifdef SYS__llseek
	n += check_sys("_llseek", SYS__llseek);
#endif
#ifdef SYS_mmap2
	n += check_sys("mmap2", SYS_mmap2);
#endif
#ifdef SYS_waitpid
	n += check_sys("waitpid", SYS_waitpid);
#endif
	tap_ok(failed == tap_failed, "%d native numbers equal <sys/syscall.h>", n);
#if defined(__x86_64__) && !defined(__ILP32__)
	tap_ok(n >= 40, "most of the list is in this host's headers on x86_64 (%d)", n);
#endif
}

/* gen/argtypes.inc: which arguments the kernel reads as 32-bit types, from
 * include/linux/syscalls.h (tools/gen-argtypes.py). */
static void test_arg32(void)
{
	static const struct {
		const char *name;
		uint8_t mask;
		const char *why;
	} v[] = {
		{ "socket", 0x07, "int family, int type, int protocol" },
		{ "dup3", 0x07, "unsigned int oldfd, newfd; int flags" },
		{ "read", 0x01, "unsigned int fd; the buffer and size_t count are 64-bit" },
		{ "openat", 0x0d, "int dfd, int flags, umode_t mode; the path is a pointer" },
		{ "futex", 0x26, "int op, u32 val, u32 val3" },
		{ "sendto", 0x29, "int fd, unsigned flags, int addrlen" },
		{ "ioctl", 0x03, "unsigned int fd, cmd; unsigned long arg" },
		{ "kill", 0x03, "pid_t, int" },
		{ "timer_delete", 0x01, "timer_t is an int" },
		{ "umount2", 0x02, "sys_umount(char *, int flags) on 64-bit tables" },
		{ "fanotify_mark", 0x0b,
		  "the split-mask variant of 32-bit ABIs keeps arg 2 and 4 wide" },
		{ "landlock_add_rule", 0x0b, "an enum is int-sized" },
		{ "mmap", 0x00, "arch-specific, no generic prototype: 64-bit" },
		{ "clone", 0x00, "CLONE_BACKWARDS3's int stack_size is a pointer elsewhere" },
		{ "personality", 0x00, "ppc64 and parisc64 take an unsigned long" },
		{ "ptrace", 0x00, "long request, long pid" },
		{ "unshare", 0x00, "unsigned long flags" },
		{ "arch_prctl", 0x00, "x86-specific, not in syscalls.h" },
		{ "no_such_syscall_x", 0x00, "unknown names keep 64-bit tests" },
	};

	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		uint8_t got = sp_syscall_arg32_of(v[i].name);
		if (!tap_ok(got == v[i].mask, "%s: 32-bit arguments %#04x (%s)", v[i].name,
			    v[i].mask, v[i].why))
			tap_diag("got %#04x", got);
	}
	/* every name of the table has its byte: the lookup agrees with the
	 * one that also gives the numbers */
	size_t bad = 0;
	for (size_t i = 0; i < sp_syscall_count(); i++) {
		const struct sp_arch *x = sp_arch_by_name("x86_64");
		int32_t nr, row;
		uint8_t m = 0xff;
		sp_syscall_lookup(sp_syscall_name_at(i), &x, 1, &nr, &m, &row);
		bad += row != (int32_t)i || m != sp_syscall_arg32_of(sp_syscall_name_at(i)) ||
		       (m & 0xc0);
	}
	TAP_EQ_INT(bad, 0,
		   "every table name's mask and index come with its lookup (6 arguments at most)");
}

/* The recorded mix (gen/syscall_mix.inc) names rows of the syscall table by
 * index: each index must be the row of its name, on every arch, or the
 * compiler would weight the wrong numbers. */
static void test_mix(void)
{
	const struct sp_arch *x = arch("x86_64"), *x32 = arch("x32");
	size_t k, bad = 0;
	uint64_t total = 0;
	uint32_t w, last = UINT32_MAX;
	const char *name;
	int32_t nr, nr32;

	for (k = 0; (w = sp_syscall_mix_at(x, k, &nr, &name)); k++) {
		sp_syscall_mix_at(x32, k, &nr32, NULL);
		bad += nr != sp_syscall_nr(x, name) || nr32 != sp_syscall_nr(x32, name) || w > last;
		total += w;
		last = w;
	}
	TAP_EQ_INT(bad, 0, "each mix entry's numbers are its name's, most frequent first");
	tap_ok(k > 40 && total > 1040000 && total < 1060000,
	       "the mix has %zu names, weights summing to about 2^20 (%llu)", k,
	       (unsigned long long)total);
	TAP_EQ_INT(sp_syscall_mix_at(x, k, &nr, NULL) == 0 && nr == -1, 1,
		   "past the end: weight 0, no number");
}

int main(void)
{
	test_known_numbers();
	test_audit_values();
	test_arch_lookup();
	test_consistency();
	test_name_lookup_exact();
	test_native_headers();
	test_arg32();
	test_mix();
	return tap_done();
}
