/* test_live.c - run --explain's pieces that need no process: the twin
 * filter (every ERRNO return and every `ret A` made USER_NOTIF; ALLOW,
 * LOG, KILL, TRAP and TRACE kept; flags kept, TSYNC gets TSYNC_ESRCH),
 * checked on the compiled built-in profile in the emulator against the
 * real program; and the decoding of calls, strings read from this very
 * process with process_vm_readv. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "core/util.h"
#include "sandbox/run.h"

static void test_twin_rets(void)
{
	secprof_insn insns[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 1 },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 38 },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_THREAD },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRAP | 3 },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRACE | 7 },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_LOG },
		{ BPF_RET | BPF_A, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 1, 0,
		  SECCOMP_RET_ERRNO | 1 }, /* a value, not a return */
	};
	const uint32_t want[] = {
		0,
		SECCOMP_RET_ALLOW,
		SECCOMP_RET_USER_NOTIF,
		SECCOMP_RET_USER_NOTIF,
		SECCOMP_RET_KILL_PROCESS,
		SECCOMP_RET_KILL_THREAD,
		SECCOMP_RET_TRAP | 3,
		SECCOMP_RET_TRACE | 7,
		SECCOMP_RET_LOG,
		SECCOMP_RET_USER_NOTIF,
		SECCOMP_RET_ERRNO | 1,
	};
	secprof_prog real = { .len = SP_ARRAY_SIZE(insns),
			      .insns = insns,
			      .flags = SECCOMP_FILTER_FLAG_TSYNC };
	struct sp_live lv = { .real = &real };
	secprof_error err = { 0 };

	tap_ok(sp_live_twin(&lv, &err) == 0 && lv.twin, "twin built");
	if (!lv.twin)
		return;
	TAP_EQ_INT(lv.twin->len, real.len, "same length: every jump stays where it was");
	for (size_t i = 0; i < real.len; i++) {
		bool is_ret = (lv.twin->insns[i].code & 0x07) == BPF_RET;
		tap_ok(lv.twin->insns[i].k == want[i] &&
			       (is_ret || lv.twin->insns[i].code == insns[i].code) &&
			       lv.twin->insns[i].jt == insns[i].jt &&
			       lv.twin->insns[i].jf == insns[i].jf,
		       "insn %zu: k 0x%08x (want 0x%08x)", i, lv.twin->insns[i].k, want[i]);
	}
	TAP_EQ_INT(lv.twin->insns[9].code, BPF_RET | BPF_K, "ret A became ret #USER_NOTIF");
	tap_ok(lv.twin->needs_listener, "the twin asks for a listener");
	TAP_EQ_INT(lv.twin->flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
		   "TSYNC kept, with TSYNC_ESRCH");
	sp_live_free(&lv);
}

/* On the compiled built-in profile: for every x86_64 number the twin
 * answers ALLOW exactly where the real program does, USER_NOTIF exactly
 * where it answers ERRNO, and the same everywhere else. */
