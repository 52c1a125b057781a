/* test_compat_driver.c - the reference used by test_equiv and the bench is
 * itself right: the libseccomp driver (runc_scmp.h) meets runc's own test
 * vectors (docs/COMPAT.md §4.1.2) and the ENOSYS stub rules (§4.1.3), and the
 * action-cache walk (bpf_eval.h) answers as the kernel's
 * seccomp_is_const_allow would (docs/KERNEL.md §2.1). The same vectors
 * run on secprof's program too.
 */
#include "tap.h"

#include "../compat/bpf_eval.h"
#include "../compat/runc_scmp.h"

#define X86_64 0xC000003Eu
#define I386 0x40000003u
#define S390X 0x80000016u

struct both {
	secprof_profile *p;
	secprof_resolved *r;
	struct runc_prog rp;
	secprof_prog *sp;
	bool ok;
};

static void both_free(struct both *b)
{
	runc_prog_free(&b->rp);
	secprof_prog_free(b->sp);
	secprof_resolved_free(b->r);
	secprof_profile_free(b->p);
}

static struct both build(secprof_ctx *ctx, const char *path_or_json, bool is_file, const char *go)
{
	struct both b;
	secprof_error err;
	secprof_resolve_opts o = { .arch = go,
				   .kernel_major = 6,
				   .kernel_minor = 1,
				   .caps = secprof_caps_docker_default() };
	char rerr[256];

	memset(&b, 0, sizeof(b));
	b.p = is_file ? secprof_profile_load_file(ctx, path_or_json, &err)
		      : secprof_profile_parse(ctx, path_or_json, strlen(path_or_json),
					      "inline.json", &err);
	b.r = b.p ? secprof_resolve(ctx, b.p, &o, &err) : NULL;
	if (!b.r) {
		tap_diag("cannot load %s: %s", is_file ? path_or_json : "inline profile", err.msg);
		return b;
	}
	b.sp = secprof_compile(ctx, b.r, &(secprof_compile_opts){ .exact_libseccomp = true }, &err);
	b.ok = b.sp && !runc_scmp_build(b.r, NULL, &b.rp, rerr, sizeof(rerr));
	if (!b.ok)
		tap_diag("compile failed: secprof %s, libseccomp %s", b.sp ? "ok" : err.msg, rerr);
	return b;
}

/* The expected verdict, on both programs. */
static void expect(const struct both *b, const char *what, uint32_t arch, int32_t nr, uint64_t a0,
		   uint64_t a1, uint64_t a2, uint32_t want)
{
	secprof_data d = { .nr = nr, .arch = arch, .args = { a0, a1, a2 } };
	uint32_t lib = b->ok ? be_run(b->rp.insns, b->rp.len, &d, NULL) : 0xdead;
	uint32_t ours = b->ok ? be_run(b->sp->insns, b->sp->len, &d, NULL) : 0xdead;

	if (!tap_ok(lib == want && ours == want, "%s", what))
		tap_diag("want 0x%08x, libseccomp/runc 0x%08x, secprof 0x%08x", want, lib, ours);
}

static void runc_vectors(secprof_ctx *ctx, const char *ref)
{
	char path[4096];
	struct both b;

	snprintf(path, sizeof(path), "%s/profiles/runc-syscall-test1.json", ref);
	b = build(ctx, path, true, "amd64");
	expect(&b, "test1 AND: ftruncate(123456789, 1337) allowed", X86_64, 77, 123456789, 1337, 0,
	       0x7fff0000);
	expect(&b, "test1 AND: ftruncate(123456789, 0) EPERM", X86_64, 77, 123456789, 0, 0,
	       0x00050001);
	expect(&b, "test1 OR: process_vm_readv(100) allowed", X86_64, 310, 100, 0, 0, 0x7fff0000);
	expect(&b, "test1 OR: process_vm_readv(9001) allowed", X86_64, 310, 9001, 0, 0, 0x7fff0000);
	expect(&b, "test1 OR: process_vm_readv(101) EPERM", X86_64, 310, 101, 0, 0, 0x00050001);
	expect(&b, "test1 OR-ERRNO: process_vm_writev(2020) errno 55", X86_64, 311, 2020, 0, 0,
	       0x00050037);
	expect(&b, "test1 MASKED_EQ: socket(.., .., 0xff) allowed", X86_64, 41, 2, 1, 0xff,
	       0x7fff0000);
	expect(&b, "test1 MASKED_EQ: socket(.., .., 0x100) EPERM", X86_64, 41, 2, 1, 0x100,
	       0x00050001);
	expect(&b, "test1 two rules: dup3(1) allowed", X86_64, 292, 1, 0, 0, 0x7fff0000);
	expect(&b, "test1 two rules: dup3(2) EPERM", X86_64, 292, 2, 0, 0, 0x00050001);
	expect(&b, "test1 two rules: dup3(3) allowed", X86_64, 292, 3, 0, 0, 0x7fff0000);
	expect(&b, "test1 ENOSYS stub: syscall 1000 gets ENOSYS", X86_64, 1000, 0, 0, 0,
	       0x00050026);
	both_free(&b);
	snprintf(path, sizeof(path), "%s/profiles/runc-syscall-test2.json", ref);
	b = build(ctx, path, true, "amd64");
	expect(&b, "test2 defaultErrnoRet 6: chdir gets ENXIO", X86_64, 80, 0, 0, 0, 0x00050006);
	both_free(&b);
}

