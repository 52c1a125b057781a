/* cmd_check.c - `secprof check`: parse, resolve for one container, warn
 * about what runc would ignore, and summarise the profile (text or --json).
 * Exit 0 valid, 1 invalid (or a warning under --strict), 2 usage. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/check.h"
#include "cli.h"

static const struct cli_opt check_opts[] = {
	{ "json", 0, 1, CLI_NOARG, NULL, "one JSON object, warnings and errors included", CLI_C_NONE, NULL,
	  false },
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
	size_t total;  /* every warning, printed or collected */
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

/* ---- JSON output ---------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *str_or_empty(const struct sp_str *s)
{
	return s->s ? s->s : "";
}

/* The arch names the profile declares: archMap keys, or the legacy list. */
static void json_declared_arches(const struct secprof_profile *p)
{
	printf(",\"archSource\":\"%s\",\"arches\":[",
	       p->narchmap ? "archMap" : p->narchitectures ? "architectures" : "none");
	for (size_t i = 0; i < p->narchmap; i++) {
		if (i)
			putchar(',');
		json_str(str_or_empty(&p->archmap[i].arch));
	}
	for (size_t i = 0; !p->narchmap && i < p->narchitectures; i++) {
		if (i)
			putchar(',');
		json_str(str_or_empty(&p->architectures[i]));
	}
	printf("]");
}

static void json_actions(const struct sp_summary *s)
{
	bool first = true;

	printf(",\"actions\":{");
	for (size_t i = 0; i < SP_ACT__COUNT; i++) {
		if (!s->actions[i].rules)
			continue;
		printf("%s\"%s\":{\"rules\":%zu,\"names\":%zu}", first ? "" : ",",
		       sp_action_str((enum sp_action)i), s->actions[i].rules, s->actions[i].names);
		first = false;
	}
	if (s->bad_actions.rules)
		printf("%s\"invalid\":{\"rules\":%zu,\"names\":%zu}", first ? "" : ",",
		       s->bad_actions.rules, s->bad_actions.names);
	printf("}");
}

static void json_resolved(const struct secprof_resolved *r, const struct sp_summary *s)
{
	printf(",\"resolved\":{\"arch\":");
	json_str(r->native->go ? r->native->go : r->native->name);
	if (r->kernel_used || r->kernel_major || r->kernel_minor)
		printf(",\"kernel\":\"%d.%d\"", r->kernel_major, r->kernel_minor);
	printf(",\"caps\":%d,\"unconfined\":%s", __builtin_popcountll(r->caps),
	       r->unconfined ? "true" : "false");
	printf(",\"architectures\":[");
	for (size_t i = 0; i < r->narchitectures; i++) {
		if (i)
			putchar(',');
		json_str(str_or_empty(r->architectures[i]));
	}
	printf("],\"rules\":%zu,\"names\":%zu,\"distinctNames\":%zu", s->res_rules, s->res_names,
	       s->res_distinct_names);
	json_actions(s);
	printf("}");
}

static void print_json(const struct secprof_profile *p, const struct secprof_resolved *r,
		       const struct sp_summary *s, const struct warnings *ws)
{
	printf("{\"valid\":true,\"defaultAction\":");
	json_str(str_or_empty(&p->default_action));
	if (p->has_default_errno)
		printf(",\"defaultErrnoRet\":%" PRIu64, p->default_errno);
	json_declared_arches(p);
	printf(",\"profile\":{\"rules\":%zu,\"names\":%zu,\"distinctNames\":%zu,"
	       "\"rulesWithArgs\":%zu,\"capRules\":%zu,\"archRules\":%zu,\"kernelRules\":%zu}",
	       s->rules, s->names, s->distinct_names, s->rules_with_args, s->cap_rules,
	       s->arch_rules, s->kernel_rules);
	json_resolved(r, s);
	printf(",\"warnings\":[");
	for (size_t i = 0; i < ws->n; i++) {
		if (i)
			putchar(',');
		json_str(ws->msgs[i]);
	}
	printf("]}\n");
}

/* An invalid profile under --json: still one JSON object on stdout. */
static void print_json_invalid(const secprof_error *e, const struct warnings *ws)
{
	char buf[1400];

	printf("{\"valid\":false,\"error\":");
	json_str(secprof_error_format(e, buf, sizeof(buf)));
	printf(",\"warnings\":[");
	for (size_t i = 0; i < ws->n; i++) {
		if (i)
			putchar(',');
		json_str(ws->msgs[i]);
	}
	printf("]}\n");
}

/* ---- text output ---------------------------------------------------------- */

