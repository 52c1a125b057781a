/* test_compile.c - the BPF generator: targets for Docker's default,
 * long jumps, BPF_MAXINSNS, 64-bit argument compares at their boundaries,
 * runc/libseccomp refusals with exact messages, flags, warnings, the cost
 * of 10,000 argument rules, and random profiles against the ruleset oracle. */
#include <linux/filter.h>
#include <time.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "bpf/bpf.h"
#include "tap.h"

static const secprof_resolve_opts amd64 = { .arch = "amd64", .kernel_major = 6, .kernel_minor = 1 };

struct built {
	secprof_profile *p;
	secprof_resolved *r;
	secprof_prog *prog;
	struct sp_ruleset *rs;
	secprof_error err;
	char msg[1400];
};

static unsigned notes;
static char last_note[1400];

static void count_note(void *data, const secprof_error *w)
{
	(void)data;
	/* other stages note and warn too; count the compiler's notes only */
	if (w->code == 0 && strstr(w->msg, "ignored in this filter")) {
		notes++;
		secprof_error_format(w, last_note, sizeof(last_note));
	}
}

static void unbuild(struct built *b)
{
	sp_ruleset_free(b->rs);
	secprof_prog_free(b->prog);
	secprof_resolved_free(b->r);
	secprof_profile_free(b->p);
	memset(b, 0, sizeof(*b));
}

/* How build() compiles: secprof's default, or libseccomp's exact program. */
static secprof_compile_opts build_opts;

/* Parse, resolve for amd64 and compile; on failure b->msg has the error. */
static bool build(struct built *b, secprof_ctx *ctx, const char *json)
{
	secprof_resolve_opts o = amd64;

	memset(b, 0, sizeof(*b));
	o.caps = secprof_caps_docker_default();
	if (json)
		b->p = secprof_profile_parse(ctx, json, strlen(json), "t.json", &b->err);
	else
		b->p = secprof_profile_builtin(ctx, &b->err);
	if (b->p)
		b->r = secprof_resolve(ctx, b->p, &o, &b->err);
	if (b->r)
		b->prog = secprof_compile(ctx, b->r, &build_opts, &b->err);
	if (b->prog) { /* the oracle's ruleset, built quietly */
		secprof_ctx *quiet = secprof_ctx_new();
		b->rs = sp_ruleset_build(quiet, b->r, &build_opts, &b->err);
		secprof_ctx_free(quiet);
	}
	if (!b->prog)
		secprof_error_format(&b->err, b->msg, sizeof(b->msg));
	return b->prog != NULL;
}

static uint32_t eval(const struct built *b, uint32_t audit, uint32_t nr, const uint64_t *args,
		     unsigned *steps)
{
	secprof_data d = { .nr = (int32_t)nr, .arch = audit };
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	return secprof_emulate(b->prog->insns, b->prog->len, &d, steps);
}

static uint32_t oracle(const struct built *b, uint32_t audit, uint32_t nr, const uint64_t *args)
{
	secprof_data d = { .nr = (int32_t)nr, .arch = audit };
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	return sp_ruleset_decide(b->rs, &d);
}

/* The kernel's action-cache emulator (seccomp_is_const_allow, docs/KERNEL.md
 * §2.1): only nr/arch loads, K jumps, JA, AND K and RET K are understood. */
static bool cacheable_allow(const secprof_prog *p, uint32_t audit, uint32_t nr)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < p->len;) {
		const secprof_insn *f = &p->insns[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k != 0 && f->k != 4)
				return false;
			a = f->k == 0 ? nr : audit;
			pc++;
			break;
		case BPF_JMP | BPF_JA: pc += 1 + f->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += 1 + (a == f->k ? f->jt : f->jf); break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += 1 + (a >= f->k ? f->jt : f->jf); break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += 1 + (a > f->k ? f->jt : f->jf); break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += 1 + ((a & f->k) ? f->jt : f->jf); break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			break;
		case BPF_RET | BPF_K: return f->k == SP_RET_ALLOW;
		default: return false;
		}
	}
	return false;
}

static bool has_args(const struct sp_ruleset *rs, const struct sp_arch *a, int32_t nr)
{
	const struct sp_arch_rules *t = sp_ruleset_arch(rs, a);
	for (size_t i = 0; t && i < t->nsys; i++)
		if (t->sys[i].nr == nr)
			return !t->sys[i].uncond;
	return false;
}

/* Issue 3 targets for the moby default on amd64 (x86_64 + x86 + x32). */
static void test_moby_default(secprof_ctx *ctx)
{
	static const char *const names[] = { "x86_64", "x86", "x32" };
	struct built b;

	if (!tap_ok(build(&b, ctx, NULL), "the built-in profile compiles")) {
		tap_diag("%s", b.msg);
		return;
	}
	tap_ok(b.prog->len < 1246, "%zu instructions, fewer than libseccomp's tree (1246)",
	       b.prog->len);
	TAP_EQ_INT(b.prog->flags, 0,
		   "no flags in the profile: no SPEC_ALLOW (Debian 12's runc 1.1.5, the stricter)");
	TAP_EQ_INT(b.prog->needs_listener, 0, "no listener");
	for (size_t k = 0; k < 3; k++) {
		const struct sp_arch *a = sp_arch_by_name(names[k]);
		unsigned n = 0, sum = 0, max = 0, cached = 0, allowed = 0, mismatch = 0;
		for (uint32_t i = 0; i <= 460; i++) {
			uint32_t nr = i + a->nr_base, steps;
			uint32_t ret = eval(&b, a->audit, nr, NULL, &steps);
			mismatch += ret != oracle(&b, a->audit, nr, NULL);
			if (has_args(b.rs, a, (int32_t)nr))
				continue;
			n++;
			sum += steps;
			max = steps > max ? steps : max;
			allowed += ret == SP_RET_ALLOW;
			cached += ret == SP_RET_ALLOW && cacheable_allow(b.prog, a->audit, nr);
		}
		TAP_EQ_INT(mismatch, 0, "program and oracle agree on every number 0..460");
		tap_diag("%s: mean %.2f max %u steps over %u argument-free numbers", names[k],
			 (double)sum / n, max, n);
		if (k == 0) {
			tap_ok(sum <= 11 * n, "x86_64: mean %.2f <= 11 steps", (double)sum / n);
			tap_ok(max <= 14, "x86_64: max %u <= 14 steps", max);
		}
		if (k < 2)
			TAP_EQ_INT(cached, allowed, "every argument-free allow is cacheable");
	}
	unbuild(&b);
}

