/* test_spawn.c - sp_spawn_shared, which starts `run`'s command in a child
 * sharing secprof's memory: the child must start with every signal blocked
 * and every handler of the caller's back to the default (ignored signals
 * stay ignored), or a signal could run the caller's code in a process that
 * writes the caller's memory. In the real kernel: through clone3 with
 * CLONE_CLEAR_SIGHAND, and through the fallback an old kernel or Docker's
 * default profile takes (a filter answers clone3 ENOSYS). Each case runs in
 * a forked child, which exits 0 when everything is as expected. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/run.h"
#include "enosys.h"
#include "tap.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* The first signal glibc keeps for itself (SIGCANCEL): its sigaction
 * refuses it, so only the kernel's flag can reset a handler on it. Set
 * and read here with the kernel's call. */
#define LIBC_SIGNAL 32

static void on_signal(int sig)
{
	(void)sig;
}

/* The kernel's sigaction: handler first on every arch's layout. */
static unsigned long raw_handler(int sig)
{
	unsigned long act[8] = { 0 };

	if (syscall(SYS_rt_sigaction, sig, NULL, act, (size_t)8) < 0)
		return ~0ul;
	return act[0];
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

struct seen {
	int bad;
	int marker;
};

/* In the new child: 1 bit per failed expectation. */
static int child_checks(void *data)
{
	struct seen *s = data;
	struct sigaction sa;
	sigset_t mask;

	if (sigaction(SIGUSR1, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		s->bad |= 1;
	if (sigaction(SIGTERM, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		s->bad |= 1;
	if (sigaction(SIGWINCH, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		s->bad |= 1;
	if (sigaction(SIGUSR2, NULL, &sa) < 0 || sa.sa_handler != SIG_IGN)
		s->bad |= 2;
	if (sigprocmask(SIG_SETMASK, NULL, &mask) < 0 || !sigismember(&mask, SIGUSR1) ||
	    !sigismember(&mask, SIGTERM) || !sigismember(&mask, SIGCHLD))
		s->bad |= 4;
	s->marker = raw_handler(LIBC_SIGNAL) == 0 ? 1 : 2;
	return 7 + s->bad;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	return !uname(&u) && sscanf(u.release, "%d.%d", &a, &b) == 2 &&
	       (a > major || (a == major && b >= minor));
}

/* 0 when fine; bits: 1 handler left, 2 ignored signal reset, 4 signals
 * not blocked, 8 exit status lost, 16 the kernel's flag did not do
 * the resetting (or did where it should not), 32 the child's writes not
 * seen (CLONE_VM), 64 set-up failed. */
static int scenario(bool fallback)
{
	struct seen s = { 0, 0 };
	struct sigaction sa;
	volatile int canary = 0x5eed; /* lives on the stack across the clone */
	int status = 0, bad = 0;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    signal(SIGUSR2, SIG_IGN) == SIG_ERR || raw_catch(LIBC_SIGNAL) < 0 ||
	    raw_handler(LIBC_SIGNAL) == 0)
		return 64;
	if (fallback && (answer_enosys(SYS_clone3) < 0 || syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS))
		return 64; /* the filter did not take */
	pid = sp_spawn_shared(child_checks, &s);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 64;
	if (!WIFEXITED(status) || WEXITSTATUS(status) < 7)
		return 8;
	bad |= WEXITSTATUS(status) - 7;
	if (canary != 0x5eed)
		bad |= 8;
	if (SP_SPAWN_SHARES_MEMORY) {
		if (s.bad != bad || !s.marker)
			bad |= 32;
		/* only CLONE_CLEAR_SIGHAND (Linux 5.5, x86_64 here) resets a
		 * handler glibc's sigaction cannot reach */
#if defined(__x86_64__)
		if (s.marker != (!fallback && kernel_at_least(5, 5) ? 1 : 2))
			bad |= 16;
#endif
	}
	/* the caller's own handlers untouched */
	if (sigaction(SIGUSR1, NULL, &sa) < 0 || sa.sa_handler != on_signal)
		bad |= 1;
	return bad;
}

static void run_case(const char *name, bool fallback)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(scenario(fallback));
	waitpid(pid, &status, 0);
	if (!tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", name))
		tap_diag("child status 0x%x (1: a handler left, 2: an ignored signal reset, 4: "
			 "signals not blocked, 8: status or stack lost, 16: wrong path, 32: "
			 "memory not shared, 64: set-up)",
			 status);
}

int main(void)
{
	run_case("clone3 CLONE_CLEAR_SIGHAND: handlers default, ignored kept, all blocked",
		 false);
	run_case("clone3 refused (ENOSYS): the same, one sigaction at a time", true);
	return tap_done();
}
