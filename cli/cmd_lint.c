/* cmd_lint.c - `secprof lint`: a profile's real mistakes (secprof_lint; the
 * CLI only parses and prints). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_JSON = 1, OPT_SARIF, OPT_SEVERITY };

static const struct cli_opt lint_opts[] = {
	{ "json", 0, OPT_JSON, CLI_NOARG, NULL, "a JSON array of findings", CLI_C_NONE, NULL,
	  false },
	{ "sarif", 0, OPT_SARIF, CLI_NOARG, NULL, "a SARIF 2.1.0 log, for CI systems", CLI_C_NONE,
	  NULL, false },
	{ "severity", 0, OPT_SEVERITY, CLI_ARG, "LEVEL",
	  "show and fail on findings of at least LEVEL: note, warning, error\n(default: note)",
	  CLI_C_WORDS, "note warning error", false },
	{ 0 },
};

const struct cli_spec cli_spec_lint = {
	.synopsis = "PROFILE|builtin|- [OPTIONS]",
	.description =
		"Audit a profile, resolved for the container the resolve options describe,\n"
		"for real mistakes: range or != tests a high word gets past (SP101),\n"
		"conditions libseccomp drops (SP103), values wider than the argument\n"
		"(SP104), dangerous calls allowed, graded by the capabilities held (SP201),\n"
		"deny-lists that miss an equivalent call (SP301), newer calls failing with\n"
		"EPERM instead of ENOSYS (SP302), rules that never decide (SP401, SP402),\n"
		"rules of different actions matching one call (SP403), names that are no\n"
		"syscall (SP501), arches moby never matches or compat arches missing\n"
		"(SP502, SP503), and calls runc needs after loading the filter (SP601).\n"
		"Each finding has its JSON path, file:line:col and, where a call shows it,\n"
		"an example checked against the rule set. Exit 0 clean, 1 findings at or\n"
		"above --severity, 2 usage.",
	.opts = lint_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct lint_args {
	struct cli_resolve_args r;
	bool json, sarif;
	int severity;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct lint_args *a = data;

	switch (id) {
	case OPT_JSON: a->json = true; break;
	case OPT_SARIF: a->sarif = true; break;
	case OPT_SEVERITY:
		if ((a->severity = secprof_severity_from_name(v)) < 0)
			return cli_bad_usage(g, "--severity takes note, warning or error, not '%s'",
					     v);
		break;
	}
	return 0;
}

int cmd_lint(struct cli *g, int argc, char **argv)
{
	struct lint_args a = { 0 };
	secprof_compile_opts co = { 0 };
	secprof_resolve_opts ro = { 0 };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_lint_report *rep = NULL;
	enum secprof_lint_format fmt;
	char *out = NULL;
	int rc = cli_parse_profile(g, argc, argv, take, &a, &a.r);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (a.json && a.sarif)
		return cli_bad_usage(g, "--json and --sarif exclude each other");
	fmt = a.sarif ? SECPROF_LINT_SARIF : a.json ? SECPROF_LINT_JSON : SECPROF_LINT_TEXT;
	ro.arch = a.r.arch;
	ro.kernel_major = a.r.kernel_major;
	ro.kernel_minor = a.r.kernel_minor;
	if (secprof_caps_tweak(a.r.cap_add, a.r.nadd, a.r.cap_drop, a.r.ndrop, a.r.privileged,
			       secprof_caps_all(), &ro.caps, &err) < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	if ((rc = cli_load_profile(g, a.r.profile, &p)))
		return rc;
	co = a.r.compile;
	if (!(rep = secprof_lint(g->ctx, p, &ro, &co, &err)) ||
	    secprof_lint_format(rep, a.r.profile, fmt, (enum secprof_severity)a.severity, &out,
				&err) < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
	} else {
		fputs(out, stdout);
		if (fflush(stdout))
			rc = EXIT_SYSTEM;
		for (size_t i = 0; !rc && i < secprof_lint_count(rep); i++)
			if ((int)secprof_lint_at(rep, i)->severity >= a.severity)
				rc = 1;
	}
	free(out);
	secprof_lint_report_free(rep);
	secprof_profile_free(p);
	return rc;
}
