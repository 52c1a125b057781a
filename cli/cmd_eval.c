/* cmd_eval.c - `secprof eval`: what a profile (compiled as `compile` does) or
 * a raw BPF file decides for one syscall, run in secprof's emulator.
 * Reaches src/ruleset.h and src/arch.h: the CLI links the static archive. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_ABI = 1, OPT_JSON };

static const struct cli_opt eval_opts[] = {
	{ "abi", 0, OPT_ABI, CLI_ARG, "ARCH",
	  "the syscall's ABI, e.g. x86 or x32 on amd64 (default: --arch)", CLI_C_ARCH, NULL,
	  false },
	{ "json", 0, OPT_JSON, CLI_NOARG, NULL, "one JSON object: action, ret, steps, arch, nr",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_eval = {
	.synopsis = "PROFILE|builtin|BPF-FILE|- SYSCALL [ARG0..ARG5] [OPTIONS]",
	.description = "Run one syscall through the program in secprof's BPF emulator: a raw\n"
		       "program (as compile --format raw writes it) as it is, or a profile\n"
		       "compiled as compile does. Which of the two a file holds is told by its\n"
		       "content, not its name: a NUL byte among the first 8 bytes makes it a\n"
		       "program (every BPF opcode's high byte is 0; JSON has no NUL bytes).\n"
		       "SYSCALL is a name or a number (decimal or 0x-hex, as seccomp_data.nr);\n"
		       "ARGn are decimal or 0x-hex 64-bit values (missing ones are 0).\n"
		       "Prints the action (ALLOW, ERRNO(1), KILL_THREAD, ...) and \"steps N\".",
	.opts = eval_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct eval_args {
	struct cli_resolve_args r;
	struct cli_call call;
	bool json;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct eval_args *a = data;

	(void)g;
	switch (id) {
	case OPT_ABI: a->call.abi = v; break;
	case OPT_JSON: a->json = true; break;
	}
	return 0;
}

static int parse_args(struct cli *g, int argc, char **argv, struct eval_args *a)
{
	int first, rc = cli_parse(g, argc, argv, take, a, &a->r, &first);

	return rc ? rc : cli_call_operands(g, argc, argv, first, &a->r, &a->call);
}

/* The program to run: a raw file as is, or a profile compiled now. */
static int get_program(struct cli *g, const struct eval_args *a, secprof_insn **insns, size_t *len)
{
	secprof_compile_opts co = a->r.compile;
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	char *json = NULL;
	size_t njson = 0;
	int rc;

	if (!strcmp(a->r.profile, "builtin")) {
		rc = cli_load_profile(g, a->r.profile, &p);
	} else if (!(rc = cli_read_bpf_or_json(g, a->r.profile, insns, len, &json, &njson)) &&
		   json) {
		secprof_error e = { 0 };
		p = secprof_profile_parse(g->ctx, json, njson,
					  strcmp(a->r.profile, "-") ? a->r.profile : "<stdin>", &e);
		free(json);
		if (!p) {
			cli_print_error(g, &e);
			rc = cli_exit_code(-e.code);
		}
	}
	if (rc || !p) /* an error, or a raw program read into *insns */
		return rc;
	if ((rc = cli_resolve_loaded(g, &a->r, &p, &r)))
		return rc;
	rc = cli_compile_insns(g, a->r.profile, r, &co, "every syscall is allowed", insns, len);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

int cmd_eval(struct cli *g, int argc, char **argv)
{
	struct eval_args a = { 0 };
	secprof_data d = { 0 };
	secprof_error err = { 0 };
	const secprof_arch *arch;
	secprof_insn *insns = NULL;
	size_t len = 0;
	unsigned steps;
	char buf[48];
	int rc = parse_args(g, argc, argv, &a);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if ((rc = cli_call_data(g, "eval", &a.r, &a.call, &arch, &d)) ||
	    (rc = get_program(g, &a, &insns, &len)))
		return rc;
	if (secprof_bpf_check(insns, len, &err) < 0) {
		cli_print_error(g, &err);
		free(insns);
		return EXIT_PROFILE;
	}
	uint32_t ret = secprof_emulate(insns, len, &d, &steps);
	if (a.json) {
		char *text = NULL;
		rc = cli_put_json(
			g, secprof_eval_json(ret, steps, arch, d.nr, a.call.syscall, &text, &err),
			&text, &err);
	} else {
		printf("%s\nsteps %u\n", secprof_action_str(ret, buf, sizeof(buf)), steps);
	}
	free(insns);
	return rc;
}
