/* worstprof.h - the profile shapes that cost secprof's compiler the most, for
 * test_dos (each must be compiled or refused quickly) and `make bench` (the
 * time of each). Header-only, deterministic.
 *
 * The expensive part of compiling is the replay of libseccomp's argument tree
 * (ruleset.c) for a syscall whose conditional rules have several actions;
 * the shapes below grow it in every direction a profile can: many
 * conditions on one syscall (one argument or several, NE and range tests,
 * whose 32-bit word tests libseccomp shares between rules), the same rules
 * on every syscall, on every arch, on the socketcall/ipc multiplexers and on
 * names an arch lacks; and the other sizes a profile has: names in a rule,
 * rules naming every syscall, arguments per rule, prefix chains.
 */
#ifndef SECPROF_COMPAT_WORSTPROF_H
#define SECPROF_COMPAT_WORSTPROF_H

#include "core/arch.h"
#include "randprof.h"

enum wp_expect {
	WP_COMPILES, /* a filter comes out */
	WP_TOO_LONG, /* refused: more than BPF_MAXINSNS instructions */
	WP_NO_MODEL, /* refused: runc's program (src/ir/scmpacc.c) too deep to model */
	WP_TOO_MUCH, /* refused: the replay's work budget (SP_REPLAY_STEPS) */
	WP_TOO_MANY, /* refused: more conditions than the tree model takes */
	WP_LOOP,     /* refused: a level of libseccomp's tree loops (libseccomp hangs) */
};

struct wp_shape {
	const char *name;
	const char *what;
	enum wp_expect expect;
	char *(*json)(void);
};

static const char *const wp_ops[] = { "SCMP_CMP_NE", "SCMP_CMP_GE", "SCMP_CMP_LE" };

/* n one-condition rules naming `names`, actions alternating ALLOW/ERRNO (both
 * differ from the KILL_PROCESS default, so the tree is kept), each testing a
 * random argument against a value whose two 32-bit words are equal: the
 * shape that took the replay 25 s for 600 rules before it remembered its
 * scans. `arches` is a JSON list or NULL. */
static inline char *wp_mixed(size_t n, const char *names, const char *arches, unsigned nargs,
			     unsigned argspan)
{
	struct rp_buf b = { 0 };
	struct rp_rng r;

	rp_seed(&r, 1);
	rp_printf(&b, "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",%s%s%s\"syscalls\":[",
		  arches ? "\"architectures\":" : "", arches ? arches : "", arches ? "," : "");
	for (size_t i = 0; i < n; i++) {
		rp_printf(&b, "%s{\"names\":%s,\"action\":\"SCMP_ACT_%s\",\"args\":[", i ? "," : "",
			  names, i % 2 ? "ERRNO" : "ALLOW");
		for (unsigned k = 0; k < nargs; k++) {
			uint64_t v = rp_next(&r) & 0xffffffffu;
			/* distinct indexes in one rule (AND), as in runc's matchCall */
			unsigned idx = nargs == 1 ? (unsigned)rp_below(&r, argspan)
						  : k * (6 / nargs);
			rp_printf(&b, "%s{\"index\":%u,\"value\":%llu,\"op\":\"%s\"}", k ? "," : "",
				  idx, (unsigned long long)(v << 32 | v), wp_ops[rp_below(&r, 3)]);
		}
		rp_printf(&b, "]}");
	}
	rp_printf(&b, "]}");
	return b.s;
}

/* Every name of the syscall table, as a JSON list. */
static inline char *wp_every_name(void)
{
	struct rp_buf b = { 0 };

	rp_printf(&b, "[");
	for (size_t i = 0; i < sp_syscall_count(); i++)
		rp_printf(&b, "%s\"%s\"", i ? "," : "", sp_syscall_name_at(i));
	rp_printf(&b, "]");
	return b.s;
}

static inline char *wp_one_syscall_600(void)
{
	return wp_mixed(600, "[\"dup3\"]", NULL, 1, 6);
}

static inline char *wp_one_syscall_1024(void)
{
	return wp_mixed(1024, "[\"dup3\"]", NULL, 1, 6);
}

static inline char *wp_one_arg_700(void)
{
	return wp_mixed(700, "[\"dup3\"]", NULL, 1, 1);
}

static inline char *wp_three_args(void)
{
	return wp_mixed(341, "[\"dup3\"]", NULL, 3, 6);
}

