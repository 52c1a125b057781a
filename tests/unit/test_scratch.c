/* test_scratch.c - core/scratch.c: the region a call keeps its temporaries
 * in. Its stack discipline (frees give bytes back, in place growth of the
 * top block), the way out to malloc, alignment, and that parse and compile
 * leave nothing in it: a block still in use when the call gives the region
 * back would be overwritten by the next call. */
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "../compat/randprof.h"
#include "core/scratch.h"
#include "core/util.h"
#include "sandbox/run.h"
#include "tap.h"

#ifdef SP_UNDER_ASAN
#include <sanitizer/asan_interface.h>
#endif

static bool aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

static void test_stack(secprof_ctx *ctx)
{
	struct sp_scratch *s = sp_scratch_take(ctx);
	char *a, *b, *c, *d, *grown;
	size_t with_a;

	tap_ok(s && sp_scratch_used(s) == 0, "a context gives an empty region");
	a = sp_salloc(s, 10);
	with_a = sp_scratch_used(s);
	b = sp_salloc(s, 100);
	c = sp_salloc(s, 0);
	tap_ok(a && b && c && aligned(a) && aligned(b) && aligned(c) && a < b && b < c,
	       "blocks follow each other, each at max_align_t's alignment");
	sp_sfree(s, b);
	d = sp_salloc(s, 1);
	tap_ok(d > c, "a free below the top gives nothing back yet");
	sp_sfree(s, c);
	tap_ok(sp_scratch_used(s) > with_a, "nor does one while a block above it is in use");
	sp_sfree(s, d);
	tap_ok(sp_scratch_used(s) == with_a,
	       "freeing the top gives back the freed blocks below it too");
	sp_sfree(s, a);
	tap_ok(sp_scratch_used(s) == 0, "freeing every block empties the region");

	a = sp_salloc(s, 24);
	memset(a, 'x', 24);
	grown = sp_srealloc(s, a, 4000);
	tap_ok(grown == a && !memcmp(grown, "xxxxxxxxxxxxxxxxxxxxxxxx", 24),
	       "the top block grows in place");
	b = sp_salloc(s, 8);
	grown = sp_srealloc(s, a, 8000);
	tap_ok(grown && grown != a && !memcmp(grown, "xxxxxxxxxxxxxxxxxxxxxxxx", 24),
	       "a block below the top moves, with its bytes");
	sp_sfree(s, grown);
	sp_sfree(s, b);
	tap_ok(sp_scratch_used(s) == 0, "and its old place comes back once the top is freed");

	a = sp_salloc(s, 64);
	memset(a, 0xff, 64);
	sp_sfree(s, a);
	a = sp_scalloc(s, 8, 8);
	tap_ok(a && !memcmp(a, (char[64]){ 0 }, 64), "sp_scalloc zeroes reused bytes");
	tap_ok(sp_scalloc(s, SIZE_MAX / 2, 4) == NULL, "sp_scalloc refuses a size that overflows");
	sp_sfree(s, a);
	sp_scratch_give(ctx, s);
}

static void test_outside(secprof_ctx *ctx)
{
	struct sp_scratch *s = sp_scratch_take(ctx);
	char *big = sp_salloc(s, SP_SCRATCH_BYTES + 1), *small, *moved;
	size_t room = SP_SCRATCH_BYTES;

	tap_ok(big && sp_scratch_used(s) == 0, "a block larger than the region comes from malloc");
	big[SP_SCRATCH_BYTES] = 1;
	sp_sfree(s, big);
	/* fill the region, then one more */
	small = sp_salloc(s, room - 64);
	moved = sp_salloc(s, 128);
	tap_ok(small && moved && sp_scratch_used(s) <= SP_SCRATCH_BYTES,
	       "a block that no longer fits comes from malloc");
	moved = sp_srealloc(s, moved, 256);
	tap_ok(moved != NULL, "and grows with realloc");
	sp_sfree(s, moved);
	small = sp_srealloc(s, small, SP_SCRATCH_BYTES * 2);
	tap_ok(small && sp_scratch_used(s) == 0,
	       "the top block grown past the region moves to malloc, and frees its place");
	free(small);
	sp_scratch_give(ctx, s);

	small = sp_salloc(NULL, 10);
	small = sp_srealloc(NULL, small, 20);
	tap_ok(small != NULL, "without a region: malloc and realloc");
	sp_sfree(NULL, small);
	tap_ok(sp_scratch_take(NULL) == NULL, "no context, no region");
	tap_ok(sp_scratch_take(&(secprof_ctx){ 0 }) == NULL,
	       "nor for a context on the stack, which nothing would free");
}

/* Under ASan, what is not in use is poisoned: a block read after its
 * free, after a shrink, or past its end is reported. */
