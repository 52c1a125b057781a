/* opt.c - the one option parser of the CLI (getopt_long over each command's
 * table in struct cli_spec), the --help, man page and completion writers
 * that read the same tables, and the readers of the values options take:
 * architectures, kernel releases, numbers. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#ifndef SECPROF_VERSION
#define SECPROF_VERSION "unknown"
#endif

#define MAX_OPTS 64

/* ---- the option tables ---------------------------------------------------- */

/* How a container is resolved: the options of moby's GetDefaultProfile /
 * setupSeccomp inputs (arch, kernel, capabilities) that `docker run` and
 * the daemon's host would fix. */
static const struct cli_opt resolve_opts[] = {
	{ "arch", 0, CLI_ID_ARCH, CLI_ARG, "ARCH",
	  "the container's architecture, any spelling: amd64,\n"
	  "x86_64, SCMP_ARCH_X86_64, 386, i686, arm64, aarch64,\n"
	  "armv7l, ... (default: this machine)",
	  CLI_C_ARCH, NULL, false },
	{ "kernel", 0, CLI_ID_KERNEL, CLI_ARG, "RELEASE",
	  "the host kernel for minKernel, as uname -r prints it:\n"
	  "6.1, 5.15.0-91-generic (default: the running kernel)",
	  CLI_C_NONE, NULL, false },
	{ "cap-add", 0, CLI_ID_CAP_ADD, CLI_ARG, "CAP",
	  "add a capability, as docker run --cap-add (repeatable)", CLI_C_CAP, NULL, false },
	{ "cap-drop", 0, CLI_ID_CAP_DROP, CLI_ARG, "CAP",
	  "drop a capability, as docker run --cap-drop (repeatable)", CLI_C_CAP, NULL, false },
	{ "privileged", 0, CLI_ID_PRIVILEGED, CLI_NOARG, NULL,
	  "every capability, as docker run --privileged", CLI_C_NONE, NULL, false },
	{ 0 },
};

/* How the program is compiled, the same rows for every command that
 * compiles one (secprof_compile_opts). */
static const struct cli_opt compile_opts[] = {
	{ "no-enosys", 0, CLI_ID_NO_ENOSYS, CLI_NOARG, NULL,
	  "compile without ENOSYS for numbers above the profile's\n"
	  "highest (crun's filter)",
	  CLI_C_NONE, NULL, false },
	{ "exact-libseccomp", 0, CLI_ID_EXACT, CLI_NOARG, NULL,
	  "compile as libseccomp (runc, Docker) does: all 64 bits of\n"
	  "arguments the kernel reads as 32-bit types compared too",
	  CLI_C_NONE, NULL, false },
	{ "newer-syscalls", 0, CLI_ID_NEWER, CLI_NOARG, NULL,
	  "compile names libseccomp 2.5.4 (Debian 12's runc) does not\n"
	  "know (mseal, listmount...) as the profile says; by default\n"
	  "they are skipped, as that runc skips them",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

static const struct cli_opt global_opts[] = {
	{ "quiet", 'q', CLI_ID_QUIET, CLI_NOARG, NULL, "no warnings on stderr", CLI_C_NONE, NULL,
	  false },
	{ "strict", 0, CLI_ID_STRICT, CLI_NOARG, NULL, "treat warnings as errors (exit 1)",
	  CLI_C_NONE, NULL, false },
	{ "help", 'h', CLI_ID_HELP, CLI_NOARG, NULL, "print this help and exit", CLI_C_NONE, NULL,
	  false },
	{ "version", 0, CLI_ID_VERSION, CLI_NOARG, NULL, "print the version and exit", CLI_C_NONE,
	  NULL, false },
	{ 0 },
};

/* The options one command accepts: its own, the resolve options, then the
 * global ones. A short name already taken (run's -h, docker run's
 * --hostname) is dropped from the later entry. */
struct optset {
	const struct cli_opt *o[MAX_OPTS];
	char shortopt[MAX_OPTS];
	size_t n;
};

static void add_opts(struct optset *s, const struct cli_opt *t)
{
	for (; t && t->name && s->n < MAX_OPTS; t++) {
		char c = t->shortopt;
		for (size_t i = 0; c && i < s->n; i++)
			if (s->shortopt[i] == c)
				c = 0;
		s->o[s->n] = t;
		s->shortopt[s->n++] = c;
	}
}

static void collect(struct optset *s, const struct cli_spec *spec)
{
	s->n = 0;
	if (spec) {
		add_opts(s, spec->opts);
		if (spec->resolve)
			add_opts(s, resolve_opts);
		if (spec->compile)
			add_opts(s, compile_opts);
	}
	add_opts(s, global_opts);
}

/* ---- small helpers --------------------------------------------------------- */

static const char *cmd_name(const struct cli *g)
{
	return g->cmd ? g->cmd->name : NULL;
}

int cli_usage_exit(const struct cli *g)
{
	return g->cmd && g->cmd->spec && g->cmd->spec->usage_exit ? g->cmd->spec->usage_exit
								  : EXIT_USAGE;
}

int cli_bad_usage(const struct cli *g, const char *fmt, ...)
{
	const char *c = cmd_name(g);
	va_list ap;

	fprintf(stderr, "%s: ", g->prog);
	if (c)
		fprintf(stderr, "%s: ", c);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s%s%s --help')\n", g->prog, c ? " " : "", c ? c : "");
	return cli_usage_exit(g);
}

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions, the usual typo), case-insensitive, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *cli_nearest(const char *s, const char *const *words, size_t n)
{
	/* One edit for short words, two from 5 characters on: more than that
	 * suggests unrelated words ("vax" is not a typo of "x86"). */
	size_t limit = strlen(s) >= 5 ? 2 : 1, best = (size_t)-1;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, words[i]);
		if (d < best) {
			best = d;
			pick = words[i];
		}
	}
	return best <= limit ? pick : NULL;
}