/* The dispatch weighting (compile.c run_weights) on Docker's default: the
 * calls of the recorded mix (data/syscall-mix.tsv) the kernel's cache
 * cannot answer (argument rules, a verdict other than ALLOW, any x32 call)
 * take fewer steps than under the tree weighted by numbers alone (13.06 on
 * x86_64, 10.50 on x32, zero arguments), while the mean over numbers
 * 0..460 stays at or below that tree's (10.08, 11.48, 10.84): the
 * weighting is paid for by the optimal plans, not by other calls. */
static void test_mix_weighting(secprof_ctx *ctx)
{
	static const struct {
		const char *arch;
		double uncached_max, numbers_max;
	} abi[] = { { "x86_64", 12.5, 10.08 }, { "x86", 0, 11.48 }, { "x32", 9.8, 10.84 } };
	struct built b;

	if (!tap_ok(build(&b, ctx, NULL), "the built-in profile compiles")) {
		tap_diag("%s", b.msg);
		return;
	}
	for (size_t k = 0; k < 3; k++) {
		const struct sp_arch *a = sp_arch_by_name(abi[k].arch);
		double sum = 0, wsum = 0, wsteps = 0;
		unsigned steps;
		uint32_t weight;
		int32_t nr;
		for (uint32_t i = 0; i <= 460; i++) {
			eval(&b, a->audit, i + a->nr_base, NULL, &steps);
			sum += steps;
		}
		tap_ok(sum / 461 <= abi[k].numbers_max,
		       "%s: mean %.2f steps over numbers 0..460 <= %.2f", abi[k].arch, sum / 461,
		       abi[k].numbers_max);
		if (!abi[k].uncached_max)
			continue;
		for (size_t m = 0; (weight = sp_syscall_mix_at(a, m, &nr, NULL)); m++) {
			uint32_t ret;
			if (nr < 0)
				continue;
			ret = eval(&b, a->audit, (uint32_t)nr, NULL, &steps);
			if (ret == SP_RET_ALLOW && !has_args(b.rs, a, nr) &&
			    a->nr_base != SP_X32_BIT)
				continue;
			wsum += weight;
			wsteps += (double)weight * steps;
		}
		tap_ok(wsum > 0 && wsteps / wsum <= abi[k].uncached_max,
		       "%s: the recorded calls the cache cannot answer take %.2f steps <= %.2f",
		       abi[k].arch, wsum > 0 ? wsteps / wsum : 0, abi[k].uncached_max);
	}
	unbuild(&b);
}

/* A profile with `n` argument rules on read, each a different errno so
 * no return is shared: every rule's code is far from the shared ones. */
