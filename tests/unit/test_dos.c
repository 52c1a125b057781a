/* test_dos.c - compile time is never a denial of service: each of the worst
 * profile shapes (tests/compat/worstprof.h) is compiled or refused, with the
 * refusal pinned, the replay's work counted in steps (deterministic, unlike
 * a clock) and a generous bound on the wall clock. */
#include <time.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"
#include "tap.h"
#include "../compat/worstprof.h"

/* Generous: each shape takes well under 0.6 s on a shared 2-core machine
 * (the 16 MB one the longest); without the budget some took minutes. The
 * sanitizers make everything several times slower. */
#ifdef SP_UNDER_ASAN
#define WALL_LIMIT_S 30.0
#else
#define WALL_LIMIT_S 5.0
#endif

/* test_one_action_work's bound (measured: see there) */
#define STEPS_ONE_ACTION 40000u

struct outcome {
	bool compiled;
	size_t steps; /* the replays' work, when compiled */
	size_t len;   /* instructions, when compiled */
	double secs;
	char msg[1400];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void quiet(void *data, const secprof_error *w)
{
	(void)data;
	(void)w;
}

/* Parse, resolve for amd64 (Docker's default caps, kernel 6.1), compile. */
static void compile_json(const char *json, struct outcome *o)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err = { 0 };
	secprof_resolve_opts opts = { .arch = "amd64", .kernel_major = 6, .kernel_minor = 1 };
	secprof_profile *p;
	secprof_resolved *r = NULL;
	secprof_prog *prog = NULL;
	double t0 = now_s();

	memset(o, 0, sizeof(*o));
	secprof_ctx_set_warn(ctx, quiet, NULL);
	opts.caps = secprof_caps_docker_default();
	p = secprof_profile_parse(ctx, json, strlen(json), "t.json", &err);
	if (p)
		r = secprof_resolve(ctx, p, &opts, &err);
	if (r)
		prog = secprof_compile(ctx, r, NULL, &err);
	o->secs = now_s() - t0;
	o->compiled = prog != NULL;
	if (r) { /* the replays' work, whether or not the program fits */
		struct sp_ruleset *rs = sp_ruleset_build(ctx, r, NULL, NULL);
		o->steps = rs ? rs->replay_steps : 0;
		sp_ruleset_free(rs);
	}
	if (prog)
		o->len = prog->len;
	else
		secprof_error_format(&err, o->msg, sizeof(o->msg));
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
}

static const char *expect_text(enum wp_expect e)
{
	switch (e) {
	case WP_COMPILES: return NULL;
	case WP_TOO_LONG: return "more than the kernel's limit of 4096 (BPF_MAXINSNS)";
	case WP_TOO_MUCH: return "steps in this profile, secprof's limit";
	case WP_TOO_MANY: return "secprof reproduces libseccomp's order for at most 1024";
	case WP_NO_MODEL: return "secprof cannot model the code libseccomp 2.5.4 generates";
	case WP_LOOP:
		return "t.json: syscall \"shutdown\" on SCMP_ARCH_X86_64: libseccomp 2.5.4's tree for "
		       "its argument rules has a level of more than 4096 tests, or levels linked into a "
		       "loop (where libseccomp never finishes adding the rules): secprof cannot model it";
	}
	return NULL;
}

static void test_shapes(void)
{
	for (size_t i = 0; i < SP_ARRAY_SIZE(wp_shapes); i++) {
		const struct wp_shape *s = &wp_shapes[i];
		char *json = s->json();
		struct outcome o;
		const char *want = expect_text(s->expect);

		/* a shape that never finishes (looping-level did, before
		 * e400474) ends the test with SIGALRM, a failure, instead of
		 * holding the whole run */
		alarm((unsigned)(WALL_LIMIT_S * 10));
		compile_json(json, &o);
		alarm(0);
		if (!want) {
			if (!tap_ok(o.compiled, "%s (%s): compiled", s->name, s->what))
				tap_diag("%s", o.msg);
			tap_ok(o.steps <= SP_REPLAY_STEPS,
			       "... within the replay budget (%zu steps, %zu insns)", o.steps,
			       o.len);
		} else {
			if (!tap_ok(!o.compiled && strstr(o.msg, want), "%s (%s): refused (%s)",
				    s->name, s->what, want))
				tap_diag("%s", o.compiled ? "it compiled" : o.msg);
		}
		tap_ok(o.secs < WALL_LIMIT_S, "... in %.3f s", o.secs);
		free(json);
	}
}