/* ---- architectures ---------------------------------------------------------- */

/* Every spelling secprof_arch_lookup accepts, for suggestions and
 * completions; returns the count written (at most max). */
static size_t arch_spellings(const char **out, size_t max)
{
	size_t n = secprof_arch_spellings(out, max);

	return n < max ? n : max;
}

const secprof_arch *cli_arch(const struct cli *g, const char *s)
{
	const secprof_arch *a = secprof_arch_lookup(s);
	const char *words[128];
	const char *near;

	if (a)
		return a;
	near = cli_nearest(s, words, arch_spellings(words, 128));
	if (near)
		cli_usage_error(
			g, "unknown arch '%s'; did you mean '%s'? (see '%s syscalls --arches')", s,
			near, g->prog);
	else
		cli_usage_error(g, "unknown arch '%s' (see '%s syscalls --arches')", s, g->prog);
	return NULL;
}

/* ---- numbers and kernel releases ---------------------------------------------- */

bool cli_number(const char *s, uint64_t max, uint64_t *out, const char **rest)
{
	bool hex = !rest && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	char *end;
	unsigned long long v;

	/* strtoull alone would take a sign, spaces and "0x" in decimal mode */
	if (!(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
		return false;
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno || v > max || (rest ? false : *end != '\0'))
		return false;
	if (rest)
		*rest = end;
	*out = v;
	return true;
}

bool cli_kernel(const char *s, int *major, int *minor)
{
	uint64_t a, b = 0;
	const char *p;

	/* The 255 limit is minKernel's (moby ParseUint(.., 10, 8)); a release
	 * above it could never be compared with one. */
	if (!cli_number(s, 255, &a, &p))
		return false;
	if (*p == '.') {
		if (!cli_number(p + 1, 255, &b, &p))
			return false;
	} else if (*p) {
		return false;
	}
	/* What follows X.Y ("-91-generic", ".0-rc3") is ignored, as Sscanf does. */
	if (a == 0 && b == 0)
		return false;
	*major = (int)a;
	*minor = (int)b;
	return true;
}

/* ---- the resolve options -------------------------------------------------- */

static int take_resolve(struct cli *g, struct cli_resolve_args *a, int id, const char *v)
{
	switch (id) {
	case CLI_ID_PRIVILEGED: a->privileged = true; return 0;
	case CLI_ID_NO_ENOSYS: a->compile.no_enosys = true; return 0;
	case CLI_ID_EXACT: a->compile.exact_libseccomp = true; return 0;
	case CLI_ID_NEWER: a->compile.newer_syscalls = true; return 0;
	case CLI_ID_ARCH: {
		secprof_arch_info info;
		if (!(a->arch_p = cli_arch(g, v)))
			return cli_usage_exit(g);
		secprof_arch_get_info(a->arch_p, &info);
		/* secprof_resolve takes moby's native string; arches without one
		 * (x32, big-endian mips, parisc, m68k, sh) are no container's. */
		if (!info.go) {
			cli_usage_error(
				g, "arch '%s' (%s) has no GOARCH: Docker runs no container as it",
				v, info.name);
			return cli_usage_exit(g);
		}
		a->arch = info.go;
		return 0;
	}
	case CLI_ID_KERNEL:
		if (!cli_kernel(v, &a->kernel_major, &a->kernel_minor)) {
			cli_usage_error(
				g,
				"--kernel takes a release as uname -r prints it, e.g. 6.1 or "
				"5.15.0-91-generic (got '%s')",
				v);
			return cli_usage_exit(g);
		}
		return 0;
	default: {
		bool add = id == CLI_ID_CAP_ADD;
		size_t *n = add ? &a->nadd : &a->ndrop;
		if (*n >= CLI_MAX_CAPS) {
			cli_usage_error(g, "too many --%s options", add ? "cap-add" : "cap-drop");
			return cli_usage_exit(g);
		}
		(add ? a->cap_add : a->cap_drop)[(*n)++] = v;
		return 0;
	}
	}
}

/* ---- the parser ------------------------------------------------------------ */

static const struct cli_opt *by_short(const struct optset *s, int c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->shortopt[i] && s->shortopt[i] == c)
			return s->o[i];
	return NULL;
}

