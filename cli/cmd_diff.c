/* cmd_diff.c - `secprof diff A B`: two profiles (or BPF programs) compared
 * by what they decide (secprof_diff_compute; the CLI only reads, parses
 * and prints). Also the loader of one input that `merge` shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_JSON = 1, OPT_SUBSET };

static const struct cli_opt diff_opts[] = {
	{ "json", 0, OPT_JSON, CLI_NOARG, NULL,
	  "one JSON object: verdict, subset, regions, differences[]", CLI_C_NONE, NULL, false },
	{ "subset", 0, OPT_SUBSET, CLI_NOARG, NULL,
	  "only answer whether A allows nothing B denies (exit 0\n"
	  "yes, 1 no); a TRACE or NOTIFY counts as allowing (a\n"
	  "tracer or supervisor can let the call run)",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_diff = {
	.synopsis = "A B [OPTIONS]",
	.description = "Compare two filters by what they decide, not by their text. A and B are\n"
		       "profiles (any form, or builtin) or raw BPF programs (secprof compile,\n"
		       "secprof dump). Every input is covered: each 32-bit word of the input is\n"
		       "cut into regions by the constants the programs compare it with, and both\n"
		       "programs are run on one call per region. Each difference is printed as\n"
		       "ARCH SYSCALL REGION: ACTION-A -> ACTION-B with an example call and the\n"
		       "rule (or default) that decided on each side, then a verdict: identical,\n"
		       "A stricter, B stricter or neither. Actions are compared as the kernel\n"
		       "applies them: ERRNO data above 4095 is 4095, an action it does not\n"
		       "know kills the process as KILL_PROCESS does. A program that computes\n"
		       "on a word of the input before comparing it, or returns a value taken\n"
		       "from the call (ret A), is refused (exit 1): no set of regions covers\n"
		       "it. Two profiles are also compared as runc builds their programs\n"
		       "(libseccomp: every argument on 64 bits); a difference only those\n"
		       "make is listed as \"runc's filter: ...\", and the verdict covers\n"
		       "both (--exact-libseccomp: runc's programs alone).\n"
		       "Exit 0 identical (--subset: A allows nothing B denies), 1\n"
		       "different, 2 usage.",
	.opts = diff_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct diff_args {
	struct cli_resolve_args r;
	bool json, subset;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct diff_args *a = data;

	(void)g;
	(void)v;
	switch (id) {
	case OPT_JSON: a->json = true; break;
	case OPT_SUBSET: a->subset = true; break;
	}
	return 0;
}

void cli_side_free(struct cli_side *s)
{
	secprof_ir_free(s->ir);
	secprof_resolved_free(s->r);
	secprof_profile_free(s->p);
	free(s->insns);
	memset(s, 0, sizeof(*s));
}

int cli_side_load(struct cli *g, const struct cli_resolve_args *ra, const char *name,
		  const secprof_compile_opts *co, bool need_ir, struct cli_side *s)
{
	struct cli_resolve_args a = *ra;
	secprof_error e = { 0 };
	char *json = NULL;
	size_t njson = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	a.profile = name;
	if (!strcmp(name, "builtin")) {
		if ((rc = cli_load_profile(g, name, &s->p)))
			return rc;
	} else {
		if ((rc = cli_read_bpf_or_json(g, name, &s->insns, &s->len, &json, &njson)))
			return rc;
		if (!json) {
			if (need_ir) {
				fprintf(stderr,
					"%s: %s: a BPF program has no rules to merge; give a profile\n",
					g->prog, name);
				cli_side_free(s);
				return EXIT_USAGE;
			}
			goto done;
		}
		s->p = secprof_profile_parse(g->ctx, json, njson,
					     strcmp(name, "-") ? name : "<stdin>", &e);
		free(json);
		if (!s->p) {
			cli_print_error(g, &e);
			return cli_exit_code(-e.code);
		}
	}
	if ((rc = cli_resolve_loaded(g, &a, &s->p, &s->r)) ||
	    (rc = cli_compile_insns(g, name, s->r, co, "it has no filter to compare", &s->insns,
				    &s->len))) {
		cli_side_free(s);
		return rc;
	}
	if (!(s->ir = secprof_ir_build(g->ctx, s->r, co, &e))) {
		cli_print_error(g, &e);
		cli_side_free(s);
		return cli_exit_code(-e.code);
	}
done:
	s->side.insns = s->insns;
	s->side.len = s->len;
	s->side.ir = s->ir;
	s->side.label = name;
	return 0;
}

/* Two profiles compared by secprof's programs (which read an argument the
 * kernel takes as 32 bits both ways and keep the stricter verdict) can
 * decide alike where the programs runc builds from them do not (an allow
 * rule `> 40` lets socket(0x100000028) through under libseccomp, a
 * MASKED_EQ on the low word does not): compare those too, so a verdict or
 * subset holds for Docker's filters as well. So for each Docker that
 * skips a rule secprof keeps (an ERRNO rule equal to the default as that
 * Docker reads errnos: secprof_resolved_readings), whose runc can let a
 * later ALLOW rule decide: its programs are compared as well. -1 with err
 * on failure. */