static void test_poison(secprof_ctx *ctx)
{
#ifdef SP_UNDER_ASAN
	struct sp_scratch *s = sp_scratch_take(ctx);
	char *a = sp_salloc(s, 40);

	tap_ok(a && !__asan_address_is_poisoned(a) && !__asan_address_is_poisoned(a + 39) &&
		       __asan_address_is_poisoned(a + 40),
	       "ASan: a block's bytes are addressable, the ones past its end are not");
	a = sp_srealloc(s, a, 8);
	tap_ok(a && __asan_address_is_poisoned(a + 8) && __asan_address_is_poisoned(a + 32),
	       "ASan: a shrink in place poisons what it gives back");
	sp_sfree(s, a);
	tap_ok(__asan_address_is_poisoned(a), "ASan: a freed block is poisoned");
	a = sp_salloc(s, 100);
	sp_salloc(s, 10);
	a = sp_srealloc(s, sp_srealloc(s, a, 50), 80);
	tap_ok(a && !__asan_address_is_poisoned(a + 79) && __asan_address_is_poisoned(a + 80),
	       "ASan: a block below the top grown within its rounding is addressable to its end");
	sp_scratch_give(ctx, s);
#else
	struct sp_scratch *s = sp_scratch_take(ctx);
	char *a = sp_salloc(s, 100);

	sp_salloc(s, 10);
	a = sp_srealloc(s, sp_srealloc(s, a, 50), 80);
	a[79] = 1;
	tap_ok(a != NULL, "a block below the top grows within its rounding (ASan's poisoning is "
			  "checked in the sanitizer build)");
	sp_scratch_give(ctx, s);
#endif
}

static void test_two_takers(secprof_ctx *ctx)
{
	struct sp_scratch *a = sp_scratch_take(ctx), *b = sp_scratch_take(ctx);

	tap_ok(a && b && a != b, "a region held by one call is not handed to another");
	sp_scratch_give(ctx, a);
	sp_scratch_give(ctx, b); /* the context keeps one: b is freed (ASan: no leak) */
	tap_ok(sp_scratch_take(ctx) == a, "the context keeps the first given back");
	sp_scratch_give(ctx, a);
}

/* One context, four threads compiling at once: each call takes a region
 * of its own (the context's, or a new one while another thread holds it),
 * so every program is the one a lone compile makes. */
struct worker {
	secprof_ctx *ctx;
	const char *json;
	size_t len;
	const secprof_prog *want;
	int same;
};

enum { THREADS = 4, ROUNDS = 40 };

static secprof_prog *compile_json(secprof_ctx *ctx, const char *json, size_t len)
{
	secprof_resolve_opts o = { .arch = "amd64",
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	secprof_error err;
	secprof_profile *p = secprof_profile_parse(ctx, json, len, "t.json", &err);
	secprof_resolved *r = p ? secprof_resolve(ctx, p, &o, &err) : NULL;
	secprof_prog *prog = r ? secprof_compile(ctx, r, NULL, &err) : NULL;

	secprof_resolved_free(r);
	secprof_profile_free(p);
	return prog;
}

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		secprof_prog *got = compile_json(w->ctx, w->json, w->len);
		w->same += got && got->len == w->want->len &&
			   !memcmp(got->insns, w->want->insns, got->len * sizeof(*got->insns));
		secprof_prog_free(got);
	}
	return NULL;
}

static void test_threads(secprof_ctx *ctx, const char *json, size_t len)
{
	secprof_prog *want = compile_json(ctx, json, len);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int started = 0, same = 0;

	for (int i = 0; want && i < THREADS; i++) {
		w[i] = (struct worker){ ctx, json, len, want, 0 };
		started += !pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		same += w[i].same;
	}
	tap_ok(want && started == THREADS && same == THREADS * ROUNDS,
	       "%d threads sharing one context made the same program %d times of %d", started, same,
	       THREADS * ROUNDS);
	secprof_prog_free(want);
}

/* What the calls' checks read: a block left behind shows. */
static void test_left(secprof_ctx *ctx)
{
	struct sp_scratch *s = sp_scratch_take(ctx);

	sp_salloc(s, 32);
	sp_scratch_give(ctx, s);
	tap_ok(sp_scratch_left(atomic_load(&ctx->scratch)) > 0,
	       "a region given back with a block in use says so");
}

/* A thousand argument rules: the largest profile that still compiles in
 * the region, with groups of equal values that grow below the top. The
 * program must be the one malloc gives (a context on the stack has no
 * region). */