static int unknown_option(struct cli *g, const struct optset *s, const char *arg)
{
	const char *words[MAX_OPTS];
	const char *near;
	char name[64];
	size_t n = 0;

	if (arg[0] == '-' && arg[1] == '-') {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
		for (size_t i = 0; i < s->n; i++)
			if (!s->o[i]->hidden)
				words[n++] = s->o[i]->name;
		if ((near = cli_nearest(name, words, n)))
			return cli_bad_usage(g, "unknown option '%s'; did you mean '--%s'?", arg,
					     near);
	}
	return cli_bad_usage(g, "unknown option '%s'", arg);
}

int cli_parse(struct cli *g, int argc, char **argv, cli_take_fn take, void *data,
	      struct cli_resolve_args *r, int *first)
{
	const struct cli_spec *spec = g->cmd ? g->cmd->spec : NULL;
	struct optset s;
	struct option lo[MAX_OPTS + 1];
	char so[3 * MAX_OPTS + 3];
	size_t k = 0;
	int c, rc;

	collect(&s, spec);
	/* '+': stop at the first operand (run: the command's own options
	 * follow); ':': report a missing value as ':' */
	if (!g->cmd || (spec && spec->in_order))
		so[k++] = '+';
	so[k++] = ':';
	for (size_t i = 0; i < s.n; i++) {
		const struct cli_opt *o = s.o[i];
		lo[i] = (struct option){ o->name,
					 o->arg == CLI_ARG      ? required_argument
					 : o->arg == CLI_OPTARG ? optional_argument
								: no_argument,
					 NULL, 256 + (int)i };
		if (s.shortopt[i]) {
			so[k++] = s.shortopt[i];
			if (o->arg != CLI_NOARG)
				so[k++] = ':';
			if (o->arg == CLI_OPTARG)
				so[k++] = ':';
		}
	}
	lo[s.n] = (struct option){ 0 };
	so[k] = '\0';

