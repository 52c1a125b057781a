/* parse-file.c - parse one profile and print what the parser made of it.
 *
 * usage: parse-file [--strict] [--dump] FILE|-
 * stderr: warnings and the error exactly as the CLI prints them
 *         ("secprof: warning: ..." / "secprof: FILE:L:C: PATH: MSG").
 * stdout (--dump): one line per fact of the parsed profile, so the corpus
 *         can pin what a positive case decoded to (which duplicate won, ...).
 * exit: 0 valid, 1 invalid profile or limit, 3 system error (like the CLI).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secprof.h"
#include "core/util.h"
#include "core/arch.h"
#include "core/json.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

static void print_warning(void *data, const secprof_error *w)
{
	char buf[1400];
	(void)data;
	fprintf(stderr, "secprof: warning: %s\n", secprof_error_format(w, buf, sizeof(buf)));
}

static int exit_code(int code)
{
	switch (code) {
	case SECPROF_E_PROFILE:
	case SECPROF_E_LIMIT: return 1;
	case SECPROF_E_USAGE: return 2;
	default: return 3;
	}
}

static void dump_strs(const char *what, const struct sp_str *s, size_t n)
{
	printf("%s [", what);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", s[i].s ? s[i].s : "(null)");
	printf("]\n");
}

static void dump_filter(const char *what, const struct sp_filter *f)
{
	if (!f->present)
		return;
	printf("  %s:\n", what);
	dump_strs("    caps", f->caps, f->ncaps);
	dump_strs("    arches", f->arches, f->narches);
	if (f->has_min_kernel)
		printf("    minKernel %u.%u\n", f->min_kernel[0], f->min_kernel[1]);
}

static void dump(const struct secprof_profile *p)
{
	printf("form %s%s\n", p->form == SP_FORM_OCI_CONFIG ? "oci-config" : "docker",
	       p->no_seccomp ? " no-seccomp" : "");
	printf("defaultAction %s\n", p->default_action.s ? p->default_action.s : "(none)");
	if (p->has_default_errno)
		printf("defaultErrnoRet %" PRIu64 "\n", p->default_errno);
	if (p->narchitectures)
		dump_strs("architectures", p->architectures, p->narchitectures);
	if (p->nflags)
		dump_strs("flags", p->flags, p->nflags);
	if (p->listener_path.s)
		printf("listenerPath %s\n", p->listener_path.s);
	for (size_t i = 0; i < p->narchmap; i++) {
		printf("archMap %s", p->archmap[i].arch.s ? p->archmap[i].arch.s : "(none)");
		dump_strs("", p->archmap[i].subs, p->archmap[i].nsubs);
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sp_rule *r = &p->rules[i];
		printf("rule %zu %u:%u %s", i, r->loc.line, r->loc.col,
		       r->action.s ? r->action.s : "(none)");
		if (r->has_errno)
			printf(" errno=%" PRIu64, r->errno_ret);
		dump_strs("", r->names, r->nnames);
		for (size_t j = 0; j < r->nargs; j++)
			printf("  arg %" PRIu64 " %s %" PRIu64 " %" PRIu64 "\n", r->args[j].index,
			       r->args[j].op_str.s ? r->args[j].op_str.s : "(none)",
			       r->args[j].value, r->args[j].value_two);
		dump_filter("includes", &sp_rule_x(r)->includes);
		dump_filter("excludes", &sp_rule_x(r)->excludes);
	}
}

int main(int argc, char **argv)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err = { 0 };
	secprof_profile *p;
	bool want_dump = false;
	const char *file = NULL;
	char buf[1400];
	int rc = 0;

	if (!ctx)
		return 3;
	secprof_ctx_set_warn(ctx, print_warning, NULL);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--strict"))
			secprof_ctx_set_strict(ctx, true);
		else if (!strcmp(argv[i], "--dump"))
			want_dump = true;
		else
			file = argv[i];
	}
	if (!file) {
		fprintf(stderr, "usage: parse-file [--strict] [--dump] FILE|builtin\n");
		secprof_ctx_free(ctx);
		return 2;
	}
	if (!strcmp(file, "builtin"))
		p = secprof_profile_builtin(ctx, &err);
	else
		p = secprof_profile_load_file(ctx, file, &err);
	if (!p) {
		fprintf(stderr, "secprof: %s\n", secprof_error_format(&err, buf, sizeof(buf)));
		rc = exit_code(err.code);
	} else if (want_dump) {
		dump(p);
	}
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
	return rc;
}
