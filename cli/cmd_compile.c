/* cmd_compile.c - `secprof compile`: a profile to the BPF program runc would
 * load (docs/COMPAT.md §4.1), written as raw sock_filter bytes (bubblewrap --seccomp),
 * base64 (crun's run.oci.seccomp_bpf_data), a C initialiser or a listing.
 * Reaches src/ruleset.h for the listing: the CLI links the static archive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { OPT_OUTPUT = 1, OPT_FORMAT, OPT_TIMING };

static const struct cli_opt compile_opts[] = {
	{ "output", 'o', OPT_OUTPUT, CLI_ARG, "FILE",
	  "output file ('-' or absent: standard output)", CLI_C_FILE, NULL, false },
	{ "format", 0, OPT_FORMAT, CLI_ARG, "FORMAT",
	  "raw: struct sock_filter array, in the arch's byte order (bwrap --seccomp FD)\n"
	  "base64: the same bytes in base64 (crun run.oci.seccomp_bpf_data)\n"
	  "c: a struct sock_filter initialiser; text: a listing",
	  CLI_C_WORDS, "raw base64 c text", false },
	{ "timing", 0, OPT_TIMING, CLI_OPTARG, "N",
	  "compile N times (default 1000) from memory and print the\nmedian to stderr", CLI_C_NONE,
	  NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_compile = {
	.synopsis = "PROFILE|builtin|- [OPTIONS]",
	.description = "Compile the profile, resolved for the container, to the BPF program runc\n"
		       "would load, and write it raw, in base64, as C or as a listing.",
	.opts = compile_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct compile_args {
	struct cli_resolve_args r;
	const char *out;
	const char *format;
	long timing;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct compile_args *a = data;
	uint64_t n;

	switch (id) {
	case OPT_OUTPUT: a->out = v; break;
	case OPT_FORMAT:
		if (strcmp(v, "raw") && strcmp(v, "base64") && strcmp(v, "c") &&
		    strcmp(v, "text")) {
			cli_usage_error(g, "compile: --format is raw, base64, c or text (got '%s')",
					v);
			return EXIT_USAGE;
		}
		a->format = v;
		break;
	case OPT_TIMING:
		if (v && (!cli_number(v, 10000000, &n, NULL) || n < 1)) {
			cli_usage_error(
				g,
				"compile: --timing=N takes a count from 1 to 10000000 (got '%s')",
				v);
			return EXIT_USAGE;
		}
		a->timing = v ? (long)n : 1000;
		break;
	}
	return 0;
}

static const secprof_arch *native_of(const struct compile_args *a)
{
	return a->r.arch_p ? a->r.arch_p : secprof_arch_native();
}

/* Render the program in the chosen format into b. */
static int render(struct cli *g, const struct compile_args *a, const secprof_prog *p, FILE *b)
{
	secprof_error err = { 0 };
	char *text;

	if (strcmp(a->format, "text")) {
		/* raw, base64 and c are written by the export layer, the one
		 * owner of program encodings (secprof export) */
		size_t n = 0;
		if (secprof_export_prog(p,
					!strcmp(a->format, "raw")      ? SECPROF_EXPORT_BWRAP
					: !strcmp(a->format, "base64") ? SECPROF_EXPORT_BASE64
								       : SECPROF_EXPORT_C,
					&text, &n, &err) < 0) {
			cli_print_error(g, &err);
			return EXIT_SYSTEM;
		}
		fwrite(text, 1, n, b);
		free(text);
	} else if (secprof_bpf_listing(p->insns, p->len, native_of(a), &text, &err) < 0) {
		cli_print_error(g, &err);
		return EXIT_SYSTEM;
	} else {
		fputs(text, b);
		free(text);
	}
	return ferror(b) ? EXIT_SYSTEM : 0;
}

static int write_out(struct cli *g, const char *path, const char *data, size_t len)
{
	FILE *f = !path || !strcmp(path, "-") ? stdout : fopen(path, "wb");
	bool ok;

	if (!f) {
		fprintf(stderr, "%s: %s: cannot open: %s\n", g->prog, path, strerror(errno));
		return EXIT_SYSTEM;
	}
	ok = fwrite(data ? data : "", 1, len, f) == len;
	ok = (f == stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", g->prog, path ? path : "<stdout>",
			strerror(errno));
		return EXIT_SYSTEM;
	}
	return 0;
}