	opterr = 0;
	optind = 0; /* GNU: start over, also after main's own pass */
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const struct cli_opt *o;
		if (c == '?' || c == ':') {
			const char *arg = argv[optind - 1];
			o = optopt >= 256 ? s.o[optopt - 256]
			    : optopt      ? by_short(&s, optopt)
					  : NULL;
			if (c == ':' && o) {
				/* a short option by its letter: after one whose
				 * value is missing at the end, musl leaves optind
				 * past argc (src/misc/getopt.c), and the word may
				 * be a cluster ("-qo") */
				char sh[3] = { '-', (char)optopt, 0 };
				return cli_bad_usage(g, "option '%s' needs a value",
						     optopt < 256 ? sh : arg);
			}
			if (o && o->arg == CLI_NOARG && optopt >= 256)
				return cli_bad_usage(g, "option '--%s' takes no value", o->name);
			if (optopt && optopt < 256) {
				char sh[3] = { '-', (char)optopt, 0 };
				return unknown_option(g, &s, sh);
			}
			return unknown_option(g, &s, arg);
		}
		o = c >= 256 ? s.o[c - 256] : by_short(&s, c);
		if (!o)
			return cli_bad_usage(g, "internal error: option %d", c);
		/* getopt_long takes any unique prefix ("--priv"); docker run's
		 * parser (pflag) does not, and a prefix today may be ambiguous
		 * tomorrow: only whole names. The option's own word is the last
		 * one consumed, or the one before a separate value. */
		if (c >= 256) {
			const char *word = argv[optind - 1];
			if (optarg && optarg == argv[optind - 1] && optind >= 2)
				word = argv[optind - 2];
			if (strncmp(word, "--", 2) || strlen(o->name) != strcspn(word + 2, "=") ||
			    strncmp(word + 2, o->name, strlen(o->name)))
				return unknown_option(g, &s, word);
		}
		switch (o->id) {
		case CLI_ID_QUIET: g->quiet = true; break;
		case CLI_ID_STRICT:
			g->strict = true;
			if (g->ctx)
				secprof_ctx_set_strict(g->ctx, true);
			break;
		case CLI_ID_HELP: cli_print_help(stdout, g->cmd); return CLI_DONE;
		case CLI_ID_VERSION: printf("secprof %s\n", SECPROF_VERSION); return CLI_DONE;
		case CLI_ID_ARCH:
		case CLI_ID_KERNEL:
		case CLI_ID_CAP_ADD:
		case CLI_ID_CAP_DROP:
		case CLI_ID_PRIVILEGED:
		case CLI_ID_NO_ENOSYS:
		case CLI_ID_EXACT:
		case CLI_ID_NEWER:
			if (r && (rc = take_resolve(g, r, o->id, optarg)))
				return rc;
			break;
		default:
			if (take && (rc = take(g, data, o->id, optarg)))
				return rc;
			break;
		}
	}
	*first = optind;
	return 0;
}

/* ---- --help ----------------------------------------------------------------- */

/* "-o, --output FILE" / "    --json" */
static void opt_label(char *buf, size_t len, const struct cli_opt *o, char shortopt)
{
	char sh[5] = "    ";

	if (shortopt)
		snprintf(sh, sizeof(sh), "-%c, ", shortopt);
	snprintf(buf, len, "%s--%s%s%s%s", sh, o->name,
		 o->arg == CLI_OPTARG ? "[="
		 : o->arg == CLI_ARG  ? " "
				      : "",
		 o->meta ? o->meta : "", o->arg == CLI_OPTARG ? "]" : "");
}

static void help_block(FILE *f, const char *title, const struct optset *s, const struct cli_opt *t)
{
	bool any = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct cli_opt *o = s->o[i];
		char label[80];
		const char *h;
		bool in = false;

		for (const struct cli_opt *x = t; x && x->name; x++)
			in |= x == o;
		if (!in || o->hidden)
			continue;
		if (!any)
			fprintf(f, "\n%s:\n", title);
		any = true;
		opt_label(label, sizeof(label), o, s->shortopt[i]);
		fprintf(f, "  %-26s", label);
		if (strlen(label) > 26)
			fprintf(f, "\n  %26s", "");
		for (h = o->help; *h; h++) {
			fputc(*h, f);
			if (*h == '\n')
				fprintf(f, "  %26s", "");
		}
		fputc('\n', f);
	}
}