static void text_declared_arches(const struct secprof_profile *p)
{
	if (p->narchmap) {
		printf("arches:         archMap, %zu entries:", p->narchmap);
		for (size_t i = 0; i < p->narchmap; i++)
			printf(" %s", str_or_empty(&p->archmap[i].arch));
	} else if (p->narchitectures) {
		printf("arches:         architectures:");
		for (size_t i = 0; i < p->narchitectures; i++)
			printf(" %s", str_or_empty(&p->architectures[i]));
	} else {
		printf("arches:         none given (the native arch only)");
	}
	printf("\n");
}

static void text_resolved(const struct secprof_resolved *r, const struct sp_summary *s)
{
	printf("resolved for:   %s", r->native->go ? r->native->go : r->native->name);
	if (r->kernel_used || r->kernel_major || r->kernel_minor)
		printf(", kernel %d.%d", r->kernel_major, r->kernel_minor);
	printf(", %d caps\n", __builtin_popcountll(r->caps));
	if (r->unconfined) {
		printf("  unconfined: no seccomp filter at all\n");
		return;
	}
	printf("  architectures:");
	for (size_t i = 0; i < r->narchitectures; i++)
		printf(" %s", str_or_empty(r->architectures[i]));
	printf("%s\n", r->narchitectures ? "" : " (none: the native arch only)");
	printf("  rules:        %zu (%zu name entries, %zu distinct names)\n", s->res_rules,
	       s->res_names, s->res_distinct_names);
	for (size_t i = 0; i < SP_ACT__COUNT; i++)
		if (s->actions[i].rules)
			printf("  %-22s %zu rules, %zu names\n", sp_action_str((enum sp_action)i),
			       s->actions[i].rules, s->actions[i].names);
	if (s->bad_actions.rules)
		printf("  %-22s %zu rules, %zu names\n", "(invalid action)", s->bad_actions.rules,
		       s->bad_actions.names);
}

static void print_text(const char *name, const struct secprof_profile *p,
		       const struct secprof_resolved *r, const struct sp_summary *s)
{
	printf("%s: valid\n", name);
	printf("default action: %s", p->default_action.s ? p->default_action.s : "(none)");
	if (p->has_default_errno)
		printf(" (errno %" PRIu64 ")", p->default_errno);
	printf("\n");
	text_declared_arches(p);
	printf("rules:          %zu (%zu name entries, %zu distinct names)\n", s->rules, s->names,
	       s->distinct_names);
	printf("  with args:    %zu\n", s->rules_with_args);
	printf("  conditional:  %zu on caps, %zu on arch, %zu on kernel\n", s->cap_rules,
	       s->arch_rules, s->kernel_rules);
	text_resolved(r, s);
	printf("warnings:       %zu\n", s->warnings);
}

/* ---- the command ---------------------------------------------------------- */

/* Build the filter runc would build and throw it away: what runc and
 * libseccomp refuse only while building (errno data over 4094, rules that
 * clash in libseccomp's tree, a tree too large) is found there, so `check`
 * refuses exactly what `compile` and `run` refuse, with the same message. */
static int refused_by_compile(struct cli *g, const secprof_profile *p, const secprof_resolved *r,
			      secprof_error *err)
{
	secprof_compile_opts co = { 0 };
	secprof_prog *prog;
	bool notify;

	if (r->unconfined)
		return 0;
	prog = secprof_compile(g->ctx, r, &co, err);
	if (!prog)
		return err->code ? -err->code : -SECPROF_E_PROFILE;
	notify = prog->needs_listener;
	secprof_prog_free(prog);
	/* runc's init hands a NOTIFY filter's fd to listenerPath and fails the
	 * container without one (libcontainer/process_linux.go, procSeccomp:
	 * "seccomp listenerPath is not set"). */
	if (notify && !(p->listener_path.s && *p->listener_path.s))
		return sp_err(err, SECPROF_E_PROFILE, p->file, &p->loc, "listenerPath",
			      "SCMP_ACT_NOTIFY rules need a listenerPath: runc refuses to start "
			      "the container (seccomp listenerPath is not set)");
	return 0;
}

static int summarize_and_print(struct cli *g, const char *name, const secprof_profile *p,
			       const secprof_resolved *r, struct warnings *ws)
{
	struct sp_summary s;
	secprof_error err = { 0 };
	size_t nwarn = 0;
	int rc;

	rc = sp_check_profile(g->ctx, p, &nwarn, &err);
	if (rc == 0)
		rc = refused_by_compile(g, p, r, &err);
	if (rc == 0)
		rc = sp_summarize(p, r, &s, &err);
	if (rc < 0) {
		cli_print_error(g, &err);
		if (ws->json && cli_exit_code(rc) == EXIT_PROFILE)
			print_json_invalid(&err, ws);
		return cli_exit_code(rc);
	}
	s.warnings = ws->total;
	if (ws->json)
		print_json(p, r, &s, ws);
	else
		print_text(name, p, r, &s);
	return fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
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
		print_json_invalid(&err, &ws);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	free_warnings(&ws);
	return rc;
}