static int fold_runc_reading(const struct cli_side *sa, const struct cli_side *sb,
			     const secprof_compile_opts *co, unsigned reading, secprof_ctx *quiet,
			     secprof_diff *d, secprof_error *err)
{
	secprof_compile_opts exact = *co;
	secprof_prog *pa = NULL, *pb = NULL;
	secprof_ir *ia = NULL, *ib = NULL;
	secprof_diff *r = NULL;
	int rc = -1;

	exact.exact_libseccomp = true;
	exact.docker_reading = reading;
	if ((pa = secprof_compile(quiet, sa->r, &exact, err)) &&
	    (pb = secprof_compile(quiet, sb->r, &exact, err)) &&
	    (ia = secprof_ir_build(quiet, sa->r, &exact, err)) &&
	    (ib = secprof_ir_build(quiet, sb->r, &exact, err))) {
		secprof_side xa = { pa->insns, pa->len, ia, sa->side.label };
		secprof_side xb = { pb->insns, pb->len, ib, sb->side.label };
		if ((r = secprof_diff_compute(&xa, &xb, err)) && !secprof_diff_fold(d, r, err))
			rc = 0;
	}
	secprof_diff_free(r);
	secprof_ir_free(ia);
	secprof_ir_free(ib);
	secprof_prog_free(pa);
	secprof_prog_free(pb);
	return rc;
}

static int fold_runc(const struct cli_side *sa, const struct cli_side *sb,
		     const secprof_compile_opts *co, secprof_diff *d, secprof_error *err)
{
	static const unsigned readings[] = { SECPROF_READING_PODMAN, SECPROF_READING_MOBY,
					     SECPROF_READING_DOCKER20 };
	unsigned seen = secprof_resolved_readings(sa->r) | secprof_resolved_readings(sb->r);
	/* the warnings were given when the profiles were loaded: a context
	 * without a handler keeps them from coming again */
	secprof_ctx *quiet = secprof_ctx_new();
	int rc;

	if (!quiet) {
		err->code = SECPROF_E_SYSTEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	/* with --exact-libseccomp, d is runc's programs already */
	rc = co->exact_libseccomp ? 0 : fold_runc_reading(sa, sb, co, 0, quiet, d, err);
	for (size_t k = 0; !rc && k < sizeof(readings) / sizeof(readings[0]); k++)
		if (seen & readings[k])
			rc = fold_runc_reading(sa, sb, co, readings[k], quiet, d, err);
	secprof_ctx_free(quiet);
	return rc;
}

int cmd_diff(struct cli *g, int argc, char **argv)
{
	struct diff_args a = { 0 };
	secprof_compile_opts co = { 0 };
	secprof_error err = { 0 };
	struct cli_side sa, sb;
	secprof_diff *d = NULL;
	char *out = NULL;
	int first, rc = cli_parse(g, argc, argv, take, &a, &a.r, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (argc - first != 2)
		return cli_bad_usage(g, "two inputs are needed: A B");
	co = a.r.compile;
	if ((rc = cli_side_load(g, &a.r, argv[first], &co, false, &sa)))
		return rc;
	if ((rc = cli_side_load(g, &a.r, argv[first + 1], &co, false, &sb))) {
		cli_side_free(&sa);
		return rc;
	}
	if (!(d = secprof_diff_compute(&sa.side, &sb.side, &err)) ||
	    (sa.r && sb.r && (rc = fold_runc(&sa, &sb, &co, d, &err))) ||
	    secprof_diff_format(
		    d, (a.json ? SECPROF_DIFF_JSON : 0u) | (a.subset ? SECPROF_DIFF_SUBSET : 0u),
		    &out, &err) < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
	} else {
		fputs(out, stdout);
		if (fflush(stdout))
			rc = EXIT_SYSTEM;
		else if (a.subset)
			rc = secprof_diff_subset(d) ? EXIT_OK : 1;
		else
			rc = secprof_diff_verdict_of(d) == SECPROF_DIFF_IDENTICAL ? EXIT_OK : 1;
	}
	free(out);
	secprof_diff_free(d);
	cli_side_free(&sa);
	cli_side_free(&sb);
	return rc;
}