void cli_print_help(FILE *f, const struct cli_command *c)
{
	struct optset s;

	if (!c) {
		fprintf(f,
			"usage: secprof [OPTIONS] COMMAND [ARGS]\n"
			"       secprof help COMMAND | secprof COMMAND --help\n\n"
			"Read Docker seccomp profiles, resolve them as moby does, compile them to\n"
			"the BPF program runc loads, and run commands under them.\n\ncommands:\n");
		for (size_t i = 0; i < cli_ncommands; i++)
			fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].help);
		collect(&s, NULL);
		help_block(f, "options (also after the command)", &s, global_opts);
		fprintf(f, "\nexit status: 0 ok, 1 invalid profile, 2 usage error, 3 system error\n"
			   "(run: the command's status, 125 when secprof fails)\n");
		return;
	}
	if (!c->spec) {
		fprintf(f, "usage: secprof %s\n", c->help);
		return;
	}
	fprintf(f, "usage: secprof %s %s\n%s\n", c->name, c->spec->synopsis, c->help);
	if (c->spec->description)
		fprintf(f, "\n%s\n", c->spec->description);
	collect(&s, c->spec);
	help_block(f, "options", &s, c->spec->opts);
	if (c->spec->resolve)
		help_block(f, "resolve options", &s, resolve_opts);
	if (c->spec->compile)
		help_block(f, "compile options", &s, compile_opts);
	help_block(f, "global options", &s, global_opts);
}

/* ---- man pages ---------------------------------------------------------------- */

/* Text for roff: backslashes and hyphens escaped, and no line starting
 * with '.' or '\'' (a request). */
static void roff(FILE *f, const char *s)
{
	bool bol = true;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
		bol = *s == '\n';
	}
}

static void man_block(FILE *f, const char *title, const struct optset *s, const struct cli_opt *t)
{
	bool any = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct cli_opt *o = s->o[i];
		bool in = false;

		for (const struct cli_opt *x = t; x && x->name; x++)
			in |= x == o;
		if (!in || o->hidden)
			continue;
		if (!any)
			fprintf(f, ".SH \"%s\"\n", title);
		any = true;
		fputs(".TP\n", f);
		if (s->shortopt[i])
			fprintf(f, "\\fB\\-%c\\fR, ", s->shortopt[i]);
		fputs("\\fB\\-\\-", f);
		roff(f, o->name);
		fputs("\\fR", f);
		if (o->arg == CLI_ARG) {
			fputs(" \\fI", f);
			roff(f, o->meta);
			fputs("\\fR", f);
		} else if (o->arg == CLI_OPTARG) {
			fputs("[=\\fI", f);
			roff(f, o->meta);
			fputs("\\fR]", f);
		}
		fputs("\n", f);
		roff(f, o->help);
		fputs("\n", f);
	}
}

static void man_paragraphs(FILE *f, const char *text)
{
	/* Lines that start with blanks are kept as they are (tables, examples). */
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (!line[0])
			fputs(".PP\n", f);
		else if (line[0] == ' ') {
			fputs(".nf\n", f);
			roff(f, line);
			fputs("\n.fi\n", f);
		} else {
			roff(f, line);
			fputc('\n', f);
		}
		p += n + (p[n] == '\n');
	}
}

static void upper(char *dst, size_t len, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < len; i++)
		dst[i] = (char)toupper((unsigned char)s[i]);
	dst[i] = '\0';
}

