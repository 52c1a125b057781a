/* cmd_disasm.c - `secprof disasm`: list a raw BPF file with syscall names, or
 * draw it for Graphviz. Reaches src/ruleset.h: the CLI links the archive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_ARCH = 1, OPT_DOT };

static const struct cli_opt disasm_opts[] = {
	{ "arch", 0, OPT_ARCH, CLI_ARG, "ARCH",
	  "name syscalls on ARCH where the program does not say (any\n"
	  "spelling, x32 too; default: this machine); for a profile, the\n"
	  "container's architecture",
	  CLI_C_ARCH, NULL, false },
	{ "dot", 0, OPT_DOT, CLI_NOARG, NULL, "a Graphviz digraph instead of a listing", CLI_C_NONE,
	  NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_disasm = {
	.synopsis = "BPF-FILE|PROFILE|builtin|- [OPTIONS]",
	.description = "List a raw BPF program (struct sock_filter bytes, as compile --format raw\n"
		       "writes them) with syscall names, or draw it for Graphviz. A profile is\n"
		       "compiled first, as compile does for the default container. Which of the\n"
		       "two a file holds is told by its content: a NUL byte among the first 8\n"
		       "bytes makes it a program (see eval).",
	.opts = disasm_opts,
	.operand = CLI_C_PROFILE,
};

struct disasm_args {
	const char *arch;
	bool dot;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct disasm_args *a = data;

	(void)g;
	if (id == OPT_ARCH)
		a->arch = v;
	else
		a->dot = true;
	return 0;
}

/* A profile: compiled for arch as `compile --arch` would. */
static int compile_profile(struct cli *g, const char *name, char *json, size_t njson,
			   const secprof_arch *arch, secprof_insn **insns, size_t *len)
{
	struct cli_resolve_args ra = { .profile = name };
	secprof_compile_opts co = { 0 };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	int rc;

	secprof_arch_info info;

	if (arch)
		secprof_arch_get_info(arch, &info);
	if (arch && !(ra.arch = info.go)) {
		cli_usage_error(g,
				"disasm: arch '%s' has no GOARCH: Docker runs no container as it",
				info.name);
		free(json);
		return EXIT_USAGE;
	}
	if (json) {
		p = secprof_profile_parse(g->ctx, json, njson, strcmp(name, "-") ? name : "<stdin>",
					  &err);
		free(json);
		if (!p) {
			cli_print_error(g, &err);
			return cli_exit_code(-err.code);
		}
	} else if ((rc = cli_load_profile(g, name, &p))) {
		return rc;
	}
	if ((rc = cli_resolve_loaded(g, &ra, &p, &r)))
		return rc;
	rc = cli_compile_insns(g, name, r, &co, "there is no filter", insns, len);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

int cmd_disasm(struct cli *g, int argc, char **argv)
{
	struct disasm_args a = { 0 };
	const secprof_arch *arch = NULL;
	secprof_error err = { 0 };
	secprof_insn *insns = NULL;
	size_t len = 0, njson = 0;
	char *text = NULL, *json = NULL;
	int first, rc = cli_parse(g, argc, argv, take, &a, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (first >= argc)
		return cli_bad_usage(g, "no file given");
	if (first + 1 < argc)
		return cli_bad_usage(g, "unexpected argument '%s'", argv[first + 1]);
	if (a.arch && !(arch = cli_arch(g, a.arch)))
		return EXIT_USAGE;
	if (!strcmp(argv[first], "builtin"))
		rc = compile_profile(g, argv[first], NULL, 0, arch, &insns, &len);
	else if (!(rc = cli_read_bpf_or_json(g, argv[first], &insns, &len, &json, &njson)) && json)
		rc = compile_profile(g, argv[first], json, njson, arch, &insns, &len);
	if (rc)
		return rc;
	if (!arch)
		arch = secprof_arch_native();
	rc = a.dot ? secprof_bpf_dot(insns, len, arch, &text, &err)
		   : secprof_bpf_listing(insns, len, arch, &text, &err);
	free(insns);
	if (rc < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(rc);
	}
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}