static char *many_rules_json(unsigned n, bool distinct_errno)
{
	struct sp_buf j = { 0 };

	sp_buf_puts(&j, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	sp_buf_puts(&j,
		    "{\"names\":[\"write\",\"close\",\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}");
	for (unsigned i = 0; i < n; i++)
		sp_buf_printf(
			&j,
			",{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%u,"
			"\"args\":[{\"index\":0,\"value\":%u,\"op\":\"SCMP_CMP_EQ\"}]}",
			distinct_errno ? 2 + i % 4000 : 2, i * 7);
	sp_buf_puts(&j, "]}");
	return j.data;
}

/* Past 1,024 conditions in rules of several actions on one syscall (that
 * are not all single equalities), secprof refuses instead of deciding from
 * a tree its model would have cut; 1,024 still compile and decide as the
 * tree oracle. */
static void test_tree_limit(secprof_ctx *ctx)
{
	for (unsigned n = 1024; n <= 1025; n++) {
		struct sp_buf j = { 0 };
		struct built b;
		char want[256];

		sp_buf_puts(&j, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
		for (unsigned i = 0; i < n; i++)
			sp_buf_printf(
				&j,
				"%s{\"names\":[\"mmap\"],\"action\":\"SCMP_ACT_%s\","
				"\"args\":[{\"index\":0,\"value\":%u,\"op\":\"SCMP_CMP_GE\"}]}",
				i ? "," : "", i % 2 ? "TRAP" : "KILL", 10 * i);
		sp_buf_puts(&j, "]}");
		if (n == 1024) {
			bool ok = build(&b, ctx, j.data);
			uint64_t args[6] = { 0 };
			unsigned bad = 0;
			if (!tap_ok(ok, "1,024 range rules of two actions on one syscall compile"))
				tap_diag("%s", b.msg);
			for (uint64_t v = 0; ok && v < 10 * n + 20; v += 5) {
				args[0] = v;
				bad += eval(&b, 0xc000003e, 9, args, NULL) !=
				       oracle(&b, 0xc000003e, 9, args);
			}
			TAP_EQ_INT(bad, 0, "... and decide as the word-tree oracle");
		} else {
			/* column 47: the first rule, after {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[ */
			snprintf(
				want, sizeof(want), "%s",
				"t.json:1:47: syscall \"mmap\" has 1025 argument conditions in rules of different actions: secprof reproduces libseccomp's order for at most 1024");
			TAP_EQ_INT(build(&b, ctx, j.data), 0, "1,025 are refused");
			TAP_EQ_STR(b.msg, want, "... with this message");
			TAP_EQ_INT(b.err.code, SECPROF_E_LIMIT, "a limit error");
		}
		unbuild(&b);
		free(j.data);
	}
}

static void test_long_jumps(secprof_ctx *ctx)
{
	char *json = many_rules_json(300, true);
	struct built b;
	unsigned bad = 0, ja = 0, rets = 0;

	if (!tap_ok(build(&b, ctx, json), "300 argument rules compile")) {
		tap_diag("%s", b.msg);
		free(json);
		return;
	}
	for (size_t i = 0; i < b.prog->len; i++) {
		ja += b.prog->insns[i].code == (BPF_JMP | BPF_JA);
		rets += b.prog->insns[i].code == (BPF_RET | BPF_K) &&
			b.prog->insns[i].k == (SP_RET_ERRNO | 1);
	}
	tap_ok(b.prog->len > 600, "the program is long (%zu instructions)", b.prog->len);
	tap_ok(ja + rets > 2, "far targets are reached by JA (%u) or copies of RET (%u)", ja, rets);
	TAP_EQ_INT(sp_bpf_check(b.prog->insns, b.prog->len, NULL), 0, "the kernel's checks pass");
	for (uint32_t v = 0; v < 300 * 7 + 3; v++) {
		uint64_t args[6] = { v, 0, 0, 0, 0, 0 };
		bad += eval(&b, 0xc000003e, 0, args, NULL) != oracle(&b, 0xc000003e, 0, args);
	}
	for (uint32_t nr = 0; nr < 1000; nr++)
		bad += eval(&b, 0xc000003e, nr, NULL, NULL) != oracle(&b, 0xc000003e, nr, NULL);
	TAP_EQ_INT(bad, 0, "every rule and every number decide as the oracle");
	uint64_t args[6] = { 7 * 299 };
	TAP_EQ_INT(eval(&b, 0xc000003e, 0, args, NULL), SP_RET_ERRNO | (2 + 299),
		   "the last rule returns its own errno");
	unbuild(&b);
	free(json);
}

static void test_maxinsns(secprof_ctx *ctx)
{
	/* equality rules on one argument cost about one instruction each:
	 * 4,000 fit once the program is built again for size (linear chains,
	 * as libseccomp's), 4,300 do not */
	char *json = many_rules_json(4000, false);
	struct built b;
	char want[200];
	secprof_insn *insns;
	size_t len = 0;

	bool fits = build(&b, ctx, json) && b.prog->len <= 4096;
	tap_ok(fits, "4000 argument rules fit, built for size (%zu)", b.prog ? b.prog->len : 0);
	unbuild(&b);
	free(json);
	json = many_rules_json(4300, false);
	TAP_EQ_INT(build(&b, ctx, json), 0, "4300 argument rules do not fit in one filter");
	if (b.r)
		b.rs = sp_ruleset_build(ctx, b.r, NULL, NULL);
	if (b.rs && sp_bpf_generate(b.rs, &insns, &len, NULL) == 0)
		free(insns);
	snprintf(
		want, sizeof(want),
		"t.json: the filter needs %zu instructions, more than the kernel's limit of 4096 (BPF_MAXINSNS)",
		len);
	tap_ok(len > 4096, "the generator alone makes %zu instructions", len);
	TAP_EQ_STR(b.msg, want, "the refusal says how many");
	TAP_EQ_INT(b.err.code, SECPROF_E_LIMIT, "a limit error");
	unbuild(&b);
	free(json);
}

/* ---- 64-bit compares ------------------------------------------------------- */

static const uint64_t edges[] = {
	0,
	1,
	2,
	0x7fffffff,
	0x80000000,
	0xfffffffe,
	0xffffffff,
	0x100000000ull,
	0x100000001ull,
	0x1ffffffffull,
	0x200000000ull,
	0x8000000000000000ull,
	0xffffffff00000000ull,
	0xfffffffffffffffeull,
	UINT64_MAX,
};

static bool holds(enum sp_op op, uint64_t x, uint64_t v, uint64_t v2)
{
	switch (op) {
	case SP_OP_NE: return x != v;
	case SP_OP_LT: return x < v;
	case SP_OP_LE: return x <= v;
	case SP_OP_EQ: return x == v;
	case SP_OP_GE: return x >= v;
	case SP_OP_GT: return x > v;
	default: return (x & v) == (v2 & v); /* libseccomp masks the datum too */
	}
}

static unsigned check_op(secprof_ctx *ctx, enum sp_op op, uint64_t v, uint64_t v2)
{
	char json[512];
	struct built b;
	unsigned bad = 0;

	snprintf(json, sizeof(json),
		 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
		 "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
		 "[{\"index\":2,\"value\":%llu,\"valueTwo\":%llu,\"op\":\"%s\"}]}]}",
		 (unsigned long long)v, (unsigned long long)v2, sp_op_str(op));
	if (!build(&b, ctx, json)) {
		tap_diag("%s: %s", json, b.msg);
		return 1;
	}
	for (size_t i = 0; i < SP_ARRAY_SIZE(edges); i++) {
		for (int d = -1; d <= 1; d++) {
			uint64_t x = edges[i] + (uint64_t)(int64_t)d, args[6] = { 0, 0, x };
			/* x86_64 compares 64 bits; i386 the low words only */
			bool w64 = holds(op, x, v, v2);
			bool w32 = holds(op, (uint32_t)x, (uint32_t)v, (uint32_t)v2);
			uint32_t got64 = eval(&b, 0xc000003e, 0, args, NULL);
			uint32_t got32 = eval(&b, 0x40000003, 3, args, NULL);
			bad += got64 != (w64 ? SP_RET_ALLOW : SP_RET_ERRNO | 1);
			bad += got32 != (w32 ? SP_RET_ALLOW : SP_RET_ERRNO | 1);
			if (bad == 1 && (got64 != (w64 ? SP_RET_ALLOW : SP_RET_ERRNO | 1) ||
					 got32 != (w32 ? SP_RET_ALLOW : SP_RET_ERRNO | 1)))
				tap_diag("%s %#llx (two %#llx) on %#llx: got %#x/%#x",
					 sp_op_str(op), (unsigned long long)v,
					 (unsigned long long)v2, (unsigned long long)x, got64,
					 got32);
		}
	}
	unbuild(&b);
	return bad;
}

static void test_compares(secprof_ctx *ctx)
{
	for (int op = 0; op < SP_OP__COUNT; op++) {
		unsigned bad = 0;
		for (size_t i = 0; i < SP_ARRAY_SIZE(edges); i++)
			for (size_t j = 0; j < (op == SP_OP_MASKED_EQ ? SP_ARRAY_SIZE(edges) : 1);
			     j++)
				bad += check_op(ctx, (enum sp_op)op, edges[i], edges[j]);
		TAP_EQ_INT(bad, 0, sp_op_str((enum sp_op)op));
	}
}

/* ---- refusals and flags ------------------------------------------------------ */

static void refuses(secprof_ctx *ctx, const char *json, const char *want, const char *name)
{
	struct built b;
	TAP_EQ_INT(build(&b, ctx, json), 0, name);
	TAP_EQ_STR(b.msg, want, "... with this message");
	unbuild(&b);
}

static void test_refusals(secprof_ctx *ctx)
{
	refuses(ctx,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[\n"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		"t.json:3:1: syscalls[1]: rule for syscall \"dup3\" has the same conditions as syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)",
		"the same conditions with two actions");
	refuses(ctx,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[\n"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		"t.json:3:1: syscalls[1]: rule for syscall \"dup3\" has conditions that begin those of syscalls[0] (line 2) with a different action: libseccomp refuses it (EEXIST)",
		"a shorter chain after a longer one with another action (libseccomp: -EEXIST)");
	{
		/* the other order is fine: the longer chain is dropped */
		struct built b;
		tap_ok(build(&b, ctx,
			     "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
			     "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"}]},"
			     "{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
		       "a longer chain after a shorter one compiles");
		uint64_t args[6] = { 5, 3 };
		if (b.prog)
			TAP_EQ_INT(eval(&b, 0xc000003e, 292, args, NULL), 0x7ffc0000,
				   "... and the shorter chain decides (LOG)");
		unbuild(&b);
	}
	refuses(ctx, "{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"syscalls\":[]}",
		"t.json:1:18: defaultAction: SCMP_ACT_NOTIFY cannot be used as the default action (runc refuses it)",
		"NOTIFY as the default");
	refuses(ctx,
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		"t.json:1:64: syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall (runc refuses it)",
		"NOTIFY on write");
	refuses(ctx,
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4095}]}",
		"t.json:1:102: syscalls[0].errnoRet: error adding seccomp filter rule for syscall read: invalid argument (errno 4095: libseccomp takes 0 to 4094)",
		"errno 4095 (libseccomp's limit)");
	refuses(ctx,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":5000,\"syscalls\":[]}",
		"t.json:1:53: defaultErrnoRet: error creating filter: could not create filter",
		"default errno 5000");
	refuses(ctx,
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_S390X\"],\"syscalls\":[]}",
		"t.json:1:52: architectures: error adding architecture to seccomp filter: numerical argument out of domain (SCMP_ARCH_S390X is big-endian, SCMP_ARCH_X86_64 is not)",
		"a big-endian arch in a little-endian filter");
}