void cli_print_man(FILE *f, const struct cli_command *c)
{
	static const char exit_status[] =
		"0 on success; 1 when the profile is invalid (or, with \\-\\-strict, has warnings); "
		"2 on a usage error; 3 on a system error.\n";
	struct optset s;
	char up[64];

	if (!c) {
		fprintf(f, ".TH SECPROF 1 \"\" \"secprof %s\" \"User Commands\"\n.nh\n",
			SECPROF_VERSION);
		fputs(".SH NAME\nsecprof \\- Docker seccomp profiles: resolve, compile to BPF, run under them\n"
		      ".SH SYNOPSIS\n\\fBsecprof\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n.br\n"
		      "\\fBsecprof help\\fR \\fICOMMAND\\fR\n"
		      ".SH DESCRIPTION\nsecprof reads Docker seccomp profiles, resolves them for a container "
		      "as moby does, compiles them to the classic BPF program runc and libseccomp load, "
		      "and runs commands under them as docker run would.\n"
		      "Options may come before or after the command.\n.SH COMMANDS\n",
		      f);
		for (size_t i = 0; i < cli_ncommands; i++) {
			fprintf(f, ".TP\n\\fB%s\\fR\n", cli_commands[i].name);
			roff(f, cli_commands[i].help);
			fprintf(f, "; see \\fBsecprof\\-%s\\fR(1).\n", cli_commands[i].name);
		}
		collect(&s, NULL);
		man_block(f, "OPTIONS", &s, global_opts);
		fputs(".SH ARCHITECTURES\nWherever an architecture is taken, any of its spellings is: "
		      "libseccomp's name (x86_64, x86, x32, aarch64), SCMP_ARCH_*, Docker's GOARCH "
		      "(amd64, 386, arm64, mips64le), or uname \\-m / Debian names (i686, armv7l, ppc64el). "
		      "\\fBsecprof syscalls \\-\\-arches\\fR lists them.\n",
		      f);
		fprintf(f, ".SH \"EXIT STATUS\"\n%s", exit_status);
		fputs(".B secprof run\nexits with the command's status, and 125 when secprof itself fails.\n",
		      f);
		fputs(".SH \"SEE ALSO\"\n", f);
		for (size_t i = 0; i < cli_ncommands; i++)
			fprintf(f, "\\fBsecprof\\-%s\\fR(1)%s\n", cli_commands[i].name,
				i + 1 < cli_ncommands ? "," : "");
		return;
	}
	upper(up, sizeof(up), c->name);
	/* .nh: no hyphens inside option and page names */
	fprintf(f, ".TH SECPROF\\-%s 1 \"\" \"secprof %s\" \"User Commands\"\n.nh\n", up,
		SECPROF_VERSION);
	fprintf(f, ".SH NAME\nsecprof\\-%s \\- ", c->name);
	roff(f, c->help);
	fputs("\n.SH SYNOPSIS\n", f);
	if (!c->spec) {
		fputs("\\fBsecprof\\fR ", f);
		roff(f, c->help);
		fputs("\n.SH \"SEE ALSO\"\n\\fBsecprof\\fR(1)\n", f);
		return;
	}
	fprintf(f, "\\fBsecprof %s\\fR ", c->name);
	roff(f, c->spec->synopsis);
	fputs("\n.SH DESCRIPTION\n", f);
	if (c->spec->description) {
		man_paragraphs(f, c->spec->description);
	} else {
		roff(f, c->help);
		fputs(".\n", f);
	}
	collect(&s, c->spec);
	man_block(f, "OPTIONS", &s, c->spec->opts);
	if (c->spec->resolve)
		man_block(f, "RESOLVE OPTIONS", &s, resolve_opts);
	if (c->spec->compile)
		man_block(f, "COMPILE OPTIONS", &s, compile_opts);
	man_block(f, "GLOBAL OPTIONS", &s, global_opts);
	if (c->spec->usage_exit && c->spec->usage_exit != EXIT_USAGE)
		fprintf(f,
			".SH \"EXIT STATUS\"\nThe command's own status; %d when secprof fails "
			"(a usage error included), as docker run.\n",
			c->spec->usage_exit);
	else
		fprintf(f, ".SH \"EXIT STATUS\"\n%s", exit_status);
	fputs(".SH \"SEE ALSO\"\n\\fBsecprof\\fR(1)\n", f);
}

/* ---- completions -------------------------------------------------------------- */

static void word_list(FILE *f, enum cli_complete what, const char *words)
{
	if (what == CLI_C_ARCH) {
		const char *w[128];
		size_t n = arch_spellings(w, 128);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? " " : "", w[i]);
	} else if (what == CLI_C_CAP) {
		fputs("ALL", f);
		for (int i = 0; i < 64; i++)
			if (secprof_cap_name(i))
				fprintf(f, " %s", secprof_cap_name(i));
	} else if (what == CLI_C_WORDS && words) {
		fputs(words, f);
	} else if (what == CLI_C_PROFILE) {
		fputs("builtin -", f);
	}
}

