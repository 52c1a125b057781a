/* test_spawn.c - sp_spawn_shared, which starts `run`'s command in a child
 * sharing secprof's memory: the child must start with every signal blocked
 * and every handler of the caller's back to the default (ignored signals
 * stay ignored), or a signal could run the caller's code in a process that
 * writes the caller's memory. In the real kernel: through clone3 with
 * CLONE_CLEAR_SIGHAND, and through the fallback an old kernel or Docker's
 * default profile takes (a filter answers clone3 ENOSYS). Each case runs in
 * a forked child, which reports what the new child found. */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/run.h"
#include "enosys.h"
#include "tap.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

/* The first signal glibc keeps for itself (SIGCANCEL): its sigaction
 * refuses it, so a handler there is set and read with the kernel's call,
 * and sp_default_handlers resets it with that call too. */
#define LIBC_SIGNAL 32

static void on_signal(int sig)
{
	(void)sig;
}

/* The kernel's sigaction: the handler first, but for MIPS. */
static unsigned long raw_handler(int sig)
{
	unsigned long act[8] = { 0 };

	if (syscall(SYS_rt_sigaction, sig, NULL, act, (size_t)8) < 0)
		return ~0ul;
#if defined(__mips__)
	return act[1];
#else
	return act[0];
#endif
}

static int raw_catch(int sig)
{
	struct sigaction sa;
	unsigned long act[8] = { 0 };

	/* glibc's own restorer, taken from a signal it lets us set */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigaction(SIGWINCH, &sa, NULL) < 0 ||
	    syscall(SYS_rt_sigaction, SIGWINCH, NULL, act, (size_t)8) < 0)
		return -1;
	return (int)syscall(SYS_rt_sigaction, sig, act, NULL, (size_t)8);
}

/* What the child reports in its exit status, 16 + these bits. */
enum {
	HANDLER_LEFT = 1,
	IGNORED_RESET = 2,
	NOT_BLOCKED = 4,
	BY_THE_KERNEL = 8, /* the ignored signal's flags cleared: CLONE_CLEAR_SIGHAND */
};

/* In the new child. The kernel's flag resets the flags of ignored signals
 * too (kernel/signal.c flush_signal_handlers); sp_default_handlers leaves
 * an ignored signal as it is: which one did the work. */
static int child_checks(void *data)
{
	struct sigaction sa;
	sigset_t mask;
	unsigned long kmask[2] = { 0, 0 };
	int bits = 0;

	(void)data;
	if (sigaction(SIGUSR1, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		bits |= HANDLER_LEFT;
	if (sigaction(SIGTERM, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		bits |= HANDLER_LEFT;
	if (sigaction(SIGWINCH, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		bits |= HANDLER_LEFT;
	if (raw_handler(LIBC_SIGNAL) != 0)
		bits |= HANDLER_LEFT;
	if (sigaction(SIGUSR2, NULL, &sa) < 0 || sa.sa_handler != SIG_IGN)
		bits |= IGNORED_RESET;
	else if (!(sa.sa_flags & SA_RESTART))
		bits |= BY_THE_KERNEL;
	if (sigprocmask(SIG_SETMASK, NULL, &mask) < 0 || !sigismember(&mask, SIGUSR1) ||
	    !sigismember(&mask, SIGTERM) || !sigismember(&mask, SIGCHLD))
		bits |= NOT_BLOCKED;
	/* glibc's own signals too, which its sigprocmask does not show */
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, kmask, (size_t)8) < 0 ||
	    !(kmask[0] & (1ul << (LIBC_SIGNAL - 1))))
		bits |= NOT_BLOCKED;
	return 16 + bits;
}

/* Whether sp_spawn_shared can have the kernel reset the handlers: clone3
 * with CLONE_CLEAR_SIGHAND (Linux 5.5) works here, fork-style, and no
 * filter is in force (under one it does not try clone3 at all). */
static bool kernel_can_clear(void)
{
	struct clone_args a;
	long pid;

	if (!SP_SPAWN_SHARES_MEMORY || prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
		return false;
#if !defined(__x86_64__)
	return false;
#endif
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_CLEAR_SIGHAND;
	a.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return false;
	waitpid((pid_t)pid, NULL, 0);
	return true;
}

/* The child's report (16 + bits), 1 when its status or the caller's stack
 * was lost, 2 when set-up failed. */
static int scenario(bool fallback)
{
	struct sigaction sa;
	volatile int canary = 0x5eed; /* lives on the stack across the clone */
	int status = 0;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    raw_catch(LIBC_SIGNAL) < 0 || raw_handler(LIBC_SIGNAL) == 0)
		return 2;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		return 2;
	if (fallback && (answer_enosys(SYS_clone3) < 0 || syscall(SYS_clone3, NULL, 0) != -1 ||
			 errno != ENOSYS))
		return 2; /* the filter did not take */
	pid = sp_spawn_shared(child_checks, NULL);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	if (!WIFEXITED(status) || WEXITSTATUS(status) < 16 || canary != 0x5eed)
		return 1;
	/* the caller's own handlers untouched */
	if (sigaction(SIGUSR1, NULL, &sa) < 0 || sa.sa_handler != on_signal)
		return 16 + HANDLER_LEFT;
	return WEXITSTATUS(status);
}

static void run_case(const char *name, bool fallback, bool kernel_clears)
{
	int status = 0, got;
	pid_t pid = fork();

	if (pid == 0)
		_exit(scenario(fallback));
	waitpid(pid, &status, 0);
	got = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	if (!tap_ok(got >= 16 && !((got - 16) & ~BY_THE_KERNEL),
		    "%s: handlers default, ignored kept, all blocked", name))
		tap_diag("status 0x%x (16 + bits: 1 a handler left, 2 an ignored signal reset, 4 "
			 "signals not blocked; 1: status or stack lost, 2: set-up)",
			 status);
	if (!SP_SPAWN_SHARES_MEMORY)
		tap_ok(1, "%s: who reset them # SKIP a sanitizer build forks", name);
	else
		tap_ok(got >= 16 && !!((got - 16) & BY_THE_KERNEL) == (kernel_clears && !fallback),
		       "%s: reset by %s", name,
		       kernel_clears && !fallback ? "the kernel (CLONE_CLEAR_SIGHAND)"
						  : "sp_default_handlers");
}

int main(void)
{
	bool kernel_clears = kernel_can_clear();

	if (!kernel_clears)
		tap_diag("clone3 with CLONE_CLEAR_SIGHAND is not used here: both cases take the "
			 "fallback");
	run_case("clone3", false, kernel_clears);
	run_case("clone3 refused (ENOSYS)", true, kernel_clears);
	return tap_done();
}
