/* cmd_merge.c - `secprof merge --union|--intersect A B ...`: profiles
 * combined by decision into one Docker profile (secprof_merge; the CLI
 * only reads, parses and writes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_UNION = 1, OPT_INTERSECT, OPT_OUT, OPT_FORMAT };

static const struct cli_opt merge_opts[] = {
	{ "union", 0, OPT_UNION, CLI_NOARG, NULL, "allow what any input allows", CLI_C_NONE, NULL,
	  false },
	{ "intersect", 0, OPT_INTERSECT, CLI_NOARG, NULL, "allow what every input allows",
	  CLI_C_NONE, NULL, false },
	{ "output", 'o', OPT_OUT, CLI_ARG, "FILE", "write the profile to FILE (default: stdout)",
	  CLI_C_FILE, NULL, false },
	{ "format", 0, OPT_FORMAT, CLI_ARG, "FORMAT",
	  "docker (a Docker profile, default) or spo (a security-profiles-operator\nSeccompProfile in YAML, as 'secprof export --format spo' writes the\nDocker form)",
	  CLI_C_WORDS, "docker spo", false },
	{ 0 },
};

const struct cli_spec cli_spec_merge = {
	.synopsis = "--union|--intersect A B... [OPTIONS]",
	.description =
		"Combine profiles by what they decide: --union allows what any input\n"
		"allows, --intersect what every input allows (on each call the action of\n"
		"least, or most, precedence among the inputs', as the kernel ranks stacked\n"
		"filters), arguments kept. Each input is resolved with the resolve options;\n"
		"the result is a Docker profile for that arch, without includes/excludes,\n"
		"compiled and compared with the combination on every region of input\n"
		"before it is written ('secprof diff' shows the same). A combination no\n"
		"Docker profile can express (one name deciding differently on two arches)\n"
		"is refused, never approximated. Exit 0, 1 invalid input or refused, 2 usage.",
	.opts = merge_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct merge_args {
	struct cli_resolve_args r;
	int mode; /* 0 unset, 1 union, 2 intersect */
	const char *out, *format;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct merge_args *a = data;

	switch (id) {
	case OPT_UNION:
	case OPT_INTERSECT:
		if (a->mode && a->mode != id)
			return cli_bad_usage(g, "--union and --intersect exclude each other");
		a->mode = id;
		break;
	case OPT_OUT: a->out = v; break;
	case OPT_FORMAT:
		if (strcmp(v, "docker") && strcmp(v, "spo"))
			return cli_bad_usage(g, "--format takes docker or spo, not '%s'", v);
		a->format = v;
		break;
	}
	return 0;
}

int cmd_merge(struct cli *g, int argc, char **argv)
{
	struct merge_args a = { 0 };
	secprof_compile_opts co = { 0 };
	secprof_error err = { 0 };
	struct cli_side sides[7];
	secprof_side in[7];
	size_t n = 0;
	char *out = NULL;
	int first, rc = cli_parse(g, argc, argv, take, &a, &a.r, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (!a.mode)
		return cli_bad_usage(g, "--union or --intersect is needed");
	if (argc - first < 1 || argc - first > 7)
		return cli_bad_usage(g, "one to seven profiles are needed");
	co = a.r.compile;
	for (int i = first; i < argc; i++) {
		if ((rc = cli_side_load(g, &a.r, argv[i], &co, true, &sides[n])))
			goto out;
		in[n] = sides[n].side;
		n++;
	}
	if (secprof_merge(g->ctx, in, n,
			  a.mode == OPT_UNION ? SECPROF_MERGE_UNION : SECPROF_MERGE_INTERSECT,
			  a.format && !strcmp(a.format, "spo") ? SECPROF_MERGE_SPO
							       : SECPROF_MERGE_DOCKER,
			  &co, &out, &err) < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
		goto out;
	}
	if (a.out && strcmp(a.out, "-")) {
		FILE *f = fopen(a.out, "w");
		bool ok = f && fputs(out, f) >= 0;
		if (f && fclose(f))
			ok = false;
		if (!ok) {
			fprintf(stderr, "%s: %s: cannot write\n", g->prog, a.out);
			rc = EXIT_SYSTEM;
		}
	} else {
		fputs(out, stdout);
		if (fflush(stdout))
			rc = EXIT_SYSTEM;
	}
out:
	free(out);
	while (n)
		cli_side_free(&sides[--n]);
	return rc;
}
