/* cli.h - shared pieces of the secprof command line. Only the CLI prints. */
#ifndef SECPROF_CLI_H
#define SECPROF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "secprof.h"

/* Exit codes (docs/CONVENTIONS.md §4). */
enum { EXIT_OK = 0, EXIT_PROFILE = 1, EXIT_USAGE = 2, EXIT_SYSTEM = 3 };

struct cli {
	secprof_ctx *ctx;
	bool strict;
	bool quiet;
	const char *prog;
	secprof_error *last_error;     /* if set, cli_print_error also copies here */
	const struct cli_command *cmd; /* the command running (NULL: secprof itself) */
};

/* ---- options (opt.c) --------------------------------------------------------
 * Every command describes its options in one table; cli_parse() runs
 * getopt_long over it, and the same table prints --help, the man pages and
 * the shell completions, so none of them can drift from what is accepted. */

/* What a completion offers for an option's value or an operand. */
enum cli_complete {
	CLI_C_NONE,    /* free text */
	CLI_C_FILE,    /* a path */
	CLI_C_DIR,     /* a directory */
	CLI_C_PROFILE, /* a path, "builtin" or "-" */
	CLI_C_ARCH,    /* every arch spelling cli_arch() accepts */
	CLI_C_CAP,     /* capability names and ALL */
	CLI_C_WORDS,   /* the words in cli_opt.words */
	CLI_C_COMMAND, /* a command to run: the shell's own completion */
};

enum cli_argkind { CLI_NOARG, CLI_ARG, CLI_OPTARG };

struct cli_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	char shortopt;    /* 0: long only */
	int id;           /* handed to the command's take() */
	enum cli_argkind arg;
	const char *meta; /* the value's name in --help: "FILE" */
	const char *help; /* '\n' starts an indented continuation line */
	enum cli_complete complete;
	const char *words; /* CLI_C_WORDS: space-separated */
	bool hidden;       /* an alias left out of --help (run's --net) */
};

/* Ids the shared handlers take; a command's own ids stay below them. */
enum {
	CLI_ID_ARCH = 900,
	CLI_ID_KERNEL,
	CLI_ID_CAP_ADD,
	CLI_ID_CAP_DROP,
	CLI_ID_PRIVILEGED,
	CLI_ID_NO_ENOSYS,
	CLI_ID_EXACT,
	CLI_ID_NEWER,
	CLI_ID_QUIET = 950,
	CLI_ID_STRICT,
	CLI_ID_HELP,
	CLI_ID_VERSION,
};

struct cli_spec {
	const char *synopsis;    /* after "secprof NAME ": operands and [OPTIONS] */
	const char *description; /* paragraphs for --help and the man page, or NULL */
	const struct cli_opt *opts;
	bool resolve;   /* also takes the resolve options (--arch, --kernel, ...) */
	bool compile;   /* and the compile options (--no-enosys, --exact-libseccomp, ...) */
	bool in_order;  /* options end at the first operand (run: CMD's own) */
	int usage_exit; /* exit status of a usage error; 0 means EXIT_USAGE */
	enum cli_complete operand;
};

/* One row of the command table (main.c). spec NULL: a command that parses
 * its own arguments; --help and the man page then show only `help`. */
struct cli_command {
	const char *name;
	int (*fn)(struct cli *g, int argc, char **argv);
	const char *help; /* one line: what the command does */
	const struct cli_spec *spec;
};

/* Options every command that resolves a profile understands:
 * PROFILE|builtin, --arch A, --kernel RELEASE, --cap-add C, --cap-drop C,
 * --privileged. */
#define CLI_MAX_CAPS 64
struct cli_resolve_args {
	const char *profile;        /* path, "builtin" or "-" (stdin) */
	const char *arch;           /* moby's native string ("amd64"), NULL = native */
	const secprof_arch *arch_p; /* the same arch, NULL = native */
	int kernel_major, kernel_minor;
	const char *cap_add[CLI_MAX_CAPS];
	size_t nadd;
	const char *cap_drop[CLI_MAX_CAPS];
	size_t ndrop;
	bool privileged;
	/* the compile options, for a command whose spec says compile */
	secprof_compile_opts compile;
};

/* A command's handler for its own options: 0 or an exit code (after
 * printing). arg is NULL for options without a value. */
