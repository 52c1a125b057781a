/* cmd_eval.c - `secprof eval`: what a profile (compiled as `compile` does) or
 * a raw BPF file decides for one syscall, run in secprof's emulator.
 * Reaches src/ruleset.h and src/arch.h: the CLI links the static archive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ruleset.h"

static const char eval_usage[] =
	"usage: secprof eval PROFILE|builtin|FILE.bpf SYSCALL [ARG0..ARG5]\n"
	"                    [--abi A] [--no-enosys] [--exact-libseccomp] [resolve options]\n"
	"  SYSCALL      a name or a number (decimal or 0x-hex) as seccomp_data.nr\n"
	"  ARGn         decimal or 0x-hex 64-bit values (missing ones are 0)\n"
	"  --arch G     the container's GOARCH (resolve option; also the default ABI)\n"
	"  --abi A      the syscall's ABI, e.g. x86 or x32 on amd64 (libseccomp name)\n"
	"  --exact-libseccomp  compile as libseccomp (runc, Docker) does: all 64 bits of\n"
	"               arguments the kernel reads as 32-bit types compared too\n"
	"FILE.bpf is raw struct sock_filter bytes, as `compile --format raw` writes.\n"
	"Prints the action (ALLOW, ERRNO(1), KILL_THREAD, ...) and \"steps N\".";

struct eval_args {
	struct cli_resolve_args r;
	const char *abi;
	const char *syscall;
	const char *args[6];
	int nargs;
	bool no_enosys;
	bool exact;
};

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(base == 16 ? s + 2 : s, &end, base);
	return !errno && *end == '\0' && end != (base == 16 ? s + 2 : s);
}

static int positional(struct cli *g, struct eval_args *a, const char *s)
{
	if (!a->r.profile)
		a->r.profile = s;
	else if (!a->syscall)
		a->syscall = s;
	else if (a->nargs < 6)
		a->args[a->nargs++] = s;
	else {
		cli_usage_error(g, "eval: at most 6 arguments after the syscall");
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_args(struct cli *g, int argc, char **argv, struct eval_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		int r = cli_resolve_opt(&a->r, &i, argc, argv);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(s, "--abi")) {
			if (i + 1 >= argc) {
				cli_usage_error(g, "option '--abi' needs a value");
				return EXIT_USAGE;
			}
			a->abi = argv[++i];
		} else if (!strcmp(s, "--no-enosys")) {
			a->no_enosys = true;
		} else if (!strcmp(s, "--exact-libseccomp")) {
			a->exact = true;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			printf("%s\n", eval_usage);
			return -1;
		} else if (s[0] == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9')) {
			cli_usage_error(g, "eval: unknown option '%s'\n%s", s, eval_usage);
			return EXIT_USAGE;
		} else if (positional(g, a, s)) {
			return EXIT_USAGE;
		}
	}
	if (!a->r.profile || !a->syscall) {
		cli_usage_error(g, "eval: a profile and a syscall are needed\n%s", eval_usage);
		return EXIT_USAGE;
	}
	return 0;
}

static const struct sp_arch *pick_abi(struct cli *g, const struct eval_args *a)
{
	const struct sp_arch *arch;

	if (a->abi) {
		arch = sp_arch_by_name(a->abi);
		if (!arch)
			arch = sp_arch_by_scmp(a->abi);
		if (!arch)
			arch = sp_arch_by_go(a->abi);
		if (!arch)
			cli_usage_error(g, "eval: unknown ABI '%s'", a->abi);
		return arch;
	}
	arch = a->r.arch ? sp_arch_by_go(a->r.arch) : sp_arch_native();
	if (!arch)
		cli_usage_error(g, "eval: unknown arch '%s'", a->r.arch ? a->r.arch : "(native)");
	return arch;
}

static int fill_data(struct cli *g, const struct eval_args *a, const struct sp_arch *arch,
		     secprof_data *d)
{
	uint64_t v;

	d->arch = arch->audit;
	if (parse_u64(a->syscall, &v)) {
		if (v > UINT32_MAX) {
			cli_usage_error(g, "eval: syscall number %s is out of range", a->syscall);
			return EXIT_USAGE;
		}
		d->nr = (int32_t)(uint32_t)v;
	} else if ((d->nr = sp_syscall_nr(arch, a->syscall)) < 0) {
		cli_usage_error(g, "eval: no syscall '%s' on %s", a->syscall, arch->name);
		return EXIT_USAGE;
	}
	for (int i = 0; i < a->nargs; i++) {
		if (!parse_u64(a->args[i], &d->args[i])) {
			cli_usage_error(g, "eval: argument %d: '%s' is not a number", i, a->args[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static bool is_bpf_file(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".bpf");
}

/* The program to run: a raw file as is, or a profile compiled now. */
static int get_program(struct cli *g, const struct eval_args *a, secprof_insn **insns,
		       size_t *len)
{
	secprof_compile_opts co = { .no_enosys = a->no_enosys, .exact_libseccomp = a->exact };
	secprof_error err = { 0 };
	secprof_profile *p = NULL;
	secprof_resolved *r = NULL;
	secprof_prog *prog;
	int rc;

	if (is_bpf_file(a->r.profile))
		return cli_read_bpf(g, a->r.profile, insns, len);
	if ((rc = cli_resolve(g, &a->r, &p, &r)))
		return rc;
	if (secprof_resolved_unconfined(r)) {
		fprintf(stderr, "%s: %s: the profile is unconfined: every syscall is allowed\n",
			g->prog, a->r.profile);
		rc = EXIT_PROFILE;
	} else if (!(prog = secprof_compile(g->ctx, r, &co, &err))) {
		cli_print_error(g, &err);
		rc = cli_exit_code(-err.code);
	} else {
		*insns = prog->insns;
		*len = prog->len;
		prog->insns = NULL;
		secprof_prog_free(prog);
	}
	secprof_resolved_free(r);
	secprof_profile_free(p);
	return rc;
}

int cmd_eval(struct cli *g, int argc, char **argv)
{
	struct eval_args a = { 0 };
	secprof_data d = { 0 };
	secprof_error err = { 0 };
	const struct sp_arch *arch;
	secprof_insn *insns = NULL;
	size_t len = 0;
	unsigned steps;
	char buf[48];
	int rc = parse_args(g, argc, argv, &a);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!(arch = pick_abi(g, &a)))
		return EXIT_USAGE;
	if ((rc = fill_data(g, &a, arch, &d)) || (rc = get_program(g, &a, &insns, &len)))
		return rc;
	if (sp_bpf_check(insns, len, &err) < 0) {
		cli_print_error(g, &err);
		free(insns);
		return EXIT_PROFILE;
	}
	uint32_t ret = secprof_emulate(insns, len, &d, &steps);
	printf("%s\nsteps %u\n", sp_ret_str(ret, buf, sizeof(buf)), steps);
	free(insns);
	return EXIT_OK;
}
