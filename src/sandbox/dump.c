/* dump.c - read the seccomp filters installed in a running task, as the
 * kernel keeps them (kernel/seccomp.c seccomp_get_filter, reached through
 * ptrace(PTRACE_SECCOMP_GET_FILTER), include/uapi/linux/ptrace.h).
 *
 * The kernel hands out each filter's original classic-BPF instructions
 * (struct sock_filter, the layout of secprof_insn) only to a tracer that
 * holds the task in a ptrace-stop, has CAP_SYS_ADMIN and is not itself
 * under seccomp. So the task is seized (PTRACE_SEIZE: no SIGSTOP is sent,
 * nothing the task can see), stopped with PTRACE_INTERRUPT, read, and let
 * go with PTRACE_DETACH, re-injecting a signal it was about to take. */
#include <errno.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "secprof.h"
#include "core/util.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* Wait for the ptrace-stop PTRACE_INTERRUPT asks for. Returns the signal to
 * re-inject at detach (a signal-delivery-stop came first), 0 for an
 * event/group stop, -1 when the task is gone. */
static int wait_stop(pid_t pid)
{
	int st;

	for (;;) {
		pid_t got = waitpid(pid, &st, __WALL);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			return -1;
		if (WIFSTOPPED(st)) {
			/* status>>16: PTRACE_EVENT_STOP for the interrupt and
			 * group stops; 0 for a signal the task is receiving. */
			if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP)
				return WSTOPSIG(st);
			return 0;
		}
	}
}

static void free_filters(secprof_prog **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		secprof_prog_free(f[i]);
	free(f);
}

void secprof_dump_free(secprof_prog **filters, size_t count)
{
	if (filters)
		free_filters(filters, count);
}

/* Read filters 0..n-1 of a stopped tracee; 0 or negative with err. */
static int read_filters(pid_t pid, secprof_prog ***out, size_t *count, secprof_error *err)
{
	secprof_prog **f = NULL;
	size_t n = 0;

	for (unsigned long i = 0;; i++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);
		secprof_prog **g;
		secprof_prog *p;

		if (len < 0) {
			/* ENOENT past the oldest filter; EINVAL when the task is
			 * not in filter mode at all (seccomp_get_filter). */
			if (errno == ENOENT || errno == EINVAL)
				break;
			if (errno == EACCES)
				sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				       "cannot read the filters of %d: the kernel gives them only to a caller "
				       "with CAP_SYS_ADMIN that is not itself under seccomp",
				       (int)pid);
			else if (errno == EMEDIUMTYPE)
				sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				       "filter %lu of %d has no classic BPF form the kernel can return",
				       i, (int)pid);
			else
				sp_err_errno(err, NULL, "PTRACE_SECCOMP_GET_FILTER %lu of %d", i,
					     (int)pid);
			free_filters(f, n);
			return -SECPROF_E_SYSTEM;
		}
		if (!(g = realloc(f, (n + 1) * sizeof(*f)))) {
			free_filters(f, n);
			return sp_err_oom(err);
		}
		f = g;
		p = calloc(1, sizeof(*p));
		if (!p || !(p->insns = calloc(len ? (size_t)len : 1, sizeof(*p->insns)))) {
			free(p);
			free_filters(f, n);
			return sp_err_oom(err);
		}
		f[n++] = p;
		p->len = (size_t)len;
		_Static_assert(sizeof(secprof_insn) == sizeof(struct sock_filter),
			       "sock_filter layout");
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, p->insns) != len) {
			sp_err_errno(err, NULL, "PTRACE_SECCOMP_GET_FILTER %lu of %d", i, (int)pid);
			free_filters(f, n);
			return -SECPROF_E_SYSTEM;
		}
	}
	*out = f;
	*count = n;
	return 0;
}

int secprof_dump(int pid, secprof_prog ***filters, size_t *count, secprof_error *err)
{
	int sig, rc;

	*filters = NULL;
	*count = 0;
	if (pid <= 0)
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL, "no such process: %d", pid);
	if (pid == getpid())
		return sp_err(err, SECPROF_E_USAGE, NULL, NULL, NULL,
			      "a process cannot read its own filters (the kernel needs a tracer)");
	if (ptrace(PTRACE_SEIZE, (pid_t)pid, NULL, NULL) < 0) {
		if (errno == ESRCH)
			return sp_err(err, SECPROF_E_SYSTEM, NULL, NULL, NULL,
				      "no such process: %d", pid);
		return sp_err_errno(err, NULL, "cannot attach to %d (ptrace)", pid);
	}
	if (ptrace(PTRACE_INTERRUPT, (pid_t)pid, NULL, NULL) < 0 || (sig = wait_stop(pid)) < 0) {
		rc = sp_err_errno(err, NULL, "cannot stop %d (ptrace)", pid);
		ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL);
		return rc;
	}
	rc = read_filters((pid_t)pid, filters, count, err);
	ptrace(PTRACE_DETACH, (pid_t)pid, NULL, (void *)(long)sig);
	return rc;
}