typedef int (*cli_take_fn)(struct cli *g, void *data, int id, const char *arg);

/* cli_parse's result when --help or --version was printed: exit 0. */
#define CLI_DONE (-1)
/* Parse argv (argv[0] the verb) with g->cmd's table. Global options are
 * handled anywhere, resolve options into r (if the command takes them),
 * the rest through take. On 0, the operands are argv[*first..argc). Else
 * CLI_DONE or an exit code, the message printed. */
int cli_parse(struct cli *g, int argc, char **argv, cli_take_fn take, void *data,
	      struct cli_resolve_args *r, int *first);
/* cli_parse for "PROFILE [options]": exactly one operand, into r->profile. */
int cli_parse_profile(struct cli *g, int argc, char **argv, cli_take_fn take, void *data,
		      struct cli_resolve_args *r);
/* A take() for a command whose own options are all flags, with ids 1..n:
 * data is a bool *[n], and option id sets *data[id - 1]. */
int cli_take_flags(struct cli *g, void *data, int id, const char *arg);
/* The exit status of a usage error of the current command (2; run: 125). */
int cli_usage_exit(const struct cli *g);
/* Usage error about the current command: prints "secprof: CMD: msg (see
 * 'secprof CMD --help')" and returns cli_usage_exit(). */
int cli_bad_usage(const struct cli *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --help of one command, or of secprof itself (c NULL), to f. */
void cli_print_help(FILE *f, const struct cli_command *c);
/* Hidden generators (main.c: --man, --completion): roff and shell code
 * from the same tables. */
void cli_print_man(FILE *f, const struct cli_command *c);
void cli_print_completion(FILE *f, const char *shell);

/* The command table (main.c). */
extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;
const struct cli_command *cli_find_command(const char *name);

/* ---- values (opt.c): the one place each kind of value is read ---------- */

/* Any spelling of an architecture secprof_arch_lookup accepts. Prints
 * "unknown arch" with the nearest spelling and returns NULL when there is
 * none. */
const secprof_arch *cli_arch(const struct cli *g, const char *s);
/* The nearest of n words (edit distance with transpositions), or NULL when
 * none is close enough to be a typo of s. */
const char *cli_nearest(const char *s, const char *const *words, size_t n);
/* A number: decimal or 0x-hex, no sign, at most max. With rest non-NULL,
 * decimal digits only, and the text after them goes to *rest. */
bool cli_number(const char *s, uint64_t max, uint64_t *out, const char **rest);
/* A kernel release as moby reads uname's (kernel_linux.go parseRelease,
 * Sscanf "%d.%d"): "6.1", "5.15.0-91-generic", "6.1-rc3"; a bare "6" is
 * read as 6.0. 0.0 is refused: it means "the running kernel". */
bool cli_kernel(const char *s, int *major, int *minor);

/* Load the profile named in a (PATH, builtin, or - for stdin). Prints the
 * error and returns an exit code on failure, 0 on success. */
int cli_load_profile(struct cli *g, const char *name, secprof_profile **out);
/* Resolve the loaded *p (freed, and set NULL, on failure); prints errors;
 * returns an exit code (0 = ok). */
int cli_resolve_loaded(struct cli *g, const struct cli_resolve_args *a, secprof_profile **p,
		       secprof_resolved **r);
/* One syscall as eval and explain take it: PROFILE SYSCALL [ARG0..ARG5]
 * after the options, and --abi. */
struct cli_call {
	const char *abi;
	const char *syscall;
	const char *args[6];
	int nargs;
};
/* The operands from argv[first] on: the profile into r, the rest into c. */
int cli_call_operands(struct cli *g, int argc, char **argv, int first, struct cli_resolve_args *r,
		      struct cli_call *c);
/* The call's ABI (--abi, else --arch, else the native one) and its
 * seccomp_data; usage errors name `cmd`. Returns 0 or the exit status. */
int cli_call_data(struct cli *g, const char *cmd, const struct cli_resolve_args *r,
		  const struct cli_call *c, const secprof_arch **arch, secprof_data *d);

/* Compile r and hand its program to the caller (*insns, malloc'ed, and *len).
 * An unconfined profile has none: "NAME: the profile is unconfined: SAYS",
 * exit 1. Returns 0 or the exit status, the error printed. */
int cli_compile_insns(struct cli *g, const char *name, const secprof_resolved *r,
		      const secprof_compile_opts *co, const char *says, secprof_insn **insns,
		      size_t *len);
/* Load and resolve; prints errors; returns an exit code (0 = ok). */
int cli_resolve(struct cli *g, const struct cli_resolve_args *a, secprof_profile **p,
		secprof_resolved **r);

/* Whether data (n bytes) is a raw BPF program rather than a JSON profile:
 * see the rule in opt.c. */
bool cli_looks_like_bpf(const char *data, size_t n);
/* Read PATH (or "-") once and tell which it is: a raw program goes to
 * *insns, a profile's bytes to *json (for secprof_profile_parse). */
int cli_read_bpf_or_json(struct cli *g, const char *path, secprof_insn **insns, size_t *ninsns,
			 char **json, size_t *njson);

/* Print a JSON text a secprof_*_json function made (rc its return) to
 * stdout and free it; the exit code (the error printed when rc < 0). */
int cli_put_json(const struct cli *g, int rc, char **json, const secprof_error *err);

void cli_print_error(const struct cli *g, const secprof_error *e);
/* Map a library return code to an exit code. */
int cli_exit_code(int rc);
void cli_usage_error(const struct cli *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The file a command that runs something writes when it is done (run
 * --explain=FILE, record -o), opened before the command starts: a file the
 * command can reach (in a volume, or anywhere in process mode) may be a
 * symlink by the end, and secprof, as root, would write where it points.
 * O_NOFOLLOW refuses a symlink already there, and anything but a regular
 * file or /dev/null is refused before it is written or waited on (a node
 * the command made, a FIFO); the fd is what is written. It lands at fd
 * 3 + `above` or higher, out of the fds --preserve-fds passes
 * (close-on-exec too). Not truncated: cli_output_truncate does that when
 * the output is written, so a run that fails keeps the last one. "-" or
 * NULL is stdout. NULL, with *why, when it cannot be used. */
FILE *cli_open_output(const char *path, unsigned above, const char **why);
int cli_output_truncate(FILE *f);
/* "secprof: [CMD: ]message" on stderr (cmd NULL: none); returns status. */
int cli_fail(const struct cli *g, int status, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Commands: each parses its arguments with cli_parse (argv[0] is the verb)
 * and has its option table in a cli_spec next to it. */
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
int cmd_explain(struct cli *g, int argc, char **argv);
extern const struct cli_spec cli_spec_check, cli_spec_resolve, cli_spec_syscalls, cli_spec_compile,
	cli_spec_eval, cli_spec_disasm, cli_spec_run, cli_spec_probe, cli_spec_info, cli_spec_ir,
	cli_spec_explain;
/* live inspection (cmd_dump.c) */
int cmd_dump(struct cli *g, int argc, char **argv);
extern const struct cli_spec cli_spec_dump;

/* lint, diff, merge (cmd_lint.c, cmd_diff.c, cmd_merge.c). */
int cmd_lint(struct cli *g, int argc, char **argv);
int cmd_diff(struct cli *g, int argc, char **argv);
int cmd_merge(struct cli *g, int argc, char **argv);
extern const struct cli_spec cli_spec_lint, cli_spec_diff, cli_spec_merge;
/* One input of diff or merge: a profile resolved with the resolve options
 * and compiled (with its rule set), or a raw BPF program (no rule set;
 * refused when need_ir). Returns 0 or the exit status, errors printed. */
struct cli_side {
	secprof_profile *p;
	secprof_resolved *r;
	secprof_ir *ir;
	secprof_insn *insns;
	size_t len;
	secprof_side side;
};
int cli_side_load(struct cli *g, const struct cli_resolve_args *ra, const char *name,
		  const secprof_compile_opts *co, bool need_ir, struct cli_side *s);
void cli_side_free(struct cli_side *s);
/* exports and installs (cmd_export.c, cmd_install.c) */
int cmd_export(struct cli *g, int argc, char **argv);
int cmd_install(struct cli *g, int argc, char **argv);
extern const struct cli_spec cli_spec_export, cli_spec_install;
/* secprof record (cmd_record.c) */
int cmd_record(struct cli *g, int argc, char **argv);
extern const struct cli_spec cli_spec_record;

#endif
