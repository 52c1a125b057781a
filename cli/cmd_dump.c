/* cmd_dump.c - `secprof dump PID`: the seccomp filters a running process
 * really has (secprof_dump, PTRACE_SECCOMP_GET_FILTER), as raw BPF in the
 * format `secprof compile -o` writes, or as a listing. The CLI only parses
 * and prints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_OUTPUT = 1, OPT_FORMAT, OPT_INDEX };

static const struct cli_opt dump_opts[] = {
	{ "output", 'o', OPT_OUTPUT, CLI_ARG, "FILE",
	  "output file ('-' or absent: standard output)", CLI_C_FILE, NULL, false },
	{ "format", 0, OPT_FORMAT, CLI_ARG, "FORMAT",
	  "raw (struct sock_filter bytes, as compile -o) or text\n"
	  "(a listing); default: raw with -o FILE, else text",
	  CLI_C_WORDS, "raw text", false },
	{ "index", 0, OPT_INDEX, CLI_ARG, "N",
	  "only filter N of the stack (0: the oldest, the first\n"
	  "installed); raw output "
	  "of a stack of several filters needs it",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_dump = {
	.synopsis = "PID [-o FILE] [--format raw|text] [--index N]",
	.description = "Read the seccomp filters installed in process PID, as the kernel keeps\n"
		       "them (ptrace PTRACE_SECCOMP_GET_FILTER; needs CAP_SYS_ADMIN and ptrace\n"
		       "rights; the process is stopped for the time of the read). Every filter\n"
		       "of the stack is read, the oldest (0) first: the kernel runs them all and\n"
		       "takes the strictest action. Raw output is what `secprof compile -o`\n"
		       "writes, which `secprof explain`, `eval` and `disasm` read.",
	.opts = dump_opts,
	.operand = CLI_C_NONE,
};

struct dump_args {
	const char *output;
	const char *format;
	const char *index;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct dump_args *a = data;

	(void)g;
	switch (id) {
	case OPT_OUTPUT: a->output = v; break;
	case OPT_FORMAT: a->format = v; break;
	case OPT_INDEX: a->index = v; break;
	}
	return 0;
}

static int render(struct cli *g, bool raw, secprof_prog **f, size_t n, size_t from, size_t to,
		  FILE *out)
{
	secprof_error err = { 0 };

	for (size_t i = from; i < to; i++) {
		char *text;

		if (raw) {
			fwrite(f[i]->insns, sizeof(*f[i]->insns), f[i]->len, out);
			continue;
		}
		if (secprof_bpf_listing(f[i]->insns, f[i]->len, secprof_arch_native(), &text,
					&err) < 0) {
			cli_print_error(g, &err);
			return EXIT_SYSTEM;
		}
		fprintf(out, "%sfilter %zu of %zu%s: %zu instructions\n", i > from ? "\n" : "", i,
			n,
			n == 1       ? ""
			: i == 0     ? " (oldest)"
			: i + 1 == n ? " (newest)"
				     : "",
			f[i]->len);
		fputs(text, out);
		free(text);
	}
	return 0;
}

int cmd_dump(struct cli *g, int argc, char **argv)
{
	struct dump_args a = { 0 };
	secprof_error err = { 0 };
	secprof_prog **f = NULL;
	size_t n = 0, from, to;
	uint64_t pid, idx = 0;
	bool raw;
	FILE *out;
	int first, rc = cli_parse(g, argc, argv, take, &a, NULL, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if (argc - first != 1)
		return cli_bad_usage(g, "one PID is needed");
	if (!cli_number(argv[first], 0x7fffffff, &pid, NULL) || pid == 0)
		return cli_bad_usage(g, "'%s' is not a process id", argv[first]);
	if (a.format && strcmp(a.format, "raw") && strcmp(a.format, "text"))
		return cli_bad_usage(g, "--format takes raw or text, got '%s'", a.format);
	if (a.index && !cli_number(a.index, 1u << 20, &idx, NULL))
		return cli_bad_usage(g, "--index takes a number, got '%s'", a.index);
	raw = a.format ? !strcmp(a.format, "raw") : (a.output && strcmp(a.output, "-"));
	if (secprof_dump((int)pid, &f, &n, &err) < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	if (n == 0) {
		fprintf(stderr, "%s: process %d has no seccomp filter\n", g->prog, (int)pid);
		return EXIT_PROFILE;
	}
	if (a.index && idx >= n) {
		fprintf(stderr, "%s: process %d has %zu filter%s; --index %s is past the oldest\n",
			g->prog, (int)pid, n, n == 1 ? "" : "s", a.index);
		secprof_dump_free(f, n);
		return EXIT_USAGE;
	}
	/* Raw programs have no framing: two of them in one file would read
	 * back as one program that never reaches the second. */
	if (raw && n > 1 && !a.index) {
		fprintf(stderr,
			"%s: process %d has %zu filters (the kernel runs them all); choose one with "
			"--index N (0: the oldest) for raw output, or use --format text\n",
			g->prog, (int)pid, n);
		secprof_dump_free(f, n);
		return EXIT_USAGE;
	}
	from = a.index ? (size_t)idx : 0;
	to = a.index ? (size_t)idx + 1 : n;
	out = !a.output || !strcmp(a.output, "-") ? stdout : fopen(a.output, "wb");
	if (!out) {
		fprintf(stderr, "%s: %s: cannot open: %s\n", g->prog, a.output, strerror(errno));
		secprof_dump_free(f, n);
		return EXIT_SYSTEM;
	}
	rc = render(g, raw, f, n, from, to, out);
	if ((out == stdout ? fflush(out) : fclose(out)) != 0 && !rc) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", g->prog,
			a.output ? a.output : "<stdout>", strerror(errno));
		rc = EXIT_SYSTEM;
	}
	secprof_dump_free(f, n);
	return rc;
}
