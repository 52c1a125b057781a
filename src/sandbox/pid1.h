/* pid1.h - how a waiting parent forwards signals and reaps: shared by
 * libsecprof (proc.c: `secprof run` without a root waits this way) and by
 * secprof-init (init/secprof-init.c), the separate program a container's
 * PID 1 becomes before the command runs (container.c). secprof-init is
 * built against musl, so this header uses POSIX calls alone and includes
 * nothing of libsecprof's. */
#ifndef SP_PID1_H
#define SP_PID1_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

/* docker run's own exit statuses (docker run reference, "Exit status"). */
enum { SP_EXIT_ERROR = 125, SP_EXIT_CANNOT_EXEC = 126, SP_EXIT_NOT_FOUND = 127 };

/* The signals secprof forwards to the command (and blocks while it
 * waits): those the docker client forwards (docker/cli,
 * cli/command/container/signals.go ForwardAllSignals: every signal it
 * can catch but SIGCHLD, SIGPIPE and the Go runtime's SIGURG), the
 * real-time ones with them (SIGRTMIN+3 stops a systemd), but not:
 * - SIGTSTP, SIGTTIN, SIGTTOU and SIGCONT: without a root, secprof is in
 *   the shell's job with the command; the terminal stops both, and a
 *   secprof that did not stop would leave the shell waiting for it;
 * - SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS and SIGABRT, which
 *   report a fault or an abort of secprof's own: blocked, they would end
 *   it without its handler (a sanitizer's report); and SIGXCPU and
 *   SIGXFSZ, which report secprof's own limits (a relay's write past
 *   RLIMIT_FSIZE must not kill the command). The docker client forwards
 *   these too when another process sends them (README.md, "Signals");
 * - the C library's own real-time signals, which sigfillset leaves out
 *   (glibc's 32 and 33, musl's 32 to 34). */
static inline void sp_forward_sigset(sigset_t *set)
{
	static const int kept[] = { SIGCHLD, SIGPIPE, SIGURG,  SIGTSTP, SIGTTIN, SIGTTOU,
				    SIGCONT, SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,  SIGTRAP,
				    SIGSYS,  SIGABRT, SIGXCPU, SIGXFSZ, SIGKILL, SIGSTOP };

	sigfillset(set);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		sigdelset(set, kept[i]);
}

/* A wait status as a shell reports it: the exit code, or 128 + the signal. */
static inline int sp_shell_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/* Wait for pid, forwarding signals sent by other processes (not those the
 * terminal sends to the whole foreground process group, which the command
 * gets itself), with the forwarded signals and SIGCHLD blocked. reap_all
 * reaps every child (a PID 1). tick: NULL, or how long to wait for a
 * signal before trying waitpid again (where another thread of the process
 * may take SIGCHLD). Returns the exit status as a shell reports it
 * (128+N), SP_EXIT_ERROR when pid is no child (anymore). The calls it
 * makes: wait4, rt_sigtimedwait, kill (secprof-init's filter allows those). */
static inline int sp_wait_forwarding(pid_t pid, bool reap_all, bool terminal_signals,
				     const struct timespec *tick)
{
	sigset_t set;
	int wstatus;

	sp_forward_sigset(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		siginfo_t si;
		pid_t got;

		while ((got = waitpid(reap_all ? -1 : pid, &wstatus, WNOHANG)) > 0)
			if (got == pid)
				return sp_shell_status(wstatus);
		if (got < 0 && errno == ECHILD)
			return SP_EXIT_ERROR;
		if (sigtimedwait(&set, &si, tick) < 0 || si.si_signo == SIGCHLD)
			continue;
		/* The terminal signals the whole foreground process group, the
		 * command included (si_code SI_KERNEL): passing those on would
		 * deliver them twice; but a container runs in a session of its
		 * own (container.c init_main), where they reach only secprof. */
		if (si.si_code != SI_KERNEL || terminal_signals)
			kill(pid, si.si_signo);
	}
}

/* secprof-init's command line, as container.c builds it:
 *   secprof-init PID GATE_FD AUDIT_ARCH
 * PID: the command's process, which runs secprof's set-up and waits at
 * its filter's load point until a byte is written to GATE_FD (the write
 * end of a pipe it reads: proc.c pass_gate); AUDIT_ARCH (hexadecimal): the
 * native arch's AUDIT_ARCH_* value, the only one init's filter lets
 * through. */
enum { SP_INIT_ARGC = 4 };

/* The byte on the gate: SP_GATE_GO releases the command; any other is
 * why init could not lock itself down, which the command reports to
 * secprof before it exits; so does the end of file without a byte. GO is
 * not a NUL: the byte most likely to come from anything else that a
 * wrong fd could name (/dev/zero, a file's padding) releases nothing. */
enum sp_gate {
	SP_GATE_DUMPABLE = 1,
	SP_GATE_PRIVILEGES,
	SP_GATE_SIGNALS,
	SP_GATE_FILTER,
	SP_GATE_GO = 'G'
};

static inline const char *sp_gate_reason(int gate)
{
	/* a switch, not a table of pointers: no relocation at load */
	switch (gate) {
	case SP_GATE_DUMPABLE: return "cannot make itself non-dumpable";
	case SP_GATE_PRIVILEGES: return "a capability or privilege survived its execve";
	case SP_GATE_SIGNALS: return "cannot set up signal forwarding";
	case SP_GATE_FILTER: return "cannot load its own filter";
	default: return "it stopped before it said why";
	}
}

#endif