/* The bash action for a value: a compgen command line or a function. */
static void bash_value(FILE *f, enum cli_complete what, const char *words)
{
	switch (what) {
	case CLI_C_FILE: fputs("COMPREPLY=($(compgen -f -- \"$cur\"))", f); break;
	case CLI_C_DIR: fputs("COMPREPLY=($(compgen -d -- \"$cur\"))", f); break;
	case CLI_C_PROFILE:
		fputs("COMPREPLY=($(compgen -W 'builtin' -- \"$cur\") $(compgen -f -- \"$cur\"))",
		      f);
		break;
	case CLI_C_ARCH:
	case CLI_C_CAP:
	case CLI_C_WORDS:
		fputs("COMPREPLY=($(compgen -W '", f);
		word_list(f, what, words);
		fputs("' -- \"$cur\"))", f);
		break;
	case CLI_C_COMMAND: fputs("COMPREPLY=($(compgen -c -- \"$cur\"))", f); break;
	default: fputs("COMPREPLY=()", f); break;
	}
}

static void completion_bash(FILE *f)
{
	fputs("# bash completion for secprof; generated by `secprof --completion bash`.\n"
	      "_secprof() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w\n"
	      "\t(( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\t# --opt=value: bash splits at '=' (COMP_WORDBREAKS)\n"
	      "\tif [[ $cur == = ]]; then cur=; fi\n"
	      "\tif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
	      "\tif [[ $cur == --*=* ]]; then prev=${cur%%=*}; cur=${cur#*=}; fi\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\tif [[ $w != -* && $w != = && ${COMP_WORDS[i-1]} != = ]]; then cmd=$w; break; fi\n"
	      "\tdone\n"
	      "\tcase $cmd in\n",
	      f);
	fputs("\t''|help)\n\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '", f);
	for (const struct cli_opt *o = global_opts; o->name; o++) {
		fprintf(f, "%s--%s", o == global_opts ? "" : " ", o->name);
		if (o->shortopt)
			fprintf(f, " -%c", o->shortopt);
	}
	fputs("' -- \"$cur\"))\n\t\telse\n\t\t\tCOMPREPLY=($(compgen -W '", f);
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(f, "%s ", cli_commands[i].name);
	fputs("help' -- \"$cur\"))\n\t\tfi\n\t\treturn ;;\n", f);
	for (size_t c = 0; c < cli_ncommands; c++) {
		const struct cli_command *cmd = &cli_commands[c];
		struct optset s;

		collect(&s, cmd->spec);
		fprintf(f, "\t%s)\n\t\tcase $prev in\n", cmd->name);
		for (size_t i = 0; i < s.n; i++) {
			const struct cli_opt *o = s.o[i];
			if (o->arg != CLI_ARG)
				continue;
			fprintf(f, "\t\t--%s", o->name);
			if (s.shortopt[i])
				fprintf(f, "|-%c", s.shortopt[i]);
			fputs(") ", f);
			bash_value(f, o->complete, o->words);
			fputs("; return ;;\n", f);
		}
		fputs("\t\tesac\n\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '",
		      f);
		for (size_t i = 0; i < s.n; i++) {
			const struct cli_opt *o = s.o[i];
			fprintf(f, "%s--%s%s", i ? " " : "", o->name,
				o->arg == CLI_OPTARG ? "=" : "");
			if (s.shortopt[i])
				fprintf(f, " -%c", s.shortopt[i]);
		}
		fputs("' -- \"$cur\"))\n\t\telse\n\t\t\t", f);
		bash_value(f, cmd->spec ? cmd->spec->operand : CLI_C_FILE, NULL);
		fputs("\n\t\tfi ;;\n", f);
	}
	fputs("\tesac\n}\ncomplete -F _secprof secprof\n", f);
}

/* Text inside a zsh _arguments '...[help]' spec: no quotes, brackets or
 * colons, first line only. */