/* The shape that took 25 s (600 rules) and minutes (1,024) before the
 * replay remembered its scans: the work is now about n^2, not n^4. */
static void test_linear_work(void)
{
	char *json = wp_one_syscall_600();
	struct outcome a, b;

	compile_json(json, &a);
	compile_json(json, &b);
	tap_ok(a.steps > 100000 && a.steps < 4000000,
	       "600 mixed-action rules on one syscall: %zu steps (about 900,000 a replay, two with the "
	       "stale-accumulator model's; billions without the memo)",
	       a.steps);
	TAP_EQ_INT(a.steps, b.steps, "the count is the same on every run");
	free(json);
}

/* 250 rules of one action on dup3, each `argN == its own value`, N
 * cycling through `nidx` arguments: the JSON. */
static char *one_action_rules(unsigned nidx)
{
	struct rp_buf b = { 0 };

	rp_printf(&b, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (unsigned i = 0; i < 250; i++)
		rp_printf(&b,
			  "%s{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
			  "[{\"index\":%u,\"value\":%u,\"op\":\"SCMP_CMP_EQ\"}]}",
			  i ? "," : "", i % nidx, i + 1);
	rp_printf(&b, "]}");
	return b.s;
}

/* The work of the stale-accumulator model's replay (scmpacc.c) on rules of
 * one action, each `argN == its own value`: the shape of the bench's N-rule
 * profiles, under the model's LAYOUT_MAX_CONDS. On one argument the tree
 * cannot be stale and is not replayed at all (eq_leaves_only). On two it
 * is, and while every rule has the same action no node can hold another,
 * so the replay no longer walks the level below each rule to look for
 * one: 25,487 steps, where it took 57,231 (the prune's own walk of the
 * level, the other half, is still quadratic in the rules on one level). */
static void test_one_action_work(void)
{
	char *one = one_action_rules(1), *two = one_action_rules(2);
	struct outcome o;

	compile_json(one, &o);
	tap_ok(o.compiled, "250 one-action rules on dup3's arg0 compile");
	TAP_EQ_INT(o.steps, 0, "... with no replay: their tree cannot be stale");
	compile_json(two, &o);
	tap_ok(o.compiled, "250 one-action rules on dup3's arg0 and arg1 compile");
	tap_ok(o.steps > 0 && o.steps < STEPS_ONE_ACTION,
	       "... and the replays take %zu steps (< %u)", o.steps, STEPS_ONE_ACTION);
	free(one);
	free(two);
}

/* The budget is one for the whole profile, so spreading the rules over many
 * syscalls does not multiply it; the refusal names the syscall where it ran
 * out, at its first rule, and is a limit error (exit 1). */
static void test_budget_message(void)
{
	char *json = wp_every_syscall();
	struct outcome o;
	char want[400];

	compile_json(json, &o);
	tap_ok(!o.compiled, "200 mixed rules on every syscall are refused");
	snprintf(
		want, sizeof(want),
		"t.json:1:54: syscall \"%s\": replaying libseccomp's argument tree for rules of different actions takes more than %u steps in this profile, secprof's limit",
		"pivot_root", SP_REPLAY_STEPS);
	TAP_EQ_STR(o.msg, want, "... with this message");
	free(json);
}

int main(void)
{
	test_shapes();
	test_linear_work();
	test_one_action_work();
	test_budget_message();
	return tap_done();
}
