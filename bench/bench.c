/* bench.c - `make bench`: secprof's compiler against libseccomp 2.5.4 driven
 * like runc, in one run on one machine (targets: docs/KERNEL.md
 * §1.6, §2, §6). Not a test: it prints figures and ratios, and marks each
 * target "ok" or "MISSED".
 *
 * What each number includes:
 *  - secprof compile: secprof_profile_parse + secprof_resolve + secprof_compile
 *    from the profile bytes in memory to the program;
 *  - libseccomp compile: the same parse + resolve (ours: runc has its own Go
 *    JSON decoding, we give libseccomp ours to be fair), then what runc does
 *    with libseccomp: seccomp_init, arches, attrs, one rule per name,
 *    seccomp_export_bpf to a memfd, read back, and the ENOSYS stub;
 *    "rules->BPF" is that second part alone.
 *  - steps: instructions executed by secprof_emulate for nr with zero args;
 *  - cacheable: the kernel's seccomp_is_const_allow walk (bpf_eval.h);
 *  - attach: seccomp(SECCOMP_SET_MODE_FILTER) in a fresh forked child, timed
 *    inside the child around the call.
 * Times are thread CPU time (see now_us), medians.
 *  - worst shapes: parse + resolve + compile of each profile of
 *    tests/compat/worstprof.h, compiled or refused, median of 3; anything
 *    above 1 s is marked SLOW (compile time must never be a denial of
 *    service).
 * Environment: BENCH_ONLY=section,... (see want()); BENCH_RUNS (default 400)
 * scales the repeat counts; BENCH_FULL=1
 * also times libseccomp on 10,000 argument rules (minutes).
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "bpf_eval.h"
#include "core/arch.h"
#include "sandbox/run.h"
#include "randprof.h"
#include "runc_scmp.h"
#include "worstprof.h"

/* CPU time of the calling thread (user + system): the machine running the
 * bench is often shared, and preemption would otherwise dominate the spread.
 * BENCH_WALL=1 uses the monotonic clock instead. */