static uint32_t flags_of(secprof_ctx *ctx, const char *json, bool *listener)
{
	struct built b;
	uint32_t f = 0xdead;
	if (build(&b, ctx, json)) {
		f = b.prog->flags;
		*listener = b.prog->needs_listener;
	}
	unbuild(&b);
	return f;
}

static void test_flags(secprof_ctx *ctx)
{
	bool l = true;
	TAP_EQ_INT(flags_of(ctx, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}", &l), 0,
		   "flags absent: no SPEC_ALLOW");
	TAP_EQ_INT(l, 0, "... and no listener");
	TAP_EQ_INT(
		flags_of(
			ctx,
			"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[]}",
			&l),
		2, "flags given: only those");
	TAP_EQ_INT(
		flags_of(
			ctx,
			"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[]}",
			&l),
		2, "SPEC_ALLOW listed: not applied (Debian 12's Docker drops flags), LOG kept");
	TAP_EQ_INT(
		flags_of(
			ctx,
			"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
			&l),
		0, "NOTIFY rule: no flag in the program (the loader adds NEW_LISTENER)");
	TAP_EQ_INT(l, 1, "... needs a listener");
}

static void test_notes(void)
{
	const char *json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		"{\"names\":[\"recv\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"recv\",\"sync_file_range2\"],\"action\":\"SCMP_ACT_LOG\"}]}";
	secprof_ctx *ctx = secprof_ctx_new();
	struct built b;

	secprof_ctx_set_warn(ctx, count_note, NULL);
	notes = 0;
	tap_ok(build(&b, ctx, json), "names of other arches are skipped");
	TAP_EQ_INT(notes, 0, "... silently by default, as runc");
	unbuild(&b);
	secprof_ctx_set_strict(ctx, true);
	notes = 0;
	tap_ok(build(&b, ctx, json),
	       "strict mode: a name of another arch is no error (Docker's default has them)");
	/* recv twice, sync_file_range2 once */
	TAP_EQ_INT(notes, 2, "... only a note, once per name that no arch of the filter has");
	TAP_EQ_STR(
		last_note,
		"t.json:1:116: syscalls[1].names[1]: syscall \"sync_file_range2\" does not exist on x86_64: ignored in this filter",
		"... saying where it was named first");
	unbuild(&b);
	secprof_ctx_free(ctx);
}

/* ---- cost -------------------------------------------------------------------- */

static double gen_ms(secprof_ctx *ctx, unsigned n)
{
	char *json = many_rules_json(n, true);
	struct built b = { 0 };
	secprof_resolve_opts o = amd64;
	double best = 1e9;

	b.p = secprof_profile_parse(ctx, json, strlen(json), "t.json", &b.err);
	b.r = b.p ? secprof_resolve(ctx, b.p, &o, &b.err) : NULL;
	for (int rep = 0; b.r && rep < 9; rep++) { /* best of 9: the machine is shared */
		struct timespec t0, t1;
		secprof_insn *insns = NULL;
		size_t len;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0); /* CPU time: the VM is shared */
		struct sp_ruleset *rs = sp_ruleset_build(ctx, b.r, NULL, &b.err);
		if (rs)
			sp_bpf_generate(rs, &insns, &len, &b.err);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
		free(insns);
		sp_ruleset_free(rs);
	}
	unbuild(&b);
	free(json);
	return best;
}

static void test_cost(secprof_ctx *ctx)
{
	double small = gen_ms(ctx, 2500), big = gen_ms(ctx, 10000);

	/* No limit on the time itself: it follows the machine (the same build
	 * took 6.8 and 10.4 ms on this VM within the hour), and speed is
	 * the bench's to show against libseccomp. The growth is a property of
	 * the code: n log n predicts 4.6x, n^2 16x; the rest is cache and a
	 * shared VM. */
	tap_diag("argument rules: 2,500 in %.2f ms, 10,000 in %.2f ms (x%.1f)", small, big,
		 big / small);
	tap_ok(big / small < 10.0, "4x the rules cost %.1fx the time (n log n, not n^2)",
	       big / small);
}

/* ---- random profiles ------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_profile(struct sp_buf *j, uint64_t *s)
{
	static const char *const names[] = { "read",   "write",       "dup3",
					     "socket", "personality", "clone" };
	static const char *const acts[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP",
					    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG" };
	unsigned nrules = 1 + (unsigned)(rnd(s) % 6);

	sp_buf_printf(
		j,
		"{\"defaultAction\":\"%s\",\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[",
		acts[rnd(s) % 5]);
	for (unsigned i = 0; i < nrules; i++) {
		unsigned nargs = (unsigned)(rnd(s) % 3);
		sp_buf_printf(j,
			      "%s{\"names\":[\"%s\"],\"action\":\"%s\",\"errnoRet\":%u,\"args\":[",
			      i ? "," : "", names[rnd(s) % 6], acts[rnd(s) % 5],
			      (unsigned)(rnd(s) % 3));
		for (unsigned k = 0; k < nargs; k++)
			sp_buf_printf(
				j,
				"%s{\"index\":%u,\"value\":%llu,\"valueTwo\":%llu,\"op\":\"%s\"}",
				k ? "," : "", (unsigned)(rnd(s) % 2),
				(unsigned long long)edges[rnd(s) % SP_ARRAY_SIZE(edges)],
				(unsigned long long)edges[rnd(s) % SP_ARRAY_SIZE(edges)],
				sp_op_str((enum sp_op)(rnd(s) % SP_OP__COUNT)));
		sp_buf_puts(j, "]}");
	}
	sp_buf_puts(j, "]}");
}

static void test_random(secprof_ctx *ctx)
{
	static const uint32_t audits[] = { 0xc000003e, 0x40000003, 0xc00000b7 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned compiled = 0, bad = 0;

	for (int n = 0; n < 300; n++) {
		struct sp_buf j = { 0 };
		struct built b;
		random_profile(&j, &seed);
		if (build(&b, ctx, j.data)) {
			compiled++;
			for (int t = 0; t < 300; t++) {
				uint64_t args[6] = { edges[rnd(&seed) % SP_ARRAY_SIZE(edges)],
						     edges[rnd(&seed) % SP_ARRAY_SIZE(edges)] };
				uint32_t a = audits[rnd(&seed) % 3];
				uint32_t nr = (uint32_t)(rnd(&seed) % 480);
				if (rnd(&seed) % 4 == 0)
					nr |= SP_X32_BIT;
				if (eval(&b, a, nr, args, NULL) != oracle(&b, a, nr, args) &&
				    !bad++)
					tap_diag("profile %s nr %#x differs", j.data, nr);
			}
		}
		unbuild(&b);
		sp_buf_free(&j);
	}
	tap_ok(compiled > 150, "%u of 300 random profiles compile", compiled);
	TAP_EQ_INT(bad, 0, "their programs decide as the ruleset oracle");
}

/* ---- equality rules, grouped ---------------------------------------------- */

