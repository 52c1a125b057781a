/* main.c - secprof's entry point: global options, the command table, and
 * the one place where errors become messages and exit codes. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One line per command: name, function, what it does, its option table
 * (cli.h struct cli_spec; NULL for a command that parses its own). */
const struct cli_command cli_commands[] = {
	{ "check", cmd_check, "validate and summarise a profile", &cli_spec_check },
	{ "resolve", cmd_resolve, "print the OCI linux.seccomp Docker would pass to runc",
	  &cli_spec_resolve },
	{ "syscalls", cmd_syscalls, "resolve syscall names and numbers", &cli_spec_syscalls },
	{ "compile", cmd_compile, "compile a profile to BPF (raw, base64, C or a listing)",
	  &cli_spec_compile },
	{ "ir", cmd_ir, "the rule set: each decision's rule, what is left out and why",
	  &cli_spec_ir },
	{ "eval", cmd_eval, "evaluate one syscall against a profile or a BPF program",
	  &cli_spec_eval },
	{ "explain", cmd_explain, "which rule decided one syscall, and what would allow it",
	  &cli_spec_explain },
	{ "disasm", cmd_disasm, "list a BPF program (or a profile's) with syscall names",
	  &cli_spec_disasm },
	{ "run", cmd_run, "run a command under a profile, like docker run", &cli_spec_run },
	{ "probe", cmd_probe, "report what the current sandbox allows", &cli_spec_probe },
	{ "info", cmd_info, "what this kernel offers for seccomp", &cli_spec_info },
	{ "lint", cmd_lint, "audit a profile for real mistakes, with an example call each",
	  &cli_spec_lint },
	{ "diff", cmd_diff, "compare two profiles or BPF programs by what they decide",
	  &cli_spec_diff },
	{ "merge", cmd_merge, "combine profiles exactly: --union or --intersect", &cli_spec_merge },
	{ "dump", cmd_dump, "read the seccomp filters of a running process (raw BPF or a listing)",
	  &cli_spec_dump },
	{ "export", cmd_export,
	  "write the profile for Docker, OCI, SPO, crun, bwrap, C, systemd or a registry",
	  &cli_spec_export },
	{ "install", cmd_install, "install the profile atomically for the kubelet (Localhost)",
	  &cli_spec_install },
	{ "record", cmd_record, "record what a command calls and write its profile",
	  &cli_spec_record },
};
const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

const struct cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	return NULL;
}

static void print_warning(void *data, const secprof_error *w)
{
	const struct cli *g = data;
	char buf[1400];

	if (g->quiet)
		return;
	fprintf(stderr, "%s: warning: %s\n", g->prog, secprof_error_format(w, buf, sizeof(buf)));
}

static int unknown_command(const struct cli *g, const char *name)
{
	const char *words[64];
	const char *near;
	size_t n = 0;

	for (size_t i = 0; i < cli_ncommands && n < 63; i++)
		words[n++] = cli_commands[i].name;
	words[n++] = "help";
	if ((near = cli_nearest(name, words, n)))
		fprintf(stderr, "%s: unknown command '%s'; did you mean '%s'? (see '%s --help')\n",
			g->prog, name, near, g->prog);
	else
		fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", g->prog, name,
			g->prog);
	return EXIT_USAGE;
}

/* Hidden options that write the man pages and completions from the
 * option tables (Makefile: make man completions). */
static int generator(const struct cli *g, int argc, char **argv)
{
	const struct cli_command *c = NULL;

	if (!strcmp(argv[1], "--list-commands")) {
		for (size_t i = 0; i < cli_ncommands; i++)
			printf("%s\n", cli_commands[i].name);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--completion")) {
		if (argc != 3 || (strcmp(argv[2], "bash") && strcmp(argv[2], "zsh"))) {
			fprintf(stderr, "%s: --completion takes bash or zsh\n", g->prog);
			return EXIT_USAGE;
		}
		cli_print_completion(stdout, argv[2]);
		return fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
	}
	if (argc > 3 || (argc == 3 && !(c = cli_find_command(argv[2]))))
		return unknown_command(g, argc == 3 ? argv[2] : argv[3]);
	cli_print_man(stdout, c);
	return fflush(stdout) ? EXIT_SYSTEM : EXIT_OK;
}

/* `secprof help [COMMAND]` */
static int help(struct cli *g, int argc, char **argv)
{
	const struct cli_command *c;
	char *args[] = { NULL, (char *)"--help", NULL };

	if (argc < 2) {
		cli_print_help(stdout, NULL);
		return EXIT_OK;
	}
	if (!(c = cli_find_command(argv[1])))
		return unknown_command(g, argv[1]);
	if (c->spec) {
		cli_print_help(stdout, c);
		return EXIT_OK;
	}
	/* a command with its own parser prints its own help */
	args[0] = argv[1];
	g->cmd = c;
	return c->fn(g, 2, args);
}

/* A caller that closes stdin, stdout or stderr (`>&-`) leaves their
 * numbers to the next open(): the profile, `-o`'s file or run's name lock
 * would become fd 1, and what secprof or the container prints would be
 * written into it. /dev/null in their place first, as OpenSSH's
 * sanitise_stdfd() does: nothing read, nothing written, as with the closed
 * fd, and no file of secprof's ever takes those numbers. */
static void keep_std_fds_taken(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			exit(EXIT_SYSTEM);
}

/* stderr by lines: unbuffered, each fprintf of a message was a write of
 * its own ("secprof: ", "compile: ", the text, "\n"), and musl's, in
 * secprof-static, one per 80 bytes (src/stdio/vfprintf.c, internal_buf), so
 * on a stderr shared with a container, a parallel job or a test's helper,
 * another process's output could land inside a message. Line by line, a
 * message is one write up to the buffer's size, and still leaves at its
 * newline, in order with what the container writes to the same file.
 * musl takes a buffer only from the caller (src/stdio/setvbuf.c). */
static void stderr_by_lines(void)
{
	static char buf[4096];

	setvbuf(stderr, buf, _IOLBF, sizeof(buf));
}

int main(int argc, char **argv)
{
	struct cli g = { .prog = "secprof" };
	const struct cli_command *c;
	int first = 1, rc;

	keep_std_fds_taken();
	stderr_by_lines();
	if (argc > 1 && (!strcmp(argv[1], "--man") || !strcmp(argv[1], "--completion") ||
			 !strcmp(argv[1], "--list-commands")))
		return generator(&g, argc, argv);
	/* Global options before the command; the command's parser takes them
	 * after it too. */
	rc = cli_parse(&g, argc, argv, NULL, NULL, NULL, &first);
	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (first >= argc) {
		cli_print_help(stderr, NULL);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[first], "help"))
		return help(&g, argc - first, argv + first);
	if (!(c = cli_find_command(argv[first])))
		return unknown_command(&g, argv[first]);
	g.cmd = c;
	g.ctx = secprof_ctx_new();
	if (!g.ctx) {
		fprintf(stderr, "secprof: out of memory\n");
		return EXIT_SYSTEM;
	}
	secprof_ctx_set_strict(g.ctx, g.strict);
	secprof_ctx_set_warn(g.ctx, print_warning, &g);
	rc = c->fn(&g, argc - first, argv + first);
	secprof_ctx_free(g.ctx);
	return rc;
}
