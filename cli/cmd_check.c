/* cmd_check.c - `secprof check`: parse, resolve for one container, warn
 * about what runc would ignore, and summarise the profile (text or --json).
 * Exit 0 valid, 1 invalid (or a warning under --strict), 2 usage. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_opt check_opts[] = {
	{ "json", 0, 1, CLI_NOARG, NULL, "one JSON object, warnings and errors included",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_check = {
	.synopsis = "PROFILE|builtin|- [OPTIONS]",
	.description = "Parse the profile, resolve it for one container as moby does, warn about\n"
		       "what runc would ignore, and build the filter runc would build (so check\n"
		       "refuses what compile and run refuse). Exit 0 valid, 1 invalid (or a\n"
		       "warning under --strict), 2 usage error.",
	.opts = check_opts,
	.resolve = true,
	.operand = CLI_C_PROFILE,
};

/* Warnings are collected so --json can carry them. */
struct warnings {
	const struct cli *g;
	bool json;
	char **msgs;
	size_t total; /* every warning, printed or collected */
	size_t n;
	size_t cap;
};

static void collect_warning(void *data, const secprof_error *w)
{
	struct warnings *ws = data;
	char buf[1400];

	secprof_error_format(w, buf, sizeof(buf));
	ws->total++;
	if (!ws->json) {
		if (!ws->g->quiet)
			fprintf(stderr, "%s: warning: %s\n", ws->g->prog, buf);
		return;
	}
	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 16;
		char **m = realloc(ws->msgs, cap * sizeof(*m));
		if (!m)
			return;
		ws->msgs = m;
		ws->cap = cap;
	}
	if ((ws->msgs[ws->n] = strdup(buf)))
		ws->n++;
}

static void free_warnings(struct warnings *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->msgs[i]);
	free(ws->msgs);
}

/* ---- JSON output: the library writes it ----------------------------------- */

static int print_json(const struct cli *g, const secprof_summary *s, const struct warnings *ws)
{
	secprof_error err = { 0 };
	char *text = NULL;

	return cli_put_json(
		g, secprof_summary_json(s, (const char *const *)ws->msgs, ws->n, &text, &err),
		&text, &err);
}

/* An invalid profile under --json: still one JSON object on stdout. */
static void print_json_invalid(const struct cli *g, const secprof_error *e,
			       const struct warnings *ws)
{
	secprof_error err = { 0 };
	char *text = NULL;

	cli_put_json(g,
		     secprof_check_error_json(e, (const char *const *)ws->msgs, ws->n, &text, &err),
		     &text, &err);
}

/* ---- text output ---------------------------------------------------------- */

static void text_declared_arches(const secprof_summary *s)
{
	if (!strcmp(s->arch_source, "archMap")) {
		printf("arches:         archMap, %zu entries:", s->narches);
		for (size_t i = 0; i < s->narches; i++)
			printf(" %s", s->arches[i]);
	} else if (s->narches) {
		printf("arches:         architectures:");
		for (size_t i = 0; i < s->narches; i++)
			printf(" %s", s->arches[i]);
	} else {
		printf("arches:         none given (the native arch only)");
	}
	printf("\n");
}

static void text_resolved(const secprof_summary *s)
{
	printf("resolved for:   %s", s->arch);
	if (s->kernel_set)
		printf(", kernel %d.%d", s->kernel_major, s->kernel_minor);
	printf(", %u caps\n", s->ncaps);
	if (s->unconfined) {
		printf("  unconfined: no seccomp filter at all\n");
		return;
	}
	printf("  architectures:");
	for (size_t i = 0; i < s->narchitectures; i++)
		printf(" %s", s->architectures[i]);
	printf("%s\n", s->narchitectures ? "" : " (none: the native arch only)");
	printf("  rules:        %zu (%zu name entries, %zu distinct names)\n", s->res_rules,
	       s->res_names, s->res_distinct_names);
	for (size_t i = 0; i < s->nactions; i++)
		printf("  %-22s %zu rules, %zu names\n", s->actions[i].action, s->actions[i].rules,
		       s->actions[i].names);
	if (s->bad_actions.rules)
		printf("  %-22s %zu rules, %zu names\n", "(invalid action)", s->bad_actions.rules,
		       s->bad_actions.names);
}

static void print_text(const char *name, const secprof_summary *s, size_t warnings)
{
	printf("%s: valid\n", name);
	printf("default action: %s", s->default_action ? s->default_action : "(none)");
	if (s->has_default_errno)
		printf(" (errno %" PRIu64 ")", s->default_errno);
	printf("\n");
	text_declared_arches(s);
	printf("rules:          %zu (%zu name entries, %zu distinct names)\n", s->rules, s->names,
	       s->distinct_names);
	printf("  with args:    %zu\n", s->rules_with_args);
	printf("  conditional:  %zu on caps, %zu on arch, %zu on kernel\n", s->cap_rules,
	       s->arch_rules, s->kernel_rules);
	text_resolved(s);
	printf("warnings:       %zu\n", warnings);
}

/* ---- the command ---------------------------------------------------------- */

static int summarize_and_print(struct cli *g, const char *name, const secprof_profile *p,
			       const secprof_resolved *r, struct warnings *ws)
{
	secprof_error err = { 0 };
	secprof_summary *s = secprof_check(g->ctx, p, r, &err);
	int rc;

	if (!s) {
		rc = -(err.code ? err.code : SECPROF_E_INTERNAL);
		cli_print_error(g, &err);
		if (ws->json && cli_exit_code(rc) == EXIT_PROFILE)
			print_json_invalid(g, &err, ws);
		return cli_exit_code(rc);
	}
	/* every warning, those of the resolution included */
	if (ws->json) {
		rc = print_json(g, s, ws);
	} else {
		print_text(name, s, ws->total);
		rc = fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
	}
	secprof_summary_free(s);
	return rc;
}

int cmd_check(struct cli *g, int argc, char **argv)
{
	struct cli_resolve_args a = { 0 };
	struct warnings ws = { .g = g };
	bool *flags[] = { &ws.json };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	int rc;
	if ((rc = cli_parse_profile(g, argc, argv, cli_take_flags, flags, &a)))
		return rc == CLI_DONE ? EXIT_OK : rc;
	secprof_ctx_set_warn(g->ctx, collect_warning, &ws);
	g->last_error = &err;
	rc = cli_resolve(g, &a, &p, &r);
	g->last_error = NULL;
	if (!rc)
		rc = summarize_and_print(g, a.profile, p, r, &ws);
	else if (ws.json && rc == EXIT_PROFILE && err.code)
		print_json_invalid(g, &err, &ws);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	free_warnings(&ws);
	return rc;
}