static double now_us(void)
{
	static int wall = -1;
	struct timespec ts;

	if (wall < 0)
		wall = getenv("BENCH_WALL") != NULL;
	clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

static unsigned runs_scaled(unsigned base)
{
	const char *s = getenv("BENCH_RUNS");
	unsigned r = s ? (unsigned)strtoul(s, NULL, 10) : 400;
	unsigned n = (unsigned)((unsigned long)base * r / 400);
	return n ? n : 1;
}

static void ignore_warning(void *data, const secprof_error *w)
{
	(void)data;
	(void)w;
}

/* BENCH_ONLY=name,name... runs only those sections (all when unset):
 * machine moby mix lengths protocols process memory devices startup growth
 * worst. */
static bool want(const char *name)
{
	const char *only = getenv("BENCH_ONLY");
	size_t n = strlen(name);

	if (!only || !*only)
		return true;
	for (const char *p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

static const char *target(bool met)
{
	return met ? "ok" : "MISSED";
}

/* ---- one pipeline run -------------------------------------------------- */

struct pipeline {
	secprof_profile *prof;
	secprof_resolved *res;
};

static int front(secprof_ctx *ctx, const char *json, size_t len, struct pipeline *p,
		 secprof_error *err)
{
	secprof_resolve_opts o = { .arch = "amd64",
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };

	p->res = NULL;
	p->prof = secprof_profile_parse(ctx, json, len, "bench.json", err);
	if (!p->prof)
		return -1;
	p->res = secprof_resolve(ctx, p->prof, &o, err);
	return p->res ? 0 : -1;
}

static void front_free(struct pipeline *p)
{
	secprof_resolved_free(p->res);
	secprof_profile_free(p->prof);
}

struct stage_times {
	double parse, resolve, compile; /* medians, µs */
};

/* Median µs of parse+resolve+compile; *out keeps the last program (NULL when
 * refused). A refusal at the kernel's size limit is still a timed result. */
static double time_secprof(secprof_ctx *ctx, const char *json, size_t len, unsigned runs,
			   secprof_prog **out, struct stage_times *st, char *why, size_t whylen)
{
	double *t = calloc(runs * 4, sizeof(*t)), m;
	secprof_error err;

	*out = NULL;
	why[0] = 0;
	for (unsigned i = 0; i < runs; i++) {
		struct pipeline p;
		double t0 = now_us(), t1, t2, t3;
		secprof_resolve_opts o = { .arch = "amd64",
					   .kernel_major = 6,
					   .kernel_minor = 1,
					   .caps = secprof_caps_docker_default() };
		secprof_prog *prog = NULL;
		p.prof = secprof_profile_parse(ctx, json, len, "bench.json", &err);
		t1 = now_us();
		p.res = p.prof ? secprof_resolve(ctx, p.prof, &o, &err) : NULL;
		t2 = now_us();
		if (p.res)
			prog = secprof_compile(ctx, p.res, NULL, &err);
		t3 = now_us();
		t[i] = t3 - t0;
		t[runs + i] = t1 - t0;
		t[2 * runs + i] = t2 - t1;
		t[3 * runs + i] = t3 - t2;
		front_free(&p);
		if (!prog) {
			snprintf(why, whylen, "%s", err.msg);
			if (err.code != SECPROF_E_LIMIT) {
				free(t);
				return -1;
			}
		}
		secprof_prog_free(*out);
		*out = prog;
	}
	m = median(t, runs);
	if (st) {
		st->parse = median(t + runs, runs);
		st->resolve = median(t + 2 * runs, runs);
		st->compile = median(t + 3 * runs, runs);
	}
	free(t);
	return m;
}

/* Median µs of parse+resolve+runc build (total) and of the runc part alone. */
static double time_libseccomp(secprof_ctx *ctx, const char *json, size_t len, unsigned runs,
			      int optimize, struct runc_prog *out, double *rules_part, char *why,
			      size_t whylen)
{
	double *t = calloc(runs, sizeof(*t)), *u = calloc(runs, sizeof(*u)), m;
	struct runc_opts o = { optimize, false, 0 };
	secprof_error err;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < runs; i++) {
		struct pipeline p;
		struct runc_prog rp;
		double t0 = now_us(), t1;
		int rc = front(ctx, json, len, &p, &err);
		t1 = now_us();
		if (!rc)
			rc = runc_scmp_build(p.res, &o, &rp, why, whylen);
		else
			snprintf(why, whylen, "%s", err.msg);
		t[i] = now_us() - t0;
		u[i] = now_us() - t1;
		front_free(&p);
		if (rc) {
			free(t);
			free(u);
			return -1;
		}
		runc_prog_free(out);
		*out = rp;
	}
	m = median(t, runs);
	*rules_part = median(u, runs);
	free(t);
	free(u);
	return m;
}

static int runc_scmp_build_front(secprof_ctx *ctx, const char *json, size_t len,
				 const struct runc_opts *o, struct runc_prog *out, char *why,
				 size_t whylen)
{
	struct pipeline p;
	secprof_error err;
	int rc = front(ctx, json, len, &p, &err);

	if (!rc)
		rc = runc_scmp_build(p.res, o, out, why, whylen);
	front_free(&p);
	return rc;
}

/* ---- program quality ----------------------------------------------------- */

struct quality {
	double mean_all, mean_free;
	unsigned max_all, max_free;
	unsigned allow_free, cacheable;
};

/* Is nr's verdict the same whatever the args? (probe a few vectors) */
static bool arg_free(const secprof_insn *p, size_t len, uint32_t arch, int32_t nr,
		     uint32_t *verdict)
{
	static const uint64_t vals[] = { 0,          1,          38,      40,
					 0x7E020000, 0xffffffff, 0x20008, 0xffffffffffffffffULL };
	secprof_data d = { .nr = nr, .arch = arch };
	uint32_t first = be_run(p, len, &d, NULL);

	for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
		for (int i = 0; i < 6; i++) {
			memset(d.args, 0, sizeof(d.args));
			d.args[i] = vals[v];
			if (be_run(p, len, &d, NULL) != first)
				return false;
		}
	*verdict = first;
	return true;
}

static struct quality measure(const secprof_insn *p, size_t len, uint32_t arch, int32_t base)
{
	struct quality q = { 0, 0, 0, 0, 0, 0 };
	unsigned nfree = 0;

	for (int32_t nr = 0; nr <= 460; nr++) {
		secprof_data d = { .nr = base + nr, .arch = arch };
		unsigned steps = 0;
		uint32_t v;
		be_run(p, len, &d, &steps);
		q.mean_all += steps;
		q.max_all = steps > q.max_all ? steps : q.max_all;
		if (!arg_free(p, len, arch, base + nr, &v))
			continue;
		nfree++;
		q.mean_free += steps;
		q.max_free = steps > q.max_free ? steps : q.max_free;
		if (v == BE_RET_ALLOW) {
			q.allow_free++;
			q.cacheable += be_const_allow(p, len, arch, base + nr);
		}
	}
	q.mean_all /= 461;
	q.mean_free /= nfree ? nfree : 1;
	return q;
}

static void print_quality(const char *who, const secprof_insn *p, size_t len)
{
	static const struct {
		const char *name;
		uint32_t arch;
		int32_t base;
	} abis[] = { { "x86_64", 0xC000003E, 0 },
		     { "i386", 0x40000003, 0 },
		     { "x32", 0xC000003E, 0x40000000 } };

	for (size_t i = 0; i < 3; i++) {
		struct quality q = measure(p, len, abis[i].arch, abis[i].base);
		printf("  %-24s %-6s steps mean %6.2f max %3u (nrs 0..460) | arg-free: mean %6.2f max %3u | "
		       "cacheable allows %u/%u\n",
		       who, abis[i].name, q.mean_all, q.max_all, q.mean_free, q.max_free,
		       q.cacheable, q.allow_free);
	}
}

/* ---- kernel attach --------------------------------------------------------- */

static double attach_us(const secprof_insn *p, size_t len, unsigned runs)
{
	double *shared = mmap(NULL, sizeof(double) * runs, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double m;

	if (shared == MAP_FAILED)
		return -1;
	for (unsigned i = 0; i < runs; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct sock_fprog prog = { (unsigned short)len,
						   (struct sock_filter *)(uintptr_t)p };
			double t0;
			long rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0,
					0); /* needed without CAP_SYS_ADMIN */
			t0 = now_us();
			rc = rc ? rc : syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
			shared[i] = rc ? -1 : now_us() - t0;
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		if (shared[i] < 0) {
			munmap(shared, sizeof(double) * runs);
			return -1;
		}
	}
	m = median(shared, runs);
	munmap(shared, sizeof(double) * runs);
	return m;
}

/* ---- the moby default ------------------------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int bench_moby(secprof_ctx *ctx, const char *ref)
{
	char path[4096], why[1024] = "";
	size_t len = 0;
	char *json;
	secprof_prog *sp = NULL;
	struct runc_prog tree, linear, bare;
	struct runc_opts no_stub = { 2, true, 0 };
	struct stage_times stages;
	double ts, tt, tl, rt, rl, as, at, al;
	unsigned runs = runs_scaled(400), aruns = runs_scaled(100);

	snprintf(path, sizeof(path), "%s/moby-default.json", ref);
	json = read_all(path, &len);
	if (!json) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		return 1;
	}
	printf("moby default (%s), amd64, default caps, kernel 6.1, arches x86_64+x86+x32\n", path);
	ts = time_secprof(ctx, json, len, runs * 5, &sp, &stages, why, sizeof(why));
	if (ts < 0)
		printf("  secprof: FAILED: %s\n", why);
	tt = time_libseccomp(ctx, json, len, runs, 0, &tree, &rt, why, sizeof(why));
	tl = time_libseccomp(ctx, json, len, runs, 1, &linear, &rl, why, sizeof(why));
	if (tt < 0 || tl < 0) {
		printf("  libseccomp: FAILED: %s\n", why);
		return 1;
	}
	printf("\ncompile, median of %u (secprof) / %u (libseccomp) runs:\n", runs * 5, runs);
	if (ts >= 0)
		printf("  secprof parse+resolve+compile          %9.1f us  (parse %.1f, resolve %.1f, compile %.1f)\n",
		       ts, stages.parse, stages.resolve, stages.compile);
	printf("  libseccomp tree (as runc), total        %9.1f us  (rules->BPF %9.1f us)\n", tt,
	       rt);
	printf("  libseccomp linear (as crun), total      %9.1f us  (rules->BPF %9.1f us)\n", tl,
	       rl);
	if (ts > 0)
		printf("  ratio libseccomp tree / secprof        %9.1fx   target >= 75x: %s\n"
		       "  ratio libseccomp linear / secprof      %9.1fx\n",
		       tt / ts, target(tt / ts >= 75), tl / ts);
	if (runc_scmp_build_front(ctx, json, len, &no_stub, &bare, why, sizeof(why)))
		memset(&bare, 0, sizeof(bare));
	printf("\nprogram length (instructions):\n");
	if (sp)
		printf("  secprof                                 %6zu\n", sp->len);
	printf("  libseccomp tree + runc stub             %6zu  (stub %zu)\n", tree.len,
	       tree.stub_len);
	printf("  libseccomp linear + runc stub           %6zu  (stub %zu)\n", linear.len,
	       linear.stub_len);
	printf("  libseccomp tree alone (no stub)         %6zu  (docs/KERNEL.md §1.6: 1,246)\n",
	       bare.len);
	if (sp)
		printf("  secprof shorter than libseccomp tree: %s\n", target(sp->len < tree.len));
	printf("\ninstructions executed per syscall (zero args), cacheability (kernel action cache walk):\n");
	if (sp)
		print_quality("secprof", sp->insns, sp->len);
	print_quality("libseccomp tree", tree.insns, tree.len);
	print_quality("libseccomp linear", linear.insns, linear.len);
	if (bare.len)
		print_quality("libseccomp tree, no stub", bare.insns, bare.len);
	if (sp) {
		struct quality q = measure(sp->insns, sp->len, 0xC000003E, 0);
		printf("  targets x86_64 arg-free: mean %.2f <= 11: %s, max %u <= 14: %s, all %u allows cacheable: %s\n",
		       q.mean_free, target(q.mean_free <= 11), q.max_free, target(q.max_free <= 14),
		       q.allow_free, target(q.cacheable == q.allow_free));
	}
	printf("\nkernel attach, seccomp(2) in a fresh child, median of %u:\n", aruns);
	as = sp ? attach_us(sp->insns, sp->len, aruns) : -1;
	at = attach_us(tree.insns, tree.len, aruns);
	al = attach_us(linear.insns, linear.len, aruns);
	if (sp)
		printf("  secprof                                 %9.1f us\n", as);
	printf("  libseccomp tree                         %9.1f us\n", at);
	printf("  libseccomp linear                       %9.1f us\n", al);
	if (sp && as > 0)
		printf("  ratio libseccomp tree / secprof        %9.2fx\n", at / as);
	secprof_prog_free(sp);
	runc_prog_free(&tree);
	runc_prog_free(&linear);
	runc_prog_free(&bare);
	free(json);
	return 0;
}

/* ---- weighted by a recorded syscall mix ------------------------------------ */

/* The calls of data/syscall-mix.tsv (x86_64 workloads, tools/record-syscall-mix.sh),
 * each on its number and weight (src/gen/syscall_mix.inc), run with zero
 * arguments through a program. "Uncached": the kernel's action cache cannot
 * answer it (kernel/seccomp.c, seccomp_cache_check_allow): the verdict depends
 * on the arguments or is not ALLOW, or the call is x32 (its number is past
 * the native bitmap); every other call never runs the filter. */

#define X86_64_AUDIT 0xC000003Eu
#define X32_BIT 0x40000000u

struct mix_call {
	uint32_t nr;
	uint64_t weight;
};

static size_t mix_calls(const char *arch_name, struct mix_call *out, size_t cap)
{
	const struct sp_arch *a = sp_arch_by_name(arch_name);
	size_t n = 0;
	uint32_t w;
	int32_t nr;

	for (size_t k = 0; n < cap && (w = sp_syscall_mix_at(a, k, &nr, NULL)); k++)
		if (nr >= 0)
			out[n++] = (struct mix_call){ (uint32_t)nr, w };
	return n;
}

static bool uncached(const secprof_insn *p, size_t len, uint32_t nr)
{
	uint32_t v;

	if (nr >= X32_BIT)
		return true;
	return !arg_free(p, len, X86_64_AUDIT, (int32_t)nr, &v) || v != BE_RET_ALLOW ||
	       !be_const_allow(p, len, X86_64_AUDIT, (int32_t)nr);
}

/* Where dispatch on the number ends for nr: the first instruction that is
 * not a jump (or a load of nr or arch), and how many jumps ran after nr was
 * loaded (the range compares, JA trampolines included). */
static size_t dispatch_end(const secprof_insn *p, size_t len, uint32_t nr, unsigned *jumps)
{
	uint32_t a = 0;
	bool a_is_nr = false;
	size_t pc = 0;

	*jumps = 0;
	while (pc < len) {
		const secprof_insn *i = &p[pc];
		bool taken = false;
		if (i->code == (BPF_LD | BPF_W | BPF_ABS) && (i->k == 0 || i->k == 4)) {
			a = i->k ? X86_64_AUDIT : nr;
			a_is_nr = i->k == 0;
			pc++;
			continue;
		}
		if (BPF_CLASS(i->code) != BPF_JMP || BPF_SRC(i->code) != BPF_K)
			return pc;
		*jumps += a_is_nr;
		if (BPF_OP(i->code) == BPF_JA) {
			pc += 1 + i->k;
			continue;
		}
		if (!be_cond(BPF_OP(i->code), a, i->k, &taken))
			return pc;
		pc += 1 + (taken ? i->jt : i->jf);
	}
	return pc;
}

/* The program's runs on x86_64's audit arch: maximal ranges of numbers whose
 * dispatch ends at the same instruction. Every boundary is a jump's
 * constant k or k + 1, so those (and 0) are the only starts to try. */
struct bench_run {
	uint32_t start;
	size_t leaf;
	uint64_t weight;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static size_t program_runs(const secprof_insn *p, size_t len, struct bench_run **out)
{
	uint32_t *cut = malloc((2 * len + 1) * sizeof(*cut));
	struct bench_run *r = malloc((2 * len + 1) * sizeof(*r));
	size_t nc = 0, n = 0;
	unsigned j;

	cut[nc++] = 0;
	for (size_t i = 0; i < len; i++)
		if (BPF_CLASS(p[i].code) == BPF_JMP && BPF_OP(p[i].code) != BPF_JA) {
			cut[nc++] = p[i].k;
			if (p[i].k != UINT32_MAX)
				cut[nc++] = p[i].k + 1;
		}
	qsort(cut, nc, sizeof(*cut), cmp_u32);
	for (size_t i = 0; i < nc; i++) {
		size_t leaf = dispatch_end(p, len, cut[i], &j);
		if ((i && cut[i] == cut[i - 1]) || (n && r[n - 1].leaf == leaf))
			continue;
		r[n++] = (struct bench_run){ cut[i], leaf, 0 };
	}
	free(cut);
	*out = r;
	return n;
}

static size_t run_of(const struct bench_run *r, size_t n, uint32_t nr)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].start <= nr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Cost of a JEQ chain over runs [i, j) of r, UINT64_MAX if it cannot be
 * one: one or two runs of one number each (tested in order) on a background
 * of two or more longer runs with one leaf (reached after every test), the
 * shape compile.c's singles() takes. */
static uint64_t chain_cost(const struct bench_run *r, size_t n, size_t i, size_t j)
{
	size_t bg = SIZE_MAX, singles = 0, longer = 0;
	uint64_t cost = 0;

	if (j - i > 5)
		return UINT64_MAX;
	for (size_t k = i; k < j; k++) {
		uint64_t end = k + 1 < n ? r[k + 1].start : (uint64_t)UINT32_MAX + 1;
		if (end - r[k].start == 1) {
			singles++;
			continue;
		}
		if (bg != SIZE_MAX && r[k].leaf != bg)
			return UINT64_MAX;
		bg = r[k].leaf;
		longer++;
	}
	if (!singles || singles > 2 || longer < 2)
		return UINT64_MAX;
	for (size_t k = i, at = 0; k < j; k++) {
		uint64_t end = k + 1 < n ? r[k + 1].start : (uint64_t)UINT32_MAX + 1;
		bool single = end - r[k].start == 1;
		if (single && r[k].leaf == bg)
			return UINT64_MAX;
		at += single;
		cost += r[k].weight * (single ? at : singles);
	}
	return cost;
}

/* Least sum of weight x compares over runs [lo, hi) of n for a tree of
 * range compares (JGE) with compile.c's short JEQ chains: the interval
 * dynamic program for optimal alphabetic trees (Knuth 1971, "Optimum
 * binary search trees"), O(n^3), fine for a bench. */
static uint64_t optimal_tree(const struct bench_run *r, size_t n, size_t lo, size_t hi)
{
	size_t m = hi - lo;
	uint64_t *c = calloc((m + 1) * (m + 1), sizeof(*c)), *w = calloc(m + 1, sizeof(*w));
	uint64_t best;

	for (size_t i = 0; i < m; i++)
		w[i + 1] = w[i] + r[lo + i].weight;
	for (size_t d = 2; d <= m; d++)
		for (size_t i = 0; i + d <= m; i++) {
			uint64_t best_split = UINT64_MAX,
				 chain = chain_cost(r, n, lo + i, lo + i + d);
			for (size_t k = i + 1; k < i + d; k++) {
				uint64_t v = c[i * (m + 1) + k] + c[k * (m + 1) + i + d];
				best_split = v < best_split ? v : best_split;
			}
			best_split += w[i + d] - w[i];
			c[i * (m + 1) + i + d] = chain < best_split ? chain : best_split;
		}
	best = c[m];
	free(c);
	free(w);
	return best;
}

struct mix_figures {
	double all, uncached; /* mean instructions per call */
	double share;         /* uncached share of the calls */
	double disp, opt;     /* uncached calls: mean compares, and the optimum's */
	size_t runs;
};

static struct mix_figures mix_measure(const secprof_insn *p, size_t len, const struct mix_call *c,
				      size_t nc)
{
	struct mix_figures f = { 0 };
	uint64_t wall = 0, wun = 0, opt;
	struct bench_run *r;
	size_t n = program_runs(p, len, &r), x32 = n;
	unsigned steps, jumps;

	for (size_t i = 0; i < nc; i++) {
		secprof_data d = { .nr = (int)c[i].nr, .arch = X86_64_AUDIT };
		be_run(p, len, &d, &steps);
		wall += c[i].weight;
		f.all += (double)c[i].weight * steps;
		if (!uncached(p, len, c[i].nr))
			continue;
		wun += c[i].weight;
		f.uncached += (double)c[i].weight * steps;
		dispatch_end(p, len, c[i].nr, &jumps);
		f.disp += (double)c[i].weight * jumps;
		r[run_of(r, n, c[i].nr)].weight += c[i].weight;
	}
	/* the x32 guard stays the root (docs/KERNEL.md §2.6): one compare for
	 * every call, then the best tree on each side */
	for (size_t i = 0; i < n; i++)
		if (r[i].start == X32_BIT)
			x32 = i;
	opt = x32 < n ? wun + optimal_tree(r, n, 0, x32) + optimal_tree(r, n, x32, n)
		      : optimal_tree(r, n, 0, n);
	f.all /= (double)(wall ? wall : 1);
	f.uncached /= (double)(wun ? wun : 1);
	f.disp /= (double)(wun ? wun : 1);
	f.opt = (double)opt / (double)(wun ? wun : 1);
	f.share = (double)wun / (double)(wall ? wall : 1);
	f.runs = n;
	free(r);
	return f;
}

static void mix_row(const char *who, const char *abi, const secprof_insn *p, size_t len,
		    const struct mix_call *c, size_t nc, bool dispatch)
{
	struct mix_figures f = mix_measure(p, len, c, nc);

	printf("  %-18s %-6s per call %6.2f | uncached (%5.1f%% of calls) %6.2f", who, abi, f.all,
	       100 * f.share, f.uncached);
	if (dispatch)
		printf(" | dispatch %5.2f, optimum %5.2f over %zu runs: %.2fx", f.disp, f.opt,
		       f.runs, f.opt > 0 ? f.disp / f.opt : 0);
	printf("\n");
}

static void mix_profile(secprof_ctx *ctx, const char *ref, const char *file)
{
	struct runc_opts tree_o = { 0, false, 0 }, linear_o = { 1, false, 0 };
	struct runc_prog tree, linear;
	struct mix_call c64[256], c32[256];
	size_t n64 = mix_calls("x86_64", c64, 256), n32 = mix_calls("x32", c32, 256), len = 0;
	char path[4096], why[1024] = "";
	secprof_prog *sp = NULL;
	char *json;

	snprintf(path, sizeof(path), "%s/%s", ref, file);
	if (!(json = read_all(path, &len))) {
		printf("  %s: cannot read %s\n", file, path);
		return;
	}
	if (time_secprof(ctx, json, len, 1, &sp, NULL, why, sizeof(why)) < 0 || !sp ||
	    runc_scmp_build_front(ctx, json, len, &tree_o, &tree, why, sizeof(why)) ||
	    runc_scmp_build_front(ctx, json, len, &linear_o, &linear, why, sizeof(why))) {
		printf("  %s: FAILED: %s\n", file, why);
		secprof_prog_free(sp);
		free(json);
		return;
	}
	printf(" %s (%zu instructions; libseccomp tree %zu, linear %zu):\n", file, sp->len,
	       tree.len, linear.len);
	mix_row("secprof", "x86_64", sp->insns, sp->len, c64, n64, true);
	mix_row("libseccomp tree", "x86_64", tree.insns, tree.len, c64, n64, false);
	mix_row("libseccomp linear", "x86_64", linear.insns, linear.len, c64, n64, false);
	mix_row("secprof", "x32", sp->insns, sp->len, c32, n32, true);
	mix_row("libseccomp tree", "x32", tree.insns, tree.len, c32, n32, false);
	mix_row("libseccomp linear", "x32", linear.insns, linear.len, c32, n32, false);
	secprof_prog_free(sp);
	runc_prog_free(&tree);
	runc_prog_free(&linear);
	free(json);
}

static void bench_mix(secprof_ctx *ctx, const char *ref)
{
	printf("\ninstructions per call weighted by the recorded syscall mix (data/syscall-mix.tsv, "
	       "zero args), over all calls and over the calls the kernel's cache cannot answer; "
	       "dispatch: compares after LD nr, against the optimal tree over the same runs "
	       "(x32 guard at the root):\n");
	mix_profile(ctx, ref, "moby-default.json");
	mix_profile(ctx, ref, "podman-default.json");
}

/* ---- growth with argument rules -------------------------------------------- */

static const char *const pool[] = {
	"read",         "write",     "open",      "close",    "lseek",     "mmap",     "mprotect",
	"munmap",       "brk",       "ioctl",     "readv",    "writev",    "access",   "pipe",
	"sched_yield",  "mremap",    "msync",     "mincore",  "madvise",   "dup",      "dup2",
	"pause",        "nanosleep", "getitimer", "alarm",    "setitimer", "getpid",   "kill",
	"uname",        "fcntl",     "flock",     "fsync",    "fdatasync", "truncate", "ftruncate",
	"getcwd",       "chdir",     "fchdir",    "rename",   "mkdir",     "rmdir",    "creat",
	"link",         "unlink",    "symlink",   "readlink", "chmod",     "fchmod",   "umask",
	"gettimeofday",
};

static void bench_growth(secprof_ctx *ctx)
{
	static const size_t sizes[] = { 100, 1000, 10000 };
	double ts[3], tl[3], tc[3];

	printf("\ncompile time with N argument rules (each: one syscall of %zu, arg0 == a value no other rule "
	       "uses; x86_64 only; libseccomp 10,000: one run):\n",
	       sizeof(pool) / sizeof(pool[0]));
	for (size_t i = 0; i < 3; i++) {
		char *json = randprof_arg_rules(sizes[i], pool, sizeof(pool) / sizeof(pool[0])),
		     why[1024] = "";
		size_t len = strlen(json);
		unsigned runs = sizes[i] >= 10000  ? runs_scaled(12)
				: sizes[i] >= 1000 ? runs_scaled(40)
						   : runs_scaled(200);
		secprof_prog *sp = NULL;
		struct runc_prog rp;
		double rules;

		struct stage_times stt = { 0 };
		ts[i] = time_secprof(ctx, json, len, runs, &sp, &stt, why, sizeof(why));
		/* The stage comparable with libseccomp's "rules->BPF": our
		 * ruleset + code generation, from the resolved profile. */
		tc[i] = stt.compile;
		if (ts[i] < 0)
			printf("  N=%5zu secprof: failed: %s\n", sizes[i], why);
		else if (!sp)
			printf("  N=%5zu secprof    %10.1f us  (rules->BPF %.1f us) to refuse it: %s\n",
			       sizes[i], ts[i], tc[i], why);
		else
			printf("  N=%5zu secprof    %10.1f us  (rules->BPF %.1f us, %zu insns)\n",
			       sizes[i], ts[i], tc[i], sp->len);
		if (sizes[i] >= 10000 && !getenv("BENCH_FULL")) {
			/* one run took 280 s on the 2-vCPU test VM (quadratic): opt in */
			printf("  N=%5zu libseccomp: not run (minutes; set BENCH_FULL=1)\n",
			       sizes[i]);
			tl[i] = -1;
			secprof_prog_free(sp);
			free(json);
			continue;
		}
		tl[i] = time_libseccomp(ctx, json, len,
					sizes[i] >= 10000  ? 1
					: sizes[i] >= 1000 ? runs_scaled(10)
							   : runs,
					0, &rp, &rules, why, sizeof(why));
		if (tl[i] < 0)
			printf("  N=%5zu libseccomp: refused: %s\n", sizes[i], why);
		else
			printf("  N=%5zu libseccomp %10.1f us  (rules->BPF %.1f us, %zu insns)%s\n",
			       sizes[i], tl[i], rules, rp.len,
			       rp.len > 4096 ? " > BPF_MAXINSNS, the kernel would refuse it" : "");
		secprof_prog_free(sp);
		runc_prog_free(&rp);
		free(json);
	}
	if (ts[0] > 0 && ts[1] > 0 && ts[2] > 0) {
		printf("  secprof rules->BPF growth: x%.1f (100->1,000), x%.1f (1,000->10,000); n log n would be x15, x13.3\n",
		       tc[1] / tc[0], tc[2] / tc[1]);
		printf("  secprof whole-pipeline growth: x%.1f, x%.1f (parsing the JSON included)\n",
		       ts[1] / ts[0], ts[2] / ts[1]);
		printf("  10,000 rules: rules->BPF %.2f ms, target <= 10 ms: %s; whole pipeline %.2f ms: %s\n",
		       tc[2] / 1000, target(tc[2] <= 10000), ts[2] / 1000, target(ts[2] <= 10000));
	}
	if (tl[0] > 0 && tl[1] > 0)
		printf("  libseccomp growth: x%.1f (100->1,000)", tl[1] / tl[0]);
	if (tl[1] > 0 && tl[2] > 0)
		printf(", x%.1f (1,000->10,000)", tl[2] / tl[1]);
	printf("\n");
	for (size_t i = 0; i < 3; i++)
		if (ts[i] > 0 && tl[i] > 0)
			printf("  N=%5zu ratio libseccomp / secprof %.1fx\n", sizes[i],
			       tl[i] / ts[i]);
}

/* ---- program length on every reference profile ---------------------------- */

/* One profile: secprof's program against libseccomp's tree as current runc
 * drives it (OPTIMIZE=2 above 32 rules) and its linear program as Debian 12's
 * runc 1.1.5 drives it (OPTIMIZE never set), both with runc's ENOSYS stub.
 * Resolved for amd64, default caps, kernel 6.1. Returns false when secprof's
 * program is longer than the tree. */
static bool length_row(secprof_ctx *ctx, const char *label, const char *json, size_t len,
		       size_t *slen, size_t *tlen)
{
	struct pipeline p;
	secprof_error err;
	secprof_prog *sp = NULL;
	struct runc_prog tree, linear;
	struct runc_opts as_runc = { 0, false, 0 }, as_115 = { 1, false, 0 };
	char why[1024] = "", sps[32], trs[32], lis[32], ratio[32] = "";
	int rt, rl;
	bool ok = true;

	if (front(ctx, json, len, &p, &err)) {
		printf("  %-44s skipped: %.70s\n", label, err.msg);
		front_free(&p);
		return true;
	}
	if (secprof_resolved_unconfined(p.res)) {
		printf("  %-44s skipped: resolves to no seccomp at all\n", label);
		front_free(&p);
		return true;
	}
	sp = secprof_compile(ctx, p.res, NULL, &err);
	rt = runc_scmp_build(p.res, &as_runc, &tree, why, sizeof(why));
	rl = runc_scmp_build(p.res, &as_115, &linear, why, sizeof(why));
	snprintf(sps, sizeof(sps), sp ? "%zu" : "refused", sp ? sp->len : 0);
	snprintf(trs, sizeof(trs), rt ? "refused" : "%zu", rt ? 0 : tree.len);
	snprintf(lis, sizeof(lis), rl ? "refused" : "%zu", rl ? 0 : linear.len);
	if (sp && !rt)
		snprintf(ratio, sizeof(ratio), "%.2f", (double)sp->len / (double)tree.len);
	ok = !rt ? sp && sp->len <= tree.len : true;
	if (slen)
		*slen = sp ? sp->len : 0;
	if (tlen)
		*tlen = rt ? 0 : tree.len;
	printf("  %-44s %7s %7s %7s  %6s  %s\n", label, sps, trs, lis, ratio, target(ok));
	secprof_prog_free(sp);
	if (!rt)
		runc_prog_free(&tree);
	if (!rl)
		runc_prog_free(&linear);
	front_free(&p);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json of dir, sorted, through length_row. */
static bool length_dir(secprof_ctx *ctx, const char *ref, const char *sub)
{
	char path[4096], *names[256];
	size_t n = 0;
	bool ok = true;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s%s%s", ref, *sub ? "/" : "", sub);
	d = opendir(path);
	if (!d)
		return true;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char file[4096 + 256], label[300];
		size_t len;
		char *json;
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		snprintf(label, sizeof(label), "%s%s%s", sub, *sub ? "/" : "", names[i]);
		json = read_all(file, &len);
		if (json)
			ok &= length_row(ctx, label, json, len, NULL, NULL);
		free(json);
		free(names[i]);
	}
	return ok;
}

/* A profile of n argument rules on narch arches fits the kernel (secprof:
 * compiles; libseccomp: its tree + runc's stub is at most BPF_MAXINSNS). */
static bool fits(secprof_ctx *ctx, size_t n, size_t narch, bool libseccomp, size_t *len)
{
	char *json = randprof_arg_rules_arches(n, pool, sizeof(pool) / sizeof(pool[0]), narch),
	     why[1024];
	struct pipeline p;
	secprof_error err;
	bool ok = false;

	*len = 0;
	if (!front(ctx, json, strlen(json), &p, &err)) {
		if (libseccomp) {
			struct runc_prog rp;
			struct runc_opts o = { 0, false, 0 };
			if (!runc_scmp_build(p.res, &o, &rp, why, sizeof(why))) {
				*len = rp.len;
				ok = rp.len <= BPF_MAXINSNS;
				runc_prog_free(&rp);
			}
		} else {
			secprof_prog *sp = secprof_compile(ctx, p.res, NULL, &err);
			*len = sp ? sp->len : 0;
			ok = sp != NULL;
			secprof_prog_free(sp);
		}
	}
	front_free(&p);
	free(json);
	return ok;
}

/* The largest n that fits. Program length grows with n, about linearly:
 * from the lengths at n1 < n2, guess where it crosses BPF_MAXINSNS, then
 * bracket the guess with doubling steps and bisect. A few probes near the
 * answer (libseccomp takes seconds for each at these sizes). */
static size_t largest_fit(secprof_ctx *ctx, size_t narch, bool libseccomp, size_t n1, size_t len1,
			  size_t n2, size_t len2)
{
	size_t len, lo, hi, guess, step = 2;
	double slope = len2 > len1 ? (double)(len2 - len1) / (double)(n2 - n1) : 1;

	guess = n2 + (size_t)(((double)BPF_MAXINSNS - (double)len2) / slope);
	if (len2 > BPF_MAXINSNS || !len2)
		guess = n1;
	if (fits(ctx, guess, narch, libseccomp, &len)) {
		lo = guess;
		for (hi = guess + step; fits(ctx, hi, narch, libseccomp, &len);
		     hi = lo + (step *= 2))
			lo = hi;
	} else {
		hi = guess;
		for (lo = guess > step ? guess - step : 1;
		     lo > 1 && !fits(ctx, lo, narch, libseccomp, &len);
		     lo = hi > (step *= 2) ? hi - step : 1)
			hi = lo;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (fits(ctx, mid, narch, libseccomp, &len))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static bool bench_lengths(secprof_ctx *ctx, const char *ref)
{
	static const size_t ns[] = { 100, 1000, 3500 };
	size_t slens[2][3] = { { 0 } }, tlens[2][3] = { { 0 } };
	bool ok = true;
	char path[4096];
	struct stat st;

	printf("\nprogram length (instructions), secprof vs libseccomp 2.5.4 + runc's ENOSYS stub; tree: as\n"
	       "current runc (OPTIMIZE=2 above 32 rules); linear: as Debian 12's runc 1.1.5 (never OPTIMIZE=2);\n"
	       "amd64, default caps, kernel 6.1; target: secprof never longer than the tree:\n");
	printf("  %-44s %7s %7s %7s  %6s\n", "profile", "secprof", "tree", "linear", "s/tree");
	snprintf(path, sizeof(path), "%s", ref);
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		printf("  (no reference directory %s: skipped)\n", ref);
	} else {
		ok &= length_dir(ctx, ref, "");
		ok &= length_dir(ctx, ref, "profiles");
		ok &= length_dir(ctx, ref, "moby-fixtures");
	}
	for (size_t a = 1; a <= 3; a += 2)
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			char label[80], *json = randprof_arg_rules_arches(
						ns[i], pool, sizeof(pool) / sizeof(pool[0]), a);
			snprintf(label, sizeof(label), "N=%zu argument rules, %zu arch%s", ns[i], a,
				 a > 1 ? "es" : "");
			ok &= length_row(ctx, label, json, strlen(json), &slens[a / 2][i],
					 &tlens[a / 2][i]);
			free(json);
		}
	printf("  every profile no longer than libseccomp's tree: %s\n", target(ok));
	printf("\nlargest N argument rules that fit BPF_MAXINSNS (searched; libseccomp: its tree + stub):\n");
	for (size_t a = 1; a <= 3; a += 2) {
		size_t s =
			largest_fit(ctx, a, false, ns[1], slens[a / 2][1], ns[2], slens[a / 2][2]);
		size_t l =
			largest_fit(ctx, a, true, ns[1], tlens[a / 2][1], ns[2], tlens[a / 2][2]);
		printf("  %zu arch%-3s secprof %5zu  libseccomp %5zu  secprof >= libseccomp: %s\n",
		       a, a > 1 ? "es" : "", s, l, target(s >= l));
		ok &= s >= l;
	}
	return ok;
}

/* ---- compile time: warm, cold caches, fresh process ------------------------ */

enum protocol { P_WARM, P_EVICT, P_FORK };

/* 32 MiB written between two timed compiles: more than this machine's last
 * level cache, so the next compile finds neither its code nor its data in
 * any cache, as a `run` does that compiles once between other work. */
#define EVICT_BYTES (32u << 20)

static void evict_caches(void)
{
	static unsigned char *buf;

	if (!buf)
		buf = malloc(EVICT_BYTES);
	if (!buf)
		return;
	for (size_t i = 0; i < EVICT_BYTES; i += 64)
		((volatile unsigned char *)buf)[i]++;
}

/* One parse+resolve+compile; secprof or libseccomp's tree as runc. µs of
 * thread CPU time (page faults included), -1 on failure. */
static double one_compile(secprof_ctx *ctx, const char *json, size_t len, bool libseccomp)
{
	struct pipeline p;
	secprof_error err;
	char why[1024];
	double t0 = now_us(), t;
	bool ok = false;

	if (!front(ctx, json, len, &p, &err)) {
		if (libseccomp) {
			struct runc_prog rp;
			struct runc_opts o = { 0, false, 0 };
			ok = !runc_scmp_build(p.res, &o, &rp, why, sizeof(why));
			if (ok)
				runc_prog_free(&rp);
		} else {
			secprof_prog *sp = secprof_compile(ctx, p.res, NULL, &err);
			ok = sp != NULL;
			secprof_prog_free(sp);
		}
	}
	front_free(&p);
	t = now_us() - t0;
	return ok ? t : -1;
}

/* One timed compile under a protocol: warm (right after an untimed one of
 * the same kind: caches and freed pages reused), evict (32 MiB written
 * before it), fork (in a fresh child: copy-on-write pages fault in, as in
 * a new process; the child has never compiled). `shared`: a page the child
 * writes its time to. -1 on failure. */
static double one_sample(secprof_ctx *ctx, const char *json, size_t len, bool libseccomp,
			 enum protocol pr, double *shared)
{
	pid_t pid;

	if (pr == P_WARM && one_compile(ctx, json, len, libseccomp) < 0)
		return -1;
	if (pr == P_EVICT)
		evict_caches();
	if (pr != P_FORK)
		return one_compile(ctx, json, len, libseccomp);
	*shared = -1;
	pid = fork();
	if (pid == 0) {
		*shared = one_compile(ctx, json, len, libseccomp);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return -1;
	return *shared;
}

/* Medians of sruns secprof and lruns libseccomp compiles under one
 * protocol, interleaved (a libseccomp compile after every sruns / lruns
 * secprof ones), so that both meet the same load: this machine's speed
 * drifts by half within a minute, and a ratio of two medians taken a
 * minute apart drifted with it. */
static bool time_protocol(secprof_ctx *ctx, const char *json, size_t len, enum protocol pr,
			  unsigned sruns, unsigned lruns, double *s, double *l)
{
	double *ts = calloc(sruns, sizeof(*ts)), *tl = calloc(lruns, sizeof(*tl));
	double *shared = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned nl = 0;
	bool ok = ts && tl && shared != MAP_FAILED;

	for (unsigned i = 0; ok && i < sruns; i++) {
		ok = (ts[i] = one_sample(ctx, json, len, false, pr, shared)) >= 0;
		if (ok && nl < lruns &&
		    (unsigned long)(i + 1) * lruns >= (unsigned long)(nl + 1) * sruns)
			ok = (tl[nl++] = one_sample(ctx, json, len, true, pr, shared)) >= 0;
	}
	if (ok) {
		*s = median(ts, sruns);
		*l = median(tl, nl);
	}
	free(ts);
	free(tl);
	if (shared != MAP_FAILED)
		munmap(shared, sizeof(double));
	return ok;
}

static bool bench_protocols(secprof_ctx *ctx, const char *ref)
{
	static const char *const names[] = { "warm, back to back",
					     "cold: 32 MiB written before each",
					     "cold: each in a fresh forked child" };
	char path[4096];
	size_t len;
	char *json;
	bool ok = true;
	unsigned sruns = runs_scaled(400), lruns = runs_scaled(40);

	snprintf(path, sizeof(path), "%s/moby-default.json", ref);
	json = read_all(path, &len);
	if (!json) {
		printf("\ncompile protocols: %s absent, skipped\n", path);
		return true;
	}
	printf("\ncompile time of the moby default by protocol, parse+resolve+compile, thread CPU µs, medians of\n"
	       "%u (secprof) / %u (libseccomp tree as runc), interleaved; target >= 100x on the cold ones:\n",
	       sruns, lruns);
	for (int pr = P_WARM; pr <= P_FORK; pr++) {
		double s = -1, l = 0;
		bool met;
		if (!time_protocol(ctx, json, len, (enum protocol)pr, sruns, lruns, &s, &l))
			s = -1;
		met = s > 0 && l / s >= 100;
		printf("  %-36s secprof %8.1f  libseccomp %9.1f  ratio %6.1fx%s%s\n", names[pr], s,
		       l, s > 0 ? l / s : 0, pr == P_WARM ? "" : "  ",
		       pr == P_WARM ? "" : target(met));
		if (pr != P_WARM)
			ok &= met;
	}
	free(json);
	return ok;
}

/* ---- whole process and peak memory ----------------------------------------- */

/* Run argv to completion; wall µs and the child's CPU µs (user + system,
 * wait4's rusage: that process alone, so other load on the machine adds
 * little, unlike the wall time). */
static int spawn_wait(char *const *argv, double *us, double *cpu_us)
{
	struct timespec a, b;
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	if (wait4(pid, &st, 0, &ru) != pid) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	posix_spawn_file_actions_destroy(&fa);
	*us = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	*cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *write_temp(const char *json, char *path, size_t plen)
{
	int fd;
	size_t len = strlen(json);

	snprintf(path, plen, "/tmp/secprof-bench-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, json, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Rounds of commands for the whole-process and start-up sections: every
 * round runs each command once, in a new random order, so that load from
 * elsewhere falls on all of them alike. */
#define STARTUP_MAX 12

struct startup_cmd {
	const char *label;
	char *argv[16];
	double *wall, *cpu;
	int status;
};

static void startup_rounds(struct startup_cmd *c, size_t n, unsigned runs)
{
	for (size_t i = 0; i < n; i++) {
		c[i].wall = calloc(runs, sizeof(double));
		c[i].cpu = calloc(runs, sizeof(double));
		c[i].status = 0;
	}
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (unsigned r = 0; r < runs; r++) {
		size_t order[STARTUP_MAX];
		/* a new order every round (Fisher-Yates, xorshift64): a kernel
		 * clean-up one command leaves behind (namespaces, cgroups) falls
		 * on a different next command each time */
		for (size_t k = 0; k < n; k++)
			order[k] = k;
		for (size_t k = n; k > 1; k--) {
			size_t j, t;
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			j = (size_t)(seed % k);
			t = order[k - 1];
			order[k - 1] = order[j];
			order[j] = t;
		}
		for (size_t k = 0; k < n; k++) {
			struct startup_cmd *x = &c[order[k]];
			int rc = spawn_wait(x->argv, &x->wall[r], &x->cpu[r]);
			if (rc)
				x->status = rc;
		}
	}
}

/* Each command's medians over the rounds (wall and CPU µs); the rounds'
 * buffers are freed. */
static void startup_medians(struct startup_cmd *c, size_t n, unsigned runs, double *wall,
			    double *cpu)
{
	for (size_t i = 0; i < n; i++) {
		wall[i] = median(c[i].wall, runs);
		cpu[i] = median(c[i].cpu, runs);
		free(c[i].wall);
		free(c[i].cpu);
	}
}

static bool bench_process(const char *ref, const char *secprof_bin, const char *static_bin,
			  const char *scmp_bin)
{
	char path[4096];
	unsigned runs = runs_scaled(200);
	struct stat st;
	bool have_static = static_bin && !access(static_bin, X_OK);
	enum { P_TRUE, P_SHARED, P_SCMP, P_STATIC };
	struct startup_cmd c[4] = {
		[P_TRUE] = { .label = "/bin/true (spawn cost alone)",
			     .argv = { "/bin/true", NULL } },
		[P_SHARED] = { .label = "secprof compile (libsecprof.so)",
			       .argv = { (char *)secprof_bin, "compile", path, "-o", "/dev/null",
					 "--arch", "amd64", "--kernel", "6.1", "-q", NULL } },
		[P_SCMP] = { .label = "scmp-compile (libseccomp.so)",
			     .argv = { (char *)scmp_bin, path, "/dev/null", NULL } },
		[P_STATIC] = { .label = "secprof-static compile",
			       .argv = { (char *)static_bin, "compile", path, "-o", "/dev/null",
					 "--arch", "amd64", "--kernel", "6.1", "-q", NULL } },
	};
	size_t n = have_static ? 4 : 3;
	double wall[4], cpu[4];

	snprintf(path, sizeof(path), "%s/moby-default.json", ref);
	if (stat(path, &st) || access(secprof_bin, X_OK) || access(scmp_bin, X_OK)) {
		printf("\nwhole process: %s, %s or %s absent, skipped\n", path, secprof_bin,
		       scmp_bin);
		return true;
	}
	printf("\nwhole process, moby default, exec to exit: the child's CPU time (user + system, wait4) and\n"
	       "wall time, medians of %u interleaved rounds (posix_spawn); libseccomp: bench/scmp-compile\n"
	       "(the same parse+resolve, then libseccomp as runc); target >= 20x:\n",
	       runs);
	startup_rounds(c, n, runs);
	startup_medians(c, n, runs, wall, cpu);
	printf("  %-40s %9s %9s\n", "", "CPU us", "wall us");
	for (size_t i = 0; i < n; i++)
		printf("  %-40s %9.1f %9.1f%s\n", c[i].label, cpu[i], wall[i],
		       c[i].status ? "  FAILED" : "");
	printf("  ratio libseccomp / secprof, CPU          %9.1fx  (wall %.1fx)  target >= 20x: %s\n",
	       cpu[P_SCMP] / cpu[P_SHARED], wall[P_SCMP] / wall[P_SHARED],
	       target(cpu[P_SCMP] / cpu[P_SHARED] >= 20));
	if (have_static)
		printf("  ratio libseccomp / secprof-static, CPU   %9.1fx  (wall %.1fx)  target >= 20x: %s\n",
		       cpu[P_SCMP] / cpu[P_STATIC], wall[P_SCMP] / wall[P_STATIC],
		       target(cpu[P_SCMP] / cpu[P_STATIC] >= 20));
	/* What a glibc program cannot beat: one that does nothing still pays
	 * exec, the dynamic loader and libc's start-up (on a VM much of it in
	 * CPUID instructions that trap to the hypervisor, glibc
	 * init_cpu_features); libseccomp's process pays it once too. The
	 * static secprof is built against musl, which asks no CPUID, and can
	 * finish before /bin/true does: no ratio net of it then. */
	printf("  ceiling libseccomp / (/bin/true), CPU    %9.1fx  (the ratio of a glibc process doing nothing)\n",
	       cpu[P_SCMP] / cpu[P_TRUE]);
	printf("  ratio net of /bin/true, CPU              %9.1fx",
	       (cpu[P_SCMP] - cpu[P_TRUE]) / (cpu[P_SHARED] - cpu[P_TRUE]));
	if (have_static && cpu[P_STATIC] > cpu[P_TRUE])
		printf("  (static %.1fx)",
		       (cpu[P_SCMP] - cpu[P_TRUE]) / (cpu[P_STATIC] - cpu[P_TRUE]));
	else if (have_static)
		printf("  (static: %.1f us less than /bin/true)", cpu[P_TRUE] - cpu[P_STATIC]);
	printf("\n");
	return cpu[P_SCMP] / cpu[P_SHARED] >= 20 && !c[P_SHARED].status && !c[P_SCMP].status;
}

/* ---- the device program ---------------------------------------------- */

#define DEV_INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* runc's program for the same list, block for block as runc 1.1 and current
 * runc generate it (libcontainer/cgroups/devices/devicefilter.go,
 * deviceFilter and appendRule; from crun's ebpf.c): type, access unless
 * rwm, major and minor unless a wildcard, each jumping to the next block,
 * then allow; deny at the end. The rules are what runc's emulator keeps of
 * Docker's list in allow-list mode (the deny of c 10:229 goes), in its
 * order (devices_emulator.go, orderedEntries: by major, minor, type; a
 * wildcard is -1). */
static size_t runc_device_program(struct bpf_insn *p)
{
	static const struct {
		uint32_t type, access;
		int64_t major, minor;
	} rules[] = {
		{ BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_MKNOD, -1, -1 },
		{ BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_MKNOD, -1, -1 },
		{ BPF_DEVCG_DEV_CHAR, 7, 1, 3 },
		{ BPF_DEVCG_DEV_CHAR, 7, 1, 5 },
		{ BPF_DEVCG_DEV_CHAR, 7, 1, 7 },
		{ BPF_DEVCG_DEV_CHAR, 7, 1, 8 },
		{ BPF_DEVCG_DEV_CHAR, 7, 1, 9 },
		{ BPF_DEVCG_DEV_CHAR, 7, 5, 0 },
		{ BPF_DEVCG_DEV_CHAR, 7, 5, 1 },
		{ BPF_DEVCG_DEV_CHAR, 7, 5, 2 },
		{ BPF_DEVCG_DEV_CHAR, 7, 10, 200 },
		{ BPF_DEVCG_DEV_CHAR, 7, 136, -1 },
	};
	size_t n = 0;

	p[n++] = DEV_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
	p[n++] = DEV_INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	p[n++] = DEV_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0);
	p[n++] = DEV_INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	p[n++] = DEV_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
	p[n++] = DEV_INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		size_t at = n, tests;
		bool access = rules[r].access != 7;
		/* the tests jump over the rest of the block: 2 for the allow */
		tests = 1 + (access ? 3 : 0) + (rules[r].major >= 0) + (rules[r].minor >= 0);
		p[n++] = DEV_INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
				  (int32_t)rules[r].type);
		if (access) {
			p[n++] = DEV_INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
			p[n++] = DEV_INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
					  (int32_t)rules[r].access);
			p[n++] = DEV_INSN(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		}
		if (rules[r].major >= 0)
			p[n++] = DEV_INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0,
					  (int32_t)rules[r].major);
		if (rules[r].minor >= 0)
			p[n++] = DEV_INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0,
					  (int32_t)rules[r].minor);
		for (size_t k = at; k < at + tests; k++)
			if (BPF_CLASS(p[k].code) == BPF_JMP)
				p[k].off = (int16_t)(at + tests + 2 - k - 1);
		p[n++] = DEV_INSN(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		p[n++] = DEV_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	p[n++] = DEV_INSN(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = DEV_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

/* Wall time of one load of program p (BPF_PROG_LOAD, what every container
 * start on a cgroup2 host pays), or -1 when the kernel refuses it; with
 * processed, how many instructions the verifier went through. */
static double device_load_us(const struct bpf_insn *p, size_t n, unsigned *processed)
{
	static char log[16384];
	struct timespec a, b;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &a);
	fd = sp_devcg_load(p, n, processed ? log : NULL, sizeof(log));
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (fd < 0)
		return -1;
	close(fd);
	if (processed)
		*processed = strstr(log, "processed ")
				     ? (unsigned)strtoul(strstr(log, "processed ") + 10, NULL, 10)
				     : 0;
	return (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
}

/* The device program of `run --rootfs` against runc's for the same list,
 * loaded alternately so that the machine's state falls on both alike. */
static void bench_devices(void)
{
	struct bpf_insn mine[96], runc[128];
	size_t nm = sp_devcg_program(mine, 96), nr = runc_device_program(runc);
	unsigned runs = runs_scaled(400), pm, pr;
	double *tm = calloc(runs, sizeof(*tm)), *tr = calloc(runs, sizeof(*tr));
	bool ok = tm && tr && device_load_us(mine, nm, &pm) >= 0 &&
		  device_load_us(runc, nr, &pr) >= 0;

	for (unsigned r = 0; ok && r < runs; r++) {
		tm[r] = device_load_us(mine, nm, NULL);
		tr[r] = device_load_us(runc, nr, NULL);
		ok = tm[r] >= 0 && tr[r] >= 0;
	}
	if (!ok) {
		printf("\ndevice program: BPF_PROG_LOAD refused (needs root and bpf(2)): skipped\n");
	} else {
		double m = median(tm, runs), q = median(tr, runs);
		printf("\ndevice program of run --rootfs (cgroup2), BPF_PROG_LOAD wall time, medians of %u\n"
		       "alternate loads:\n"
		       "  secprof  %3zu instructions, verifier processed %4u  %7.1f us\n"
		       "  runc     %3zu instructions, verifier processed %4u  %7.1f us   ratio %.1fx\n",
		       runs, nm, pm, m, nr, pr, q, q / m);
	}
	free(tm);
	free(tr);
}

/* Start-up of `secprof run -- /bin/true` against `unshare -m /bin/true`
 * (the bare namespace + exec it also does), and of `run --rootfs` against
 * `unshare -mpf --fork` + chroot on the same root (tools/make-rootfs.sh's,
 * or $BENCH_ROOTFS), and of unshare with the same namespaces as run
 * --rootfs (-mpfniu: what isolation alone costs). Interleaved: every round
 * runs each command once, in a new random order, so that load from
 * elsewhere falls on all of them alike; wall time and the child's CPU time
 * (wait4), medians.
 * secprof runs with its filter cache (a fresh directory, filled by one run
 * first) and with --no-filter-cache (parse, resolve and compile every time,
 * what every run did before the cache). Needs root. */
static bool bench_startup(const char *secprof_bin, const char *static_bin)
{
	unsigned runs = runs_scaled(200);
	const char *rootfs = getenv("BENCH_ROOTFS") ? getenv("BENCH_ROOTFS")
						    : "/var/cache/secprof/rootfs";
	char cache[] = "/tmp/secprof-bench-cache-XXXXXX", sh[64], rtrue[4200];
	char *sp = (char *)secprof_bin, *st = (char *)static_bin;
	bool have_static = static_bin && !access(static_bin, X_OK);
	bool have_root = !access(rootfs, X_OK) && !access("/usr/sbin/chroot", X_OK);
	struct startup_cmd c[STARTUP_MAX] = {
		{ .label = "unshare -m /bin/true",
		  .argv = { "/usr/bin/unshare", "-m", "/bin/true", NULL } },
		{ .label = "secprof run (cached filter)",
		  .argv = { sp, "run", "--filter-cache", cache, "--", "/bin/true", NULL } },
		{ .label = "secprof run --no-filter-cache",
		  .argv = { sp, "run", "--no-filter-cache", "--", "/bin/true", NULL } },
		{ .label = "secprof run, seccomp=unconfined",
		  .argv = { sp, "run", "--security-opt", "seccomp=unconfined", "--", "/bin/true",
			    NULL } },
	};
	size_t n = 4, nroot, nstatic = 0, nstatic_root = 0;
	double m[STARTUP_MAX], cm[STARTUP_MAX];
	bool ok = true;

	if (geteuid() != 0 || access(c[0].argv[0], X_OK) || access(secprof_bin, X_OK) ||
	    !mkdtemp(cache)) {
		printf("\nstart-up: needs root, %s and %s: skipped\n", c[0].argv[0], secprof_bin);
		return true;
	}
	if (have_static)
		c[nstatic = n++] = (struct startup_cmd){
			.label = "secprof-static run (cached filter)",
			.argv = { st, "run", "--filter-cache", cache, "--", "/bin/true", NULL }
		};
	nroot = n;
	snprintf(sh, sizeof(sh), "/bin/true");
	snprintf(rtrue, sizeof(rtrue), "%s", rootfs);
	if (have_root) {
		c[n++] = (struct startup_cmd){ .label = "unshare -mpf --fork chroot ROOT /bin/true",
					       .argv = { "/usr/bin/unshare", "-mpf", "--fork",
							 "/usr/sbin/chroot", rtrue, sh, NULL } };
		/* the same namespaces as run --rootfs (network, UTS and IPC
		 * too): what isolation alone costs over the target's baseline */
		c[n++] = (struct startup_cmd){
			.label = "unshare -mpfniu --fork chroot ROOT /bin/true",
			.argv = { "/usr/bin/unshare", "-mpfniu", "--fork", "/usr/sbin/chroot",
				  rtrue, sh, NULL }
		};
		c[n++] = (struct startup_cmd){ .label = "secprof run --rootfs ROOT (cached filter)",
					       .argv = { sp, "run", "--filter-cache", cache,
							 "--rootfs", rtrue, "--", "/bin/true",
							 NULL } };
		c[n++] =
			(struct startup_cmd){ .label =
						      "secprof run --rootfs ROOT --no-filter-cache",
					      .argv = { sp, "run", "--no-filter-cache", "--rootfs",
							rtrue, "--", "/bin/true", NULL } };
		if (have_static)
			c[nstatic_root = n++] = (struct startup_cmd){
				.label = "secprof-static run --rootfs ROOT (cached filter)",
				.argv = { st, "run", "--filter-cache", cache, "--rootfs", rtrue,
					  "--", "/bin/true", NULL }
			};
	}
	printf("\nstart-up, exec to exit: wall time and the child's CPU time (wait4), medians of %u\n"
	       "interleaved rounds, each in a new random order (posix_spawn); target: run within 0.3 ms (wall) of unshare -m,\n"
	       "run --rootfs within 0.3 ms of unshare -mpf --fork + chroot%s:\n",
	       runs, have_root ? "" : " (no root filesystem: run tools/make-rootfs.sh)");
	/* one run of each build fills the cache (an entry is a build's own:
	 * src/sandbox/progcache.c) */
	{
		double w, u;
		spawn_wait(c[1].argv, &w, &u);
		if (nstatic)
			spawn_wait(c[nstatic].argv, &w, &u);
	}
	startup_rounds(c, n, runs);
	startup_medians(c, n, runs, m, cm);
	printf("  %-44s %9s %9s\n", "", "wall us", "CPU us");
	for (size_t i = 0; i < n; i++)
		printf("  %-44s %9.1f %9.1f%s\n", c[i].label, m[i], cm[i],
		       c[i].status ? "  FAILED" : "");
	printf("  run over unshare -m: wall +%.1f us (no cache +%.1f us), CPU +%.1f us; within 0.3 ms: %s\n",
	       m[1] - m[0], m[2] - m[0], cm[1] - cm[0], target(m[1] - m[0] <= 300));
	printf("  the filter's share (cached - unconfined): wall %.1f us; compiling (no cache - cached): wall %.1f us\n",
	       m[1] - m[3], m[2] - m[1]);
	ok &= m[1] - m[0] <= 300;
	if (have_root) {
		printf("  run --rootfs over unshare -mpf + chroot: wall +%.1f us (no cache +%.1f us); within 0.3 ms: %s\n",
		       m[nroot + 2] - m[nroot], m[nroot + 3] - m[nroot],
		       target(m[nroot + 2] - m[nroot] <= 300));
		printf("  of which the network, UTS and IPC namespaces (unshare -mpfniu - -mpf): wall +%.1f us\n",
		       m[nroot + 1] - m[nroot]);
		ok &= m[nroot + 2] - m[nroot] <= 300;
	}
	/* the static secprof (musl: no CPUID at start-up, Makefile) is shown
	 * against the same targets; the verdict above stays the shared one's */
	if (nstatic)
		printf("  static: run over unshare -m: wall %+.1f us, CPU %+.1f us; within 0.3 ms: %s\n",
		       m[nstatic] - m[0], cm[nstatic] - cm[0], target(m[nstatic] - m[0] <= 300));
	if (nstatic_root)
		printf("  static: run --rootfs over unshare -mpf + chroot: wall %+.1f us, CPU %+.1f us; within 0.3 ms: %s\n",
		       m[nstatic_root] - m[nroot], cm[nstatic_root] - cm[nroot],
		       target(m[nstatic_root] - m[nroot] <= 300));
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache);
		if (system(cmd) != 0)
			printf("  (could not remove %s)\n", cache);
	}
	return ok;
}

/* `secprof-bench --rss PROGRAM ARGS...`: run PROGRAM, print its peak RSS
 * (KiB), CPU µs (user + system) and exit status. The bench measures peak memory through this fresh,
 * small process: a child's ru_maxrss starts from the high-water mark of the
 * address space it was forked from (the kernel's exec_mmap keeps the old
 * mm's hiwater_rss in signal->maxrss), which in the bench itself would be
 * the bench's own tens of MB. */
static int rss_main(char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	pid_t pid;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	(void)a;
	(void)b;
	printf("%ld %.1f %d\n", ru.ru_maxrss,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec),
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

/* Peak RSS (KiB) and CPU µs of one run of the CLI on path, through --rss. */
static int measure_rss(const char *secprof_bin, const char *path, long *kb, double *us)
{
	char self[64], cmd[8192];
	FILE *f;
	int rc, status = -1;

	/* this very binary, even if the file was replaced since it started */
	snprintf(self, sizeof(self), "/proc/%d/exe", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "'%s' --rss '%s' compile '%s' -o /dev/null --arch amd64 --kernel 6.1 -q", self,
		 secprof_bin, path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	rc = fscanf(f, "%ld %lf %d", kb, us, &status) == 3 ? 0 : -1;
	pclose(f);
	return rc;
}

/* Peak RSS of `secprof compile` on N argument rules (x86_64): the whole
 * process's high-water mark (wait4 rusage), its input bytes, and its wall
 * time (median of 3), against the same process on a tiny profile. The
 * programs are over BPF_MAXINSNS and refused after the compile: the memory
 * and time are those of the whole pipeline. */
static bool bench_memory(const char *secprof_bin)
{
	static const size_t ns[] = { 10000, 100000 };
	double tm[2] = { 0, 0 };
	double bpb[2] = { 0, 0 };
	long base_kb = 0;
	bool ok = true;

	if (access(secprof_bin, X_OK)) {
		printf("\npeak memory: %s absent, skipped\n", secprof_bin);
		return true;
	}
	printf("\npeak RSS of `secprof compile` (whole process, wait4 ru_maxrss), N argument rules, x86_64;\n"
	       "target <= 3 bytes of peak RSS per input byte above the tiny profile's, time linear 10k->100k:\n");
	for (size_t k = 0; k < 3; k++) {
		size_t n = k == 0 ? 10 : ns[k - 1];
		char *json = randprof_arg_rules_arches(n, pool, sizeof(pool) / sizeof(pool[0]), 1),
		     path[64];
		size_t len = strlen(json);
		double t[3];
		long rss = 0;

		if (!write_temp(json, path, sizeof(path))) {
			free(json);
			printf("  cannot write a temporary file\n");
			return true;
		}
		for (int r = 0; r < 3; r++) {
			long m = 0;
			if (measure_rss(secprof_bin, path, &m, &t[r])) {
				printf("  N=%6zu: could not run %s through --rss\n", n,
				       secprof_bin);
				unlink(path);
				free(json);
				return false;
			}
			rss = m > rss ? m : rss;
		}
		unlink(path);
		if (k == 0) {
			base_kb = rss;
			printf("  N=%6zu %9.2f MB input  peak %7.1f MB (the baseline)\n", n,
			       (double)len / 1e6, (double)rss / 1024);
		} else {
			double b = (double)(rss - base_kb) * 1024 / (double)len;
			tm[k - 1] = median(t, 3);
			bpb[k - 1] = b;
			printf("  N=%6zu %9.2f MB input  peak %7.1f MB  %5.2f bytes/input byte  %8.1f ms CPU  %s\n",
			       n, (double)len / 1e6, (double)rss / 1024, b, tm[k - 1] / 1000,
			       target(b <= 3));
			ok &= b <= 3;
		}
		free(json);
	}
	if (tm[0] > 0)
		printf("  time 10k->100k: x%.1f (linear: x10): %s\n", tm[1] / tm[0],
		       target(tm[1] / tm[0] <= 11));
	(void)bpb;
	return ok;
}

/* ---- the worst shapes ------------------------------------------------------ */

static bool bench_worst(secprof_ctx *ctx)
{
	bool all_ok = true;

	printf("\ncompile time of the worst profile shapes (compiled or refused; median of 3; over 1 s: SLOW):\n");
	for (size_t i = 0; i < sizeof(wp_shapes) / sizeof(wp_shapes[0]); i++) {
		const struct wp_shape *w = &wp_shapes[i];
		char *json = w->json(), what[160] = "";
		size_t len = strlen(json);
		double t[3];

		for (unsigned k = 0; k < 3; k++) {
			struct pipeline p;
			secprof_error err = { 0 };
			secprof_prog *prog = NULL;
			double t0 = now_us();
			if (front(ctx, json, len, &p, &err) == 0)
				prog = secprof_compile(ctx, p.res, NULL, &err);
			t[k] = now_us() - t0;
			if (prog)
				snprintf(what, sizeof(what), "compiled, %zu insns", prog->len);
			else
				snprintf(what, sizeof(what), "refused: %.90s", err.msg);
			secprof_prog_free(prog);
			front_free(&p);
		}
		double m = median(t, 3);
		printf("  %-20s %9.1f ms  %-9s %6.2f MB  %s\n", w->name, m / 1000,
		       m > 1e6 ? "SLOW" : "ok", (double)len / 1e6, what);
		all_ok &= m <= 1e6;
		free(json);
	}
	printf("  every shape within 1 s: %s\n", target(all_ok));
	return all_ok;
}

/* ---- this machine: what a system call and a page fault cost --------------- */

#define PAGES 64

enum touch { T_NEW, T_COW, T_POPULATE };

/* µs for PAGES pages: one byte written into each page of a new mapping
 * (T_NEW), of pages the parent wrote, from a forked child (T_COW), or
 * the new mapping's pages mapped by one madvise(MADV_POPULATE_WRITE,
 * Linux 5.14) instead (T_POPULATE). -1 on failure. */
static double touch_pages(enum touch how, double *shared)
{
	size_t len = PAGES * 4096;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0, t = -1;
	pid_t pid;

	if (m == MAP_FAILED)
		return -1;
	if (how == T_COW) {
		memset(m, 1, len);
		*shared = -1;
		if ((pid = fork()) == 0) {
			t0 = now_us();
			for (size_t i = 0; i < len; i += 4096)
				((volatile char *)m)[i] = 2;
			*shared = now_us() - t0;
			_exit(0);
		}
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			t = *shared;
	} else {
		t0 = now_us();
		if (how == T_NEW)
			for (size_t i = 0; i < len; i += 4096)
				((volatile char *)m)[i] = 2;
		if (how == T_NEW || madvise(m, len, 23 /* MADV_POPULATE_WRITE */) == 0)
			t = now_us() - t0;
	}
	munmap(m, len);
	return t;
}

/* The costs every figure that counts a new process or a first touch of
 * memory is made of. They differ several times between machines of the
 * same kind (a virtual machine's page faults exit to its hypervisor), so
 * figures from two machines compare only through these. */
static void bench_machine(void)
{
	enum { N = 21 };
	double sys[N], cost[3][N];
	double *shared = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (shared == MAP_FAILED)
		return;
	for (int i = 0; i < N; i++) {
		double t0 = now_us();
		for (int k = 0; k < 1000; k++)
			syscall(SYS_getppid);
		sys[i] = (now_us() - t0) / 1000;
		for (int h = T_NEW; h <= T_POPULATE; h++)
			cost[h][i] = touch_pages((enum touch)h, shared);
	}
	printf("this machine, medians of %d: a system call (getppid) %.2f µs; a page fault on a new page\n"
	       "%.2f µs, on a copy-on-write page %.2f µs; %d new pages in one madvise(MADV_POPULATE_WRITE)\n"
	       "%.1f µs (%.2f a page; -1: refused)\n\n",
	       N, median(sys, N), median(cost[T_NEW], N) / PAGES, median(cost[T_COW], N) / PAGES,
	       PAGES, median(cost[T_POPULATE], N), median(cost[T_POPULATE], N) / PAGES);
	munmap(shared, sizeof(double));
}

int main(int argc, char **argv)
{
	const char *ref = argc > 1 ? argv[1] : getenv("REF");
	secprof_ctx *ctx = secprof_ctx_new();
	int rc;

	if (argc > 2 && !strcmp(argv[1], "--rss"))
		return rss_main(argv + 2);
	if (!ref)
		ref = "../../shared/reference";
	secprof_ctx_set_warn(ctx, ignore_warning, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows through a pipe */
	printf("secprof bench: libseccomp %u.%u.%u, medians of %s time; all figures from this run\n\n",
	       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro,
	       getenv("BENCH_WALL") ? "wall-clock" : "thread CPU");
	if (want("machine"))
		bench_machine();
	rc = want("moby") ? bench_moby(ctx, ref) : 0;
	if (want("mix"))
		bench_mix(ctx, ref);
	if (want("lengths"))
		bench_lengths(ctx, ref);
	if (want("protocols"))
		bench_protocols(ctx, ref);
	if (want("process"))
		bench_process(ref, argc > 2 ? argv[2] : "../build/secprof",
			      argc > 3 ? argv[3] : NULL,
			      argc > 4 ? argv[4] : "../build/bench/scmp-compile");
	if (want("memory"))
		bench_memory(argc > 2 ? argv[2] : "../build/secprof");
	if (want("devices"))
		bench_devices();
	if (want("startup"))
		bench_startup(argc > 2 ? argv[2] : "../build/secprof", argc > 3 ? argv[3] : NULL);
	if (want("growth"))
		bench_growth(ctx);
	if (want("worst"))
		bench_worst(ctx);
	secprof_ctx_free(ctx);
	return rc;
}
