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
 * Environment: BENCH_RUNS (default 400) scales the repeat counts; BENCH_FULL=1
 * also times libseccomp on 10,000 argument rules (minutes).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "bpf_eval.h"
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

static const char *target(bool met)
{
	return met ? "ok" : "MISSED";
}

/* ---- one pipeline run -------------------------------------------------- */

struct pipeline {
	secprof_profile *prof;
	secprof_resolved *res;
};

static int front(secprof_ctx *ctx, const char *json, size_t len, struct pipeline *p, secprof_error *err)
{
	secprof_resolve_opts o = { .arch = "amd64", .kernel_major = 6, .kernel_minor = 1,
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
static double time_secprof(secprof_ctx *ctx, const char *json, size_t len, unsigned runs, secprof_prog **out,
			   struct stage_times *st, char *why, size_t whylen)
{
	double *t = calloc(runs * 4, sizeof(*t)), m;
	secprof_error err;

	*out = NULL;
	why[0] = 0;
	for (unsigned i = 0; i < runs; i++) {
		struct pipeline p;
		double t0 = now_us(), t1, t2, t3;
		secprof_resolve_opts o = { .arch = "amd64", .kernel_major = 6, .kernel_minor = 1,
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
static double time_libseccomp(secprof_ctx *ctx, const char *json, size_t len, unsigned runs, int optimize,
			      struct runc_prog *out, double *rules_part, char *why, size_t whylen)
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

static int runc_scmp_build_front(secprof_ctx *ctx, const char *json, size_t len, const struct runc_opts *o,
				 struct runc_prog *out, char *why, size_t whylen)
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
static bool arg_free(const secprof_insn *p, size_t len, uint32_t arch, int32_t nr, uint32_t *verdict)
{
	static const uint64_t vals[] = { 0, 1, 38, 40, 0x7E020000, 0xffffffff, 0x20008, 0xffffffffffffffffULL };
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
	} abis[] = { { "x86_64", 0xC000003E, 0 }, { "i386", 0x40000003, 0 }, { "x32", 0xC000003E, 0x40000000 } };

	for (size_t i = 0; i < 3; i++) {
		struct quality q = measure(p, len, abis[i].arch, abis[i].base);
		printf("  %-24s %-6s steps mean %6.2f max %3u (nrs 0..460) | arg-free: mean %6.2f max %3u | "
		       "cacheable allows %u/%u\n",
		       who, abis[i].name, q.mean_all, q.max_all, q.mean_free, q.max_free, q.cacheable, q.allow_free);
	}
}

/* ---- kernel attach --------------------------------------------------------- */

static double attach_us(const secprof_insn *p, size_t len, unsigned runs)
{
	double *shared = mmap(NULL, sizeof(double) * runs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double m;

	if (shared == MAP_FAILED)
		return -1;
	for (unsigned i = 0; i < runs; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct sock_fprog prog = { (unsigned short)len, (struct sock_filter *)(uintptr_t)p };
			double t0;
			long rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); /* needed without CAP_SYS_ADMIN */
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
	printf("  libseccomp tree (as runc), total        %9.1f us  (rules->BPF %9.1f us)\n", tt, rt);
	printf("  libseccomp linear (as crun), total      %9.1f us  (rules->BPF %9.1f us)\n", tl, rl);
	if (ts > 0)
		printf("  ratio libseccomp tree / secprof        %9.1fx   target >= 75x: %s\n"
		       "  ratio libseccomp linear / secprof      %9.1fx\n",
		       tt / ts, target(tt / ts >= 75), tl / ts);
	if (runc_scmp_build_front(ctx, json, len, &no_stub, &bare, why, sizeof(why)))
		memset(&bare, 0, sizeof(bare));
	printf("\nprogram length (instructions):\n");
	if (sp)
		printf("  secprof                                 %6zu\n", sp->len);
	printf("  libseccomp tree + runc stub             %6zu  (stub %zu)\n", tree.len, tree.stub_len);
	printf("  libseccomp linear + runc stub           %6zu  (stub %zu)\n", linear.len, linear.stub_len);
	printf("  libseccomp tree alone (no stub)         %6zu  (docs/KERNEL.md §1.6: 1,246)\n", bare.len);
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
		       q.mean_free, target(q.mean_free <= 11), q.max_free, target(q.max_free <= 14), q.allow_free,
		       target(q.cacheable == q.allow_free));
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

/* ---- growth with argument rules -------------------------------------------- */

static const char *const pool[] = {
	"read", "write", "open", "close", "lseek", "mmap", "mprotect", "munmap", "brk", "ioctl",
	"readv", "writev", "access", "pipe", "sched_yield", "mremap", "msync", "mincore", "madvise", "dup",
	"dup2", "pause", "nanosleep", "getitimer", "alarm", "setitimer", "getpid", "kill", "uname", "fcntl",
	"flock", "fsync", "fdatasync", "truncate", "ftruncate", "getcwd", "chdir", "fchdir", "rename", "mkdir",
	"rmdir", "creat", "link", "unlink", "symlink", "readlink", "chmod", "fchmod", "umask", "gettimeofday",
};

static void bench_growth(secprof_ctx *ctx)
{
	static const size_t sizes[] = { 100, 1000, 10000 };
	double ts[3], tl[3], tc[3];

	printf("\ncompile time with N argument rules (each: one syscall of %zu, arg0 == a value no other rule "
	       "uses; x86_64 only; libseccomp 10,000: one run):\n",
	       sizeof(pool) / sizeof(pool[0]));
	for (size_t i = 0; i < 3; i++) {
		char *json = randprof_arg_rules(sizes[i], pool, sizeof(pool) / sizeof(pool[0])), why[1024] = "";
		size_t len = strlen(json);
		unsigned runs = sizes[i] >= 10000 ? runs_scaled(12) : sizes[i] >= 1000 ? runs_scaled(40) : runs_scaled(200);
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
			printf("  N=%5zu secprof    %10.1f us  (rules->BPF %.1f us) to refuse it: %s\n", sizes[i], ts[i],
			       tc[i], why);
		else
			printf("  N=%5zu secprof    %10.1f us  (rules->BPF %.1f us, %zu insns)\n", sizes[i], ts[i], tc[i],
			       sp->len);
		if (sizes[i] >= 10000 && !getenv("BENCH_FULL")) {
			/* one run took 280 s on the 2-vCPU test VM (quadratic): opt in */
			printf("  N=%5zu libseccomp: not run (minutes; set BENCH_FULL=1)\n", sizes[i]);
			tl[i] = -1;
			secprof_prog_free(sp);
			free(json);
			continue;
		}
		tl[i] = time_libseccomp(ctx, json, len, sizes[i] >= 10000 ? 1 : sizes[i] >= 1000 ? runs_scaled(10) : runs, 0, &rp, &rules, why,
					sizeof(why));
		if (tl[i] < 0)
			printf("  N=%5zu libseccomp: refused: %s\n", sizes[i], why);
		else
			printf("  N=%5zu libseccomp %10.1f us  (rules->BPF %.1f us, %zu insns)%s\n", sizes[i], tl[i], rules,
			       rp.len, rp.len > 4096 ? " > BPF_MAXINSNS, the kernel would refuse it" : "");
		secprof_prog_free(sp);
		runc_prog_free(&rp);
		free(json);
	}
	if (ts[0] > 0 && ts[1] > 0 && ts[2] > 0) {
		printf("  secprof rules->BPF growth: x%.1f (100->1,000), x%.1f (1,000->10,000); n log n would be x15, x13.3\n",
		       tc[1] / tc[0], tc[2] / tc[1]);
		printf("  secprof whole-pipeline growth: x%.1f, x%.1f (parsing the JSON included)\n", ts[1] / ts[0],
		       ts[2] / ts[1]);
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
			printf("  N=%5zu ratio libseccomp / secprof %.1fx\n", sizes[i], tl[i] / ts[i]);
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
		printf("  %-20s %9.1f ms  %-9s %6.2f MB  %s\n", w->name, m / 1000, m > 1e6 ? "SLOW" : "ok",
		       (double)len / 1e6, what);
		all_ok &= m <= 1e6;
		free(json);
	}
	printf("  every shape within 1 s: %s\n", target(all_ok));
	return all_ok;
}

int main(int argc, char **argv)
{
	const char *ref = argc > 1 ? argv[1] : getenv("REF");
	secprof_ctx *ctx = secprof_ctx_new();
	int rc;

	if (!ref)
		ref = "../../shared/reference";
	secprof_ctx_set_warn(ctx, ignore_warning, NULL);
	printf("secprof bench: libseccomp %u.%u.%u, medians of %s time; all figures from this run\n\n",
	       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro,
	       getenv("BENCH_WALL") ? "wall-clock" : "thread CPU");
	rc = bench_moby(ctx, ref);
	bench_growth(ctx);
	bench_worst(ctx);
	secprof_ctx_free(ctx);
	return rc;
}