/* bench.c's growth profile: `per` rules arg0 == V on each of the first
 * `nsys` x86_64 syscalls, every V distinct, action ALLOW, default ERRNO. */
static char *eq_rules_json(unsigned nsys, unsigned per)
{
	const struct sp_arch *x = sp_arch_by_name("x86_64");
	struct sp_buf j = { 0 };

	sp_buf_puts(
		&j,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[");
	for (unsigned i = 0; i < nsys * per; i++) {
		const char *name = NULL;
		sp_syscall_nth(x, i % nsys, &name);
		sp_buf_printf(&j,
			      "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
			      "[{\"index\":0,\"value\":%u,\"op\":\"SCMP_CMP_EQ\"}]}",
			      i ? "," : "", name, i + 1);
	}
	sp_buf_puts(&j, "]}");
	return j.data;
}

/* bench.c's argument rules on Docker's three x86 arches (x86_64, x86,
 * x32): the blocks the arches share are emitted once (compile.c cons_find)
 * and one JA serves the far jumps to each (compile.c trampoline), so 1,000
 * rules take no more than libseccomp's 1,424 instructions for bench.c's
 * pool (these: 10 syscalls), not three copies (3,647), and 3,400 rules
 * fit (libseccomp: 3,952 for 3,500). Each decides as the oracle. */
static char *three_arch_json(unsigned n)
{
	static const char *const pool[] = { "read",  "write", "close", "lseek", "mmap",
					    "ioctl", "dup",   "kill",  "fcntl", "fchmod" };
	struct sp_buf j = { 0 };

	sp_buf_puts(&j,
		    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		    "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[");
	for (unsigned i = 0; i < n; i++)
		sp_buf_printf(&j,
			      "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
			      "[{\"index\":0,\"value\":%u,\"op\":\"SCMP_CMP_EQ\"}]}",
			      i ? "," : "", pool[i % SP_ARRAY_SIZE(pool)], i + 1);
	sp_buf_puts(&j, "]}");
	return j.data;
}

/* Where a JA lands, past any JA it lands on. */
static size_t ja_dest(const secprof_prog *p, size_t i)
{
	while (p->insns[i].code == (BPF_JMP | BPF_JA))
		i += 1 + p->insns[i].k;
	return i;
}

/* Pairs of trampolines (a JA right after a conditional jump, as opposed
 * to one bridging a load to its next instruction) that land on one place
 * and are within a jump's reach of each other: the second is not needed,
 * a jump that reaches it reaches the first. */
static unsigned twin_trampolines(const secprof_prog *p)
{
	unsigned twins = 0;

	for (size_t i = 1; i < p->len; i++) {
		if (p->insns[i].code != (BPF_JMP | BPF_JA) ||
		    BPF_CLASS(p->insns[i - 1].code) != BPF_JMP)
			continue;
		for (size_t k = i + 1; k < p->len && k - i <= 255; k++)
			twins += p->insns[k].code == (BPF_JMP | BPF_JA) &&
				 BPF_CLASS(p->insns[k - 1].code) == BPF_JMP &&
				 ja_dest(p, k) == ja_dest(p, i);
	}
	return twins;
}

static void test_shared_blocks(secprof_ctx *ctx)
{
	static const struct {
		unsigned n;
		size_t max;
	} v[] = { { 1000, 1424 }, { 3400, 4096 } };
	static const uint32_t audits[] = { 0xc000003e, 0x40000003 };

	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		char *json = three_arch_json(v[i].n);
		struct built b;
		unsigned bad = 0;
		uint64_t seed = 7;
		bool ok = build(&b, ctx, json);
		if (!tap_ok(ok && b.prog->len <= v[i].max,
			    "%u argument rules on three arches: %zu instructions (<= %zu)", v[i].n,
			    ok ? b.prog->len : 0, v[i].max))
			tap_diag("%s", b.msg);
		/* an x86_64 block and the x32 number of the same syscall both go
		 * on to the shared i386 block: through one JA (compile.c trampoline) */
		if (ok)
			TAP_EQ_INT(twin_trampolines(b.prog), 0,
				   "... one trampoline serves each far place");
		for (unsigned t = 0; ok && t < 20000; t++) {
			uint64_t args[6] = { rnd(&seed) % (v[i].n + 2) |
					     (rnd(&seed) % 8 == 0 ? 1ull << 32 : 0) };
			uint32_t a = audits[rnd(&seed) % 2];
			uint32_t nr = (uint32_t)(rnd(&seed) % 100);
			if (a == 0xc000003e && rnd(&seed) % 2)
				nr |= SP_X32_BIT;
			bad += eval(&b, a, nr, args, NULL) != oracle(&b, a, nr, args);
		}
		TAP_EQ_INT(bad, 0, "... and decide as the oracle");
		unbuild(&b);
		free(json);
	}
}

/* Steps spent after the high-word test: an input whose high word differs
 * returns right after it, so the difference is LD lo + the dispatch. */
static unsigned dispatch_steps(const struct built *b, uint32_t nr, uint64_t v)
{
	uint64_t in[6] = { v }, out[6] = { v | 1ull << 32 };
	unsigned s_in = 0, s_out = 0;

	eval(b, 0xc000003e, nr, in, &s_in);
	eval(b, 0xc000003e, nr, out, &s_out);
	return s_in - s_out - 1;
}

/* The generator alone on bench.c's 10,000 rules (50 syscalls x 200):
 * sorting a group's values is skipped when libseccomp's order already
 * gives them, so this is linear in the rules. */
static void test_eq_generate_cost(secprof_ctx *ctx)
{
	char *json = eq_rules_json(50, 200);
	struct built b = { 0 };
	secprof_resolve_opts o = amd64;
	double best = 1e9;
	size_t len = 0;

	b.p = secprof_profile_parse(ctx, json, strlen(json), "t.json", &b.err);
	b.r = b.p ? secprof_resolve(ctx, b.p, &o, &b.err) : NULL;
	b.rs = b.r ? sp_ruleset_build(ctx, b.r, NULL, &b.err) : NULL;
	for (int rep = 0; b.rs && rep < 5; rep++) {
		struct timespec t0, t1;
		secprof_insn *insns = NULL;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		sp_bpf_generate(b.rs, &insns, &len, &b.err);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
		free(insns);
	}
	tap_ok(len > 4096 && len < 12000, "10,000 rules on 50 syscalls: %zu instructions, refused",
	       len);
#ifdef SP_UNDER_ASAN
	tap_ok(1, "generation time: no limit under sanitizers # SKIP sanitizers");
#else
	tap_ok(best <= 2.0, "generated in %.2f ms (<= 2)", best);
#endif
	unbuild(&b);
	free(json);
}

/* Issue: 1,000 such rules needed 4,111 instructions (over BPF_MAXINSNS)
 * where libseccomp emits 1,243; a syscall's equality rules on one
 * argument now share one high-word test and one low-word load. */
static void test_eq_compact(secprof_ctx *ctx)
{
	char *json = eq_rules_json(50, 20);
	struct built b;
	unsigned bad = 0, wrong = 0, max = 0;

	/* the high-word test is libseccomp's: most of these arguments are read
	 * as 32 bits, so only the exact program compares their high words */
	build_opts.exact_libseccomp = true;
	if (!tap_ok(build(&b, ctx, json), "1,000 equality rules on 50 syscalls compile")) {
		tap_diag("%s", b.msg);
		free(json);
		return;
	}
	tap_ok(b.prog->len <= 1243, "%zu instructions (<= libseccomp 2.5.4's 1,243)", b.prog->len);
	for (uint32_t nr = 0; nr < 50; nr++) {
		for (uint64_t v = 0; v <= 1002; v++) {
			uint64_t args[6] = { v }, hi[6] = { v | 1ull << 32 };
			bool mine = v >= 1 && v <= 1000 && (v - 1) % 50 == nr;
			uint32_t got = eval(&b, 0xc000003e, nr, args, NULL);
			wrong += got != (mine ? SP_RET_ALLOW : SP_RET_ERRNO | 1);
			wrong += eval(&b, 0xc000003e, nr, hi, NULL) != (SP_RET_ERRNO | 1);
			bad += got != oracle(&b, 0xc000003e, nr, args);
			if (mine && dispatch_steps(&b, nr, v) > max)
				max = dispatch_steps(&b, nr, v);
		}
	}
	TAP_EQ_INT(wrong, 0, "each syscall allows its own 20 values, with a zero high word only");
	TAP_EQ_INT(bad, 0, "... as the oracle decides");
	/* 20 values: a chain of 20 JEQs, no JGE splits (src/bpf/compile.c,
	 * emit_values: a split is an instruction libseccomp does not spend) */
	TAP_EQ_INT(max, 20, "a chain: at most 20 compares after the low-word load");
	unbuild(&b);
	free(json);

	json = eq_rules_json(1, 200);
	max = 0;
	if (tap_ok(build(&b, ctx, json), "200 equality rules on one syscall compile")) {
		for (uint64_t v = 1; v <= 200; v++) {
			unsigned s = dispatch_steps(&b, 0, v);
			max = s > max ? s : max;
		}
		TAP_EQ_INT(max, 200, "a chain: one compare per value, the last at 200");
		tap_ok(b.prog->len <= 200 + 15, "%zu instructions: one per value, 15 more at most",
		       b.prog->len);
	}
	unbuild(&b);
	free(json);
	build_opts.exact_libseccomp = false;
	test_eq_generate_cost(ctx);
}

/* Whether a program ever loads 32-bit word `off` of seccomp_data. */
static bool loads(const secprof_prog *p, uint32_t off)
{
	for (size_t i = 0; i < p->len; i++)
		if (p->insns[i].code == (BPF_LD | BPF_W | BPF_ABS) && p->insns[i].k == off)
			return true;
	return false;
}

/* socket(2) reads `int family`: 0x100000028 is AF_VSOCK to the kernel, so
 * Docker's `arg0 > 40` must not let it through (src/ir/arg32.c). The exact
 * program is libseccomp's, which does. mmap's length is an unsigned long:
 * its high word is still compared. */
#define RET_TRAP 0x00030000u

static void test_arg32(secprof_ctx *ctx)
{
	static const char *const json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":["
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":38,\"op\":\"SCMP_CMP_LT\"}]},"
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":39,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_GT\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":4294967297,\"op\":\"SCMP_CMP_NE\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":4294967298,\"op\":\"SCMP_CMP_NE\"}]},"
		"{\"names\":[\"mmap\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,\"value\":5,\"op\":\"SCMP_CMP_GT\"}]}]}";
	static const struct {
		uint32_t nr;
		uint64_t a0, a1;
		uint32_t def, exact;
	} v[] = {
		{ 41, 0x100000028ull, 0, SP_RET_ERRNO | 1, SP_RET_ALLOW }, /* AF_VSOCK */
		{ 41, 0x100000026ull, 0, SP_RET_ERRNO | 1, SP_RET_ALLOW }, /* AF_ALG */
		{ 41, 0xffffffff00000026ull, 0, SP_RET_ERRNO | 1, SP_RET_ALLOW },
		{ 41, 40, 0, SP_RET_ERRNO | 1, SP_RET_ERRNO | 1 },
		{ 41, 0x100000027ull, 0, SP_RET_ALLOW, SP_RET_ALLOW }, /* 39 */
		{ 41, 0x100000001ull, 0, SP_RET_ALLOW, SP_RET_ALLOW }, /* 1 */
		{ 41, 0xffffffff00000029ull, 0, SP_RET_ALLOW, SP_RET_ALLOW },
		{ 41, 0x7fffffffffffffffull, 0, SP_RET_ALLOW, SP_RET_ALLOW },
		/* dup3: exact, libseccomp's word tree tries "hi(a1) == 1" first,
		 * so a1 is TRAP unless it is 0x100000001; cut to 1 and 2, the
		 * tree tries "lo(a1) == 2" first: ALLOW unless a1's low word is 2.
		 * By default the stricter of the two decides. */
		{ 292, 0, 0x100000001ull, SP_RET_ALLOW, SP_RET_ALLOW },
		{ 292, 0, 1, RET_TRAP, RET_TRAP },
		{ 292, 0, 5, RET_TRAP, RET_TRAP },
		{ 292, 0, 0x200000001ull, RET_TRAP, RET_TRAP },
		{ 292, 0, 2, RET_TRAP, RET_TRAP },
		{ 292, 0, 0x100000002ull, RET_TRAP, RET_TRAP },
		{ 9, 0, 0, SP_RET_ERRNO | 1, SP_RET_ERRNO | 1 },
	};
	static const uint64_t mmap_prot[] = { 0x100000000ull, 5, 6 };
	static const uint32_t mmap_want[] = { SP_RET_ALLOW, SP_RET_ERRNO | 1, SP_RET_ALLOW };
	struct built b[2];
	unsigned bad = 0;

	for (int exact = 0; exact < 2; exact++) {
		build_opts.exact_libseccomp = exact;
		if (!tap_ok(build(&b[exact], ctx, json), "socket/dup3/mmap rules compile (%s)",
			    exact ? "exact" : "default"))
			tap_diag("%s", b[exact].msg);
	}
	build_opts.exact_libseccomp = false;
	if (!b[0].prog || !b[1].prog)
		return;
	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		uint64_t args[6] = { v[i].a0, v[i].a1 };
		for (int exact = 0; exact < 2; exact++) {
			uint32_t want = exact ? v[i].exact : v[i].def;
			uint32_t got = eval(&b[exact], 0xc000003e, v[i].nr, args, NULL);
			uint32_t orc = oracle(&b[exact], 0xc000003e, v[i].nr, args);
			if ((got != want || orc != want) && bad++ < 5)
				tap_diag("nr %u (%#llx, %#llx) %s: bpf %#x, oracle %#x, want %#x",
					 v[i].nr, (unsigned long long)v[i].a0,
					 (unsigned long long)v[i].a1, exact ? "exact" : "default",
					 got, orc, want);
		}
	}
	TAP_EQ_INT(
		bad, 0,
		"32-bit arguments: the stricter of the low-word and the 64-bit verdicts, unless exact");
	/* seccomp_data.args[0] is at 16, its high word at 20 on little-endian:
	 * ranges and two actions need both verdicts, so both words are read */
	tap_ok(loads(b[0].prog, 20) && loads(b[0].prog, 28) && loads(b[0].prog, 16),
	       "default: socket's and dup3's rules are also compared on 64 bits");
	bad = 0;
	for (size_t i = 0; i < SP_ARRAY_SIZE(mmap_prot); i++) {
		uint64_t args[6] = { 0, 0, mmap_prot[i] };
		bad += eval(&b[0], 0xc000003e, 9, args, NULL) != mmap_want[i];
		bad += oracle(&b[0], 0xc000003e, 9, args) != mmap_want[i];
	}
	TAP_EQ_INT(bad, 0, "default: mmap's prot (unsigned long) is compared on 64 bits");
	tap_ok(loads(b[0].prog, 36), "default: mmap's prot still has its high word loaded");
	tap_ok(loads(b[1].prog, 20) && loads(b[1].prog, 28), "exact: libseccomp's high-word loads");
	unbuild(&b[0]);
	unbuild(&b[1]);
}

