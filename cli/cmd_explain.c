/* cmd_explain.c - `secprof explain`: which rule decided one call, and what
 * would change the decision (secprof_explain; the CLI only parses and
 * prints). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_ABI = 1, OPT_JSON };

static const struct cli_opt explain_opts[] = {
	{ "abi", 0, OPT_ABI, CLI_ARG, "ARCH",
	  "the syscall's ABI, e.g. x86 or x32 on amd64 (default: --arch)", CLI_C_ARCH, NULL,
	  false },
	{ "json", 0, OPT_JSON, CLI_NOARG, NULL,
	  "one JSON object: action, ret, rule, conditions, not_applied,\n"
	  "would_allow, reason",
	  CLI_C_NONE, NULL, false },
	{ 0 },
};

const struct cli_spec cli_spec_explain = {
	.synopsis = "PROFILE|builtin|FILE.bpf|- SYSCALL [ARG0..ARG5] [OPTIONS]",
	.description = "Explain what the filter decides for one syscall: the action, the rule\n"
		       "that decided it (syscalls[N] and line:column) or the default action or\n"
		       "runc's ENOSYS stub, for each conditional rule the condition that failed,\n"
		       "the rules for the syscall left out and why, and what would make it\n"
		       "ALLOW, each tried by resolving again: a capability to add, a kernel, an\n"
		       "arch, the argument values allowed, or a rule to add to the profile.\n"
		       "SYSCALL is a name or a number; ARGn are decimal or 0x-hex. A raw BPF\n"
		       "program (compile -o, secprof dump; told from JSON by its content) has no\n"
		       "rules: its action and the instructions it runs are shown.",
	.opts = explain_opts,
	.resolve = true,
	.compile = true,
	.operand = CLI_C_PROFILE,
};

struct explain_args {
	struct cli_resolve_args r;
	struct cli_call call;
	bool json;
};

static int take(struct cli *g, void *data, int id, const char *v)
{
	struct explain_args *a = data;

	(void)g;
	switch (id) {
	case OPT_ABI: a->call.abi = v; break;
	case OPT_JSON: a->json = true; break;
	}
	return 0;
}

static int explain_bpf(struct cli *g, const struct explain_args *a, const secprof_arch *arch,
		       const secprof_data *d, secprof_insn *insns, size_t n)
{
	secprof_error err = { 0 };
	char *out = NULL;
	int rc = 0;

	if (secprof_explain_bpf(insns, n, arch, d, a->json ? SECPROF_EXPLAIN_JSON : 0, &out, &err) <
	    0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
	} else {
		fputs(out, stdout);
		if (fflush(stdout))
			rc = EXIT_SYSTEM;
	}
	free(out);
	free(insns);
	return rc;
}

int cmd_explain(struct cli *g, int argc, char **argv)
{
	struct explain_args a = { 0 };
	secprof_compile_opts co = { 0 };
	secprof_resolve_opts ro = { 0 };
	secprof_error err = { 0 };
	secprof_data d = { 0 };
	secprof_profile *p = NULL;
	const secprof_arch *arch;
	char *out = NULL;
	int first, rc = cli_parse(g, argc, argv, take, &a, &a.r, &first);

	if (rc)
		return rc == CLI_DONE ? EXIT_OK : rc;
	if ((rc = cli_call_operands(g, argc, argv, first, &a.r, &a.call)) ||
	    (rc = cli_call_data(g, "explain", &a.r, &a.call, &arch, &d)))
		return rc;
	/* the same resolve options as cli_resolve_loaded, kept to re-resolve */
	ro.arch = a.r.arch;
	ro.kernel_major = a.r.kernel_major;
	ro.kernel_minor = a.r.kernel_minor;
	if (secprof_caps_tweak(a.r.cap_add, a.r.nadd, a.r.cap_drop, a.r.ndrop, a.r.privileged,
			       secprof_caps_all(), &ro.caps, &err) < 0) {
		cli_print_error(g, &err);
		return cli_exit_code(-err.code);
	}
	if (strcmp(a.r.profile, "builtin")) {
		secprof_insn *insns = NULL;
		char *json = NULL;
		size_t n = 0, njson = 0;

		if ((rc = cli_read_bpf_or_json(g, a.r.profile, &insns, &n, &json, &njson)))
			return rc;
		if (insns) /* a raw program: its path, no rules */
			return explain_bpf(g, &a, arch, &d, insns, n);
		p = secprof_profile_parse(g->ctx, json, njson,
					  strcmp(a.r.profile, "-") ? a.r.profile : "<stdin>", &err);
		free(json);
		if (!p) {
			cli_print_error(g, &err);
			return cli_exit_code(-err.code);
		}
	} else if ((rc = cli_load_profile(g, a.r.profile, &p))) {
		return rc;
	}
	co = a.r.compile;
	if (secprof_explain(g->ctx, p, &ro, &co, arch, &d, a.json ? SECPROF_EXPLAIN_JSON : 0, &out,
			    &err) < 0) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
	} else {
		fputs(out, stdout);
		if (fflush(stdout))
			rc = EXIT_SYSTEM;
	}
	free(out);
	secprof_profile_free(p);
	return rc;
}
