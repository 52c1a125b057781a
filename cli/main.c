/* main.c - secprof's entry point: global options, the command table, and
 * the one place where errors become messages and exit codes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(struct cli *g, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "check", cmd_check, "check PROFILE|builtin [--json]     validate and summarise a profile" },
	{ "resolve", cmd_resolve, "resolve PROFILE|builtin [opts]     print the OCI linux.seccomp Docker would pass to runc" },
	{ "syscalls", cmd_syscalls, "syscalls [--arch A] [NAME|NR...]   resolve syscall names and numbers" },
	{ "compile", cmd_compile, "compile PROFILE|builtin [opts] -o F  compile to BPF (raw|base64|c|text)" },
	{ "ir", cmd_ir, "ir PROFILE|builtin [opts] [--json]   the rule set: each decision's rule, what is left out and why" },
	{ "eval", cmd_eval, "eval PROFILE|F.bpf SYSCALL [ARGS]  evaluate one syscall" },
	{ "disasm", cmd_disasm, "disasm FILE.bpf [--dot]            list a BPF program" },
	{ "run", cmd_run, "run [opts] -- CMD [ARG...]         run a command under a profile, like docker run" },
	{ "probe", cmd_probe, "probe [--json]                     report what the current sandbox allows" },
	{ "info", cmd_info, "info [--json]                      what this kernel offers for seccomp" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: secprof [--strict] [-q] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
	fprintf(f, "\nresolve options: --arch GOARCH --kernel X.Y --cap-add CAP --cap-drop CAP --privileged\n"
		   "exit status: 0 ok, 1 invalid profile, 2 usage error, 3 system error\n");
}

static void print_warning(void *data, const secprof_error *w)
{
	const struct cli *g = data;
	char buf[1400];

	if (g->quiet)
		return;
	fprintf(stderr, "%s: warning: %s\n", g->prog, secprof_error_format(w, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	struct cli g = { .prog = "secprof" };
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--strict"))
			g.strict = true;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			g.quiet = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "secprof: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name))
			continue;
		g.ctx = secprof_ctx_new();
		if (!g.ctx) {
			fprintf(stderr, "secprof: out of memory\n");
			return EXIT_SYSTEM;
		}
		secprof_ctx_set_strict(g.ctx, g.strict);
		secprof_ctx_set_warn(g.ctx, print_warning, &g);
		rc = commands[c].fn(&g, argc - i, argv + i);
		secprof_ctx_free(g.ctx);
		return rc;
	}
	fprintf(stderr, "secprof: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}