/* Rules of one value keep their order (a plain arg0 == 5 would prune the
 * longer chains, docs/COMPAT.md §4.3, so both have more conditions); other keys, high words, 32-bit
 * ABIs and a rule after the group sharing its high-word test. */
static void test_eq_group_order(secprof_ctx *ctx)
{
	static const char *const json =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":["
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":7,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":3,\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_GE\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":6,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":7,\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,\"value\":10,\"op\":\"SCMP_CMP_GE\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":0,\"value\":4294967305,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":4294967306,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_NE\"},{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,\"value\":4,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":1,\"value\":4,\"op\":\"SCMP_CMP_EQ\"},{\"index\":2,\"value\":4,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	static const uint64_t vals[] = { 0,
					 1,
					 2,
					 3,
					 4,
					 5,
					 6,
					 7,
					 9,
					 10,
					 11,
					 0x100000005ull,
					 0x100000009ull,
					 0x10000000aull,
					 0xffffffff00000005ull };
	static const uint32_t audits[] = { 0xc000003e, 0x40000003 };
	struct built b;
	unsigned bad = 0;

	if (!tap_ok(build(&b, ctx, json), "equality rules mixed with others compile")) {
		tap_diag("%s", b.msg);
		return;
	}
	for (size_t k = 0; k < 2 * 2; k++) {
		uint32_t audit = audits[k / 2], nr = k / 2 ? 330 : 292 | (k % 2 ? SP_X32_BIT : 0);
		for (size_t x = 0; x < SP_ARRAY_SIZE(vals); x++)
			for (size_t y = 0; y < SP_ARRAY_SIZE(vals); y++)
				for (size_t z = 0; z < SP_ARRAY_SIZE(vals); z++) {
					uint64_t args[6] = { vals[x], vals[y], vals[z] };
					bad += eval(&b, audit, nr, args, NULL) !=
					       oracle(&b, audit, nr, args);
				}
	}
	TAP_EQ_INT(bad, 0,
		   "x86_64, x32 and i386 decide as the oracle on every triple of edge values");
	uint64_t a1[6] = { 5, 7 }, a2[6] = { 5, 8 }, a3[6] = { 5, 0 }, a4[6] = { 0x100000009ull };
	/* both rules of 5 hold for (5, 7): libseccomp tries EQ before GE */
	TAP_EQ_INT(eval(&b, 0xc000003e, 292, a1, NULL), SP_RET_ALLOW,
		   "dup3(5, 7): the first rule of 5");
	TAP_EQ_INT(eval(&b, 0xc000003e, 292, a2, NULL), SP_RET_ERRNO | 3, "dup3(5, 8): the second");
	TAP_EQ_INT(eval(&b, 0xc000003e, 292, a3, NULL), SP_RET_ERRNO | 1,
		   "dup3(5, 0): neither, nor any later rule: the default");
	TAP_EQ_INT(eval(&b, 0xc000003e, 292, a4, NULL), SP_RET_KILL_PROCESS,
		   "dup3(2^32 + 9): its own high word");
	TAP_EQ_INT(eval(&b, 0x40000003, 330, a4, NULL), SP_RET_KILL_PROCESS,
		   "i386: the low word alone (libseccomp _db_rule_gen_32)");
	unbuild(&b);
}