/* ---- --timing ------------------------------------------------------------ */

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* One parse+resolve+compile from the bytes in memory; 0 when it worked. */
static int compile_once(secprof_ctx *ctx, const char *data, size_t len, const char *name,
			const secprof_resolve_opts *o, const secprof_compile_opts *co)
{
	secprof_error err;
	secprof_profile *p = secprof_profile_parse(ctx, data, len, name, &err);
	secprof_resolved *r = p ? secprof_resolve(ctx, p, o, &err) : NULL;
	secprof_prog *prog = r ? secprof_compile(ctx, r, co, &err) : NULL;
	int rc = prog ? 0 : -1;

	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

static int load_bytes(struct cli *g, const char *name, char **data, size_t *len)
{
	secprof_error err = { 0 };

	if (!strcmp(name, "builtin")) {
		const char *s = secprof_builtin_json(len);
		*data = malloc(*len + 1);
		if (*data)
			memcpy(*data, s, *len);
		return *data ? 0 : EXIT_SYSTEM;
	}
	if (!strcmp(name, "-")) {
		cli_usage_error(g, "compile: --timing needs a file or builtin, not standard input");
		return EXIT_USAGE;
	}
	if (secprof_read_file(name, SECPROF_MAX_PROFILE_SIZE, "a profile", data, len, &err) < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	return 0;
}

static int run_timing(struct cli *g, const struct compile_args *a)
{
	secprof_error err = { 0 };
	secprof_resolve_opts o = { .arch = a->r.arch,
				   .kernel_major = a->r.kernel_major,
				   .kernel_minor = a->r.kernel_minor };
	secprof_compile_opts co = a->r.compile;
	secprof_ctx *quiet = secprof_ctx_new(); /* warnings were shown once already */
	double *t = calloc((size_t)a->timing, sizeof(*t));
	char *data = NULL;
	size_t len = 0;
	int rc = !quiet || !t ? EXIT_SYSTEM : load_bytes(g, a->r.profile, &data, &len);

	if (!rc && secprof_caps_tweak(a->r.cap_add, a->r.nadd, a->r.cap_drop, a->r.ndrop,
				      a->r.privileged, secprof_caps_all(), &o.caps, &err) < 0)
		rc = EXIT_USAGE;
	for (long i = 0; !rc && i < a->timing; i++) {
		double t0 = now_us();
		rc = compile_once(quiet, data, len, a->r.profile, &o, &co) ? EXIT_SYSTEM : 0;
		t[i] = now_us() - t0;
	}
	if (!rc) {
		qsort(t, (size_t)a->timing, sizeof(*t), cmp_double);
		fprintf(stderr, "compile: %.1f us median over %ld (parse+resolve+compile)\n",
			t[a->timing / 2], a->timing);
	}
	free(data);
	free(t);
	secprof_ctx_free(quiet);
	return rc;
}

int cmd_compile(struct cli *g, int argc, char **argv)
{
	struct compile_args a = { .format = "raw" };
	secprof_compile_opts co = { 0 };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_prog *prog = NULL;
	char *out = NULL;
	size_t nout = 0;
	FILE *b = NULL;
	int rc = cli_parse_profile(g, argc, argv, take, &a, &a.r);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	co = a.r.compile;
	if ((rc = cli_resolve(g, &a.r, &p, &r)))
		return rc;
	if (secprof_resolved_unconfined(r)) {
		fprintf(stderr,
			"%s: %s: the profile is unconfined: there is no filter to compile\n",
			g->prog, a.r.profile);
		rc = EXIT_PROFILE;
	} else if (!(prog = secprof_compile(g->ctx, r, &co, &err))) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
	} else if (!(b = open_memstream(&out, &nout))) {
		/* rendered in memory first: a failure leaves no partial output */
		rc = EXIT_SYSTEM;
	} else if (!(rc = render(g, &a, prog, b))) {
		rc = fclose(b) ? EXIT_SYSTEM : write_out(g, a.out, out, nout);
		b = NULL;
	}
	if (b)
		fclose(b);
	if (!rc && a.timing)
		rc = run_timing(g, &a);
	free(out);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}