static void test_twin_builtin(void)
{
	secprof_ctx *ctx = secprof_ctx_new();
	secprof_error err = { 0 };
	secprof_profile *p = secprof_profile_builtin(ctx, &err);
	secprof_resolve_opts ro = { .arch = "amd64", .caps = secprof_caps_docker_default() };
	secprof_resolved *r = p ? secprof_resolve(ctx, p, &ro, &err) : NULL;
	secprof_prog *prog = r ? secprof_compile(ctx, r, NULL, &err) : NULL;
	struct sp_live lv = { .real = prog };
	size_t bad = 0, notif = 0;

	tap_ok(prog && sp_live_twin(&lv, &err) == 0, "built-in profile: twin built");
	tap_ok(lv.twin && secprof_bpf_check(lv.twin->insns, lv.twin->len, &err) == 0,
	       "built-in profile: the twin passes the kernel's load checks");
	for (int32_t nr = 0; lv.twin && nr < 1100; nr++) {
		for (uint64_t a0 = 0; a0 < 64; a0 += 21) {
			secprof_data d = { .nr = nr, .arch = 0xc000003e, .args = { a0 } };
			uint32_t real = secprof_emulate(prog->insns, prog->len, &d, NULL);
			uint32_t twin = secprof_emulate(lv.twin->insns, lv.twin->len, &d, NULL);
			uint32_t want = (real & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO
						? SECCOMP_RET_USER_NOTIF
						: real;
			bad += twin != want;
			notif += twin == SECCOMP_RET_USER_NOTIF;
		}
	}
	TAP_EQ_INT(bad, 0,
		   "built-in profile: the twin answers as the real program, ERRNO made USER_NOTIF");
	tap_ok(notif > 100, "built-in profile: %zu inputs notified", notif);
	sp_live_free(&lv);
	secprof_prog_free(prog);
	secprof_resolved_free(r);
	secprof_profile_free(p);
	secprof_ctx_free(ctx);
}

static void decode_is(const char *name, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      const char *want, const char *want_key)
{
	uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	struct sp_buf text = { 0 }, key = { 0 };

	sp_decode_call(getpid(), name, args, false, &text, &key);
	TAP_EQ_STR(text.data, want, want);
	if (want_key)
		TAP_EQ_STR(key.data, want_key, "its grouping key");
	sp_buf_free(&text);
	sp_buf_free(&key);
}

static void test_decode(void)
{
	static const char src[] = "none", dst[] = "/mnt/\"x\"", fs[] = "tmpfs";
	char *page_end;
	char caller[600];

	decode_is("unshare", 0x10000000 | 0x20000, 0, 0, 0, "unshare(CLONE_NEWNS|CLONE_NEWUSER)",
		  NULL);
	decode_is("unshare", 0x80, 0, 0, 0, "unshare(CLONE_NEWTIME)", NULL);
	decode_is("clone", 0x01200000 | 17, 0x1234, 0, 0,
		  "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, 0x1234, 0x0, 0x0, 0x0)",
		  "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD,");
	decode_is("socket", 40, 1 | 0x80000, 0, 0, "socket(AF_VSOCK, SOCK_STREAM|SOCK_CLOEXEC, 0)",
		  NULL);
	decode_is("socket", 99, 10, 0, 0, "socket(99, SOCK_PACKET, 0)", NULL);
	decode_is("personality", 0xffffffff, 0, 0, 0, "personality(0xffffffff (query))", NULL);
	decode_is("personality", 0x0040008, 0, 0, 0, "personality(PER_LINUX32|ADDR_NO_RANDOMIZE)",
		  NULL);
	decode_is("prctl", 38, 1, 0, 0, "prctl(PR_SET_NO_NEW_PRIVS, 0x1, 0x0, 0x0, 0x0)", NULL);
	decode_is(
		"mount", (uintptr_t)src, (uintptr_t)dst, (uintptr_t)fs, 0xc0ed0000 | 1 | 4096,
		"mount(\"none\", \"/mnt/\\\"x\\\"\", \"tmpfs\", MS_MGC_VAL|MS_RDONLY|MS_BIND, 0x0)",
		NULL);
	decode_is("add_key", 0, 0, 0, 0xfffffffe, "add_key(NULL, NULL, 0x0, -2, 0)", NULL);
	decode_is(NULL, 1, 2, 3, 4, "syscall(0x1, 0x2, 0x3, 0x4, 0x0, 0x0)", NULL);
	/* a string that ends just before an unmapped page still reads */
	page_end = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page_end != MAP_FAILED) {
		munmap(page_end + 4096, 4096);
		memcpy(page_end + 4096 - 4, "abc", 4);
		decode_is("chroot", (uintptr_t)(page_end + 4096 - 4), 0, 0, 0, "chroot(\"abc\")",
			  NULL);
		char unmapped[64];
		snprintf(unmapped, sizeof(unmapped), "chroot(%p)", (void *)(page_end + 4096));
		decode_is("chroot", (uintptr_t)(page_end + 4096), 0, 0, 0, unmapped, NULL);
		munmap(page_end, 4096);
	}
	sp_decode_caller(getpid(), (uintptr_t)&test_decode, caller, sizeof(caller));
	tap_ok(strstr(caller, "test_live+0x") != NULL, "caller mapped to file+offset: %s", caller);
}

int main(void)
{
	test_twin_rets();
	test_twin_builtin();
	test_decode();
	return tap_done();
}