static inline char *wp_every_syscall(void)
{
	char *names = wp_every_name(), *s = wp_mixed(200, names, NULL, 1, 6);

	free(names);
	return s;
}

static inline char *wp_every_arch(void)
{
	return wp_mixed(
		1000, "[\"dup3\",\"read\",\"write\"]",
		"[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\","
		"\"SCMP_ARCH_ARM\",\"SCMP_ARCH_RISCV64\",\"SCMP_ARCH_PPC64LE\",\"SCMP_ARCH_MIPSEL\","
		"\"SCMP_ARCH_MIPSEL64\",\"SCMP_ARCH_MIPSEL64N32\"]",
		1, 6);
}

static inline char *wp_multiplexer(void)
{
	return wp_mixed(
		1000,
		"[\"socket\",\"bind\",\"connect\",\"accept4\",\"recvmsg\",\"semop\",\"shmat\"]",
		"[\"SCMP_ARCH_X86\"]", 1, 6);
}

static inline char *wp_absent(void)
{
	return wp_mixed(1000, "[\"mmap2\",\"_llseek\",\"breakpoint\"]", NULL, 1, 6);
}

/* 100,000 names in one rule (the table's, then names no table has). */
static inline char *wp_names_100k(void)
{
	struct rp_buf b = { 0 };
	size_t known = sp_syscall_count();

	rp_printf(&b, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[");
	for (size_t i = 0; i < 100000; i++) {
		if (i < known)
			rp_printf(&b, "%s\"%s\"", i ? "," : "", sp_syscall_name_at(i));
		else
			rp_printf(&b, ",\"nosuch%zu\"", i);
	}
	rp_printf(&b, "],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	return b.s;
}

/* n rules naming every syscall: three actions in turn, or one action and a
 * condition each (2,300 such rules are nearly the 16 MiB a profile may
 * have; without conditions the first rule decides each name). */
static inline char *wp_rules_x_names(size_t n, bool args)
{
	char *names = wp_every_name();
	struct rp_buf b = { 0 };
	static const char *const acts[] = { "ALLOW", "ERRNO", "TRAP" };

	rp_printf(&b, "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[");
	for (size_t i = 0; i < n; i++) {
		rp_printf(&b, "%s{\"names\":%s,\"action\":\"SCMP_ACT_%s\"", i ? "," : "", names,
			  args ? "ALLOW" : acts[i % 3]);
		if (args)
			rp_printf(
				&b,
				",\"args\":[{\"index\":%zu,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"}]",
				i % 6, i);
		rp_printf(&b, "}");
	}
	rp_printf(&b, "]}");
	free(names);
	return b.s;
}

static inline char *wp_rules_x_names_plain(void)
{
	return wp_rules_x_names(1000, false);
}

static inline char *wp_rules_x_names_args(void)
{
	return wp_rules_x_names(2300, true);
}

/* Rules of six NE tests each, indexes drawn at random so most rules repeat
 * one (runc then adds each test as a rule of its own, OR-ed), two actions. */
static inline char *wp_many_args(void)
{
	struct rp_buf b = { 0 };
	struct rp_rng r;

	rp_seed(&r, 2);
	rp_printf(&b, "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[");
	for (size_t i = 0; i < 200; i++) {
		rp_printf(&b, "%s{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_%s\",\"args\":[",
			  i ? "," : "", i % 2 ? "ERRNO" : "ALLOW");
		for (unsigned k = 0; k < 6; k++)
			rp_printf(&b, "%s{\"index\":%u,\"value\":%llu,\"op\":\"SCMP_CMP_NE\"}",
				  k ? "," : "", (unsigned)rp_below(&r, 6),
				  (unsigned long long)rp_next(&r));
		rp_printf(&b, "]}");
	}
	rp_printf(&b, "]}");
	return b.s;
}

/* Deep prefix chains: for each value j, rules testing args 0..5, 0..4, ...
 * 0 == j, longest first (libseccomp keeps the shortest), actions by j. */
static inline char *wp_prefix_chains(void)
{
	struct rp_buf b = { 0 };

	rp_printf(&b, "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[");
	for (size_t i = 0; i < 48 * 6; i++) {
		size_t j = i / 6, k = 6 - i % 6;
		rp_printf(&b, "%s{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_%s\",\"args\":[",
			  i ? "," : "", j % 2 ? "ERRNO" : "ALLOW");
		for (size_t a = 0; a < k; a++)
			rp_printf(&b, "%s{\"index\":%zu,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"}",
				  a ? "," : "", a, j);
		rp_printf(&b, "]}");
	}
	rp_printf(&b, "]}");
	return b.s;
}