static void test_large(secprof_ctx *ctx)
{
	static const char *const pool[] = { "read",  "write",   "open",     "close",
					    "lseek", "mmap",    "munmap",   "brk",
					    "ioctl", "pread64", "pwrite64", "fcntl" };
	char *json = randprof_arg_rules(1000, pool, sizeof(pool) / sizeof(pool[0]));
	secprof_prog *in = compile_json(ctx, json, strlen(json));
	struct sp_scratch *s = atomic_load(&ctx->scratch);
	size_t peak = sp_scratch_peak(s), left = sp_scratch_left(s);
	secprof_prog *out = compile_json(&(secprof_ctx){ 0 }, json, strlen(json));

	tap_ok(in && out && in->len == out->len &&
		       !memcmp(in->insns, out->insns, in->len * sizeof(*in->insns)) && peak > 0 &&
		       left == 0,
	       "1,000 argument rules: the region's program is malloc's (%zu instructions, %zu "
	       "bytes of the region at most, %zu left)",
	       in ? in->len : 0, peak, left);
	secprof_prog_free(in);
	secprof_prog_free(out);
	free(json);
}

/* Parse and compile of Docker's default: the region served them, and they
 * left nothing in it. */
static void test_calls(secprof_ctx *ctx)
{
	const char *ref = getenv("REF");
	char path[4096];
	FILE *f;
	static char json[1 << 20];
	size_t len = 0;
	secprof_error err;
	secprof_resolve_opts o = { .arch = "amd64",
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	secprof_profile *p;
	secprof_resolved *r = NULL;
	secprof_prog *prog = NULL;
	struct sp_scratch *s;
	size_t parse_peak;

	snprintf(path, sizeof(path), "%s/moby-default.json", ref ? ref : "../shared/reference");
	if ((f = fopen(path, "rb"))) {
		len = fread(json, 1, sizeof(json), f);
		fclose(f);
	}
	if (!tap_ok(len > 0, "%s read", path))
		return;
	p = secprof_profile_parse(ctx, json, len, "moby-default.json", &err);
	s = atomic_load(&ctx->scratch);
	parse_peak = sp_scratch_peak(s);
	tap_ok(p && s && parse_peak > 0 && sp_scratch_left(s) == 0,
	       "a parse keeps its tree in the region (%zu bytes at most) and leaves it empty",
	       parse_peak);
	if (p)
		r = secprof_resolve(ctx, p, &o, &err);
	if (r)
		prog = secprof_compile(ctx, r, NULL, &err);
	s = atomic_load(&ctx->scratch);
	tap_ok(prog && s && sp_scratch_peak(s) > 0 && sp_scratch_left(s) == 0,
	       "a compile builds in the region (%zu bytes at most) and leaves it empty",
	       sp_scratch_peak(s));
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	test_threads(ctx, json, len);
}

static bool resident(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char in = 0;
	void *at = (void *)((uintptr_t)p & ~(uintptr_t)(page - 1));

	return mincore(at, (size_t)page, &in) == 0 && (in & 1);
}

/* Whether this kernel takes the advice on an anonymous page. */
static bool kernel_takes(int advice)
{
	long page = sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	bool ok = m != MAP_FAILED && madvise(m, (size_t)page, advice) == 0;

	if (m != MAP_FAILED)
		munmap(m, (size_t)page);
	return ok;
}

/* MADV_POPULATE_WRITE (Linux 5.14) and MADV_WIPEONFORK (4.14): values of
 * include/uapi/asm-generic/mman-common.h, which older headers lack. */
#define POPULATE_WRITE 23
#define WIPEONFORK 18

/* Whether transparent huge pages may back any anonymous mapping: then a
 * page can be resident that nothing wrote or populated. */
static bool thp_always(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return strstr(buf, "[always]") != NULL;
}

/* A new region's pages are mapped a step (64 KB) ahead of the top, so a
 * call in a new process does not take a page fault at each one's first
 * write (scratch.c, populate_to), and no further than that. The bounds
 * are worked out as populate_to does, for any page size. */
static void test_populated(void)
{
	const uintptr_t step = 64 * 1024;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), base, ready;
	secprof_ctx *ctx = secprof_ctx_new();
	struct sp_scratch *s = sp_scratch_take(ctx);
	char *first = sp_salloc(s, 16), *big;

	if (!kernel_takes(POPULATE_WRITE) || thp_always()) {
		tap_ok(1, "pages mapped ahead # SKIP %s",
		       thp_always() ? "transparent huge pages always" : "no MADV_POPULATE_WRITE");
		sp_scratch_give(ctx, s);
		secprof_ctx_free(ctx);
		return;
	}
	/* the region's mapping starts on the page its first block is on */
	base = (uintptr_t)first & ~(page - 1);
	ready = base + ((uintptr_t)first + 16 - base + step + page - 1) / page * page;
	tap_ok(first && resident(first + 16) && resident((char *)ready - 1),
	       "the pages of a new region's first step are mapped before they are written");
	tap_ok(!resident((char *)ready), "the pages past that step are not");
	big = sp_salloc(s, ready - base); /* its end is past what is mapped */
	tap_ok(big && resident(big + (ready - base) - 1) &&
		       resident((char *)base + sp_scratch_used(s) + 32 * 1024),
	       "a block past the mapped pages maps the next step past its end");
	sp_scratch_give(ctx, s);
	secprof_ctx_free(ctx);
}

