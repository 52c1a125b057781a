/* cmd_resolve.c - `secprof resolve`: the OCI linux.seccomp moby would hand
 * to runc for a container (docs/COMPAT.md §2), compact as Go marshals it.
 *
 * An unconfined result ({} or an OCI config without linux.seccomp) prints
 * `null`, which is what Go marshals for a nil *LinuxSeccomp, plus a note on
 * stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_opt resolve_opts[] = {
	{ "pretty", 0, 1, CLI_NOARG, NULL, "indented as Go's json.MarshalIndent", CLI_C_NONE, NULL,
	  false },
	{ 0 },
};

const struct cli_spec cli_spec_resolve = {
	.synopsis = "PROFILE|builtin|- [OPTIONS]",
	.description = "Print the OCI linux.seccomp moby would hand to runc for the container,\n"
		       "compact as Go marshals it; an unconfined result prints null.",
	.opts = resolve_opts,
	.resolve = true,
	.operand = CLI_C_PROFILE,
};

static void newline_indent(FILE *f, int depth)
{
	fputc('\n', f);
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

/* Go's json.Indent(dst, src, "", "  ") over compact JSON: the layout of
 * json.MarshalIndent, with [] and {} kept on one line. */
static void print_indented(FILE *f, const char *s)
{
	int depth = 0;
	bool in_str = false;

	for (; *s; s++) {
		char c = *s;
		if (in_str) {
			fputc(c, f);
			if (c == '\\' && s[1])
				fputc(*++s, f);
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			fputc(c, f);
			break;
		case '{':
		case '[':
			fputc(c, f);
			if (s[1] == '}' || s[1] == ']') {
				fputc(*++s, f);
				break;
			}
			newline_indent(f, ++depth);
			break;
		case '}':
		case ']':
			newline_indent(f, --depth);
			fputc(c, f);
			break;
		case ',':
			fputc(c, f);
			newline_indent(f, depth);
			break;
		case ':': fputs(": ", f); break;
		default: fputc(c, f); break;
		}
	}
}

int cmd_resolve(struct cli *g, int argc, char **argv)
{
	struct cli_resolve_args a = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_error err = { 0 };
	bool pretty = false;
	bool *flags[] = { &pretty };
	char *json = NULL;
	int rc;
	if ((rc = cli_parse_profile(g, argc, argv, cli_take_flags, flags, &a)))
		return rc == CLI_DONE ? EXIT_OK : rc;
	if ((rc = cli_resolve(g, &a, &p, &r)))
		return rc;
	if (secprof_resolved_to_oci_json(r, &json, NULL, &err) < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
		goto out;
	}
	if (secprof_resolved_unconfined(r) && !g->quiet)
		fprintf(stderr,
			"%s: note: the profile disables seccomp (unconfined); "
			"moby sets no linux.seccomp\n",
			g->prog);
	if (pretty)
		print_indented(stdout, json);
	else
		fputs(json, stdout);
	putchar('\n');
	rc = fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
out:
	free(json);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}
