/* cmd_install.c - `secprof install PROFILE --kubelet NAME`: the profile,
 * resolved for the container and written as a normalized Docker profile
 * (secprof_export), put atomically into the kubelet's localhost profile
 * tree (secprof_install_file), and the pod securityContext that uses it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_KUBELET = 1, OPT_ROOT };

static const struct cli_opt install_opts[] = {
	{ "kubelet", 0, OPT_KUBELET, CLI_ARG, "NAME",
	  "the localhostProfile path, relative to the kubelet's seccomp root\n"
	  "(\"profiles/app.json\"; \".json\" is added when NAME has no extension)",
	  CLI_C_NONE, NULL, false },
	{ "root", 0, OPT_ROOT, CLI_ARG, "DIR",
	  "the kubelet's seccomp root (default " SECPROF_KUBELET_SECCOMP_ROOT ")", CLI_C_DIR, NULL,
	  false },
	{ 0 },
};

const struct cli_spec cli_spec_install = {
	.synopsis = "PROFILE|builtin|- --kubelet NAME [--root DIR] [OPTIONS]",
	.description = "Install the profile, resolved for the container, where the kubelet reads\n"
		       "Localhost seccomp profiles: written to a temporary file, fsync'ed and\n"
		       "renamed into place (then the directory fsync'ed), so a container starting\n"
		       "meanwhile reads the old profile or the new one, never a part. Prints the\n"
		       "pod securityContext.seccompProfile that selects it.",
	.opts = install_opts,
	.resolve = true,
	.operand = CLI_C_PROFILE,
};

struct install_args {
	struct cli_resolve_args r;
	const char *kubelet;
	const char *root;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct install_args *a = data;

	(void)g;
	if (id == OPT_KUBELET)
		a->kubelet = v;
	else if (id == OPT_ROOT)
		a->root = v;
	return 0;
}

int cmd_install(struct cli *g, int argc, char **argv)
{
	struct install_args a = { .root = SECPROF_KUBELET_SECCOMP_ROOT };
	secprof_export_opts o = { .format = SECPROF_EXPORT_DOCKER };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	char *out = NULL, *name = NULL;
	const char *base;
	size_t len = 0;
	int rc = cli_parse_profile(g, argc, argv, take, &a, &a.r);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (!a.kubelet || !*a.kubelet)
		return cli_bad_usage(g, "--kubelet NAME is needed");
	/* printable ASCII: YAML reads U+0085, U+2028 and U+2029 inside a
	 * quoted scalar as line breaks, and the pod would name another file */
	for (const char *c = a.kubelet; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return cli_bad_usage(g, "--kubelet NAME: printable ASCII, no quote nor "
						"backslash (the name goes into the pod's YAML)");
	base = strrchr(a.kubelet, '/');
	base = base ? base + 1 : a.kubelet;
	if (asprintf(&name, "%s%s", a.kubelet, strchr(base, '.') ? "" : ".json") < 0)
		return EXIT_SYSTEM;
	if ((rc = cli_resolve(g, &a.r, &p, &r)))
		goto out;
	if ((rc = secprof_export(g->ctx, r, &o, &out, &len, &err)) < 0 ||
	    (rc = secprof_install_file(a.root, name, out, len, &err)) < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(rc);
		goto out;
	}
	if (!g->quiet)
		fprintf(stderr, "%s: installed %s/%s\n", g->prog, a.root, name);
	/* double-quoted: a plain YAML scalar would end at " #" or read
	 * "yes" or "1.json" otherwise; the name holds no '"', '\\' nor
	 * control character (refused above) */
	printf("securityContext:\n  seccompProfile:\n    type: Localhost\n"
	       "    localhostProfile: \"%s\"\n",
	       name);
	rc = fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
out:
	free(out);
	free(name);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}
