/* cmd_export.c - `secprof export`: the profile, resolved for the container,
 * written for the tool that will run it (secprof_export, src/export/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_OUTPUT = 1, OPT_FORMAT, OPT_NAME };

#define FORMATS "docker oci spo crun bwrap c systemd oci-artifact"

static const struct cli_opt export_opts[] = {
	{ "format", 'f', OPT_FORMAT, CLI_ARG, "FORMAT",
	  "docker: a normalized Docker profile; oci: the OCI linux.seccomp object\n"
	  "spo: a Security Profiles Operator SeccompProfile (YAML)\n"
	  "crun: the run.oci.seccomp_bpf_data annotation (the compiled program)\n"
	  "bwrap: the raw program for bwrap --seccomp FD; c: a C array\n"
	  "systemd: SystemCallFilter= lines; oci-artifact: an OCI image layout\n"
	  "directory (-o DIR) with the seccomp profile media type (KEP-6061)",
	  CLI_C_WORDS, FORMATS, false },
	{ "output", 'o', OPT_OUTPUT, CLI_ARG, "FILE",
	  "output file ('-' or absent: standard output); a directory\nfor oci-artifact", CLI_C_FILE,
	  NULL, false },
	{ "name", 0, OPT_NAME, CLI_ARG, "NAME",
	  "metadata.name of the SeccompProfile, title of the artifact\n(default: the profile's file name)",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_export = {
	.synopsis = "PROFILE|builtin|- --format FORMAT [-o OUT] [OPTIONS]",
	.description =
		"Write the profile, resolved for the container (--arch, --cap-add, ...), in\n"
		"the form another tool runs: Docker, an OCI runtime, the Security Profiles\n"
		"Operator, crun, bubblewrap, C, systemd or an OCI registry. Every form is\n"
		"read from the rule set (secprof ir) or the program compiled from it; what a\n"
		"form cannot carry is warned about, and left denied rather than allowed.",
	.opts = export_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct export_args {
	struct cli_resolve_args r;
	const char *out;
	const char *format;
	const char *name;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct export_args *a = data;
	enum secprof_export_format f;

	switch (id) {
	case OPT_OUTPUT: a->out = v; break;
	case OPT_FORMAT:
		if (secprof_export_format_lookup(v, &f) < 0 || f == SECPROF_EXPORT_BASE64) {
			cli_usage_error(g, "export: --format is one of " FORMATS " (got '%s')", v);
			return EXIT_USAGE;
		}
		a->format = v;
		break;
	case OPT_NAME: a->name = v; break;
	}
	return 0;
}

/* The profile's file name without directory and extension: "nginx" for
 * /etc/profiles/nginx.json. */
static char *default_name(const char *profile)
{
	const char *base = strrchr(profile, '/');
	char *s, *dot;

	if (!strcmp(profile, "-"))
		return strdup("profile");
	s = strdup(base ? base + 1 : profile);
	if (s && (dot = strrchr(s, '.')) && dot != s)
		*dot = 0;
	return s;
}

static int write_out(struct cli *g, const char *path, const char *data, size_t len)
{
	FILE *f = !path || !strcmp(path, "-") ? stdout : fopen(path, "wb");
	bool ok;

	if (!f) {
		fprintf(stderr, "%s: %s: cannot open: %s\n", g->prog, path, strerror(errno));
		return EXIT_SYSTEM;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (f == stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", g->prog, path ? path : "<stdout>",
			strerror(errno));
		return EXIT_SYSTEM;
	}
	return 0;
}

int cmd_export(struct cli *g, int argc, char **argv)
{
	struct export_args a = { 0 };
	secprof_export_opts o = { 0 };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	char *out = NULL, *name = NULL;
	size_t len = 0;
	int rc = cli_parse_profile(g, argc, argv, take, &a, &a.r);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (!a.format)
		return cli_bad_usage(g, "--format is needed (one of " FORMATS ")");
	secprof_export_format_lookup(a.format, &o.format);
	if (o.format == SECPROF_EXPORT_OCI_ARTIFACT && (!a.out || !strcmp(a.out, "-")))
		return cli_bad_usage(
			g, "--format oci-artifact writes a directory: give it with -o DIR");
	o.compile = a.r.compile;
	name = a.name ? strdup(a.name) : default_name(a.r.profile);
	o.name = name;
	if ((rc = cli_resolve(g, &a.r, &p, &r))) {
		free(name);
		return rc;
	}
	if (o.format == SECPROF_EXPORT_OCI_ARTIFACT)
		rc = secprof_export_oci_layout(g->ctx, r, &o, a.out, &err);
	else
		rc = secprof_export(g->ctx, r, &o, &out, &len, &err);
	if (rc < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(rc);
	} else if (o.format != SECPROF_EXPORT_OCI_ARTIFACT) {
		/* made in memory first: a failure leaves no partial output */
		rc = write_out(g, a.out, out, len);
	}
	free(out);
	free(name);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}
