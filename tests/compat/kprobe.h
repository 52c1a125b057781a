/* kprobe.h - check an emulator verdict against the real kernel: load a program
 * in a fresh forked child, make one side-effect-free syscall there and see
 * what happened (returned / errno, SIGSYS trap, killed). Header-only.
 *
 * The child reports through a shared page, not through syscalls, because the
 * filter under test may deny write(2) or even exit(2); the parent kills it
 * once the report is in. Probes use syscalls that ignore their arguments
 * (getppid, getuid, ...) or numbers the kernel does not implement, so any
 * argument value the filter tests is harmless (docs/CONVENTIONS.md §13).
 */
#ifndef SECPROF_COMPAT_KPROBE_H
#define SECPROF_COMPAT_KPROBE_H

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "secprof.h"

enum kp_kind { KP_RETURNED, KP_TRAPPED, KP_KILLED, KP_LOAD_FAILED, KP_HUNG };

struct kp_result {
	enum kp_kind kind;
	bool failed;   /* returned -1 */
	int err;       /* errno when failed */
	int sig;       /* KP_KILLED */
	int trap_nr;   /* KP_TRAPPED: si_syscall */
	int trap_data; /* KP_TRAPPED: si_errno = the RET data */
};

struct kp_shared {
	volatile int done, trapped, trap_nr, trap_data, load_failed;
	volatile long ret;
	volatile int err;
};

static struct kp_shared *kp_page;

static void kp_on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	kp_page->trap_nr = si->si_syscall;
	kp_page->trap_data = si->si_errno;
	kp_page->trapped = 1;
}

#if defined(__x86_64__)
/* An i386 system call from this 64-bit process: `int $0x80` enters through
 * the compat table, so the filter sees AUDIT_ARCH_I386 and i386 numbers, and
 * 32-bit arguments. Five are enough for the probes (ebp stays untouched,
 * which keeps frame-pointer builds safe); the sixth is 0. */
static inline long kp_int80(long nr, const uint64_t *a)
{
	long ret = nr;

	__asm__ volatile("int $0x80"
			 : "+a"(ret)
			 : "b"((uint32_t)a[0]), "c"((uint32_t)a[1]), "d"((uint32_t)a[2]),
			   "S"((uint32_t)a[3]), "D"((uint32_t)a[4])
			 : "memory", "r8", "r9", "r10", "r11");
	return (int32_t)ret;
}
#endif

static inline __attribute__((noreturn)) void kp_child(const secprof_insn *p, size_t len, long nr,
						      const uint64_t *a, bool compat)
{
	struct sigaction sa;
	struct sock_fprog prog = { (unsigned short)len, (struct sock_filter *)(uintptr_t)p };
	long ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = kp_on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	/* without CAP_SYS_ADMIN the kernel wants no_new_privs first */
	if (p && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		  syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)) {
		kp_page->load_failed = 1;
		_exit(99);
	}
	errno = 0;
#if defined(__x86_64__)
	if (compat) {
		ret = kp_int80(nr, a);
		kp_page->ret = ret < 0 && ret > -4096 ? -1 : ret;
		kp_page->err = ret < 0 && ret > -4096 ? (int)-ret : 0;
		kp_page->done = 1;
		for (;;)
			syscall(SYS_exit_group, 0);
	}
#else
	(void)compat;
#endif
	ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	kp_page->ret = ret;
	kp_page->err = errno;
	kp_page->done = 1;
	for (;;)
		syscall(SYS_exit_group, 0); /* may be denied: the parent kills us */
}

static inline struct kp_result kp_collect(pid_t pid)
{
	struct kp_result r = { KP_HUNG, false, 0, 0, 0, 0 };
	struct timespec nap = { 0, 200000 };
	int status = 0;

	for (int i = 0; i < 20000; i++) {
		if (kp_page->done || kp_page->load_failed)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (kp_page->load_failed)
		r.kind = KP_LOAD_FAILED;
	else if (kp_page->trapped) {
		r.kind = KP_TRAPPED;
		r.trap_nr = kp_page->trap_nr;
		r.trap_data = kp_page->trap_data;
	} else if (kp_page->done) {
		r.kind = KP_RETURNED;
		r.failed = kp_page->ret == -1;
		r.err = r.failed ? kp_page->err : 0;
	} else if (pid < 0 && WIFSIGNALED(status)) {
		r.kind = KP_KILLED;
		r.sig = WTERMSIG(status);
	}
	return r;
}

/* Run syscall nr(a) in a child under program p (NULL = no filter); compat:
 * as an i386 call (x86_64 only). */
static inline struct kp_result kp_run(const secprof_insn *p, size_t len, long nr, const uint64_t *a,
				      bool compat)
{
	pid_t pid;

	if (!kp_page) {
		kp_page = mmap(NULL, sizeof(*kp_page), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (kp_page == MAP_FAILED)
			abort();
	}
	memset((void *)kp_page, 0, sizeof(*kp_page));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0)
		kp_child(p, len, nr, a, compat);
	return kp_collect(pid);
}

/* What the kernel should do for emulator verdict `ret`, given the outcome of
 * the same call without a filter. */
static inline bool kp_matches(uint32_t ret, const struct kp_result *nat,
			      const struct kp_result *got, long nr)
{
	uint32_t data = ret & 0xffffu;

	switch (ret & 0xffff0000u) {
	case 0x7fff0000u: /* ALLOW */
	case 0x7ffc0000u: /* LOG */
		return got->kind == KP_RETURNED && got->failed == nat->failed &&
		       got->err == nat->err;
	case 0x00050000u: /* ERRNO: the kernel caps the data at MAX_ERRNO (docs/COMPAT.md §4.3) */
		if (data == 0)
			return got->kind == KP_RETURNED && !got->failed;
		return got->kind == KP_RETURNED && got->failed &&
		       got->err == (int)(data > 4095 ? 4095 : data);
	case 0x7ff00000u: /* TRACE without a tracer */
	case 0x7fc00000u: /* NOTIFY without a listener */
		return got->kind == KP_RETURNED && got->failed && got->err == ENOSYS;
	case 0x00030000u: /* TRAP: SIGSYS with the call and the data */
		return got->kind == KP_TRAPPED && got->trap_nr == (int)nr &&
		       got->trap_data == (int)data;
	case 0x00000000u: /* KILL_THREAD: the only thread, so the process */
	case 0x80000000u: return got->kind == KP_KILLED && got->sig == SIGSYS;
	default: return false;
	}
}

#endif