static void stub_rules(secprof_ctx *ctx)
{
	struct both b = build(
		ctx,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"getppid\",\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		false, "amd64");

	/* x86_64: highest named number is openat 257, even though its rule
	 * equals the default and is skipped (§4.1.3) */
	expect(&b, "stub: x86_64 nr 257 (openat, default-equal rule) keeps the default", X86_64,
	       257, 0, 0, 0, 0x00050001);
	expect(&b, "stub: x86_64 nr 258 gets ENOSYS", X86_64, 258, 0, 0, 0, 0x00050026);
	expect(&b, "stub: x86_64 nr 200 (unnamed, below max) keeps the default", X86_64, 200, 0, 0,
	       0, 0x00050001);
	expect(&b, "stub: i386 has its own max (openat 295): 296 gets ENOSYS", I386, 296, 0, 0, 0,
	       0x00050026);
	expect(&b, "stub: x32 split by bit 30: x32 getppid allowed", X86_64, 0x40000000 + 110, 0, 0,
	       0, 0x7fff0000);
	expect(&b, "stub: x32 above its max gets ENOSYS", X86_64, 0x40000000 + 258, 0, 0, 0,
	       0x00050026);
	both_free(&b);
	b = build(ctx,
		  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		  "\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  false, "amd64");
	expect(&b, "stub: x32 numbers without x32 in the filter are never allowed (bad arch)",
	       X86_64, 0x40000000 + 110, 0, 0, 0, 0x00000000);
	both_free(&b);
}

/* The cache walk on hand-made programs, each with a known kernel answer. */
static void const_allow(void)
{
	static const secprof_insn allow_all[] = { { BPF_RET | BPF_K, 0, 0, 0x7fff0000 } };
	static const secprof_insn log_all[] = { { BPF_RET | BPF_K, 0, 0, 0x7ffc0000 } };
	static const secprof_insn by_nr[] = {
		/* arch != x86_64 or x32 bit: KILL; nr >= 100: ALLOW; else ERRNO */
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 5, X86_64 },
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
		{ BPF_JMP | BPF_JSET | BPF_K, 3, 0, 0x40000000 },
		{ BPF_JMP | BPF_JGE | BPF_K, 1, 0, 100 },
		{ BPF_RET | BPF_K, 0, 0, 0x00050001 },
		{ BPF_RET | BPF_K, 0, 0, 0x7fff0000 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	static const secprof_insn args_first[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },
		{ BPF_RET | BPF_K, 0, 0, 0x7fff0000 },
		{ BPF_RET | BPF_K, 0, 0, 0x7fff0000 },
	};
	static const secprof_insn via_x[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
		{ BPF_MISC | BPF_TAX, 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, 0x7fff0000 },
	};

	tap_ok(be_const_allow(allow_all, 1, X86_64, 1), "cache walk: RET ALLOW is cacheable");
	tap_ok(!be_const_allow(log_all, 1, X86_64, 1),
	       "cache walk: RET LOG is not (only exactly ALLOW)");
	tap_ok(!be_const_allow(by_nr, 8, X86_64, 50),
	       "cache walk: nr 50 ends in ERRNO: not cacheable");
	tap_ok(be_const_allow(by_nr, 8, X86_64, 150),
	       "cache walk: nr 150 through LD/JEQ/JSET/JGE to ALLOW: cacheable");
	tap_ok(!be_const_allow(by_nr, 8, I386, 150),
	       "cache walk: another arch token ends in KILL: not cacheable");
	tap_ok(!be_const_allow(by_nr, 8, X86_64, 0x40000000 + 150),
	       "cache walk: the x32 bit ends in KILL");
	tap_ok(be_run(by_nr, 8, &(secprof_data){ .nr = 150, .arch = X86_64 }, NULL) == 0x7fff0000 &&
		       be_run(by_nr, 8, &(secprof_data){ .nr = 50, .arch = X86_64 }, NULL) ==
			       0x00050001,
	       "the evaluator agrees on the same program");
	tap_ok(!be_const_allow(args_first, 4, X86_64, 1),
	       "cache walk: loading an argument makes it uncacheable");
	tap_ok(!be_const_allow(via_x, 3, X86_64, 1),
	       "cache walk: TAX is outside what the kernel emulates");
}

int main(void)
{
	const char *ref = getenv("REF");
	secprof_ctx *ctx = secprof_ctx_new();

	const_allow();
	if (ref && !access(ref, R_OK))
		runc_vectors(ctx, ref);
	else
		tap_ok(1, "runc vectors # SKIP $REF not set");
	stub_rules(ctx);
	secprof_ctx_free(ctx);
	return tap_done();
}
