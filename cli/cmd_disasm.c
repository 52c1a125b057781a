/* cmd_disasm.c - `secprof disasm`: list a raw BPF file with syscall names, or
 * draw it for Graphviz. Reaches src/ruleset.h: the CLI links the archive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ruleset.h"

static const char disasm_usage[] =
	"usage: secprof disasm FILE.bpf|- [--arch A] [--dot]\n"
	"  FILE.bpf   raw struct sock_filter bytes (`compile --format raw`)\n"
	"  --arch A   name syscalls on arch A where the program does not say\n"
	"             (libseccomp name, SCMP_ARCH_* or GOARCH; default: this machine)\n"
	"  --dot      a Graphviz digraph instead of a listing";

static const struct sp_arch *arch_by_any(const char *s)
{
	const struct sp_arch *a = sp_arch_by_name(s);
	if (!a)
		a = sp_arch_by_scmp(s);
	if (!a)
		a = sp_arch_by_go(s);
	return a;
}

int cmd_disasm(struct cli *g, int argc, char **argv)
{
	const char *file = NULL, *arch_name = NULL;
	const struct sp_arch *arch = sp_arch_native();
	secprof_error err = { 0 };
	secprof_insn *insns = NULL;
	size_t len = 0;
	bool dot = false;
	char *text = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dot")) {
			dot = true;
		} else if (!strcmp(argv[i], "--arch") && i + 1 < argc) {
			arch_name = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", disasm_usage);
			return EXIT_OK;
		} else if ((argv[i][0] == '-' && argv[i][1]) || file) {
			cli_usage_error(g, "disasm: unexpected argument '%s'\n%s", argv[i], disasm_usage);
			return EXIT_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		cli_usage_error(g, "disasm: no file given\n%s", disasm_usage);
		return EXIT_USAGE;
	}
	if (arch_name && !(arch = arch_by_any(arch_name))) {
		cli_usage_error(g, "disasm: unknown arch '%s'", arch_name);
		return EXIT_USAGE;
	}
	if ((rc = cli_read_bpf(g, file, &insns, &len)))
		return rc;
	rc = dot ? sp_bpf_dot(insns, len, arch, &text, &err)
		 : sp_bpf_listing(insns, len, arch, &text, &err);
	free(insns);
	if (rc < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(rc);
	}
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}