/* Three rules whose word tree libseccomp links into a loop (a level shared
 * by two parents gets a sibling that leads back to it): every walk of the
 * model then runs to its depth bound along exponentially many paths, 0.6 s
 * for these three rules before the replay counted its work (found by the
 * differential test's generator, reduced by hand). */
static inline char *wp_looping_tree(void)
{
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":["
		"{\"names\":[\"semop\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":3,\"value\":8746675845759762434,\"op\":\"SCMP_CMP_LE\"},"
		"{\"index\":0,\"value\":4294967297,\"op\":\"SCMP_CMP_GT\"}]},"
		"{\"names\":[\"semop\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		"{\"index\":4,\"value\":4294967297,\"op\":\"SCMP_CMP_LE\"},"
		"{\"index\":0,\"value\":4294967297,\"op\":\"SCMP_CMP_GT\"}]},"
		"{\"names\":[\"semop\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		"{\"index\":4,\"value\":4294967297,\"op\":\"SCMP_CMP_LE\"}]}]}";

	return strdup(json);
}

/* Two rules whose merge links a level of libseccomp's tree into a loop:
 * libseccomp's own second seccomp_rule_add never returns, and secprof's
 * test for a stale accumulator (scmpacc.c may_stale), which followed
 * paths, never did either (an adversarial review's generator; on ppc64le
 * the rules were on shutdown's direct number, beyond runc's ENOSYS
 * boundary). */
static inline char *wp_looping_level(void)
{
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":["
		"{\"names\":[\"shutdown\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":["
		"{\"index\":3,\"value\":1311768464867721217,\"op\":\"SCMP_CMP_GT\"},"
		"{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_LE\"},"
		"{\"index\":2,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":1,\"value\":47,\"op\":\"SCMP_CMP_GT\"}]},"
		"{\"names\":[\"shutdown\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":["
		"{\"index\":3,\"value\":1311768464867721217,\"op\":\"SCMP_CMP_GT\"},"
		"{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_LE\"}]}]}";

	return strdup(json);
}

static const struct wp_shape wp_shapes[] = {
	/* with runc's program modelled as a twin (src/ir/scmpacc.c), these no
	 * longer fit: secprof refuses rather than allow what runc's denies */
	{ "one-syscall-600", "600 one-condition rules of 2 actions on dup3", WP_TOO_LONG,
	  wp_one_syscall_600 },
	{ "one-syscall-1024", "1,024 such rules (the model's limit)", WP_NO_MODEL,
	  wp_one_syscall_1024 },
	{ "one-arg-700", "700 such rules, all on arg0", WP_TOO_LONG, wp_one_arg_700 },
	{ "three-args", "341 rules of 3 conditions, 2 actions, on dup3", WP_TOO_LONG,
	  wp_three_args },
	{ "every-syscall", "200 such rules naming every syscall", WP_TOO_MUCH, wp_every_syscall },
	{ "every-arch", "1,000 such rules on 3 syscalls, 10 arches", WP_TOO_MUCH, wp_every_arch },
	{ "multiplexer", "1,000 such rules on socket/ipc calls, x86", WP_TOO_MUCH, wp_multiplexer },
	{ "absent-names", "1,000 such rules on names amd64 lacks", WP_COMPILES, wp_absent },
	{ "names-100k", "one rule with 100,000 names", WP_COMPILES, wp_names_100k },
	{ "rules-x-names", "1,000 rules naming every syscall, 3 actions", WP_COMPILES,
	  wp_rules_x_names_plain },
	{ "rules-x-names-args", "2,300 one-condition rules naming every syscall (one shared block)",
	  WP_COMPILES, wp_rules_x_names_args },
	{ "many-args", "200 rules of 6 NE tests, repeated indexes", WP_TOO_MANY, wp_many_args },
	{ "prefix-chains", "288 prefix chains of 1..6 conditions", WP_COMPILES, wp_prefix_chains },
	{ "looping-tree", "3 rules whose word tree loops", WP_TOO_MUCH, wp_looping_tree },
	{ "looping-level", "2 rules whose merge loops a level", WP_LOOP, wp_looping_level },
};

#endif
