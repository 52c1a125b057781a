/* common.c - option parsing and error printing shared by the commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_print_error(const struct cli *g, const secprof_error *e)
{
	char buf[1400];
	fprintf(stderr, "%s: %s\n", g->prog, secprof_error_format(e, buf, sizeof(buf)));
	if (g->last_error)
		*g->last_error = *e;
}

void cli_usage_error(const struct cli *g, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", g->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_code(int rc)
{
	switch (-rc) {
	case 0: return EXIT_OK;
	case SECPROF_E_PROFILE:
	case SECPROF_E_LIMIT: return EXIT_PROFILE;
	case SECPROF_E_USAGE: return EXIT_USAGE;
	default: return EXIT_SYSTEM;
	}
}

static const char *need_value(const struct cli *g, int *i, int argc, char **argv)
{
	if (*i + 1 >= argc) {
		cli_usage_error(g, "option '%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static bool parse_kernel(const char *s, int *major, int *minor)
{
	char *end;
	long a = strtol(s, &end, 10), b;
	if (end == s || *end != '.' || a < 0 || a > 255)
		return false;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || *end || b < 0 || b > 255)
		return false;
	*major = (int)a;
	*minor = (int)b;
	return true;
}

int cli_resolve_opt(struct cli_resolve_args *a, int *i, int argc, char **argv)
{
	static const struct cli dummy = { .prog = "secprof" };
	const char *arg = argv[*i], *v;

	if (!strcmp(arg, "--privileged")) {
		a->privileged = true;
		return 1;
	}
	if (strcmp(arg, "--arch") && strcmp(arg, "--kernel") && strcmp(arg, "--cap-add") &&
	    strcmp(arg, "--cap-drop"))
		return 0;
	if (!(v = need_value(&dummy, i, argc, argv)))
		return -1;
	if (!strcmp(arg, "--arch")) {
		a->arch = v;
	} else if (!strcmp(arg, "--kernel")) {
		if (!parse_kernel(v, &a->kernel_major, &a->kernel_minor) ||
		    (a->kernel_major == 0 && a->kernel_minor == 0)) {
			cli_usage_error(&dummy, "--kernel takes MAJOR.MINOR, e.g. 6.1 (got '%s')", v);
			return -1;
		}
	} else {
		bool add = !strcmp(arg, "--cap-add");
		size_t *n = add ? &a->nadd : &a->ndrop;
		if (*n >= CLI_MAX_CAPS) {
			cli_usage_error(&dummy, "too many %s options", arg);
			return -1;
		}
		(add ? a->cap_add : a->cap_drop)[(*n)++] = v;
	}
	return 1;
}

int cli_load_profile(struct cli *g, const char *name, secprof_profile **out)
{
	secprof_error err = { 0 };
	secprof_profile *p;

	if (!strcmp(name, "builtin"))
		p = secprof_profile_builtin(g->ctx, &err);
	else /* a regular file, or "-" for standard input (secprof_read_file) */
		p = secprof_profile_load_file(g->ctx, name, &err);
	if (!p) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	*out = p;
	return 0;
}

int cli_resolve(struct cli *g, const struct cli_resolve_args *a, secprof_profile **p,
		secprof_resolved **r)
{
	secprof_error err = { 0 };
	secprof_resolve_opts o = { .arch = a->arch,
				   .kernel_major = a->kernel_major,
				   .kernel_minor = a->kernel_minor };
	int rc;

	if ((rc = cli_load_profile(g, a->profile, p)))
		return rc;
	rc = secprof_caps_tweak(a->cap_add, a->nadd, a->cap_drop, a->ndrop, a->privileged,
				secprof_caps_all(), &o.caps, &err);
	if (rc < 0)
		goto fail;
	*r = secprof_resolve(g->ctx, *p, &o, &err);
	if (!*r) {
		rc = -err.code;
		goto fail;
	}
	return 0;
fail:
	cli_print_error(g, &err);
	secprof_profile_free(*p);
	*p = NULL;
	return cli_exit_code(rc);
}

int cli_profile_args(struct cli *g, const char *verb, const char *usage, int argc, char **argv,
		     struct cli_resolve_args *a, const struct cli_flag *flags)
{
	for (int i = 1; i < argc; i++) {
		const struct cli_flag *f;
		int r = cli_resolve_opt(a, &i, argc, argv);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		for (f = flags; f && f->name && strcmp(argv[i], f->name); f++)
			;
		if (f && f->name) {
			*f->set = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", usage);
			return -1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_usage_error(g, "%s: unknown option '%s'\n%s", verb, argv[i], usage);
			return EXIT_USAGE;
		} else if (a->profile) {
			cli_usage_error(g, "%s: only one profile, got '%s' and '%s'", verb, a->profile,
					argv[i]);
			return EXIT_USAGE;
		} else {
			a->profile = argv[i];
		}
	}
	if (!a->profile) {
		cli_usage_error(g, "%s: no profile given\n%s", verb, usage);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_json_flag_only(struct cli *g, const char *verb, int argc, char **argv, bool *json)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json")) {
			cli_usage_error(g, "%s: unknown argument '%s' (usage: secprof %s [--json])", verb,
					argv[i], verb);
			return EXIT_USAGE;
		}
		*json = true;
	}
	return 0;
}

/* Read a raw BPF program (a struct sock_filter array, native endian) from
 * PATH or "-" (stdin): a regular file of at most BPF_MAXINSNS (4096)
 * instructions, through the library's one reader. */
int cli_read_bpf(struct cli *g, const char *path, secprof_insn **insns, size_t *len)
{
	secprof_error err = { 0 };
	char *data = NULL;
	size_t n = 0;

	if (secprof_read_file(path, 4096 * sizeof(**insns), "a BPF program (4096 instructions)", &data, &n,
			      &err) < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	if (n % sizeof(**insns)) {
		fprintf(stderr, "%s: %s: %zu bytes is not a whole number of 8-byte instructions\n",
			g->prog, path, n);
		free(data);
		return EXIT_PROFILE;
	}
	*insns = (secprof_insn *)(void *)data; /* malloc'ed: aligned for any type */
	*len = n / sizeof(**insns);
	return 0;
}