/* Random profiles made of equality rules on few arguments and values, so
 * groups form with repeated values, rests, other high words and rules of
 * other operators between them, on 64- and 32-bit ABIs. */
static void random_eq_profile(struct sp_buf *j, uint64_t *s, const uint64_t *vals, size_t nvals)
{
	static const char *const acts[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP",
					    "SCMP_ACT_LOG" };
	static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_EQ", "SCMP_CMP_EQ",
					   "SCMP_CMP_NE", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ" };
	unsigned nrules = 2 + (unsigned)(rnd(s) % 24);

	sp_buf_printf(
		j,
		"{\"defaultAction\":\"%s\",\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[",
		acts[rnd(s) % 4]);
	for (unsigned i = 0; i < nrules; i++) {
		unsigned nargs = 1 + (unsigned)(rnd(s) % 3), first = (unsigned)(rnd(s) % 3);
		sp_buf_printf(j,
			      "%s{\"names\":[\"%s\"],\"action\":\"%s\",\"errnoRet\":%u,\"args\":[",
			      i ? "," : "", rnd(s) % 4 ? "dup3" : "read", acts[rnd(s) % 4],
			      (unsigned)(rnd(s) % 3));
		for (unsigned k = 0; k < nargs; k++)
			sp_buf_printf(
				j,
				"%s{\"index\":%u,\"value\":%llu,\"valueTwo\":%llu,\"op\":\"%s\"}",
				k ? "," : "", (first + k) % 3,
				(unsigned long long)vals[rnd(s) % nvals],
				(unsigned long long)vals[rnd(s) % nvals],
				k ? ops[rnd(s) % SP_ARRAY_SIZE(ops)] : "SCMP_CMP_EQ");
		sp_buf_puts(j, "]}");
	}
	sp_buf_puts(j, "]}");
}