/* A counter of this thread's page faults, the exceptions a first touch
 * takes (arch/x86/mm/fault.c counts PERF_COUNT_SW_PAGE_FAULTS there), not
 * the pages a madvise maps (which getrusage's ru_minflt counts too). -1
 * where perf events are refused. */
static int fault_counter(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	/* user-mode faults only: allowed at perf_event_paranoid 2 */
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long faults_so_far(int fd)
{
	long long n = -1;

	return read(fd, &n, sizeof(n)) == sizeof(n) ? (long)n : -1;
}

/* Blocks of about a page each over `bytes` of the region, written. */
static void fill(struct sp_scratch *s, size_t bytes, int value)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), block = page - 64;

	for (size_t done = 0; done + page <= bytes; done += page) {
		char *p = sp_salloc(s, block);
		if (p)
			memset(p, value, block);
	}
}

/* A child that shares this process's memory (sp_spawn_shared, CLONE_VM)
 * and takes the context's region: it must not take it for a forked copy,
 * or it would drop the pages the parent goes on using. */
static int take_and_give(void *data)
{
	secprof_ctx *ctx = data;

	sp_scratch_give(ctx, sp_scratch_take(ctx));
	return 0;
}

/* A forked child's copy of the region its parent's context keeps drops
 * the parent's pages instead of copying each at its first write
 * (scratch.c, forked_copy): the child's first call on it takes a few
 * faults, not one a page (the build before took 39 for these 144 KB, 36
 * of them copy-on-write faults). A child sharing the memory drops
 * nothing. */
static void test_forked(void)
{
	const size_t bytes = 144 * 1024, page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = bytes / page;
	secprof_ctx *ctx = secprof_ctx_new();
	struct sp_scratch *s = sp_scratch_take(ctx);
	char *first;
	long faults = -1;
	int pipefd[2], status = 0;
	pid_t pid;

	if (!kernel_takes(POPULATE_WRITE) || !kernel_takes(WIPEONFORK) || thp_always() ||
	    pages < 32) {
		tap_ok(1, "a forked child drops its parent's pages # SKIP %s",
		       thp_always() ? "transparent huge pages always"
		       : pages < 32 ? "pages too large to count"
				    : "no MADV_POPULATE_WRITE or MADV_WIPEONFORK");
		sp_scratch_give(ctx, s);
		secprof_ctx_free(ctx);
		return;
	}
	first = sp_salloc(s, 16);
	fill(s, bytes, 1);
	sp_scratch_give(ctx, s);
	if (pipe(pipefd) < 0 || (pid = fork()) < 0) {
		tap_ok(0, "a forked child drops its parent's pages (cannot fork)");
		secprof_ctx_free(ctx);
		return;
	}
	if (pid == 0) {
		int counter = fault_counter();
		long before = faults_so_far(counter), after;
		struct sp_scratch *c = sp_scratch_take(ctx);

		fill(c, bytes, 2);
		after = faults_so_far(counter);
		sp_scratch_give(ctx, c);
		after = counter < 0 || before < 0 || after < 0 ? -2 : after - before;
		if (c != s) /* a new region: its few faults would prove nothing */
			after = -3;
		_exit(write(pipefd[1], &after, sizeof(after)) == sizeof(after) ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &faults, sizeof(faults)) != sizeof(faults))
		faults = -1;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (faults == -2) {
		tap_ok(1,
		       "a forked child's first call on its parent's region # SKIP no perf events");
	} else {
		tap_ok(faults >= 0 && (size_t)faults * 2 <= pages,
		       "a forked child's first call on its parent's region: a few faults, not one a "
		       "page");
		if (faults == -3)
			tap_diag("the child did not get its parent's region");
		else
			tap_diag("%ld faults for %zu pages", faults, pages);
	}
	if (!SP_SPAWN_SHARES_MEMORY) {
		tap_ok(1,
		       "a child sharing the memory drops nothing # SKIP a sanitizer build forks");
	} else {
		pid = sp_spawn_shared(take_and_give, ctx);
		tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			       resident(first) && resident(first + bytes / 2) &&
			       resident(first + bytes - 4 * page),
		       "a child sharing the memory (CLONE_VM) takes the region and drops nothing");
	}
	secprof_ctx_free(ctx);
}

int main(void)
{
	secprof_ctx *ctx = secprof_ctx_new();

	test_stack(ctx);
	test_outside(ctx);
	test_poison(ctx);
	test_left(ctx);
	test_two_takers(ctx);
	test_calls(ctx);
	test_large(ctx);
	test_populated();
	test_forked();
	secprof_ctx_free(ctx);
	return tap_done();
}
