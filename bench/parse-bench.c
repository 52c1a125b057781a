/* parse-bench.c - how long the front of the pipeline takes on one profile:
 * the JSON reader alone (sp_json_parse), secprof_profile_parse (JSON +
 * decoding + validation), secprof_resolve and secprof_compile. Not a test.
 *
 * Usage: parse-bench [PROFILE.json]   (default: the built-in profile)
 * Times are thread CPU time, medians over BENCH_RUNS runs (default 2000),
 * after 50 warm-up runs. PARSE_ONLY=N runs secprof_profile_parse N times and
 * nothing else (for `valgrind --tool=callgrind`, which counts instructions
 * exactly; divide by N). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void quiet(void *data, const secprof_error *w)
{
	(void)data;
	(void)w;
}

static void die(const secprof_error *err)
{
	char buf[1400];
	fprintf(stderr, "parse-bench: %s\n", secprof_error_format(err, buf, sizeof(buf)));
	exit(1);
}

static double time_json(const char *data, size_t len)
{
	secprof_error err;
	struct sp_arena arena = { 0 };
	double t0 = now_us(), t;

	if (!sp_json_parse(&arena, data, len, "bench.json", &err))
		die(&err);
	t = now_us() - t0;
	sp_arena_free(&arena);
	return t;
}

int main(int argc, char **argv)
{
	const char *runs_env = getenv("BENCH_RUNS"), *only = getenv("PARSE_ONLY");
	size_t runs = runs_env ? strtoul(runs_env, NULL, 10) : 2000, len;
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_resolve_opts o = { .arch = "amd64",
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	secprof_error err;
	const char *data;
	char *owned = NULL;
	double *t;
	bool refused = false;

	secprof_ctx_set_warn(ctx, quiet, NULL);
	if (argc > 1) {
		if (sp_read_file(argv[1], SECPROF_MAX_PROFILE_SIZE, &owned, &len, &err) < 0)
			die(&err);
		data = owned;
	} else {
		data = secprof_builtin_json(&len);
	}
	if (only) {
		for (unsigned long i = strtoul(only, NULL, 10); i; i--) {
			secprof_profile *p =
				secprof_profile_parse(ctx, data, len, "bench.json", &err);
			if (!p)
				die(&err);
			secprof_profile_free(p);
		}
		free(owned);
		secprof_ctx_free(ctx);
		return 0;
	}
	if (!runs)
		runs = 1;
	t = calloc(4 * runs, sizeof(*t));
	for (size_t i = 0; i < runs + 50; i++) {
		size_t k = i < 50 ? 0 : i - 50;
		double t0, t1, t2, t3;
		secprof_profile *p;
		secprof_resolved *r;
		secprof_prog *prog;

		t[k] = time_json(data, len);
		t0 = now_us();
		p = secprof_profile_parse(ctx, data, len, "bench.json", &err);
		t1 = now_us();
		if (!p)
			die(&err);
		r = secprof_resolve(ctx, p, &o, &err);
		t2 = now_us();
		if (!r)
			die(&err);
		/* a refusal (e.g. over BPF_MAXINSNS) is timed like a program:
		 * it is the whole pipeline's answer for that profile */
		prog = secprof_compile(ctx, r, NULL, &err);
		t3 = now_us();
		if (!prog && err.code != SECPROF_E_LIMIT)
			die(&err);
		refused = !prog;
		t[runs + k] = t1 - t0;
		t[2 * runs + k] = t2 - t1;
		t[3 * runs + k] = t3 - t2;
		secprof_prog_free(prog);
		secprof_resolved_free(r);
		secprof_profile_free(p);
	}
	printf("%zu bytes, %zu runs, median thread CPU us:\n", len, runs);
	printf("  json reader       %8.1f\n", median(t, runs));
	printf("  profile_parse     %8.1f  (json + decode + validate)\n", median(t + runs, runs));
	printf("  resolve           %8.1f\n", median(t + 2 * runs, runs));
	printf("  compile           %8.1f%s\n", median(t + 3 * runs, runs),
	       refused ? "  (refused: the filter is over the kernel's size limit)" : "");
	free(t);
	free(owned);
	secprof_ctx_free(ctx);
	return 0;
}