static void zsh_text(FILE *f, const char *s)
{
	for (; *s && *s != '\n'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static void zsh_action(FILE *f, enum cli_complete what, const char *words)
{
	switch (what) {
	case CLI_C_FILE: fputs("_files", f); break;
	case CLI_C_DIR: fputs("_files -/", f); break;
	case CLI_C_PROFILE: fputs("{_files; compadd builtin}", f); break;
	case CLI_C_COMMAND: fputs("_command_names -e", f); break;
	case CLI_C_ARCH:
	case CLI_C_CAP:
	case CLI_C_WORDS:
		fputs("(", f);
		word_list(f, what, words);
		fputs(")", f);
		break;
	default: fputs(" ", f); break;
	}
}

static void completion_zsh(FILE *f)
{
	fputs("#compdef secprof\n# zsh completion for secprof; generated by `secprof --completion zsh`.\n"
	      "_secprof() {\n\tlocal curcontext=$curcontext state line\n\tlocal -a commands\n"
	      "\tcommands=(\n",
	      f);
	for (size_t i = 0; i < cli_ncommands; i++) {
		fprintf(f, "\t\t'%s:", cli_commands[i].name);
		zsh_text(f, cli_commands[i].help);
		fputs("'\n", f);
	}
	fputs("\t\t'help:print the help of a command'\n\t)\n\t_arguments -C \\\n", f);
	for (const struct cli_opt *o = global_opts; o->name; o++) {
		fputs("\t\t'", f);
		if (o->shortopt)
			fprintf(f, "(-%c --%s)'{-%c,--%s}'", o->shortopt, o->name, o->shortopt,
				o->name);
		else
			fprintf(f, "--%s", o->name);
		fputs("[", f);
		zsh_text(f, o->help);
		fputs("]' \\\n", f);
	}
	fputs("\t\t'1:command:->command' \\\n\t\t'*::argument:->argument'\n"
	      "\tcase $state in\n\tcommand) _describe -t commands command commands ;;\n"
	      "\targument)\n\t\tcase $words[1] in\n\t\thelp) _describe -t commands command commands ;;\n",
	      f);
	for (size_t c = 0; c < cli_ncommands; c++) {
		const struct cli_command *cmd = &cli_commands[c];
		struct optset s;

		collect(&s, cmd->spec);
		fprintf(f, "\t\t%s)\n\t\t\t_arguments%s \\\n", cmd->name,
			cmd->spec && cmd->spec->in_order ? " -S -A '-*'" : "");
		for (size_t i = 0; i < s.n; i++) {
			const struct cli_opt *o = s.o[i];
			const char *eq = o->arg == CLI_ARG ? "=" : o->arg == CLI_OPTARG ? "=-" : "";
			/* zsh offers an option once unless it may repeat */
			bool rep = strstr(o->help, "(repeatable)") != NULL;
			fputs("\t\t\t\t'", f);
			if (o->arg == CLI_ARG && rep)
				fputs("*", f);
			if (s.shortopt[i])
				fprintf(f, "'{-%c,--%s%s}'", s.shortopt[i], o->name, eq);
			else
				fprintf(f, "--%s%s", o->name, eq);
			fputs("[", f);
			zsh_text(f, o->help);
			fputs("]", f);
			if (o->arg != CLI_NOARG) {
				fputs(":", f);
				zsh_text(f, o->meta ? o->meta : "value");
				fputs(":", f);
				zsh_action(f, o->complete, o->words);
			}
			fputs("' \\\n", f);
		}
		fputs("\t\t\t\t'*:argument:", f);
		zsh_action(f, cmd->spec ? cmd->spec->operand : CLI_C_FILE, NULL);
		fputs("' ;;\n", f);
	}
	fputs("\t\tesac ;;\n\tesac\n}\n_secprof \"$@\"\n", f);
}

void cli_print_completion(FILE *f, const char *shell)
{
	if (!strcmp(shell, "zsh"))
		completion_zsh(f);
	else
		completion_bash(f);
}

int cli_parse_profile(struct cli *g, int argc, char **argv, cli_take_fn take, void *data,
		      struct cli_resolve_args *r)
{
	int first, rc = cli_parse(g, argc, argv, take, data, r, &first);

	if (rc)
		return rc;
	if (first >= argc)
		return cli_bad_usage(g, "no profile given");
	if (first + 1 < argc)
		return cli_bad_usage(g, "only one profile, got '%s' and '%s'", argv[first],
				     argv[first + 1]);
	r->profile = argv[first];
	return 0;
}

int cli_take_flags(struct cli *g, void *data, int id, const char *arg)
{
	(void)g;
	(void)arg;
	*((bool **)data)[id - 1] = true;
	return 0;
}
