/* randprof.h - random Docker profiles (JSON text) for the differential test
 * and the bench. Header-only. Deterministic for a seed, so a failing profile
 * can be regenerated and printed.
 *
 * Coverage aims: every action as default and as
 * rule action, every operator, repeated argument indexes (runc's OR form),
 * 64-bit values with high bits, errno values that int16/16-bit masking and the
 * kernel's 4095 cap treat differently, x86/x32/foreign arches, names that
 * collide across rules (first unconditional wins, merges, EEXIST clashes),
 * names unknown everywhere and names only newer tables know.
 */
#ifndef SECPROF_COMPAT_RANDPROF_H
#define SECPROF_COMPAT_RANDPROF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rp_rng {
	uint64_t s;
};

static inline uint64_t rp_next(struct rp_rng *r)
{
	/* xorshift64*: small, fast, good enough for test inputs */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rp_below(struct rp_rng *r, uint64_t n)
{
	return n ? rp_next(r) % n : 0;
}

static inline void rp_seed(struct rp_rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (!r->s)
		r->s = 1;
	rp_next(r);
}

/* A growable text buffer that aborts on OOM (test code only). */
struct rp_buf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static inline void rp_printf(struct rp_buf *b,
								   const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (b->s && b->len + (size_t)n < b->cap)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	b->len += (size_t)n;
}

static const char *const rp_actions[] = {
	"SCMP_ACT_KILL",  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
	"SCMP_ACT_ALLOW", "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY",
};

static const char *const rp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

/* Little-endian arches: libseccomp refuses to mix endianness (-EDOM). */
static const char *const rp_le_arches[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",      "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
};
static const char *const rp_be_arches[] = { "SCMP_ARCH_S390X", "SCMP_ARCH_PPC64",
					    "SCMP_ARCH_MIPS" };

/* Names that matter: numbers differ per arch, some exist on few arches, a few
 * are newer than libseccomp 2.5.4 or unknown everywhere. The socketcall/ipc
 * families are kept apart: libseccomp multiplexes them on x86/s390 (see
 * test_equiv.c), so the generator only uses them when asked. */
static const char *const rp_names[] = {
	"read",
	"write",
	"open",
	"openat",
	"close",
	"getppid",
	"getpid",
	"personality",
	"clone",
	"mmap",
	"mmap2",
	"ioctl",
	"futex",
	"ptrace",
	"kill",
	"chdir",
	"fchmodat2",
	"mseal",
	"arch_prctl",
	"modify_ldt",
	"_llseek",
	"time",
	"set_tls",
	"cacheflush",
	"uname",
	"exit_group",
	"clone3",
	"mount",
	"umask",
	"dup3",
	"process_vm_readv",
	"prctl",
	"riscv_flush_icache",
	"breakpoint",
	"lsm_get_self_attr",
	"no_such_syscall_x",
	"",
};
static const char *const rp_mux_names[] = {
	"socket",     "connect", "accept", "sendmsg", "recvmsg",
	"socketcall", "msgget",  "semop",  "shmat",   "ipc",
};

static const uint64_t rp_edges[] = {
	0,
	1,
	2,
	38,
	40,
	0x7fffffffULL,
	0x80000000ULL,
	0xffffffffULL,
	0x100000000ULL,
	0x100000001ULL,
	0x7fffffffffffffffULL,
	0x8000000000000000ULL,
	0xffffffffffffffffULL,
	0xffffffff00000000ULL,
	0x7E020000ULL,
	0xF00ULL,
};

static inline uint64_t rp_value(struct rp_rng *r)
{
	switch (rp_below(r, 4)) {
	case 0: return rp_edges[rp_below(r, sizeof(rp_edges) / sizeof(rp_edges[0]))];
	case 1: return rp_below(r, 16);
	case 2: return rp_next(r); /* high bits set */
	default: return rp_next(r) & 0xffffffffULL;
	}
}

static inline void rp_errno(struct rp_buf *b, struct rp_rng *r, const char *key)
{
	static const uint64_t errnos[] = { 0,     1,     2,     13,      38,
					   4095,  4096,  12345, 32767,   32768,
					   65535, 65536, 65537, 0x18001, 0x100000001ULL };
	rp_printf(b, ", \"%s\": %llu", key,
		  (unsigned long long)errnos[rp_below(r, sizeof(errnos) / sizeof(errnos[0]))]);
}

static inline const char *rp_name(struct rp_rng *r, int mux)
{
	if (mux && rp_below(r, 4) == 0)
		return rp_mux_names[rp_below(r, sizeof(rp_mux_names) / sizeof(rp_mux_names[0]))];
	return rp_names[rp_below(r, sizeof(rp_names) / sizeof(rp_names[0]) -
					    (rp_below(r, 20) ? 1 : 0))];
}

static inline void rp_args(struct rp_buf *b, struct rp_rng *r)
{
	size_t n = rp_below(r, 3) ? rp_below(r, 4) : rp_below(r, 7);
	rp_printf(b, ", \"args\": [");
	for (size_t i = 0; i < n; i++) {
		unsigned idx = rp_below(r, 3) ? (unsigned)rp_below(r, 3) : (unsigned)rp_below(r, 6);
		/* One draw per statement: the order of evaluation of function
		 * arguments differs between gcc and clang, and the same seed
		 * must give the same profile under both. */
		unsigned long long value = rp_value(r);
		unsigned long long value_two = rp_value(r);
		const char *op = rp_ops[rp_below(r, 7)];
		rp_printf(b,
			  "%s{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}",
			  i ? ", " : "", idx, value, value_two, op);
	}
	rp_printf(b, "]");
}

static inline const char *rp_action(struct rp_rng *r, int allow_notify)
{
	/* NOTIFY is rare: it only checks the error paths (default / write) */
	size_t n = allow_notify && rp_below(r, 10) == 0 ? 9 : 8;
	return rp_actions[rp_below(r, n)];
}

/* Big-endian arches a big-endian native may list (randprof_json_be). */
static const char *const rp_be_all[] = {
	"SCMP_ARCH_S390X", "SCMP_ARCH_S390",   "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC",
	"SCMP_ARCH_MIPS",  "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
};

static inline char *randprof_json_arches(uint64_t seed, const char **native_go, int mux,
					 bool be_native);

/* A random profile. *native_go gets the Go arch to resolve for ("amd64" or
 * "arm64"); mux = may use socketcall/ipc-family names. Caller frees. */
static inline char *randprof_json(uint64_t seed, const char **native_go, int mux)
{
	return randprof_json_arches(seed, native_go, mux, false);
}

/* The same, for a caller that resolves it for a big-endian native when
 * be_native: the architectures listed are then big-endian ones (a filter of
 * one byte order; libseccomp refuses a mix with -EDOM). */
static inline char *randprof_json_arches(uint64_t seed, const char **native_go, int mux,
					 bool be_native)
{
	struct rp_rng r;
	struct rp_buf b = { 0 };
	size_t nrules, narch;

	rp_seed(&r, seed);
	*native_go = rp_below(&r, 5) ? "amd64" : "arm64";
	rp_printf(&b, "{\"defaultAction\": \"%s\"", rp_action(&r, 1));
	if (rp_below(&r, 2))
		rp_errno(&b, &r, "defaultErrnoRet");
	narch = rp_below(&r, 4);
	rp_printf(&b, ", \"architectures\": [");
	for (size_t i = 0; i < narch; i++) {
		const char *a = be_native          ? rp_be_all[rp_below(&r, 7)]
				: rp_below(&r, 40) ? rp_le_arches[rp_below(&r, 10)]
						   : rp_be_arches[rp_below(&r, 3)];
		rp_printf(&b, "%s\"%s\"", i ? ", " : "", a);
	}
	rp_printf(&b, "], \"syscalls\": [");
	nrules = 1 + rp_below(&r, rp_below(&r, 4) ? 8 : 24);
	for (size_t i = 0; i < nrules; i++) {
		size_t nnames = 1 + rp_below(&r, 4);
		rp_printf(&b, "%s{\"names\": [", i ? ", " : "");
		for (size_t j = 0; j < nnames; j++)
			rp_printf(&b, "%s\"%s\"", j ? ", " : "", rp_name(&r, mux));
		rp_printf(&b, "], \"action\": \"%s\"", rp_action(&r, 1));
		if (rp_below(&r, 2))
			rp_errno(&b, &r, "errnoRet");
		if (rp_below(&r, 3))
			rp_args(&b, &r);
		rp_printf(&b, "}");
	}
	rp_printf(&b, "]}");
	return b.s;
}

/* A profile of n argument rules for the compile-time bench: ERRNO default,
 * x86_64 only, each rule ALLOWs one of `npool` syscalls when arg0 equals a
 * value no other rule uses (so no compiler can share argument blocks). */
static inline char *randprof_arg_rules_arches(size_t n, const char *const *pool, size_t npool,
					      size_t narches);
static inline char *randprof_arg_rules(size_t n, const char *const *pool, size_t npool)
{
	return randprof_arg_rules_arches(n, pool, npool, 1);
}

/* The same on narches architectures: 1 is x86_64 alone, 3 Docker's x86 set
 * (x86_64, x86, x32: moby's archMap for amd64), where a compiler may share
 * one argument block between the arches that number a syscall alike. */
static inline char *randprof_arg_rules_arches(size_t n, const char *const *pool, size_t npool,
					      size_t narches)
{
	struct rp_buf b = { 0 };

	rp_printf(&b,
		  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, "
		  "\"architectures\": [%s], \"syscalls\": [",
		  narches >= 3 ? "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\""
			       : "\"SCMP_ARCH_X86_64\"");
	for (size_t i = 0; i < n; i++)
		rp_printf(&b,
			  "%s{\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			  "[{\"index\": 0, \"value\": %zu, \"op\": \"SCMP_CMP_EQ\"}]}",
			  i ? ", " : "", pool[i % npool], i + 1);
	rp_printf(&b, "]}");
	return b.s;
}

#endif
