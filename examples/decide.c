/* decide.c - what a seccomp profile decides for one system call, through the
 * installed libsecprof and nothing but its public header.
 *
 *   cc decide.c $(pkg-config --cflags --libs secprof) -o decide
 *   ./decide builtin 41 40        # socket(AF_VSOCK) on x86_64: ERRNO(1)
 *   ./decide profile.json 272     # unshare
 *
 * The profile is resolved as Docker would for a container of this machine's
 * architecture with Docker's default capabilities on the running kernel, then
 * compiled to the BPF program runc would load; the program runs in secprof's
 * emulator on the call (native ABI, number NR, arguments ARG0..ARG5, each
 * decimal or 0x-hex). It prints the action as `secprof eval` does
 * (ALLOW, ERRNO(1), KILL_PROCESS...) and the instructions executed.
 * Exit status: 0 decided, 1 the profile was refused, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secprof.h>

/* The AUDIT_ARCH_* token the kernel puts in seccomp_data.arch for this
 * program's own ABI (include/uapi/linux/audit.h); 0 if not listed here. */
static uint32_t native_audit_arch(void)
{
#if defined(__x86_64__) /* x32 too: its numbers carry 0x40000000 */
	return AUDIT_ARCH_X86_64;
#elif defined(__i386__)
	return AUDIT_ARCH_I386;
#elif defined(__aarch64__)
	return AUDIT_ARCH_AARCH64;
#elif defined(__arm__)
	return AUDIT_ARCH_ARM;
#elif defined(__riscv) && __riscv_xlen == 64
	return AUDIT_ARCH_RISCV64;
#elif defined(__s390x__)
	return AUDIT_ARCH_S390X;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return AUDIT_ARCH_PPC64LE;
#else
	return 0;
#endif
}

/* The action part of a SECCOMP_RET_* value (include/uapi/linux/seccomp.h),
 * written as `secprof eval` writes it. */
static void print_action(uint32_t ret)
{
	uint32_t data = ret & 0xffffu;

	switch (ret & 0xffff0000u) {
	case 0x80000000u: printf("KILL_PROCESS"); break;
	case 0x00000000u: printf("KILL_THREAD"); break;
	case 0x00030000u: printf("TRAP"); break;
	case 0x00050000u: printf("ERRNO(%" PRIu32 ")", data); return;
	case 0x7fc00000u: printf("NOTIFY"); break;
	case 0x7ff00000u: printf("TRACE(%" PRIu32 ")", data); return;
	case 0x7ffc0000u: printf("LOG"); break;
	case 0x7fff0000u: printf("ALLOW"); break;
	default: printf("0x%08" PRIx32, ret); return;
	}
	if (data)
		printf("+0x%" PRIx32, data);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno || end == s || *end || *s == '-') ? -1 : 0;
}

/* Warnings (rules runc would skip, and the like) go to stderr. */
static void warn(void *data, const secprof_error *w)
{
	char buf[1300];

	(void)data;
	fprintf(stderr, "decide: warning: %s\n", secprof_error_format(w, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	secprof_error err = { 0 };
	secprof_data in = { 0 };
	/* NULL arch and kernel 0.0: this machine and its running kernel. */
	secprof_resolve_opts ropts = { .caps = secprof_caps_docker_default() };
	secprof_compile_opts copts = { 0 }; /* runc's program: ENOSYS stub included */
	secprof_ctx *ctx = NULL;
	secprof_profile *profile = NULL;
	secprof_resolved *resolved = NULL;
	secprof_prog *prog = NULL;
	unsigned steps = 0;
	uint64_t v;
	char buf[1300];
	int status = 1;

	if (argc < 3 || argc > 9) {
		fprintf(stderr, "usage: %s PROFILE.json|builtin NR [ARG0..ARG5]\n", argv[0]);
		return 2;
	}
	if (parse_u64(argv[2], &v) || v > INT32_MAX) {
		fprintf(stderr, "decide: bad syscall number \"%s\"\n", argv[2]);
		return 2;
	}
	in.nr = (int32_t)v;
	for (int i = 3; i < argc; i++) {
		if (parse_u64(argv[i], &in.args[i - 3])) {
			fprintf(stderr, "decide: bad argument \"%s\"\n", argv[i]);
			return 2;
		}
	}
	in.arch = native_audit_arch();
	if (!in.arch) {
		fprintf(stderr, "decide: this example does not know this machine's AUDIT_ARCH\n");
		return 2;
	}

	ctx = secprof_ctx_new();
	if (!ctx) {
		fprintf(stderr, "decide: out of memory\n");
		return 1;
	}
	secprof_ctx_set_warn(ctx, warn, NULL);

	if (strcmp(argv[1], "builtin") == 0)
		profile = secprof_profile_builtin(ctx, &err);
	else
		profile = secprof_profile_load_file(ctx, argv[1], &err);
	if (!profile)
		goto out;

	resolved = secprof_resolve(ctx, profile, &ropts, &err);
	if (!resolved)
		goto out;
	if (secprof_resolved_unconfined(resolved)) {
		/* Docker runs such a container without seccomp: every call is allowed. */
		printf("unconfined\n");
		status = 0;
		goto out;
	}

	prog = secprof_compile(ctx, resolved, &copts, &err);
	if (!prog)
		goto out;

	print_action(secprof_emulate(prog->insns, prog->len, &in, &steps));
	printf("\nsteps %u\n", steps);
	status = 0;
out:
	if (status)
		fprintf(stderr, "decide: %s\n", secprof_error_format(&err, buf, sizeof(buf)));
	secprof_prog_free(prog);
	secprof_resolved_free(resolved);
	secprof_profile_free(profile);
	secprof_ctx_free(ctx);
	return status;
}