static void test_eq_random(secprof_ctx *ctx)
{
	static const uint64_t vals[] = {
		0, 1, 2, 3, 0xffffffff, 0x100000001ull, 0x100000002ull, 0xffffffff00000000ull
	};
	static const uint32_t audits[] = { 0xc000003e, 0x40000003 };
	uint64_t seed = 0x2545f4914f6cdd1dull;
	unsigned compiled = 0, bad = 0;

	for (int n = 0; n < 400; n++) {
		struct sp_buf j = { 0 };
		struct built b;
		random_eq_profile(&j, &seed, vals, SP_ARRAY_SIZE(vals));
		if (build(&b, ctx, j.data)) {
			compiled++;
			for (int t = 0; t < 400; t++) {
				uint64_t args[6];
				uint32_t a = audits[rnd(&seed) % 2];
				uint32_t nr = a == 0x40000003 ? (rnd(&seed) % 2 ? 330 : 3)
							      : (rnd(&seed) % 2 ? 292 : 0);
				for (int k = 0; k < 3; k++)
					args[k] = vals[rnd(&seed) % SP_ARRAY_SIZE(vals)] +
						  rnd(&seed) % 2;
				args[3] = args[4] = args[5] = 0;
				if (a == 0xc000003e && rnd(&seed) % 3 == 0)
					nr |= SP_X32_BIT;
				if (eval(&b, a, nr, args, NULL) != oracle(&b, a, nr, args) &&
				    !bad++)
					tap_diag(
						"profile %s nr %#x args %#llx %#llx %#llx differs bpf %#x oracle %#x",
						j.data, nr, (unsigned long long)args[0],
						(unsigned long long)args[1],
						(unsigned long long)args[2],
						eval(&b, a, nr, args, NULL),
						oracle(&b, a, nr, args));
			}
		}
		unbuild(&b);
		sp_buf_free(&j);
	}
	tap_ok(compiled > 100, "%u of 400 random profiles of equality rules compile", compiled);
	TAP_EQ_INT(bad, 0, "their programs decide as the ruleset oracle");
}

/* Rules of one action whose tests all imply their low-word cut (==) or
 * are implied by it (!=) need one verdict only (ir/merge.c
 * arg32_verdict): Docker's `socket arg0 != 40` allow rule stays on the low
 * word (its high-word bypass closed), an allow-list of values compares all
 * 64 bits as libseccomp does (a high word does not pass it), a deny-list
 * of values stays on the low word. */
static void test_arg32_one_verdict(secprof_ctx *ctx)
{
	static const struct {
		const char *def, *rule;
		uint64_t a0;
		uint32_t want;
		bool hi_loaded;
	} v[] = {
		{ "SCMP_ACT_ERRNO",
		  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"}]",
		  0x100000028ull, SP_RET_ERRNO | 1, false },
		{ "SCMP_ACT_ERRNO",
		  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"}]",
		  0x100000002ull, SP_RET_ALLOW, false },
		{ "SCMP_ACT_ERRNO",
		  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]",
		  0x100000002ull, SP_RET_ERRNO | 1, true },
		{ "SCMP_ACT_ERRNO",
		  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]",
		  2, SP_RET_ALLOW, true },
		{ "SCMP_ACT_ALLOW",
		  "\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_EQ\"}]",
		  0x100000028ull, SP_RET_KILL_THREAD, false },
		{ "SCMP_ACT_ALLOW",
		  "\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"}]",
		  0x100000028ull, SP_RET_KILL_THREAD, true },
	};
	unsigned bad = 0;

	for (size_t i = 0; i < SP_ARRAY_SIZE(v); i++) {
		char json[512];
		struct built b;
		uint64_t args[6] = { v[i].a0 };
		snprintf(json, sizeof(json),
			 "{\"defaultAction\":\"%s\",\"syscalls\":[{\"names\":[\"socket\"],%s}]}",
			 v[i].def, v[i].rule);
		if (!build(&b, ctx, json)) {
			bad++;
			tap_diag("%s: %s", json, b.msg);
			continue;
		}
		if (eval(&b, 0xc000003e, 41, args, NULL) != v[i].want ||
		    oracle(&b, 0xc000003e, 41, args) != v[i].want ||
		    loads(b.prog, 20) != v[i].hi_loaded) {
			bad++;
			tap_diag("%s on %#llx: bpf %#x oracle %#x, want %#x; high word %s", json,
				 (unsigned long long)v[i].a0, eval(&b, 0xc000003e, 41, args, NULL),
				 oracle(&b, 0xc000003e, 41, args), v[i].want,
				 loads(b.prog, 20) ? "loaded" : "not loaded");
		}
		unbuild(&b);
	}
	TAP_EQ_INT(bad, 0, "one action, == or != on a 32-bit argument: one verdict, the stricter");
}

int main(void)
{
	secprof_ctx *ctx = secprof_ctx_new();

	test_moby_default(ctx);
	test_mix_weighting(ctx);
	test_long_jumps(ctx);
	test_tree_limit(ctx);
	test_maxinsns(ctx);
	test_compares(ctx);
	test_refusals(ctx);
	test_flags(ctx);
	test_notes();
	test_cost(ctx);
	test_random(ctx);
	test_eq_compact(ctx);
	test_arg32(ctx);
	test_arg32_one_verdict(ctx);
	test_shared_blocks(ctx);
	/* the group code on arguments compared in 64 bits and on 32-bit ones */
	for (int exact = 0; exact < 2; exact++) {
		build_opts.exact_libseccomp = exact;
		test_eq_group_order(ctx);
		test_eq_random(ctx);
	}
	build_opts.exact_libseccomp = false;
	secprof_ctx_free(ctx);
	return tap_done();
}
