/* cli.h - shared pieces of the secprof command line. Only the CLI prints. */
#ifndef SECPROF_CLI_H
#define SECPROF_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "secprof.h"

/* Exit codes (conventions 4). */
enum { EXIT_OK = 0, EXIT_PROFILE = 1, EXIT_USAGE = 2, EXIT_SYSTEM = 3 };

struct cli {
	secprof_ctx *ctx;
	bool strict;
	bool quiet;
	const char *prog;
	secprof_error *last_error; /* if set, cli_print_error also copies here */
};

/* Options every command that resolves a profile understands:
 * PROFILE|builtin, --arch A, --kernel X.Y, --cap-add C, --cap-drop C,
 * --privileged. */
#define CLI_MAX_CAPS 64
struct cli_resolve_args {
	const char *profile;           /* path, "builtin" or "-" (stdin) */
	const char *arch;              /* Go name, NULL = native */
	int kernel_major, kernel_minor;
	const char *cap_add[CLI_MAX_CAPS];
	size_t nadd;
	const char *cap_drop[CLI_MAX_CAPS];
	size_t ndrop;
	bool privileged;
};

/* If argv[*i] is a resolve option, consume it (and its value) and return 1;
 * return 0 if it is not one; -1 (after printing) on a usage error. */
int cli_resolve_opt(struct cli_resolve_args *a, int *i, int argc, char **argv);
/* Load the profile named in a (PATH, builtin, or - for stdin). Prints the
 * error and returns an exit code on failure, 0 on success. */
int cli_load_profile(struct cli *g, const char *name, secprof_profile **out);
/* Load and resolve; prints errors; returns an exit code (0 = ok). */
int cli_resolve(struct cli *g, const struct cli_resolve_args *a, secprof_profile **p,
		secprof_resolved **r);

/* A boolean option of a command ("--json"): sets *set. Lists end with {0}. */
struct cli_flag {
	const char *name;
	bool *set;
};
/* Parse "PROFILE [resolve options] [flags]" for `verb`. Returns 0, -1 after
 * printing help (exit 0), or an exit code after printing a usage error. */
int cli_profile_args(struct cli *g, const char *verb, const char *usage, int argc, char **argv,
		     struct cli_resolve_args *a, const struct cli_flag *flags);

/* For commands whose only option is --json. Returns 0 or EXIT_USAGE. */
int cli_json_flag_only(struct cli *g, const char *verb, int argc, char **argv, bool *json);

/* Read a raw BPF file (or "-"); prints errors and returns an exit code. */
int cli_read_bpf(struct cli *g, const char *path, secprof_insn **insns, size_t *len);

void cli_print_error(const struct cli *g, const secprof_error *e);
/* Map a library return code to an exit code. */
int cli_exit_code(int rc);
void cli_usage_error(const struct cli *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read all of stdin (profile "-"). */

/* Commands: each parses its own arguments (argv[0] is the verb). */
int cmd_check(struct cli *g, int argc, char **argv);
int cmd_resolve(struct cli *g, int argc, char **argv);
int cmd_syscalls(struct cli *g, int argc, char **argv);
int cmd_compile(struct cli *g, int argc, char **argv);
int cmd_eval(struct cli *g, int argc, char **argv);
int cmd_disasm(struct cli *g, int argc, char **argv);
int cmd_run(struct cli *g, int argc, char **argv);
int cmd_probe(struct cli *g, int argc, char **argv);
int cmd_info(struct cli *g, int argc, char **argv);
int cmd_ir(struct cli *g, int argc, char **argv);

#endif
